import { addPurchase, type ExposureConversion, type ExposurePurchase, type StoredExposure } from '#shared/domain/exposures.ts';
import { defaultCatalogInput, loadCatalog, type Catalog } from '#shared/catalog/index.ts';
import { singleEmailTemplates } from '#shared/catalog/rules.ts';
import type { Clock } from '#shared/domain/clock.ts';
import type { DecisionRecord } from '#shared/domain/decision-record.ts';
import type { InternalEvent } from '#shared/domain/internal-events.ts';
import type {
  ClaimResult,
  ClaimStore,
  DecisionLog,
  DelayedWork,
  EmailSender,
  EmailSendResult,
  ErasureTombstones,
  InternalEventBus,
  Log,
  OutgoingEmail,
  ProfileStore,
  RejectedEvent,
  RejectedEventStore,
  SaveProfileResult,
  SegmentMembershipStore,
  SendLedger,
  SendLedgerBegin,
  SendQueue,
  SuppressionList,
  SuppressionReason,
  BehaviorEventBus,
  SendTracking,
  TrainingSnapshotStore,
  ScoringRunStore,
  ScoringTaskQueue,
  SequenceExecutions,
  SequenceRunProgress,
  SequenceRunStore,
} from '#shared/domain/ports.ts';
import { conversionFromSends, type Conversion, type Purchase, type SendEngagement } from '#shared/domain/conversions.ts';
import type { Profile } from '#shared/domain/profile.ts';
import type { RuleTimer } from '#shared/domain/rule-timer.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';
import type { SequenceMachineState, SequenceRunRecord } from '#shared/domain/sequence-runs.ts';
import { snapshotOpen, type SnapshotOutcomes, type TrainingSnapshot } from '#shared/domain/predictive/training-snapshots.ts';
import type { ScoringRun, ScoringTask, SegmentResult } from '#shared/domain/predictive/scoring-runs.ts';

/** Plain-object fakes of the ports, for service tests (no module mocking). */
export const silentLog: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export class InMemoryProfiles implements ProfileStore {
  readonly items = new Map<string, Profile>();
  saves = 0;
  /** Lets a test change the stored item between a read and the write (a concurrent writer). */
  beforeSave?: () => void | Promise<void>;

  async get(customerId: string): Promise<Profile | undefined> {
    return this.items.get(customerId);
  }

  async save(profile: Profile, expectedVersion: number | undefined): Promise<SaveProfileResult> {
    // Cleared before it runs, so a concurrent writer's own save inside it is a plain save.
    const concurrent = this.beforeSave;
    this.beforeSave = undefined;
    await concurrent?.();
    this.saves += 1;
    const current = this.items.get(profile.customerId);
    if (current?.version !== expectedVersion) return { type: 'conflict', current };
    this.items.set(profile.customerId, { ...profile, version: (expectedVersion ?? 0) + 1 });
    return { type: 'saved' };
  }

  async clearOutbox(customerId: string, version: number): Promise<void> {
    const current = this.items.get(customerId);
    if (current?.version !== version) return;
    const { outbox: _done, ...rest } = current;
    this.items.set(customerId, rest);
  }
}

/** Cooldowns by rule, caps by scope as lists of sendIds (windows are ignored: tests run at one instant). */
export class InMemoryClaims implements ClaimStore {
  readonly cooldowns = new Map<string, string>();
  readonly caps = new Map<string, string[]>();
  calls: string[] = [];

  async claim(input: Parameters<ClaimStore['claim']>[0]): Promise<ClaimResult> {
    this.calls.push(input.sendId);
    for (const claim of input.claims) {
      if (claim.kind === 'cooldown') {
        const holder = this.cooldowns.get(`${input.customerId}/${claim.ruleId}`);
        if (holder && holder !== input.sendId) return { type: 'blocked', by: 'cooldown' };
      } else {
        const sends = this.caps.get(`${input.customerId}/${claim.scope}`) ?? [];
        if (!sends.includes(input.sendId) && sends.length >= claim.max) return { type: 'blocked', by: claim.scope === 'global' ? 'global_cap' : 'rule_cap' };
      }
    }
    const caps = input.claims.filter((claim) => claim.kind === 'cap');
    if (caps.length > 0 && caps.every((claim) => (this.caps.get(`${input.customerId}/${claim.scope}`) ?? []).includes(input.sendId))) {
      return { type: 'claimed', alreadyHeld: true };
    }
    for (const claim of input.claims) {
      if (claim.kind === 'cooldown') this.cooldowns.set(`${input.customerId}/${claim.ruleId}`, input.sendId);
      else {
        const key = `${input.customerId}/${claim.scope}`;
        const sends = this.caps.get(key) ?? [];
        if (!sends.includes(input.sendId)) this.caps.set(key, [...sends, input.sendId]);
      }
    }
    return { type: 'claimed' };
  }
}

