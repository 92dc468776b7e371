import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNudgeApp } from './nudge-app.ts';
import { PROJECT_ROOT } from './project-paths.ts';

export type SynthesizeOptions = {
  /** Bundle the handlers with esbuild (as `cdk synth` does). Default false: ~2-3 s instead of ~7 s, same template apart from asset hashes. */
  bundle?: boolean;
  /** Extra context, as with `-c key=value` (e.g. `{ senderEmail: 'you@example.com' }`). */
  context?: Record<string, unknown>;
  /** Run the cdk-nag checks too (default false: they guard `cdk synth` and the infra tests, not local startup). */
  nag?: boolean;
};

/** Context key that lists the stacks to bundle assets for; an empty list skips esbuild entirely. */
export const BUNDLING_STACKS_CONTEXT = 'aws:cdk:bundling-stacks';

/**
 * The context `cdk synth` would see: cdk.json's `context` (feature flags change the template, and
 * an in-process `App` does not read cdk.json by itself), then bundling, then the caller's values.
 */
export function inProcessContext(options: Omit<SynthesizeOptions, 'nag'> = {}): Record<string, unknown> {
  return {
    ...cdkJsonContext(),
    ...(options.bundle ? {} : { [BUNDLING_STACKS_CONTEXT]: [] }),
    ...options.context,
  };
}

/**
 * Builds the Nudge app in this process, exactly as `infra/app.ts` does, and returns the synthesized
 * CloudFormation template as an object. The local runtime reads tables, queues, rule patterns,
 * retry policies, event source mappings, environments and `nudge:entry` metadata from it.
 * The cloud assembly goes to a temp directory that is removed before returning.
 */
export function synthesizeNudgeTemplate(options: SynthesizeOptions = {}): { stackName: string; template: Record<string, any> } {
  const outdir = mkdtempSync(join(tmpdir(), 'nudge-synth-'));
  try {
    const { app, stack } = buildNudgeApp({ context: inProcessContext(options), outdir, nag: options.nag ?? false, autoSynth: false });
    const assembly = app.synth();
    const template = assembly.getStackArtifact(stack.artifactId).template as Record<string, any>;
    return { stackName: stack.stackName, template };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}
