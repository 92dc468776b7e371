import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildTestApp, removeSynthOutputs, resourcesOfType } from './support/synth.ts';

afterAll(() => {
  vi.unstubAllEnvs();
  removeSynthOutputs();
});

/**
 * What the functions would be configured with in AWS; module scope reads it at import time.
 * Clients are created at import but make no call, so no endpoint or credentials are needed.
 */
const LAMBDA_ENVIRONMENT: Record<string, string> = {
  AWS_REGION: 'eu-west-1',
  TABLE_NAME: 'nudge-table',
  EVENT_BUS_NAME: 'nudge',
  SWEEP_SCAN_SEGMENTS: '4',
  SEND_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/send',
  SCORING_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/scoring',
  REJECTED_EVENTS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/rejected',
  SENDER_EMAIL: 'nudge@example.com',
  LINK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:links',
  TRACKING_BASE_URL: 'https://abc.lambda-url.eu-west-1.on.aws/',
  SEND_QUEUE_ARN: 'arn:aws:sqs:eu-west-1:123456789012:send',
  SCHEDULE_GROUP_NAME: 'nudge',
  SCHEDULE_DEAD_LETTER_QUEUE_ARN: 'arn:aws:sqs:eu-west-1:123456789012:triggers-dlq',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/nudge-scheduler',
  TIMER_FUNCTION_ARN: 'arn:aws:lambda:eu-west-1:123456789012:function:nudge-timers',
  STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:nudge-sequences',
  SES_CONFIGURATION_SET: 'nudge',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

describe('bundling (esbuild, as cdk synth / deploy runs it)', () => {
  it('bundles every handler into an ESM module that loads and exports handler', async () => {
    const { app, stack, outdir } = buildTestApp({ bundle: true });
    const template = Template.fromStack(stack);
    void app;
    const functions = Object.values(resourcesOfType(template, 'AWS::Lambda::Function'));
    expect(functions).toHaveLength(24);

    for (const [name, value] of Object.entries(LAMBDA_ENVIRONMENT)) vi.stubEnv(name, value);
    for (const fn of functions) {
      const entry = String(fn.Metadata?.['nudge:entry']);
      expect(fn.Properties?.Handler, entry).toBe('index.handler');
      const assetHash = String(fn.Properties?.Code?.S3Key).replace(/\.zip$/, '');
      const bundle = join(outdir, `asset.${assetHash}`, 'index.mjs');
      expect(existsSync(bundle), `${entry} bundled to ${bundle}`).toBe(true);
      expect(existsSync(`${bundle}.map`), `${entry} has a source map`).toBe(true);
      expect(readFileSync(bundle, 'utf8').startsWith("import { createRequire as __nudgeCreateRequire } from 'node:module';"), entry).toBe(true);

      const module = (await import(pathToFileURL(bundle).href)) as { handler?: unknown };
      expect(typeof module.handler, `${entry} exports handler`).toBe('function');
    }
    // esbuild bundles 23 functions, then each bundle is imported: minutes on a loaded machine, not a hang.
  }, 300_000);
});