export class RecordingDecisions implements DecisionLog {
  readonly records: DecisionRecord[] = [];
  /** The conversions marked on exposures, by record key (as the Dynamo adapter keeps them on the record). */
  readonly conversions = new Map<string, ExposureConversion>();
  async record(records: DecisionRecord[]): Promise<void> {
    this.records.push(...records);
  }
  static keyOf(record: DecisionRecord): string {
    return `${record.customerId}|${record.occurredAt}|${record.ruleId}|${record.eventId}|${record.via ?? 'event'}`;
  }
  async decisionsBetween(customerId: string, from: string, to: string): Promise<StoredExposure[]> {
    const first = new Map<string, DecisionRecord>();
    for (const record of this.records) if (!first.has(RecordingDecisions.keyOf(record))) first.set(RecordingDecisions.keyOf(record), record);
    return [...first.entries()]
      .filter(([, r]) => r.customerId === customerId && Date.parse(r.occurredAt) >= Date.parse(from) && Date.parse(r.occurredAt) <= Date.parse(to))
      .map(([key, r]) => ({ key, ruleId: r.ruleId, occurredAt: r.occurredAt, exposure: r.exposure, windowHours: r.windowHours, repeat: r.repeat }));
  }
  async markConversion(_customerId: string, key: string, purchase: ExposurePurchase): Promise<boolean> {
    const before = this.conversions.get(key) ?? { orders: 0, revenue: 0, purchaseIds: [] };
    const after = addPurchase(before, purchase);
    this.conversions.set(key, after);
    return after !== before;
  }
}

export class RecordingQueue implements SendQueue {
  readonly sent: SendRequest[] = [];
  readonly delays: number[] = [];
  failNext = false;

  async enqueue(request: SendRequest, options: { delaySeconds?: number } = {}): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('SQS unavailable');
    }
    this.sent.push(request);
    this.delays.push(options.delaySeconds ?? 0);
  }
}

/** One-time schedules, recorded (and deduplicated by id, like the real schedule names). */
export class RecordingDelayedWork implements DelayedWork {
  readonly sends = new Map<string, { request: SendRequest; at: Date }>();
  readonly timers = new Map<string, RuleTimer>();
  async scheduleSend(request: SendRequest, at: Date): Promise<void> {
    if (!this.sends.has(request.sendId)) this.sends.set(request.sendId, { request, at });
  }
  async scheduleTimer(timer: RuleTimer): Promise<void> {
    if (!this.timers.has(timer.timerId)) this.timers.set(timer.timerId, timer);
  }
}

export class RecordingRejections implements RejectedEventStore {
  readonly records: RejectedEvent[] = [];
  async record(rejected: RejectedEvent): Promise<void> {
    this.records.push(rejected);
  }
}

export class InMemoryLedger implements SendLedger {
  readonly states = new Map<string, { status: string; reason?: string; messageId?: string }>();

  async begin({ request }: { request: SendRequest }): Promise<SendLedgerBegin> {
    const state = this.states.get(request.sendId);
    if (state?.status === 'sent') return { type: 'already_sent' };
    if (state?.status === 'failed') return { type: 'already_failed' };
    if (state?.status === 'sending') return { type: 'in_progress_elsewhere' };
    this.states.set(request.sendId, { status: 'sending' });
    return { type: 'started' };
  }
  async markSent({ request, messageId }: { request: SendRequest; messageId: string }): Promise<void> {
    this.states.set(request.sendId, { status: 'sent', messageId });
  }
  async markFailed({ request, reason }: { request: SendRequest; reason: string }): Promise<void> {
    this.states.set(request.sendId, { status: 'failed', reason });
  }
  async release({ request, error }: { request: SendRequest; error: string }): Promise<void> {
    this.states.set(request.sendId, { status: 'retrying', reason: error });
  }
}

export class ScriptedSender implements EmailSender {
  readonly sent: OutgoingEmail[] = [];
  constructor(private readonly results: EmailSendResult[] = []) {}

  async send(email: OutgoingEmail): Promise<EmailSendResult> {
    const result = this.results.shift() ?? { type: 'sent', messageId: `m-${this.sent.length + 1}` };
    if (result.type === 'sent') this.sent.push(email);
    return result;
  }
}

export class RecordingBus implements InternalEventBus {
  readonly events: InternalEvent[] = [];
  async publish(events: InternalEvent[]): Promise<void> {
    this.events.push(...events);
  }
}

