import { accessDeniedMessage } from './access-denied.ts';
import { sessionArn, type AuthorizationRequest, type PolicyEvaluator } from './policy-evaluator.ts';
import type { StackRole, StackRoles } from './stack-roles.ts';

/**
 * Authorizes what an AWS service does with a role of the stack on the stack's behalf: EventBridge
 * Scheduler delivering a schedule with its target's role, Step Functions invoking a task's function
 * with the state machine's role. Answers with AWS's AccessDenied message, or undefined when allowed.
 */
export class RoleAuthorizer {
  constructor(
    readonly roles: StackRoles,
    private readonly evaluator: PolicyEvaluator,
  ) {}

  async denial(role: StackRole | undefined, session: string, request: AuthorizationRequest): Promise<string | undefined> {
    if (!role) return `the role is not a role of the stack, so the service cannot assume it to perform ${request.action} on ${request.resource}`;
    const decision = await this.evaluator.decide(role, session, request);
    return decision === 'Allowed' ? undefined : accessDeniedMessage({ principal: sessionArn(role, session), action: request.action, resource: request.resource, decision });
  }
}
