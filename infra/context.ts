import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { ROLLUPS_STREAM_BATCHING } from './constructs/reports.ts';

/**
 * Everything a deployer can choose with `-c key=value` (or `context` in cdk.json), read once and
 * validated so that a typo fails synth with the name of the key instead of deploying something odd.
 * Values given on the command line arrive as strings; numbers are parsed here.
 */
export type NudgeContext = {
  /** CloudFormation stack name (`stackName`, default `Nudge`). */
  stackName: string;
  /** Name of the custom event bus producers put events on (`busName`, default `nudge`). */
  busName: string;
  /** CloudWatch Logs retention of every function (`logRetentionDays`, default 30). */
  logRetentionDays: RetentionDays;
  /** Parallel Scan segments of the daily profile sweep (`sweepScanSegments`, default 4). */
  sweepScanSegments: number;
  /**
   * `rollupsBatchingWindowSeconds`: how long the rollups' stream mapping gathers records before it
   * invokes (0 to 300; default ROLLUPS_STREAM_BATCHING's). Reports lag the events by at most about
   * this much; longer windows mean larger batches and fewer rollup writes. The local runtime uses 0.
   */
  rollupsBatchingWindowSeconds: number;
  /** `senderEmail`: the From address; an SES email identity unless `senderDomain` is given. */
  senderEmail?: string;
  /** `senderDomain`: verify the whole domain (Easy DKIM) instead of one address. */
  senderDomain?: string;
  /** `replyToEmail`: optional Reply-To for every email. */
  replyToEmail?: string;
  /**
   * `unsubscribeMailbox`: a mailto address for List-Unsubscribe, next to the one-click https link.
   * Set it only when inbound mail to it is processed (SES receipt rules that unsubscribe the
   * sender): an advertised mailbox nobody reads would lose unsubscribes. Unset by default.
   */
  unsubscribeMailbox?: string;
  /** `sesMaxSendRate`: emails/s to pace to instead of the account's MaxSendRate (e.g. to leave room for other senders). */
  sesMaxSendRate?: number;
  /**
   * `sesSandbox=true`: the account is still in the SES sandbox, where SES also authorizes `SendEmail`
   * against each (verified) recipient identity, so the grant covers the account's identities.
   */
  sesSandbox: boolean;
  /** `importSenderIdentity=true`: the SES identity already exists in the account; reference it instead of creating it. */
  importSenderIdentity: boolean;
  /** `mailFromDomain`: custom MAIL FROM (bounce) domain, a subdomain of `senderDomain` (default `mail.<senderDomain>`; `none` to skip). */
  mailFromDomain?: string;
  /** `alarmEmail`: an address subscribed to the alarm topic (it must confirm the subscription). */
  alarmEmail?: string;
  /** `logLevel`: Lambda application log level (default WARN in AWS; INFO or DEBUG to see more). */
  logLevel: LogLevel;
  /** `xraySamplingRate`: fraction of the sequence executions X-Ray traces (default 0.01; the rule has no reservoir: nudge-stack.ts SEQUENCE_SAMPLING_RESERVOIR). */
  xraySamplingRate: number;
  /**
   * `hotPathTracing`: X-Ray mode of the functions that run per event or per email (default
   * `PassThrough`: traced only when the caller's trace header is sampled; `Active`: Lambda samples
   * them itself, at its fixed 1 request a second + 5%, which no sampling rule changes).
   */
  hotPathTracing: TracingMode;
  /** `tags=k=v,k2=v2`: tags on every resource of the stack. */
  tags: Record<string, string>;
  /**
   * `linkReservedConcurrency`: reserved concurrency of the public link endpoint (default 20; 0: none).
   * Lambda keeps 100 of the account's concurrency unreserved, so an account still at a low
   * concurrency quota must raise it first (or pass 0 for both reservations).
   */
  linkReservedConcurrency: number;
  /** `ingestReservedConcurrency`: reserved concurrency of ingest, its backpressure (default 50; 0: none). */
  ingestReservedConcurrency: number;
  /** `linkDomain` + `linkCertificateArn` (ACM, us-east-1): serve the links through CloudFront on this domain, with a WAF rate rule. */
  linkDomain?: string;
  linkCertificateArn?: string;
  /** `sesDailyQuota`: the account's SES sending quota per 24 h (`aws sesv2 get-account`), for the quota alarm (default 50,000). */
  sesDailyQuota: number;
  /** `importLinkSecret=true`: reference the link key kept from an earlier deploy (by its stable name) instead of creating one. */
  importLinkSecret: boolean;
  /** `scheduleGroupName`: use an existing schedule group of this name (kept across redeploys) instead of creating one. */
  scheduleGroupName?: string;
  /**
   * `sparseIndexes=profiles`: deploy only the table's `profiles` index, step 1 of upgrading a table
   * deployed before the sparse indexes (CloudFormation adds one index per update). Default `all`.
   */
  sparseIndexes: 'all' | 'profiles';
};

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** WARN: at 10M events a month, INFO lines of every invocation are a real CloudWatch Logs bill. */
export const DEFAULT_LOG_LEVEL: LogLevel = 'WARN';
export const DEFAULT_XRAY_SAMPLING_RATE = 0.01;
export const TRACING_MODES = ['PassThrough', 'Active'] as const;
export type TracingMode = (typeof TRACING_MODES)[number];
/**
 * PassThrough: Lambda's active tracing samples 1 request a second + 5% of the rest and no sampling
 * rule lowers that (AWS: "This sampling rate cannot be configured for Lambda functions"), so ingest
 * alone, at the reference shop's ~4 events a second, would record ~2.9 million traces a month
 * (~$15). Traces then start where a sampling rule decides (the stack's rule, at xraySamplingRate).
 */