export class InMemoryMembership implements SegmentMembershipStore {
  readonly members = new Map<string, Set<string>>();
  failNext = false;
  async apply(input: Parameters<SegmentMembershipStore['apply']>[0]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('DynamoDB unavailable');
    }
    for (const { segmentId } of input.entered) {
      if (!this.members.has(segmentId)) this.members.set(segmentId, new Set());
      this.members.get(segmentId)!.add(input.customerId);
    }
    for (const segmentId of input.exited) this.members.get(segmentId)?.delete(input.customerId);
  }
}

/** The suppression list by normalised address (the real one keys by a hash of it). */
export class InMemorySuppression implements SuppressionList {
  readonly entries = new Map<string, { reason: SuppressionReason; at: string; detail?: string }>();
  async find(email: string) {
    return this.entries.get(email.trim().toLowerCase());
  }
  async add(input: { email: string; reason: SuppressionReason; at: Date; detail?: string }): Promise<void> {
    const key = input.email.trim().toLowerCase();
    if (!this.entries.has(key)) this.entries.set(key, { reason: input.reason, at: input.at.toISOString(), ...(input.detail ? { detail: input.detail } : {}) });
  }
}

/** Erased ids, as the tombstones the erase writes (the real ones key by a hash of the id). */
export class InMemoryErasures implements ErasureTombstones {
  readonly erased = new Set<string>();
  reads = 0;
  async record(customerId: string): Promise<void> {
    this.erased.add(customerId);
  }
  async isErased(customerId: string): Promise<boolean> {
    this.reads++;
    return this.erased.has(customerId);
  }
}

export class RecordingBehaviorBus implements BehaviorEventBus {
  readonly entries: Array<{ source: string; detailType: string; detail: Record<string, unknown> }> = [];
  async put(entries: Array<{ source: string; detailType: string; detail: Record<string, unknown> }>): Promise<void> {
    this.entries.push(...entries);
  }
}

/**
 * Send tracking over send records kept in memory: a test seeds the sends Nudge made (`sent`), and
 * engagement and conversions follow the Dynamo adapter's rules (engagement only on a known send;
 * the conversion from the records by the same pure conversionFromSends).
 */
export class RecordingTracking implements SendTracking {
  readonly engagements: Array<{ customerId: string; sendId: string; kind: 'open' | 'click'; at: string }> = [];
  readonly conversions: Conversion[] = [];
  readonly unsubscribes: Array<{ customerId: string; sendId: string; at: string }> = [];
  private readonly sends = new Map<string, SendEngagement & { customerId: string }>();
  /** A send Nudge made to the customer (its ledger record). */
  sent(customerId: string, send: SendEngagement): this {
    this.sends.set(`${customerId}#${send.sendId}`, { ...send, customerId });
    return this;
  }
  async recordEngagement(input: { customerId: string; sendId: string; kind: 'open' | 'click'; at: string }): Promise<void> {
    this.engagements.push(input);
    const send = this.sends.get(`${input.customerId}#${input.sendId}`);
    if (!send) return;
    const [first, last] = input.kind === 'open' ? (['firstOpenAt', 'lastOpenAt'] as const) : (['firstClickAt', 'lastClickAt'] as const);
    send[first] ??= input.at;
    if (!send[last] || send[last] < input.at) send[last] = input.at;
  }
  async recordUnsubscribe(input: { customerId: string; sendId: string; at: string }): Promise<void> {
    this.unsubscribes.push(input);
  }
  async recordConversion(purchase: Purchase, options: { windowHours: number }): Promise<Conversion | undefined> {
    const sends = [...this.sends.values()].filter((send) => send.customerId === purchase.customerId).map(({ customerId: _, ...send }) => send);
    const conversion = conversionFromSends(purchase, sends, options.windowHours);
    if (conversion) this.conversions.push(conversion);
    return conversion;
  }
}

/** Every port the ingest, timer, model-event and sequence services need, as fakes, with the given catalog and clock. */
export function fakeServiceDeps(catalog: Catalog, clock: Clock) {
  return {
    profiles: new InMemoryProfiles(),
    claims: new InMemoryClaims(),
    sendQueue: new RecordingQueue(),
    delayed: new RecordingDelayedWork(),
    tracking: new RecordingTracking(),
    erasures: new InMemoryErasures(),
    rejectedEvents: new RecordingRejections(),
    bus: new RecordingBus(),
    membership: new InMemoryMembership(),
    decisions: new RecordingDecisions(),
    runs: new InMemorySequenceRuns(),
    executions: new RecordingExecutions(),
    snapshots: new InMemoryTrainingSnapshots(),
    catalog,
    clock,
    log: silentLog,
  };
}

