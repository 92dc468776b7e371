/**
 * The CDK app entry (`cdk.json`: `npx tsx infra/app.ts`). `npx cdk synth` bundles the handlers with
 * esbuild and fails on any cdk-nag AwsSolutions finding that is not acknowledged in code.
 *
 * Context: stackName, busName, archiveRetentionDays, logRetentionDays, sweepScanSegments, senderEmail,
 * senderDomain, replyToEmail (see infra/context.ts), e.g. `npx cdk deploy -c senderEmail=you@example.com`.
 */
import { buildNudgeApp } from './nudge-app.ts';

const { app } = buildNudgeApp();
app.synth();