export const DEFAULT_HOT_PATH_TRACING: TracingMode = 'PassThrough';
/** A typical first production quota; the sandbox allows 200. */
export const DEFAULT_SES_DAILY_QUOTA = 50_000;
/**
 * Reserved concurrency of the public link endpoint: clicks and opens are light (one GetItem or one
 * PutEvents), so 20 concurrent invocations serve hundreds of requests a second, and a flood (even
 * of bad tokens) cannot take the account's concurrency that ingest and the dispatcher need.
 */
export const DEFAULT_LINK_RESERVED_CONCURRENCY = 20;
/**
 * Reserved concurrency of ingest: its backpressure. At ~50 ms an event, 50 concurrent invocations
 * ingest ~1,000 events/s, within what an on-demand table serves from cold (4,000 WCU/s initially at
 * 2.8 WCU per profile write); above that, EventBridge's asynchronous invocations queue (for up to
 * 6 hours in Lambda's queue, then EventBridge retries for 24 h) instead of throttling the table.
 */
export const DEFAULT_INGEST_RESERVED_CONCURRENCY = 50;
/** The context keys that name the sender; one is required. */
export const SENDER_CONTEXT_KEYS = ['senderEmail', 'senderDomain'] as const;

export const DEFAULT_STACK_NAME = 'Nudge';
export const DEFAULT_BUS_NAME = 'nudge';
export const DEFAULT_LOG_RETENTION_DAYS = RetentionDays.ONE_MONTH;
/**
 * Segments of the sweep's parallel Scan. Each segment reads its share of the table concurrently, so
 * more segments finish a big table sooner (same total read cost, higher peak read rate). A modest
 * default; raise it if the sweep of your table approaches its 15-minute timeout.
 */
export const DEFAULT_SWEEP_SCAN_SEGMENTS = 4;
/** One sweep invocation runs every segment concurrently; beyond this a single process gains nothing. */
export const MAX_SWEEP_SCAN_SEGMENTS = 64;