/**
 * The default catalog with each sequence-starting rule sending its single email instead
 * (`singleEmailTemplates`): for tests of the send decision path itself (claims, caps, pauses).
 */
export function singleEmailCatalog(): Catalog {
  return loadCatalog({
    ...defaultCatalogInput,
    rules: defaultCatalogInput.rules.map((rule) => {
      const templateId = singleEmailTemplates[rule.id];
      if (templateId === undefined) return rule;
      const { startSequence: _startSequence, ...single } = rule;
      return { ...single, templateId };
    }),
  });
}

/** Sequence run slots in memory, with the claim/update conditions of the DynamoDB adapter. */
export class InMemorySequenceRuns implements SequenceRunStore {
  readonly items = new Map<string, SequenceRunRecord>();
  private key = (customerId: string, sequenceId: string) => `${customerId}\u0000${sequenceId}`;
  async get(customerId: string, sequenceId: string): Promise<SequenceRunRecord | undefined> {
    return this.items.get(this.key(customerId, sequenceId));
  }
  async listForCustomer(customerId: string): Promise<SequenceRunRecord[]> {
    return [...this.items.values()].filter((record) => record.customerId === customerId);
  }
  async claim(record: SequenceRunRecord, replaces: string | undefined): Promise<boolean> {
    const current = await this.get(record.customerId, record.sequenceId);
    if (current && current.runId !== record.runId && current.runId !== replaces) return false;
    this.items.set(this.key(record.customerId, record.sequenceId), record);
    return true;
  }
  async recordProgress(run: { customerId: string; sequenceId: string; runId: string }, changes: SequenceRunProgress): Promise<boolean> {
    const current = await this.get(run.customerId, run.sequenceId);
    if (current?.runId !== run.runId || current.status !== 'active') return false;
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    this.items.set(this.key(run.customerId, run.sequenceId), { ...current, ...defined });
    return true;
  }
}

/** Executions as calls: started (by name, first input kept) and stopped. */
export class RecordingExecutions implements SequenceExecutions {
  readonly started = new Map<string, SequenceMachineState>();
  readonly startCalls: string[] = [];
  readonly stopped: Array<{ executionArn: string; cause: string }> = [];
  executionArnFor(runId: string): string {
    return `arn:aws:states:eu-west-1:000000000000:execution:Sequences:${runId}`;
  }
  async start(runId: string, input: SequenceMachineState): Promise<void> {
    this.startCalls.push(runId);
    if (!this.started.has(runId)) this.started.set(runId, input);
  }
  async stop(executionArn: string, cause: string): Promise<void> {
    this.stopped.push({ executionArn, cause });
  }
}

/** Training snapshots in memory, keyed like the table (customer, instant). */
export class InMemoryTrainingSnapshots implements TrainingSnapshotStore {
  readonly items = new Map<string, TrainingSnapshot>();
  async put(snapshot: TrainingSnapshot): Promise<void> {
    this.items.set(`${snapshot.customerId}\u0000${snapshot.at}`, snapshot);
  }
  async open(customerId: string): Promise<TrainingSnapshot[]> {
    return [...this.items.values()].filter((s) => s.customerId === customerId && snapshotOpen(s));
  }
  async setOutcomes(snapshot: TrainingSnapshot, outcomes: SnapshotOutcomes): Promise<void> {
    const key = `${snapshot.customerId}\u0000${snapshot.at}`;
    this.items.set(key, { ...this.items.get(key)!, ...outcomes });
  }
  async *labelled(): AsyncGenerator<TrainingSnapshot> {
    for (const snapshot of this.items.values()) if (snapshot.label !== undefined) yield snapshot;
  }
}

/** Scoring runs in memory. */
export class InMemoryScoringRuns implements ScoringRunStore {
  readonly runs = new Map<string, ScoringRun>();
  readonly results = new Map<string, SegmentResult[]>();
  async saveRun(run: ScoringRun): Promise<void> {
    this.runs.set(run.runId, run);
  }
  async getRun(runId: string): Promise<ScoringRun | undefined> {
    return this.runs.get(runId);
  }
  async saveSegment(runId: string, result: SegmentResult): Promise<void> {
    this.results.set(runId, [...(this.results.get(runId) ?? []).filter((r) => r.segment !== result.segment), result]);
  }
  async segments(runId: string): Promise<SegmentResult[]> {
    return this.results.get(runId) ?? [];
  }
}

/** Scoring tasks queued, in order; a test takes them off and runs them like the workers. */
export class RecordingScoringTasks implements ScoringTaskQueue {
  readonly queued: ScoringTask[] = [];
  async enqueue(tasks: ScoringTask[]): Promise<void> {
    this.queued.push(...tasks);
  }
}
