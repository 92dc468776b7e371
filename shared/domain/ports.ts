import type { FieldError } from '../contract/index.ts';
import type { Conversion, Purchase } from './conversions.ts';
import type { DecisionRecord } from './decision-record.ts';
import type { ExposurePurchase, StoredExposure } from './exposures.ts';
import type { InternalEvent } from './internal-events.ts';
import type { Profile } from './profile.ts';
import type { Claim } from './send-decision.ts';
import type { RuleTimer } from './rule-timer.ts';
import type { SendRequest } from './send-request.ts';
import type { SequenceMachineState, SequenceRunRecord } from './sequence-runs.ts';
import type { PredictiveModels } from './predictive/predict-profile.ts';
import type { ScoringRun, ScoringTask, SegmentResult } from './predictive/scoring-runs.ts';
import type { DriftReport } from './reports/drift.ts';
import type { ConversionLogEntry, RollupIncrement } from './reports/rollups.ts';
import type { SnapshotOutcomes, TrainingSnapshot } from './predictive/training-snapshots.ts';
import type { StoredModel, TrainingReport } from './predictive/model-records.ts';

/** Ports: what the services need from the outside world. Adapters in shared/adapters implement them. */

export type SaveProfileResult = { type: 'saved' } | { type: 'conflict'; current: Profile | undefined };

export interface ProfileStore {
  get(customerId: string): Promise<Profile | undefined>;
  /**
   * Writes the profile only if the stored version is still `expectedVersion` (undefined: no item yet),
   * and bumps the version. A conflict returns the current item so the caller can re-apply without a read.
   */
  save(profile: Profile, expectedVersion: number | undefined): Promise<SaveProfileResult>;
  /**
   * Removes the profile's outbox once its effects are done, only if the stored version is still
   * `version` (a later write carried the outbox on and does it itself); the version is not bumped.
   */
  clearOutbox(customerId: string, version: number): Promise<void>;
}

/** `claimed` also when the claims are already held by this same sendId (a redelivery). */
export type ClaimResult =
  /** `alreadyHeld`: this sendId held every cap claim already (a redelivered decision; known only for sends with caps). */
  | { type: 'claimed'; alreadyHeld?: boolean }
  | { type: 'blocked'; by: 'cooldown' | 'rule_cap' | 'global_cap'; until?: string };

export interface ClaimStore {
  /** Takes every claim of one send atomically, or none; idempotent for the same sendId. */
  claim(input: { customerId: string; sendId: string; claims: Claim[]; now: Date }): Promise<ClaimResult>;
}

/** SQS can hold a message back for at most 15 minutes; later sends go through DelayedWork. */
export const MAX_QUEUE_DELAY_SECONDS = 900;

export interface SendQueue {
  /** `delaySeconds` (0..MAX_QUEUE_DELAY_SECONDS) holds the message back before the dispatcher sees it. */
  enqueue(request: SendRequest, options?: { delaySeconds?: number }): Promise<void>;
}

/**
 * Work that is due later than SQS can delay it: one-time schedules (EventBridge Scheduler in AWS,
 * the local scheduler under the simulated clock locally). Both calls are idempotent: the schedule
 * name is derived from the sendId / timerId, and an existing schedule of that name counts as done.
 */
export interface DelayedWork {
  /** Puts `request` on the send queue at `at`. */
  scheduleSend(request: SendRequest, at: Date): Promise<void>;
  /** Hands `timer` to the timers function at `timer.dueAt`. */
  scheduleTimer(timer: RuleTimer): Promise<void>;
}

export type RejectedEvent = {
  reason: string;
  errors: FieldError[];
  receivedAt: string;
  /** The original event exactly as received, so it can be fixed and replayed. */
  original: unknown;
};

export interface RejectedEventStore {
  record(rejected: RejectedEvent): Promise<void>;
}

/** The send ledger: one record per send, the dispatcher's idempotency and the audit trail. */
export type SendLedgerBegin =
  | { type: 'started' }
  | { type: 'already_sent' }
  | { type: 'already_failed' }
  | { type: 'in_progress_elsewhere' };