export class NudgeContextError extends Error {
  override name = 'NudgeContextError';
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const BUS_NAME = /^[\w.\-/]{1,256}$/;
const LOG_RETENTION_VALUES = new Set(Object.values(RetentionDays).filter((value): value is number => typeof value === 'number'));

export function readNudgeContext(node: Node): NudgeContext {
  const stackName = optionalString(node, 'stackName') ?? DEFAULT_STACK_NAME;
  if (!STACK_NAME.test(stackName)) fail('stackName', stackName, 'a letter followed by letters, digits and hyphens (at most 128)');

  const busName = optionalString(node, 'busName') ?? DEFAULT_BUS_NAME;
  if (!BUS_NAME.test(busName) || busName === 'default') {
    fail('busName', busName, 'letters, digits, . - _ / (at most 256), and not "default" (Nudge needs its own bus)');
  }

  // Retention periods live in the catalog with the other data periods (one place to read them all).
  if (node.tryGetContext('archiveRetentionDays') !== undefined) {
    throw new Error('Context archiveRetentionDays is no longer read: set eventArchiveRetentionDays in the catalog settings (shared/catalog/index.ts)');
  }

  const logRetentionDays = optionalInteger(node, 'logRetentionDays') ?? DEFAULT_LOG_RETENTION_DAYS;
  if (!LOG_RETENTION_VALUES.has(logRetentionDays)) {
    fail('logRetentionDays', logRetentionDays, `one of CloudWatch Logs' retention values: ${[...LOG_RETENTION_VALUES].sort((a, b) => a - b).join(', ')}`);
  }

  const sweepScanSegments = optionalInteger(node, 'sweepScanSegments') ?? DEFAULT_SWEEP_SCAN_SEGMENTS;
  if (sweepScanSegments < 1 || sweepScanSegments > MAX_SWEEP_SCAN_SEGMENTS) {
    fail('sweepScanSegments', sweepScanSegments, `a whole number from 1 to ${MAX_SWEEP_SCAN_SEGMENTS}`);
  }

  const rollupsBatchingWindowSeconds = optionalInteger(node, 'rollupsBatchingWindowSeconds') ?? ROLLUPS_STREAM_BATCHING.maxBatchingWindowSeconds;
  if (rollupsBatchingWindowSeconds < 0 || rollupsBatchingWindowSeconds > 300) fail('rollupsBatchingWindowSeconds', rollupsBatchingWindowSeconds, 'a whole number of seconds from 0 to 300 (the limit for DynamoDB streams)');

  const senderEmail = optionalString(node, 'senderEmail');
  if (senderEmail !== undefined && !EMAIL.test(senderEmail)) fail('senderEmail', senderEmail, 'an email address');
  const senderDomain = optionalString(node, 'senderDomain')?.toLowerCase();
  if (senderDomain !== undefined && !DOMAIN.test(senderDomain)) fail('senderDomain', senderDomain, 'a domain name such as example.com');
  if (senderEmail !== undefined && senderDomain !== undefined && domainOf(senderEmail) !== senderDomain) {
    fail('senderEmail', senderEmail, `an address at senderDomain ${senderDomain}: SES only lets a domain identity send from its own addresses`);
  }
  const replyToEmail = optionalString(node, 'replyToEmail');
  if (replyToEmail !== undefined && !EMAIL.test(replyToEmail)) fail('replyToEmail', replyToEmail, 'an email address');
  const unsubscribeMailbox = optionalString(node, 'unsubscribeMailbox');
  if (unsubscribeMailbox !== undefined && !EMAIL.test(unsubscribeMailbox)) fail('unsubscribeMailbox', unsubscribeMailbox, 'an email address');
  const sesMaxSendRateRaw: unknown = node.tryGetContext('sesMaxSendRate');
  const sesMaxSendRate = sesMaxSendRateRaw === undefined || sesMaxSendRateRaw === '' ? undefined : Number(sesMaxSendRateRaw);
  if (sesMaxSendRate !== undefined && !(Number.isFinite(sesMaxSendRate) && sesMaxSendRate > 0)) fail('sesMaxSendRate', sesMaxSendRateRaw, 'a number of emails per second above 0');
  if (senderEmail === undefined && senderDomain === undefined) {
    // A deploy without a sender would send from an address SES never verifies: every email fails.
    throw new NudgeContextError(
      'No sender: pass -c senderDomain=example.com (recommended: Easy DKIM, see README "Deploy to AWS") or -c senderEmail=you@example.com (an address you can verify)',
    );
  }

  let mailFromDomain = optionalString(node, 'mailFromDomain')?.toLowerCase();
  if (mailFromDomain === 'none') mailFromDomain = undefined;
  else if (senderDomain !== undefined) {
    mailFromDomain ??= `mail.${senderDomain}`;
    if (!DOMAIN.test(mailFromDomain) || !mailFromDomain.endsWith(`.${senderDomain}`)) {
      fail('mailFromDomain', mailFromDomain, `a subdomain of senderDomain ${senderDomain} (or "none")`);
    }
  } else if (mailFromDomain !== undefined) fail('mailFromDomain', mailFromDomain, 'set only together with senderDomain');

  const alarmEmail = optionalString(node, 'alarmEmail');
  if (alarmEmail !== undefined && !EMAIL.test(alarmEmail)) fail('alarmEmail', alarmEmail, 'an email address');

  const logLevel = (optionalString(node, 'logLevel')?.toUpperCase() ?? DEFAULT_LOG_LEVEL) as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) fail('logLevel', logLevel, `one of ${LOG_LEVELS.join(', ')}`);

  const xraySamplingRate = optionalNumber(node, 'xraySamplingRate') ?? DEFAULT_XRAY_SAMPLING_RATE;
  if (!(xraySamplingRate >= 0 && xraySamplingRate <= 1)) fail('xraySamplingRate', xraySamplingRate, 'a fraction from 0 to 1');

  const hotPathTracingRaw = optionalString(node, 'hotPathTracing');
  const hotPathTracing = hotPathTracingRaw === undefined ? DEFAULT_HOT_PATH_TRACING : TRACING_MODES.find((mode) => mode.toLowerCase() === hotPathTracingRaw.toLowerCase());
  if (hotPathTracing === undefined) fail('hotPathTracing', hotPathTracingRaw, `one of ${TRACING_MODES.join(', ')}`);

  const tags = parseTags(node);

  const linkReservedConcurrency = optionalInteger(node, 'linkReservedConcurrency') ?? DEFAULT_LINK_RESERVED_CONCURRENCY;
  if (linkReservedConcurrency < 0) fail('linkReservedConcurrency', linkReservedConcurrency, 'a whole number (0: no reservation)');
  const ingestReservedConcurrency = optionalInteger(node, 'ingestReservedConcurrency') ?? DEFAULT_INGEST_RESERVED_CONCURRENCY;
  if (ingestReservedConcurrency < 0) fail('ingestReservedConcurrency', ingestReservedConcurrency, 'a whole number (0: no reservation)');

