import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Clock } from '#shared/domain/clock.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/local-aws.ts';
import type { FunctionHost } from '../lambda/function-host.ts';
import type { AsyncInvokeConfigDef, RuleDef } from '../stack/cloud-template.ts';
import { resolveIntrinsics, type LocalResource } from '../stack/intrinsics.ts';
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
type AsyncPolicy = { maximumRetryAttempts: number; onFailureQueueUrl?: string };

export type BusLog = { warn(message: string): void; error(message: string): void };

/** Lambda retries asynchronous invocations after about 1 and 2 minutes; locally after a short backoff. */
const LOCAL_RETRY_DELAYS_MS = [200, 400, 800];
const MAX_DETAIL_BYTES = 256 * 1024;

/**
 * The local EventBridge bus: accepts PutEvents entries, builds the event envelope EventBridge
 * delivers, and routes it with the synthesized stack's rules (their event patterns and targets) to
 * the local functions, asynchronously and with the functions' async retry and on-failure settings.
 */
export class LocalEventBus {
  private readonly routes: Route[];
  private readonly asyncPolicies = new Map<string, AsyncPolicy>();
  private readonly inFlight = new Set<Promise<void>>();
  readonly busNames: Set<string>;

  constructor(
    private readonly deps: {
      rules: RuleDef[];
      asyncInvokeConfigs: AsyncInvokeConfigDef[];
      resources: ReadonlyMap<string, LocalResource>;
      functions: FunctionHost;
      sqs: SQSClient;
      clock: Clock;
      log: BusLog;
    },
  ) {
    this.routes = deps.rules.flatMap((rule) => this.routeFor(rule));
    this.busNames = new Set(this.routes.map((route) => route.busName));
    for (const config of deps.asyncInvokeConfigs) {
      const functionId = this.functionIdFromName(resolveIntrinsics(config.functionName, deps.resources));
      if (!functionId) continue;
      const onFailure = config.onFailureDestination ? this.queueUrlFromArn(String(resolveIntrinsics(config.onFailureDestination, deps.resources))) : undefined;
      this.asyncPolicies.set(functionId, { maximumRetryAttempts: config.maximumRetryAttempts, ...(onFailure ? { onFailureQueueUrl: onFailure } : {}) });
    }
  }

  putEntries(entries: PutEventsEntry[]): PutEventsResultEntry[] {
    return entries.map((entry) => {
      const checked = this.toBusEvent(entry);
      if ('ErrorCode' in checked) return checked;
      const { event, busName } = checked;
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
    const pattern = validateEventPattern(rule.eventPattern);
    const targets = rule.targets.flatMap((target): Target[] => {
      const arn = String(resolveIntrinsics(target.arn, this.deps.resources));
      const functionId = this.functionIdFromArn(arn);
      if (functionId) return [{ kind: 'lambda', functionId }];
      const queueUrl = this.queueUrlFromArn(arn);
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
    if (busName === 'default') {
      this.deps.log.warn(`an event was put on the default bus; Nudge listens on ${[...this.busNames].join(', ')} (set EventBusName)`);
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
    await this.invokeAsync(ruleId, target.functionId, event);
  }

  /** Lambda's asynchronous invocation: retries, then the on-failure destination, else the event is lost (logged). */
  private async invokeAsync(ruleId: string, functionId: string, event: BusEvent): Promise<void> {
    const policy = this.asyncPolicies.get(functionId) ?? { maximumRetryAttempts: 2 };
    let lastError: unknown;
    for (let attempt = 0; attempt <= policy.maximumRetryAttempts; attempt++) {
      if (attempt > 0) await sleep(LOCAL_RETRY_DELAYS_MS[Math.min(attempt - 1, LOCAL_RETRY_DELAYS_MS.length - 1)]!);
      try {
        await this.deps.functions.invoke(functionId, event);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    const message = lastError instanceof Error ? `${lastError.name}: ${lastError.message}` : String(lastError);
    if (!policy.onFailureQueueUrl) {
      this.deps.log.error(`${functionId} failed event ${event.id} from rule ${ruleId} after retries, no destination: ${message}`);
      return;
    }
    this.deps.log.warn(`${functionId} failed event ${event.id} after ${policy.maximumRetryAttempts + 1} attempts; sent to its on-failure queue: ${message}`);
    await this.deps.sqs.send(
      new SendMessageCommand({
        QueueUrl: policy.onFailureQueueUrl,
        MessageBody: JSON.stringify(destinationRecord(functionId, event, policy.maximumRetryAttempts + 1, lastError)),
      }),
    );
  }

  private functionIdFromArn(arn: string): string | undefined {
    const match = /^arn:aws:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(arn);
    return match && this.deps.functions.has(match[1]!) ? match[1] : undefined;
  }

  private functionIdFromName(name: unknown): string | undefined {
    const text = String(name);
    return this.functionIdFromArn(text) ?? (this.deps.functions.has(text) ? text : undefined);
  }

  private queueUrlFromArn(arn: string): string | undefined {
    for (const resource of this.deps.resources.values()) {
      if (resource.attributes.Arn === arn && resource.attributes.QueueUrl) return resource.attributes.QueueUrl;
    }
    return undefined;
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

/** The record Lambda sends to an on-failure destination. */
function destinationRecord(functionId: string, event: BusEvent, attempts: number, error: unknown): Record<string, unknown> {
  return {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: randomUUID(),
      functionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionId}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: attempts,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: {
      errorType: error instanceof Error ? error.name : 'Error',
      errorMessage: error instanceof Error ? error.message : String(error),
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