export interface SendLedger {
  /** Starts (or resumes) a send; the record expires `retentionDays` after the decision. */
  begin(input: { request: SendRequest; now: Date; leaseMs: number; retentionDays: number }): Promise<SendLedgerBegin>;
  markSent(input: { request: SendRequest; messageId: string; now: Date }): Promise<void>;
  markFailed(input: { request: SendRequest; reason: string; now: Date }): Promise<void>;
  /** Gives the lease back after a retryable failure so the queue's redelivery can try again at once. */
  release(input: { request: SendRequest; error: string; now: Date }): Promise<void>;
}

export type OutgoingEmail = {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Extra message headers (List-Unsubscribe, List-Unsubscribe-Post). */
  headers: Array<{ name: string; value: string }>;
  tags: Record<string, string>;
};

/** Why SES refuses the account, the sender or the setup rather than the recipient (the send is kept). */
export type SendHoldReason =
  | 'identity_not_verified'
  | 'sending_paused'
  | 'account_suspended'
  | 'mail_from_not_verified'
  | 'configuration_missing'
  | 'daily_quota'
  | 'account_limit'
  | 'not_authorized';

/**
 * - `throttled`: over the sending rate (SES's or the dispatcher's own pacing); try again in about
 *   `retryAfterSeconds`, without counting it as a failed attempt.
 * - `held`: SES refuses the account or identity (see SendHoldReason); keep the send, retry much later.
 * - `retryable`: a transient fault; retried with backoff, dead-lettered after maxReceiveCount.
 * - `rejected`: this message or recipient can never be sent; recorded as failed.
 */
export type EmailSendResult =
  | { type: 'sent'; messageId: string }
  | { type: 'rejected'; reason: string }
  | { type: 'retryable'; reason: string }
  | { type: 'throttled'; reason: string; retryAfterSeconds?: number }
  | { type: 'held'; reason: string; hold: SendHoldReason };

export interface EmailSender {
  send(email: OutgoingEmail): Promise<EmailSendResult>;
}

/** The slice of a structured logger the services use (Powertools Logger satisfies it). */
export interface Log {
  debug(message: string, ...extra: Array<Record<string, unknown>>): void;
  info(message: string, ...extra: Array<Record<string, unknown>>): void;
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
  error(message: string, ...extra: Array<Record<string, unknown>>): void;
}

/** Nudge's own events (segment, lifecycle, escalation) onto the bus. */
export interface InternalEventBus {
  publish(events: InternalEvent[]): Promise<void>;
}

/** Segment membership kept queryable per segment (for reports), without scanning profiles. */
export interface SegmentMembershipStore {
  apply(input: { customerId: string; entered: Array<{ segmentId: string; matchScore: number }>; exited: string[]; at: Date }): Promise<void>;
}

/** The decision audit trail: every matched rule's outcome, kept for the catalog's retention. */
export interface DecisionLog {
  record(records: DecisionRecord[], retentionDays: number): Promise<void>;
  /** Incrementality: the customer's decisions triggered in [from, to] (one Query), as the purchase path reads them. */
  decisionsBetween(customerId: string, from: string, to: string): Promise<StoredExposure[]>;
  /** Adds a purchase to an exposure's record once (false: this purchase was counted already, or the record is gone). */
  markConversion(customerId: string, key: string, purchase: ExposurePurchase): Promise<boolean>;
}

/** Why an address must not be mailed again, whatever its consent says. */
export type SuppressionReason = 'hard_bounce' | 'complaint' | 'manual' | 'erased';

/**
 * The account-wide suppression list, keyed by a hash of the normalised address (no address is
 * stored in clear): hard bounces and complaints are added at once, and no send reaches them.
 */
export interface SuppressionList {
  find(email: string): Promise<{ reason: SuppressionReason; at: string; detail?: string } | undefined>;
  add(input: { email: string; reason: SuppressionReason; at: Date; detail?: string }): Promise<void>;
}

