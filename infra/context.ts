import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';

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
};

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

  return {
    stackName,
    busName,
    logRetentionDays: logRetentionDays as RetentionDays,
    sweepScanSegments,
    ...(senderEmail !== undefined ? { senderEmail } : {}),
    ...(senderDomain !== undefined ? { senderDomain } : {}),
    ...(replyToEmail !== undefined ? { replyToEmail } : {}),
    ...(unsubscribeMailbox !== undefined ? { unsubscribeMailbox } : {}),
    ...(sesMaxSendRate !== undefined ? { sesMaxSendRate } : {}),
  };
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
