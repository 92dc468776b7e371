import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readNudgeContext } from './context.ts';
import { NudgeStack } from './nudge-stack.ts';

export type BuildNudgeAppOptions = {
  /** Context on top of what the CDK CLI passes (cdk.json, `-c key=value`). */
  context?: Record<string, unknown>;
  /** Cloud assembly directory; defaults to the CLI's (CDK_OUTDIR) or a temp dir. */
  outdir?: string;
  /**
   * Run cdk-nag's AwsSolutions checks at synth, failing it on any unacknowledged finding (default
   * true). In-process synthesis for the local runtime turns it off: a lint finding must fail
   * `cdk synth` and the tests, not `npm start`.
   */
  nag?: boolean;
  /** Synthesize automatically when the process is about to exit (the CDK CLI's mode; default: when CDK_OUTDIR is set). */
  autoSynth?: boolean;
};

/**
 * The one definition of the Nudge app, used by `infra/app.ts` (the CDK CLI) and by
 * `infra/synthesize.ts` (in-process, for the local runtime and the tests).
 */
export function buildNudgeApp(options: BuildNudgeAppOptions = {}): { app: App; stack: NudgeStack } {
  const app = new App({
    ...(options.context ? { context: options.context } : {}),
    ...(options.outdir ? { outdir: options.outdir } : {}),
    ...(options.autoSynth !== undefined ? { autoSynth: options.autoSynth } : {}),
  });
  const settings = readNudgeContext(app.node);
  const stack = new NudgeStack(app, settings.stackName, {
    stackName: settings.stackName,
    description: 'Nudge: behavioral email automation (EventBridge in, DynamoDB profiles, SQS + SES out)',
    settings,
  });
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