/** Behavior events Nudge observes itself (opens, clicks, unsubscribes), put on the bus for ingest. */
export interface BehaviorEventBus {
  put(entries: Array<{ source: string; detailType: string; detail: Record<string, unknown> }>): Promise<void>;
}

/** What happened to a send after it left: opens, clicks and the conversion it earned (on the send's record). */
export interface SendTracking {
  /** First/last open or click on the send record; idempotent. A send Nudge has no record of is ignored. */
  recordEngagement(input: { customerId: string; sendId: string; kind: 'open' | 'click'; at: string }): Promise<void>;
  /** The first unsubscribe through the send's own link, on the send record (the segment reports' unsubscribe rate); idempotent. */
  recordUnsubscribe(input: { customerId: string; sendId: string; at: string }): Promise<void>;
  /**
   * The purchase's conversion from the customer's send records (conversionFromSends: the converted
   * send is the last touch within the lookback), or undefined when no email touched them in it. One
   * conversion item per (send, order), so a retried purchase records it once; marks the send
   * converted. The item carries the send's segments and the customer's touches within the lookback.
   */
  recordConversion(purchase: Purchase, options: { windowHours: number; retentionDays: number }): Promise<Conversion | undefined>;
}

/** The latest run of each sequence per customer (see sequence-runs.ts). */
export interface SequenceRunStore {
  get(customerId: string, sequenceId: string): Promise<SequenceRunRecord | undefined>;
  /** Every sequence run record of the customer (one per sequence they ever ran). */
  listForCustomer(customerId: string): Promise<SequenceRunRecord[]>;
  /**
   * Writes a new run's record unless another run holds the slot: succeeds when there is no record,
   * the record is this run's (a redelivery), or `replaces` names the run being replaced.
   */
  claim(record: SequenceRunRecord, replaces: string | undefined): Promise<boolean>;
  /**
   * Changes these fields of this run's record while it is still this slot's active run (a targeted
   * update: the starter and the run's step may write at the same time, each its own fields); false
   * when a newer run took the slot, or the run was stopped or ended meanwhile (a stop stands).
   */
  recordProgress(run: { customerId: string; sequenceId: string; runId: string }, changes: SequenceRunProgress): Promise<boolean>;
}

/** What a step, a stop or a stage adoption changes on a run's record. */
export type SequenceRunProgress = Partial<Pick<SequenceRunRecord, 'status' | 'next' | 'steps' | 'exit' | 'startStage'>> & { updatedAt: string };

/** The runs' engine: Step Functions executions named after the run. */
export interface SequenceExecutions {
  /** The ARN the run's execution has (it is named after the run), known before it starts. */
  executionArnFor(runId: string): string;
  /** Starts the run's execution; a second call with the same name and input changes nothing. */
  start(runId: string, input: SequenceMachineState): Promise<void>;
  /** Stops it (an execution already over is left as it is). */
  stop(executionArn: string, cause: string): Promise<void>;
}

/** Where trained models are kept (the scoring reads the current one; training writes them). */
export interface ModelStore {
  /** The models in use; a kind with none trained yet is absent (the scoring falls back to its heuristic). */
  currentModels(): Promise<PredictiveModels>;
}

/** The scoring's fan-out: one task per Scan segment (or the rest of one). */
export interface ScoringTaskQueue {
  enqueue(tasks: ScoringTask[]): Promise<void>;
}

/** A scoring run's records: the plan, and each finished segment's totals. */
export interface ScoringRunStore {
  saveRun(run: ScoringRun): Promise<void>;
  getRun(runId: string): Promise<ScoringRun | undefined>;
  saveSegment(runId: string, result: SegmentResult): Promise<void>;
  segments(runId: string): Promise<SegmentResult[]>;
}

/** A group of stream changes counted together: the key is its first change's mark, the list every change's. */
export type RollupMarker = { first: string; marks: readonly string[] };