  const linkDomain = optionalString(node, 'linkDomain')?.toLowerCase();
  if (linkDomain !== undefined && !DOMAIN.test(linkDomain)) fail('linkDomain', linkDomain, 'a domain name such as links.example.com');
  const linkCertificateArn = optionalString(node, 'linkCertificateArn');
  if ((linkDomain === undefined) !== (linkCertificateArn === undefined)) {
    fail(linkDomain ? 'linkCertificateArn' : 'linkDomain', linkDomain ?? linkCertificateArn, 'linkDomain and linkCertificateArn together (an ACM certificate in us-east-1 covering linkDomain)');
  }
  if (linkCertificateArn !== undefined && !/^arn:aws[\w-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/.test(linkCertificateArn)) {
    fail('linkCertificateArn', linkCertificateArn, 'an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from there)');
  }
  const sesDailyQuota = optionalInteger(node, 'sesDailyQuota') ?? DEFAULT_SES_DAILY_QUOTA;
  if (sesDailyQuota < 1) fail('sesDailyQuota', sesDailyQuota, 'a whole number of at least 1 (Max24HourSend of aws sesv2 get-account)');
  const scheduleGroupName = optionalString(node, 'scheduleGroupName');
  if (scheduleGroupName !== undefined && !/^[0-9a-zA-Z\-_.]{1,64}$/.test(scheduleGroupName)) fail('scheduleGroupName', scheduleGroupName, 'letters, digits, - _ . (at most 64)');

  const sparseIndexes = optionalString(node, 'sparseIndexes') ?? 'all';
  if (sparseIndexes !== 'all' && sparseIndexes !== 'profiles') fail('sparseIndexes', sparseIndexes, '"all" (default) or "profiles" (step 1 of an upgrade, README "Upgrading")');

  return {
    stackName,
    busName,
    logRetentionDays: logRetentionDays as RetentionDays,
    sweepScanSegments,
    rollupsBatchingWindowSeconds,
    ...(senderEmail !== undefined ? { senderEmail } : {}),
    ...(senderDomain !== undefined ? { senderDomain } : {}),
    ...(replyToEmail !== undefined ? { replyToEmail } : {}),
    ...(unsubscribeMailbox !== undefined ? { unsubscribeMailbox } : {}),
    ...(sesMaxSendRate !== undefined ? { sesMaxSendRate } : {}),
    sesSandbox: optionalBoolean(node, 'sesSandbox') ?? false,
    importSenderIdentity: optionalBoolean(node, 'importSenderIdentity') ?? false,
    ...(mailFromDomain !== undefined ? { mailFromDomain } : {}),
    ...(alarmEmail !== undefined ? { alarmEmail } : {}),
    logLevel,
    xraySamplingRate,
    hotPathTracing,
    tags,
    linkReservedConcurrency,
    ingestReservedConcurrency,
    ...(linkDomain !== undefined && linkCertificateArn !== undefined ? { linkDomain, linkCertificateArn } : {}),
    sesDailyQuota,
    importLinkSecret: optionalBoolean(node, 'importLinkSecret') ?? false,
    ...(scheduleGroupName !== undefined ? { scheduleGroupName } : {}),
    sparseIndexes,
  };
}

/** `tags=team=growth,env=prod`: comma-separated key=value pairs (an object in cdk.json also works). */
function parseTags(node: Node): Record<string, string> {
  const value: unknown = node.tryGetContext('tags');
  if (value === undefined || value === null || value === '') return {};
  if (typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, tag]) => [key, String(tag)]));
  }
  if (typeof value !== 'string') fail('tags', value, 'key=value pairs separated by commas');
  const tags: Record<string, string> = {};
  for (const pair of value.split(',').map((part) => part.trim()).filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at <= 0) fail('tags', value, 'key=value pairs separated by commas (e.g. team=growth,env=prod)');
    tags[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return tags;
}

function optionalBoolean(node: Node, key: string): boolean | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  fail(key, value, 'true or false');
}

function optionalNumber(node: Node, key: string): number | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  if (!Number.isFinite(parsed)) fail(key, value, 'a number');
  return parsed;
}

export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

function optionalString(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') fail(key, value, 'a string');
  return value.trim();
}

function optionalInteger(node: Node, key: string): number | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  if (!Number.isInteger(parsed)) fail(key, value, 'a whole number');
  return parsed;
}

function fail(key: string, value: unknown, expected: string): never {
  throw new NudgeContextError(`context ${key}=${JSON.stringify(value)} is invalid: expected ${expected} (set it with -c ${key}=...)`);
}
