import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { LOCAL_ACCOUNT } from '../emulators/local-aws.ts';
import { conditionKeysOf, type StackRole } from './stack-roles.ts';

/** One thing IAM authorizes: an action on a resource, with the request's condition keys. */
export type AuthorizationRequest = {
  action: string;
  resource: string;
  /** Condition keys of the request (e.g. dynamodb:LeadingKeys, iam:PassedToService). */
  context?: Record<string, string | string[]>;
};

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/** The evaluator could not evaluate the request (an unknown action or a malformed ARN): a bug in the mapping, not a denial. */
export class PolicyEvaluationError extends Error {
  override name = 'PolicyEvaluationError';
}

/**
 * Evaluates a role's identity policies with AWS's policy logic (`@cloud-copilot/iam-simulate`:
 * explicit deny wins, then any allow whose action, resource and conditions match). Decisions are
 * cached per (role, action, resource, condition keys): the policies of a running stack do not
 * change, and a handler repeats the same few calls.
 */
export class PolicyEvaluator {
  private readonly cache = new Map<string, Promise<Decision>>();
  private readonly roleConditionKeys = new WeakMap<StackRole, Set<string>>();
  /**
   * Evaluations the library ran and their total time; checked SDK calls and the total time their
   * checks took (mapping, cache, evaluation): the overhead enforcement adds.
   */
  readonly stats = { evaluations: 0, cacheHits: 0, evaluationMicros: 0, checkedCalls: 0, checkMicros: 0 };

  decide(role: StackRole, session: string, full: AuthorizationRequest): Promise<Decision> {
    // Only the keys the role's policies test: a LeadingKeys value per customer would otherwise defeat the cache.
    const request = { ...full, context: this.relevantContext(role, full.context) };
    const key = JSON.stringify([role.logicalId, request.action, request.resource, request.context]);
    const cached = this.cache.get(key);
    if (cached) {
      this.stats.cacheHits += 1;
      return cached;
    }
    const decision = this.evaluate(role, session, request);
    this.cache.set(key, decision);
    // A failed evaluation is a bug to report, not a decision to keep.
    decision.catch(() => this.cache.delete(key));
    return decision;
  }

  private relevantContext(role: StackRole, context: AuthorizationRequest['context'] = {}): Record<string, string | string[]> {
    let used = this.roleConditionKeys.get(role);
    if (!used) {
      used = conditionKeysOf(role);
      this.roleConditionKeys.set(role, used);
    }
    return Object.fromEntries(Object.entries(context).filter(([name]) => used.has(name.toLowerCase())));
  }

  private async evaluate(role: StackRole, session: string, request: AuthorizationRequest): Promise<Decision> {
    const simulation: Simulation = {
      identityPolicies: role.policies.map((policy) => ({ name: policy.name, policy: policy.document as Simulation['identityPolicies'][number]['policy'] })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action: request.action,
        principal: sessionArn(role, session),
        resource: { resource: request.resource, accountId: LOCAL_ACCOUNT },
        contextVariables: request.context ?? {},
      },
    };
    const started = process.hrtime.bigint();
    const result = await runSimulation(simulation, {});
    this.stats.evaluations += 1;
    this.stats.evaluationMicros += Number(process.hrtime.bigint() - started) / 1000;
    if (result.resultType === 'error') {
      throw new PolicyEvaluationError(`cannot evaluate ${request.action} on ${request.resource} for role ${role.name}: ${JSON.stringify(result.errors)}`);
    }
    return result.overallResult as Decision;
  }
}

/** The principal of a role session: what AWS names in an AccessDenied message (Lambda's session is the function name). */
export function sessionArn(role: StackRole, session: string): string {
  return `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${role.name}/${session}`;
}