/** Rollups (daily per scope, and live aggregates), added to from the table's change stream, read by the reports. */
export interface RollupStore {
  /**
   * Adds these increments (and logs these conversions) atomically with the group's marker (keyed by
   * `marker.first`, listing `marker.marks`: the marks of the group's changes, in stream order). If a
   * marker is there under that key already, nothing is written and its list is returned, so the
   * caller can skip what it counted. Without a marker (reports' fixtures, tests) it just adds.
   */
  apply(batch: { increments: RollupIncrement[]; conversions?: ConversionLogEntry[]; marker?: RollupMarker }): Promise<{ counted: true } | { counted: false; alreadyCounted: string[] }>;
  /** Puts the rest of a marker's list under the key of its first mark (the next delivery starts there); there already is fine. */
  continueMarker(marker: RollupMarker): Promise<void>;
  /** The conversions logged on one UTC day, in time order. */
  conversions(day: string): Promise<ConversionLogEntry[]>;
  /** The days recorded for a scope, oldest first; `from`/`to` (inclusive UTC days) narrow the Query. */
  days(scope: string, range?: { from?: string; to?: string }): Promise<RollupIncrement[]>;
  /** A scope's live aggregate (its counters; empty when never written). */
  live(scope: string): Promise<Record<string, number>>;
  /** Keeps a copy of counters as the scope's item for a day (the drift check's daily snapshot of live statistics); idempotent. */
  snapshot(scope: string, day: string, counters: Record<string, number>): Promise<void>;
}

/** The drift check's reports: the latest, for `nudge report drift`, and one per day. */
export interface DriftReportStore {
  save(report: DriftReport, day: string): Promise<void>;
  latest(): Promise<DriftReport | undefined>;
}

/** Where the training puts a model it keeps, and the report of every attempt. */
export interface ModelWriter {
  saveModel(stored: StoredModel): Promise<void>;
  saveTrainingReport(report: TrainingReport): Promise<void>;
}

/** Weekly feature snapshots of profiles, completed with what happened once each window has passed (the training history). */
export interface TrainingSnapshotStore {
  put(snapshot: TrainingSnapshot): Promise<void>;
  /** The customer's snapshots still waiting for an outcome. */
  open(customerId: string): Promise<TrainingSnapshot[]>;
  setOutcomes(snapshot: TrainingSnapshot, outcomes: SnapshotOutcomes): Promise<void>;
  /** Every snapshot with at least its churn label, of every customer (training reads them all). */
  labelled(): AsyncIterable<TrainingSnapshot>;
}

/** Every stored item about one customer (`nudge erase` / `nudge export`; personal-data-repository.ts). */
export type PersonalItem = { pk: string; sk: string; kind?: string } & Record<string, unknown>;
export interface PersonalDataStore {
  /** The customer's partition plus the items keyed elsewhere that name them (segment memberships of `segmentIds`). */
  items(customerId: string, segmentIds: readonly string[]): Promise<PersonalItem[]>;
  /** Deletes these keys (batched; unprocessed items retried). */
  delete(keys: ReadonlyArray<{ pk: string; sk: string }>): Promise<void>;
}

/**
 * Erasure tombstones: which customer ids were erased, kept as a hash of the id (no personal data),
 * so that nothing that still names the id (links in old emails, events replayed from the archive,
 * a producer that keeps sending it, a send already queued) brings the person back.
 */
export interface ErasureTombstones {
  /** Records the erasure; a repeat keeps the first record. */
  record(customerId: string, at: Date): Promise<void>;
  /** Whether the id was erased (a strongly consistent read: an erase of the last second counts). */
  isErased(customerId: string): Promise<boolean>;
}

/** One-time schedules (held sends, rule timers) whose target input names a customer. */
export interface CustomerSchedules {
  list(customerId: string): Promise<Array<{ name: string; input: unknown }>>;
  /** Deletes one; a schedule already gone (fired and deleted itself) is not an error. */
  delete(name: string): Promise<void>;
}
