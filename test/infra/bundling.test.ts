import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BUNDLE_BUDGET_BYTES } from '../../bench/bundle-size.ts';
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

type Bundle = { entry: string; file: string; handler: unknown };

/** Every function's bundle, as cdk synth makes it (esbuild runs once for the whole file). */
let bundles: Bundle[];
beforeAll(() => {
  const { stack, outdir } = buildTestApp({ bundle: true });
  const functions = Object.values(resourcesOfType(Template.fromStack(stack), 'AWS::Lambda::Function'));
  bundles = functions.map((fn) => ({
    entry: String(fn.Metadata?.['nudge:entry']),
    file: join(outdir, `asset.${String(fn.Properties?.Code?.S3Key).replace(/\.zip$/, '')}`, 'index.mjs'),
    handler: fn.Properties?.Handler,
  }));
  // esbuild bundles 27 functions: minutes on a loaded machine (5 there, measured), not a hang.
}, 600_000);

describe('bundling (esbuild, as cdk synth / deploy runs it)', () => {
  it('bundles every handler into an ESM module that loads and exports handler', async () => {
    expect(bundles).toHaveLength(27);

    for (const [name, value] of Object.entries(LAMBDA_ENVIRONMENT)) vi.stubEnv(name, value);
    for (const { entry, file, handler } of bundles) {
      expect(handler, entry).toBe('index.handler');
      expect(existsSync(file), `${entry} bundled to ${file}`).toBe(true);
      expect(existsSync(`${file}.map`), `${entry} has a source map`).toBe(true);
      expect(readFileSync(file, 'utf8').startsWith("import { createRequire as __nudgeCreateRequire } from 'node:module';"), entry).toBe(true);

      const module = (await import(pathToFileURL(file).href)) as { handler?: unknown };
      expect(typeof module.handler, `${entry} exports handler`).toBe('function');
    }
  }, 600_000);

  it(`keeps every function's bundle under ${BUNDLE_BUDGET_BYTES.toLocaleString('en-US')} bytes (the source map is a separate file, read only with --enable-source-maps)`, () => {
    const over = bundles.map(({ entry, file }) => ({ entry, bytes: statSync(file).size })).filter(({ bytes }) => bytes >= BUNDLE_BUDGET_BYTES);
    expect(over, 'bundles over the budget: what pulled them up? (esbuild --metafile shows each input)').toEqual([]);
  });

  it('keeps the source map out of the bundle: a separate file, referenced by its last line', () => {
    for (const { entry, file } of bundles) {
      const code = readFileSync(file, 'utf8');
      expect(code.includes('sourceMappingURL=data:'), entry).toBe(false);
      expect(code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map'), entry).toBe(true);
    }
  });
});
