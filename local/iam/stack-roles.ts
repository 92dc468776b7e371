import { LOCAL_ACCOUNT } from '../emulators/local-aws.ts';
import type { StackTemplate } from '../stack/cloud-template.ts';
import { resolveIntrinsics, type LocalResource } from '../stack/intrinsics.ts';

/** An IAM policy document as the template has it, intrinsics resolved to local ARNs. */
export type PolicyDocument = { Version?: string; Statement: unknown };

/** A role of the stack with every identity policy attached to it. */
export type StackRole = {
  logicalId: string;
  /** The role's name locally (its RoleName, else its logical id, as the local ARNs name it). */
  name: string;
  arn: string;
  policies: Array<{ name: string; document: PolicyDocument }>;
  /** AWS managed policies the role attaches: their content is not in the template, so they grant nothing locally. */
  managedPolicyArns: string[];
};

/**
 * The condition keys a role's policies test, lower-cased (IAM compares key names case-insensitively).
 * A request's other keys cannot change a decision, so they are left out of evaluation and its cache.
 */
export function conditionKeysOf(role: StackRole): Set<string> {
  const keys = new Set<string>();
  for (const { document } of role.policies) {
    for (const statement of [document.Statement].flat() as Array<{ Condition?: Record<string, Record<string, unknown>> }>) {
      for (const operands of Object.values(statement?.Condition ?? {})) for (const key of Object.keys(operands)) keys.add(key.toLowerCase());
    }
  }
  return keys;
}

/**
 * The stack's IAM roles and the identity policies attached to each, read from the synthesized
 * template (AWS::IAM::Policy and AWS::IAM::ManagedPolicy resources naming the role, and the
 * role's own inline Policies), with intrinsics resolved against the local resources so that the
 * statements name the same ARNs the SDK calls are checked against.
 */
export class StackRoles {
  private readonly byLogicalId = new Map<string, StackRole>();
  private readonly byArn = new Map<string, StackRole>();
  private readonly functionRoles = new Map<string, StackRole>();

  constructor(stack: StackTemplate, resources: ReadonlyMap<string, LocalResource>) {
    const all = Object.entries(stack.template.Resources ?? {});
    for (const [logicalId, resource] of all) {
      if (resource.Type !== 'AWS::IAM::Role') continue;
      const properties = resource.Properties ?? {};
      const name = String(properties.RoleName ?? logicalId);
      const role: StackRole = {
        logicalId,
        name,
        arn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${name}`,
        policies: ((properties.Policies ?? []) as Array<{ PolicyName: unknown; PolicyDocument: unknown }>).map((policy) => ({
          name: String(policy.PolicyName),
          document: resolveIntrinsics(policy.PolicyDocument, resources) as PolicyDocument,
        })),
        managedPolicyArns: ((properties.ManagedPolicyArns ?? []) as unknown[]).map((arn) => String(resolveIntrinsics(arn, resources))),
      };
      this.byLogicalId.set(logicalId, role);
      this.byArn.set(role.arn, role);
    }
    for (const [logicalId, resource] of all) {
      if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
      const properties = resource.Properties ?? {};
      for (const ref of (properties.Roles ?? []) as unknown[]) {
        const roleId = typeof ref === 'object' && ref !== null && 'Ref' in ref ? String((ref as { Ref: unknown }).Ref) : undefined;
        const role = roleId ? this.byLogicalId.get(roleId) : undefined;
        if (!role) continue;
        role.policies.push({ name: String(properties.PolicyName ?? logicalId), document: resolveIntrinsics(properties.PolicyDocument, resources) as PolicyDocument });
      }
    }
    for (const [logicalId, resource] of all) {
      if (resource.Type !== 'AWS::Lambda::Function' && resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
      const roleArn = resource.Properties?.Role ?? resource.Properties?.RoleArn;
      const roleId = roleLogicalId(roleArn);
      const role = roleId ? this.byLogicalId.get(roleId) : undefined;
      if (role) this.functionRoles.set(logicalId, role);
    }
  }

  /** The execution role of a function, or of a state machine, by the resource's logical id. */
  roleOf(logicalId: string): StackRole | undefined {
    return this.functionRoles.get(logicalId);
  }

  /** The role with this (local) ARN, e.g. a schedule target's RoleArn. */
  roleByArn(arn: string): StackRole | undefined {
    return this.byArn.get(arn);
  }

  role(logicalId: string): StackRole | undefined {
    return this.byLogicalId.get(logicalId);
  }
}

/** The role a `Role`/`RoleArn` property points at: CDK writes `Fn::GetAtt [<role>, Arn]`. */
function roleLogicalId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const getAtt = (value as Record<string, unknown>)['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn') return String(getAtt[0]);
  return undefined;
}
