/**
 * What each Lambda of the in-process local system does, per invocation: how often it ran, for how
 * long, the DynamoDB units it consumed (ReturnConsumedCapacity, through the handlers' own metered
 * client) and the other AWS requests it made. Bench-only instrumentation: it wraps
 * FunctionHost.invoke and the SDK clients' send in this process, and an AsyncLocalStorage tells
 * which invocation a request belongs to (the handlers run concurrently in one process, so a global
 * counter could not split them).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { dynamoCapacity } from '#shared/adapters/aws/clients.ts';
import { CapacityMeter, type CapacityTotals } from '#shared/adapters/aws/consumed-capacity.ts';
import { DynamoClaimStore } from '#shared/adapters/dynamo/claim-repository.ts';
import { FunctionHost } from '#local/lambda/function-host.ts';

type Invocation = { entry: string; meter: CapacityMeter; claimed: boolean; calls: Record<string, number> };

/** Totals of one function (by handler entry), or of one ingest path. */
export type UsageTotals = { invocations: number; durationMs: number; sqsSourced: number; readUnits: number; writeUnits: number; dynamoRequests: number; calls: Record<string, number> };

/** The paths of an ingest invocation: a duplicate (read only), no rule fired, a rule fired (it claimed). */
export type IngestPath = 'duplicate' | 'noRuleFired' | 'ruleFired';

const INGEST_ENTRY = 'functions/ingest/ingest-event.ts';

export class FunctionMeter {
  readonly byEntry = new Map<string, UsageTotals>();
  readonly ingestPaths = new Map<IngestPath, UsageTotals>();
  private readonly current = new AsyncLocalStorage<Invocation>();

  /** Installs the wrappers; call before the local system loads its handlers. */
  install(): void {
    const meter = this;
    const { current } = this;
    const invoke = FunctionHost.prototype.invoke;
    FunctionHost.prototype.invoke = async function (this: FunctionHost, logicalId: string, event: unknown) {
      const invocation: Invocation = { entry: this.entryOf(logicalId), meter: new CapacityMeter(), claimed: false, calls: {} };
      const started = performance.now();
      try {
        return await current.run(invocation, () => invoke.call(this, logicalId, event));
      } finally {
        meter.recordInvocation(invocation, performance.now() - started, isSqsEvent(event));
      }
    };
    const record = dynamoCapacity.record.bind(dynamoCapacity);
    dynamoCapacity.record = (operation, consumed) => {
      record(operation, consumed);
      current.getStore()?.meter.record(operation, consumed);
    };
    const claim = DynamoClaimStore.prototype.claim;
    DynamoClaimStore.prototype.claim = function (this: DynamoClaimStore, ...args: Parameters<typeof claim>) {
      const invocation = current.getStore();
      if (invocation) invocation.claimed = true;
      return claim.apply(this, args);
    };
    for (const [service, client] of [['sqs', SQSClient], ['eventbridge', EventBridgeClient], ['scheduler', SchedulerClient], ['sfn', SFNClient], ['ses', SESv2Client]] as const) {
      const send = client.prototype.send as (...args: unknown[]) => Promise<unknown>;
      (client.prototype as { send: unknown }).send = function (this: unknown, ...args: unknown[]) {
        const invocation = current.getStore();
        if (invocation) {
          const command = args[0] as { constructor: { name: string }; input?: { Entries?: unknown[] } };
          const name = `${service}:${command.constructor.name.replace(/Command$/, '')}`;
          invocation.calls[name] = (invocation.calls[name] ?? 0) + 1;
          // PutEvents is billed per entry (64 KB chunks), not per request.
          if (name === 'eventbridge:PutEvents') invocation.calls['eventbridge:entries'] = (invocation.calls['eventbridge:entries'] ?? 0) + (command.input?.Entries?.length ?? 0);
        }
        return send.apply(this, args);
      };
    }
  }

  reset(): void {
    this.byEntry.clear();
    this.ingestPaths.clear();
  }

  /** All functions together. */
  total(): UsageTotals {
    const sum = emptyTotals();
    for (const totals of this.byEntry.values()) addTotals(sum, totals);
    return sum;
  }

  private recordInvocation(invocation: Invocation, durationMs: number, sqsSourced: boolean): void {
    const units = invocation.meter.snapshot();
    const add = (map: Map<string, UsageTotals>, key: string) => {
      const totals = map.get(key) ?? emptyTotals();
      addTotals(totals, fromInvocation(units, invocation.calls, durationMs, sqsSourced));
      map.set(key, totals);
    };
    add(this.byEntry, invocation.entry);
    if (invocation.entry === INGEST_ENTRY) {
      const wrote = Object.keys(units.byOperation).some((operation) => operation !== 'GetItemCommand');
      add(this.ingestPaths as Map<string, UsageTotals>, invocation.claimed ? 'ruleFired' : wrote ? 'noRuleFired' : 'duplicate');
    }
  }
}

export { INGEST_ENTRY };
export const DISPATCH_ENTRY = 'functions/delivery/dispatch-sends.ts';

function isSqsEvent(event: unknown): boolean {
  const records = (event as { Records?: Array<{ eventSource?: string }> } | undefined)?.Records;
  return Array.isArray(records) && records[0]?.eventSource === 'aws:sqs';
}

function emptyTotals(): UsageTotals {
  return { invocations: 0, durationMs: 0, sqsSourced: 0, readUnits: 0, writeUnits: 0, dynamoRequests: 0, calls: {} };
}

function fromInvocation(units: CapacityTotals, calls: Record<string, number>, durationMs: number, sqsSourced: boolean): UsageTotals {
  return { invocations: 1, durationMs, sqsSourced: sqsSourced ? 1 : 0, readUnits: units.readUnits, writeUnits: units.writeUnits, dynamoRequests: units.requests, calls };
}

function addTotals(into: UsageTotals, add: UsageTotals): void {
  into.invocations += add.invocations;
  into.durationMs += add.durationMs;
  into.sqsSourced += add.sqsSourced;
  into.readUnits += add.readUnits;
  into.writeUnits += add.writeUnits;
  into.dynamoRequests += add.dynamoRequests;
  for (const [name, count] of Object.entries(add.calls)) into.calls[name] = (into.calls[name] ?? 0) + count;
}
