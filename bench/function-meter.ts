/**
 * What each Lambda of the in-process local system does, per invocation: how often it ran, for how
 * long, the DynamoDB units it consumed (ReturnConsumedCapacity, through the handlers' own metered
 * client) and the other AWS requests it made. Bench-only instrumentation: it wraps
 * FunctionHost.invoke and the SDK clients' send in this process, and an AsyncLocalStorage tells
 * which invocation a request belongs to (the handlers run concurrently in one process, so a global
 * counter could not split them).
 */
import { AsyncLocalStorage, createHook } from 'node:async_hooks';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { dynamoCapacity } from '#shared/adapters/aws/clients.ts';
import { CapacityMeter, type CapacityTotals } from '#shared/adapters/aws/consumed-capacity.ts';
import { DynamoClaimStore } from '#shared/adapters/dynamo/claim-repository.ts';
import { StateMachine } from 'aws-local-stepfunctions';
import { FunctionHost } from '#local/lambda/function-host.ts';

type Invocation = { entry: string; meter: CapacityMeter; claimed: boolean; calls: Record<string, number>; logBytes: LogBytes; cpuMicros: number };

/** Bytes the function wrote to stdout/stderr, by the level of each line (its JSON `level`; plain lines: INFO on stdout, WARN on stderr). */
export type LogBytes = Partial<Record<LogLevelName, number>>;
export type LogLevelName = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
const LEVEL_ORDER: readonly LogLevelName[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

/**
 * Totals of one function (by handler entry), or of one ingest path. `failures` counts the
 * invocations that threw, by the error's name (the caller retries them: Lambda's async retries,
 * the queue's redelivery); `logBytes` what they logged, by level.
 */
export type UsageTotals = {
  invocations: number;
  /** Wall time of the invocations, against the local emulators (grows with the machine's load). */
  durationMs: number;
  /**
   * CPU time the process spent running the invocations' own callbacks (handler code, SDK
   * marshalling; not the emulators' answers): measured per slice of JavaScript executed in the
   * invocation's async context, so concurrent invocations and a loaded machine do not inflate it
   * the way they inflate wall time. Process-wide counters: GC and libuv threads working during a
   * slice count too.
   */
  cpuMs: number;
  sqsSourced: number;
  readUnits: number;
  writeUnits: number;
  dynamoRequests: number;
  calls: Record<string, number>;
  failures: Record<string, number>;
  logBytes: LogBytes;
};

/** The paths of an ingest invocation: a duplicate (read only), no rule fired, a rule fired (it claimed). */
export type IngestPath = 'duplicate' | 'noRuleFired' | 'ruleFired';

const INGEST_ENTRY = 'functions/ingest/ingest-event.ts';

export class FunctionMeter {
  readonly byEntry = new Map<string, UsageTotals>();
  readonly ingestPaths = new Map<IngestPath, UsageTotals>();
  /** Step Functions state transitions (states entered: what Standard workflows bill) by execution. */
  readonly stateTransitions = new Map<string, number>();
  /** Bytes of the state machine's log records (level ALL with execution data): one per state entered and exited, with its payload. */
  stateLogBytes = 0;
  private readonly current = new AsyncLocalStorage<Invocation>();

  /** Installs the wrappers; call before the local system loads its handlers. */
  install(): void {
    const meter = this;
    const { current } = this;
    // CPU time per invocation: every callback that runs in an invocation's async context is timed
    // with the process's CPU counters (a stack: a callback can run another synchronously).
    const slices: Array<{ invocation: Invocation | undefined; startedMicros: number }> = [];
    const cpuMicros = () => {
      const usage = process.cpuUsage();
      return usage.user + usage.system;
    };
    const open = (invocation: Invocation | undefined) => {
      const now = cpuMicros();
      const outer = slices.at(-1);
      if (outer?.invocation) outer.invocation.cpuMicros += now - outer.startedMicros;
      slices.push({ invocation, startedMicros: now });
    };
    const close = () => {
      const now = cpuMicros();
      const slice = slices.pop();
      if (slice?.invocation) slice.invocation.cpuMicros += now - slice.startedMicros;
      const outer = slices.at(-1);
      if (outer) outer.startedMicros = now;
    };
    createHook({ before: () => open(current.getStore()), after: () => close() }).enable();
    const invoke = FunctionHost.prototype.invoke;
    FunctionHost.prototype.invoke = async function (this: FunctionHost, logicalId: string, event: unknown) {
      const invocation: Invocation = { entry: this.entryOf(logicalId), meter: new CapacityMeter(), claimed: false, calls: {}, logBytes: {}, cpuMicros: 0 };
      const started = performance.now();
      let failure: string | undefined;
      try {
        return await current.run(invocation, () => {
          // The handler's synchronous start runs here, outside any callback of its own context.
          open(invocation);
          try {
            return invoke.call(this, logicalId, event);
          } finally {
            close();
          }
        });
      } catch (error) {
        failure = error instanceof Error ? error.name : typeof error;
        throw error;
      } finally {
        meter.recordInvocation(invocation, performance.now() - started, isSqsEvent(event), failure);
      }
    };
    // Step Functions bills a transition per state entered: count them from each run's event log.
    const run = StateMachine.prototype.run;
    StateMachine.prototype.run = function (this: StateMachine, ...args: Parameters<typeof run>) {
      const execution = run.apply(this, args);
      const id = String(args[1]?.context?.Execution?.Id ?? 'unknown');
      meter.stateTransitions.set(id, meter.stateTransitions.get(id) ?? 0);
      const events = execution.eventLogs;
      execution.eventLogs = (async function* counted() {
        for await (const event of events) {
          if (event.type === 'StateEntered') meter.stateTransitions.set(id, (meter.stateTransitions.get(id) ?? 0) + 1);
          if (event.type === 'StateEntered' || event.type === 'StateExited') meter.stateLogBytes += stateLogRecordBytes(id, event.type, event.state.name, event.type === 'StateEntered' ? event.state.input : event.state.output);
          yield event;
        }
      })();
      return execution;
    };
    // A handler's log lines are counted (bytes by level, what CloudWatch Logs would ingest) and kept
    // off the console, except errors; lines written outside an invocation pass through untouched.
    // A plain stderr line is console.warn or console.error; Lambda's JSON format files it by the
    // method, which the stream does not tell, so it counts as WARN (Powertools' own lines are JSON).
    for (const [stream, defaultLevel] of [[process.stdout, 'INFO'], [process.stderr, 'WARN']] as const) {
      const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
      (stream as { write: unknown }).write = (chunk: unknown, ...rest: unknown[]) => {
        const invocation = current.getStore();
        if (!invocation || (typeof chunk !== 'string' && !(chunk instanceof Uint8Array))) return write(chunk, ...rest);
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        let passed = '';
        for (const line of text.split('\n').filter((l) => l !== '')) {
          const level = lineLevel(line, defaultLevel);
          invocation.logBytes[level] = (invocation.logBytes[level] ?? 0) + Buffer.byteLength(line, 'utf8') + 1;
          if (level === 'ERROR') passed += `${line}\n`;
        }
        const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
        if (passed !== '') return write(passed, callback);
        callback?.();
        return true;
      };
    }
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
    this.stateTransitions.clear();
    this.stateLogBytes = 0;
  }

  /** All functions together. */
  total(): UsageTotals {
    const sum = emptyTotals();
    for (const totals of this.byEntry.values()) addTotals(sum, totals);
    return sum;
  }

  private recordInvocation(invocation: Invocation, durationMs: number, sqsSourced: boolean, failure: string | undefined): void {
    const units = invocation.meter.snapshot();
    const add = (map: Map<string, UsageTotals>, key: string) => {
      const totals = map.get(key) ?? emptyTotals();
      addTotals(totals, { ...fromInvocation(units, invocation.calls, durationMs, sqsSourced), cpuMs: invocation.cpuMicros / 1000, failures: failure ? { [failure]: 1 } : {}, logBytes: invocation.logBytes });
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

/**
 * The bytes of the CloudWatch Logs record Step Functions writes for a state entered or exited at log
 * level ALL with execution data: the payload (a JSON string inside the record) and the record's
 * fields, with the shape Step Functions documents (ids and timestamp as it writes them).
 */
export function stateLogRecordBytes(executionArn: string, type: 'StateEntered' | 'StateExited', state: string, payload: unknown): number {
  const side = type === 'StateEntered' ? 'input' : 'output';
  const record = {
    id: '12',
    type: `TaskState${type === 'StateEntered' ? 'Entered' : 'Exited'}`,
    details: { [side]: JSON.stringify(payload ?? null), [`${side}Details`]: { truncated: false }, name: state },
    previous_event_id: '11',
    event_timestamp: '1765141200000',
    execution_arn: executionArn.startsWith('arn:') ? executionArn : `arn:aws:states:us-east-1:123456789012:execution:NudgeSequences:${executionArn}`,
  };
  return Buffer.byteLength(JSON.stringify(record), 'utf8');
}

/** The level of one log line: Powertools' JSON `level` (CRITICAL counts as ERROR), else the stream's. */
export function lineLevel(line: string, fallback: LogLevelName): LogLevelName {
  if (line.startsWith('{')) {
    try {
      const level = String((JSON.parse(line) as { level?: unknown }).level ?? '').toUpperCase();
      if (level === 'CRITICAL') return 'ERROR';
      if ((LEVEL_ORDER as readonly string[]).includes(level)) return level as LogLevelName;
    } catch {
      // not JSON after all: the stream's level
    }
  }
  return fallback;
}

/** Bytes that reach CloudWatch Logs when the function logs at `level`: the lines at that level and above. */
export function logBytesAtLevel(bytes: LogBytes, level: LogLevelName): number {
  return LEVEL_ORDER.slice(LEVEL_ORDER.indexOf(level)).reduce((sum, name) => sum + (bytes[name] ?? 0), 0);
}

export function emptyTotals(): UsageTotals {
  return { invocations: 0, durationMs: 0, cpuMs: 0, sqsSourced: 0, readUnits: 0, writeUnits: 0, dynamoRequests: 0, calls: {}, failures: {}, logBytes: {} };
}

function fromInvocation(units: CapacityTotals, calls: Record<string, number>, durationMs: number, sqsSourced: boolean): UsageTotals {
  return { invocations: 1, durationMs, cpuMs: 0, sqsSourced: sqsSourced ? 1 : 0, readUnits: units.readUnits, writeUnits: units.writeUnits, dynamoRequests: units.requests, calls, failures: {}, logBytes: {} };
}

function addTotals(into: UsageTotals, add: UsageTotals): void {
  into.invocations += add.invocations;
  into.durationMs += add.durationMs;
  into.cpuMs += add.cpuMs;
  into.sqsSourced += add.sqsSourced;
  into.readUnits += add.readUnits;
  into.writeUnits += add.writeUnits;
  into.dynamoRequests += add.dynamoRequests;
  for (const [name, count] of Object.entries(add.calls)) into.calls[name] = (into.calls[name] ?? 0) + count;
  for (const [name, count] of Object.entries(add.failures)) into.failures[name] = (into.failures[name] ?? 0) + count;
  for (const [level, bytes] of Object.entries(add.logBytes) as Array<[LogLevelName, number]>) into.logBytes[level] = (into.logBytes[level] ?? 0) + bytes;
}

/**
 * What `events` delivered to a function cost in invocations: under load a delivery can fail (a
 * customer's overlapping events exhaust the profile write's retries, DynamoDB Local times out, an
 * invocation times out) and its caller runs it again (Lambda's asynchronous retries for the bus).
 * That is a figure to report, not a broken run: retries = invocations beyond one per event, with
 * the failures by the error's name; `lost` counts the events no invocation completed (retries
 * spent, handed to the on-failure destination).
 */
export function retryReport(events: number, totals: Pick<UsageTotals, 'invocations' | 'failures'> | undefined) {
  const invocations = totals?.invocations ?? 0;
  const failures = totals?.failures ?? {};
  const failed = Object.values(failures).reduce((sum, n) => sum + n, 0);
  const succeeded = invocations - failed;
  const retries = Math.max(0, invocations - events);
  const round = (value: number) => Math.round(value * 10_000) / 10_000;
  return {
    events,
    invocations,
    retries,
    /** Invocations beyond the first per event, per event. */
    retryRate: events > 0 ? round(retries / events) : 0,
    failedInvocations: failed,
    reasons: Object.fromEntries(Object.entries(failures).sort(([, a], [, b]) => b - a)),
    lost: Math.max(0, events - succeeded),
  };
}
export type RetryReport = ReturnType<typeof retryReport>;

/** One line for the summary: "1239 invocations for 1109 events: 130 retries (11.7%; ProfileContentionError 125, TimeoutError 5), 0 lost". */
export function describeRetries(report: RetryReport): string {
  const reasons = Object.entries(report.reasons).map(([name, n]) => `${name} ${n}`).join(', ');
  return `${report.invocations} invocations for ${report.events} events: ${report.retries} retries (${Math.round(report.retryRate * 1000) / 10}%${reasons ? `; ${reasons}` : ''}), ${report.lost} lost`;
}
