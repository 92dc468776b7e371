import { AsyncLocalStorage } from 'node:async_hooks';
import { accessDeniedMessage, accessDeniedResponse } from './access-denied.ts';
import { sessionArn, type AuthorizationRequest, type Decision, type PolicyEvaluator } from './policy-evaluator.ts';
import { authorizationRequests, SDK_SERVICES, type StackFacts } from './sdk-requests.ts';
import type { StackRole } from './stack-roles.ts';

/** Who is calling: the function's execution role and its session name (Lambda's is the function name). */
export type Caller = { role: StackRole; session: string };

const callers = new AsyncLocalStorage<Caller>();

/** Runs `fn` as `caller`: every SDK call it makes, however deep, is checked against the caller's role. */
export function runAsCaller<T>(caller: Caller, fn: () => T): T {
  return callers.run(caller, fn);
}

type Enforcement = {
  evaluator: PolicyEvaluator;
  facts: StackFacts;
  /** Told each denial (the handler sees the exception; whoever runs the system sees why). */
  onDenial?: (message: string) => void;
};
type MiddlewareStack = { add(middleware: unknown, options: Record<string, unknown>): void };
type SdkClient = { config: { serviceId?: string }; middlewareStack: MiddlewareStack };
type SendFn = (this: SdkClient, ...args: unknown[]) => unknown;

let active: Enforcement | undefined;
const patched = new Map<object, SendFn>();
const equipped = new WeakSet<MiddlewareStack>();

/**
 * Checks every SDK call made inside a function's invocation against that function's role, in
 * every client of the process, however and wherever the handler code built it (clients.ts, a
 * client of its own, Powertools' Secrets Manager provider). It patches `send` of the SDK's shared
 * base class (found through the client classes given, so the same module instance the clients
 * use) to add one middleware to each client's stack before its first call. The middleware sits
 * just inside the SDK's deserializer: a denied call never reaches the emulator and gets the
 * service's own AccessDenied HTTP response, which the SDK turns into the exception AWS would raise.
 * Calls outside any invocation (the runtime's provisioning and pollers, the CLI, tests) pass.
 */
export function installSdkEnforcement(enforcement: Enforcement, clientClasses: Array<abstract new (...args: never[]) => unknown>): () => void {
  active = enforcement;
  for (const clientClass of clientClasses) {
    const base = sdkBaseClass(clientClass);
    if (patched.has(base)) continue;
    const prototype = (base as { prototype: { send: SendFn } }).prototype;
    const original = prototype.send;
    patched.set(base, original);
    prototype.send = function send(this: SdkClient, ...args: unknown[]) {
      if (!equipped.has(this.middlewareStack)) {
        equipped.add(this.middlewareStack);
        this.middlewareStack.add(iamMiddleware(String(this.config.serviceId)), { step: 'deserialize', priority: 'low', name: 'nudgeLocalIam' });
      }
      return original.apply(this, args);
    };
  }
  return () => {
    active = undefined;
  };
}

/** The class that defines `send` (smithy's Client), walking up from a service client class. */
export function sdkBaseClass(clientClass: object): object {
  let current: object | null = clientClass;
  while (current && current !== Function.prototype) {
    const prototype = (current as { prototype?: object }).prototype;
    if (prototype && Object.prototype.hasOwnProperty.call(prototype, 'send')) return current;
    current = Object.getPrototypeOf(current) as object | null;
  }
  throw new Error('no SDK base class with send() found');
}

type Handler = (args: { input: Record<string, unknown> }) => Promise<unknown>;

function iamMiddleware(serviceId: string) {
  return (next: Handler, context: { commandName?: string }) => async (args: { input: Record<string, unknown> }) => {
    const caller = callers.getStore();
    const enforcement = active;
    if (!caller || !enforcement) return next(args);
    const operation = String(context.commandName ?? '').replace(/Command$/, '');
    const started = process.hrtime.bigint();
    let denied: { request: AuthorizationRequest; decision: Decision } | undefined;
    for (const request of authorizationRequests(serviceId, operation, args.input, enforcement.facts)) {
      const decision = await enforcement.evaluator.decide(caller.role, caller.session, request);
      if (decision !== 'Allowed') {
        denied = { request, decision };
        break;
      }
    }
    const stats = enforcement.evaluator.stats;
    stats.checkedCalls += 1;
    stats.checkMicros += Number(process.hrtime.bigint() - started) / 1000;
    if (denied) {
      const service = SDK_SERVICES[serviceId]!;
      const { request, decision } = denied;
      const message = accessDeniedMessage({ principal: sessionArn(caller.role, caller.session), action: request.action, resource: request.resource, decision });
      enforcement.onDenial?.(message);
      return { response: accessDeniedResponse(service.protocol, message, { queryCompatible: service.queryCompatible }) };
    }
    return next(args);
  };
}
