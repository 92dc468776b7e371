/**
 * The CDK app entry (`cdk.json`: `npx tsx infra/app.ts`). `npx cdk synth` bundles the handlers with
 * esbuild and fails on any cdk-nag AwsSolutions finding that is not acknowledged in code.
 *
 * Context: stackName, busName, logRetentionDays, sweepScanSegments, rollupsBatchingWindowSeconds, senderEmail,
 * senderDomain, replyToEmail (see infra/context.ts), e.g. `npx cdk deploy -c senderEmail=you@example.com`.
 */
import { CATALOG_OVERRIDE_ENV } from '#shared/catalog/catalog-override.ts';
import { buildNudgeApp } from './nudge-app.ts';

// The deployed handlers bundle the shipped catalog; a stack synthesized from another one would
// route events its Lambdas then judge by different rules.
if (process.env[CATALOG_OVERRIDE_ENV]) {
  throw new Error(`${CATALOG_OVERRIDE_ENV} is for local replays (nudge replay --catalog); to deploy another catalog, change shared/catalog/ and deploy that`);
}

const { app } = buildNudgeApp();
app.synth();
