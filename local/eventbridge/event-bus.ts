import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Clock } from '#shared/domain/clock.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/local-aws.ts';
import type { FunctionHost } from '../lambda/function-host.ts';
import { AsyncInvoker, functionIdFromArn, queueUrlFromArn } from '../lambda/invoke-async.ts';
import type { AsyncInvokeConfigDef, RuleDef } from '../stack/cloud-template.ts';
import { resolveIntrinsics, type LocalResource } from '../stack/intrinsics.ts';
import { EventLog } from './event-log.ts';
import { matchesEventPattern, validateEventPattern, type EventPattern } from './pattern-matcher.ts';

/** A PutEvents request entry, as the SDK and the AWS CLI send it. */
export type PutEventsEntry = {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
  Time?: unknown;
};
export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export type BusEvent = {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
};

type Target = { kind: 'lambda'; functionId: string } | { kind: 'sqs'; queueUrl: string };
type Route = { ruleId: string; busName: string; pattern: EventPattern; targets: Target[] };

export type BusLog = { warn(message: string): void; error(message: string): void };

const MAX_DETAIL_BYTES = 256 * 1024;

/**
 * The local EventBridge bus: accepts PutEvents entries, builds the event envelope EventBridge
 * delivers, and routes it with the synthesized stack's rules (their event patterns and targets) to
 * the local functions, asynchronously and with the functions' async retry and on-failure settings.
 * Every accepted event is also kept in {@link eventLog} (the local stand-in for the bus archive).
 */
export class LocalEventBus {
  private readonly routes: Route[];
  private readonly invoker: AsyncInvoker;
  private readonly inFlight = new Set<Promise<void>>();
  readonly busNames: Set<string>;
  /** The last events accepted on any bus, for `GET /_nudge/events`. */
  readonly eventLog: EventLog;

  constructor(
    private readonly deps: {
      rules: RuleDef[];
      asyncInvokeConfigs: AsyncInvokeConfigDef[];
      resources: ReadonlyMap<string, LocalResource>;
      functions: FunctionHost;
      sqs: SQSClient;
      clock: Clock;
      log: BusLog;
      eventLog?: EventLog;
    },
  ) {
    this.routes = deps.rules.flatMap((rule) => this.routeFor(rule));
    this.busNames = new Set(this.routes.map((route) => route.busName));
    this.invoker = new AsyncInvoker(deps);
    this.eventLog = deps.eventLog ?? new EventLog();
  }

  putEntries(entries: PutEventsEntry[]): PutEventsResultEntry[] {
    return entries.map((entry) => {
      const checked = this.toBusEvent(entry);
      if ('ErrorCode' in checked) return checked;
      const { event, busName } = checked;
      this.eventLog.record(event);
      this.route(event, busName);
      return { EventId: event.id };
    });
  }

  /** Resolves when every delivery started so far (and any it caused on the bus) has finished. */
  async waitForIdle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  get pendingDeliveries(): number {
    return this.inFlight.size;
  }

  private routeFor(rule: RuleDef): Route[] {
    if (!rule.enabled || rule.eventPattern === undefined) return [];
    const busName = String(resolveIntrinsics(rule.eventBusName, this.deps.resources));
    // CloudFormation resolves intrinsics inside an EventPattern too (e.g. a configuration set's name).
    const pattern = validateEventPattern(resolveIntrinsics(rule.eventPattern, this.deps.resources));
    const targets = rule.targets.flatMap((target): Target[] => {
      const arn = String(resolveIntrinsics(target.arn, this.deps.resources));
      const functionId = functionIdFromArn(arn, this.deps.functions);
      if (functionId) return [{ kind: 'lambda', functionId }];
      const queueUrl = queueUrlFromArn(arn, this.deps.resources);
      if (queueUrl) return [{ kind: 'sqs', queueUrl }];
      this.deps.log.warn(`rule ${rule.logicalId}: target ${arn} cannot run locally; skipped`);
      return [];
    });
    return [{ ruleId: rule.logicalId, busName, pattern, targets }];
  }

  private toBusEvent(entry: PutEventsEntry): { event: BusEvent; busName: string } | { ErrorCode: string; ErrorMessage: string } {
    if (typeof entry.Source !== 'string' || entry.Source === '') {
      return invalid('Parameter Source is not valid. Reason: Source is a required argument.');
    }
    if (typeof entry.DetailType !== 'string' || entry.DetailType === '') {
      return invalid('Parameter DetailType is not valid. Reason: DetailType is a required argument.');
    }
    if (typeof entry.Detail !== 'string' || entry.Detail === '') {
      return invalid('Parameter Detail is not valid. Reason: Detail is a required argument.');
    }
    if (Buffer.byteLength(entry.Detail) > MAX_DETAIL_BYTES) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Total size of the entries in the request is over the limit.' };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const busName = busNameOf(entry.EventBusName);
    if (!this.busNames.has(busName) && busName !== 'default') {
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${busName} does not exist.` };
    }
    // AWS services (SES's event publishing) deliver to the default bus, where the stack has rules for them.
    if (busName === 'default' && !entry.Source.startsWith('aws.')) {
      const custom = [...this.busNames].filter((name) => name !== 'default');
      this.deps.log.warn(`an event was put on the default bus; Nudge listens on ${custom.join(', ')} (set EventBusName)`);
    }
    const time = parseEntryTime(entry.Time) ?? this.deps.clock.now();
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: LOCAL_ACCOUNT,
      time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: LOCAL_REGION,
      resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
      detail,
    };
    return { event, busName };
  }

  private route(event: BusEvent, busName: string): void {
    for (const route of this.routes) {
      if (route.busName !== busName || !matchesEventPattern(route.pattern, event)) continue;
      for (const target of route.targets) this.track(this.deliver(route.ruleId, target, event));
    }
  }

  private track(delivery: Promise<void>): void {
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async deliver(ruleId: string, target: Target, event: BusEvent): Promise<void> {
    if (target.kind === 'sqs') {
      await this.deps.sqs.send(new SendMessageCommand({ QueueUrl: target.queueUrl, MessageBody: JSON.stringify(event) }));
      return;
    }
    await this.invoker.invoke(target.functionId, event, { eventId: event.id, origin: `rule ${ruleId}` });
  }
}

function invalid(message: string): { ErrorCode: string; ErrorMessage: string } {
  return { ErrorCode: 'InvalidArgument', ErrorMessage: message };
}

function busNameOf(value: unknown): string {
  if (typeof value !== 'string' || value === '') return 'default';
  const arnMatch = /^arn:aws[\w-]*:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(value);
  return arnMatch ? arnMatch[1]! : value;
}

/** The SDK sends Time as epoch seconds; people writing JSON by hand send ISO strings. */
function parseEntryTime(value: unknown): Date | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
  if (typeof value === 'string' && value !== '') {
    const parsed = Date.parse(value);
    if (!Number.isNaN(parsed)) return new Date(parsed);
  }
  return undefined;
}
