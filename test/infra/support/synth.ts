import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildNudgeApp } from '#infra/nudge-app.ts';
import { inProcessContext } from '#infra/synthesize.ts';

const outdirs: string[] = [];

/** The sender the tests synthesize with unless they name one (synth refuses a stack without a sender). */
export const TEST_SENDER_CONTEXT = { senderEmail: 'nudge@example.com' };

/** `context` with the test sender unless it names a sender itself (`senderEmail: undefined` names none). */
export function withTestSender(context: Record<string, unknown>): Record<string, unknown> {
  return 'senderEmail' in context || 'senderDomain' in context ? context : { ...TEST_SENDER_CONTEXT, ...context };
}

/**
 * Builds the Nudge app as `cdk synth` would (cdk.json context included), without running esbuild
 * unless `bundle` is set, into a temp cloud assembly directory removed by {@link removeSynthOutputs}.
 */
export function buildTestApp(options: { context?: Record<string, unknown>; nag?: boolean; bundle?: boolean } = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'nudge-infra-test-'));
  outdirs.push(outdir);
  const { app, stack } = buildNudgeApp({
    context: inProcessContext({ bundle: options.bundle ?? false, context: withTestSender(options.context ?? {}) }),
    outdir,
    nag: options.nag ?? false,
    autoSynth: false,
  });
  return { app, stack, outdir };
}

/** The synthesized template of the stack built with `context` (no bundling, no nag plugin). */
export function synthTemplate(context: Record<string, unknown> = {}) {
  const { app, stack } = buildTestApp({ context });
  return { app, stack, template: Template.fromStack(stack) };
}

export function removeSynthOutputs(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Every resource of `type` in the template, by logical id. */
export function resourcesOfType(template: Template, type: string): Record<string, { Properties?: Record<string, any>; Metadata?: Record<string, unknown> }> {
  return template.findResources(type) as Record<string, { Properties?: Record<string, any>; Metadata?: Record<string, unknown> }>;
}

/** The logical id of the one Lambda function whose `nudge:entry` is `entry`. */
export function functionIdByEntry(template: Template, entry: string): string {
  const ids = Object.entries(resourcesOfType(template, 'AWS::Lambda::Function'))
    .filter(([, resource]) => resource.Metadata?.['nudge:entry'] === entry)
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one function with nudge:entry ${entry}, found ${ids.length}`);
  return ids[0]!;
}

/** The policy statements attached to the role of the function with logical id `functionId`. */
export function statementsOfFunction(template: Template, functionId: string): Array<Record<string, any>> {
  const fn = resourcesOfType(template, 'AWS::Lambda::Function')[functionId]!;
  const roleId = fn.Properties!.Role['Fn::GetAtt'][0] as string;
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties!.Roles as Array<{ Ref: string }>).some((role) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties!.PolicyDocument.Statement as Array<Record<string, any>>);
}

export function actionsOf(statement: Record<string, any>): string[] {
  return ([] as string[]).concat(statement.Action);
}

export function resourcesOf(statement: Record<string, any>): unknown[] {
  return ([] as unknown[]).concat(statement.Resource);
}
