import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PolicyEvaluator } from '#local/iam/policy-evaluator.ts';
import type { StackRole } from '#local/iam/stack-roles.ts';

const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/nudge';
const roleWith = (statement: Record<string, unknown>): StackRole => ({
  logicalId: `Role${JSON.stringify(statement).length}`,
  name: 'Role',
  arn: 'arn:aws:iam::123456789012:role/Role',
  managedPolicyArns: [],
  policies: [{ name: 'p', document: { Version: '2012-10-17', Statement: [statement] } }],
});
const profileReader = roleWith({ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE, Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['C#*'] } } });
const itemWriter = roleWith({ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: TABLE });

describe('policy evaluator', () => {
  it('decides LeadingKeys conditions per partition key value, as IAM does', async () => {
    const evaluator = new PolicyEvaluator();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('C#', 'S#', 'c#', ''), fc.string({ maxLength: 12 }), async (prefix, rest) => {
        const key = prefix + rest;
        const decision = await evaluator.decide(profileReader, 'fn', { action: 'dynamodb:GetItem', resource: TABLE, context: { 'dynamodb:LeadingKeys': [key] } });
        expect(decision).toBe(key.startsWith('C#') ? 'Allowed' : 'ImplicitlyDenied');
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  it('caches one decision per role, action and resource when the role tests no condition key (per-customer keys do not defeat the cache)', async () => {
    const evaluator = new PolicyEvaluator();
    for (let i = 0; i < 50; i++) {
      expect(await evaluator.decide(itemWriter, 'fn', { action: 'dynamodb:PutItem', resource: TABLE, context: { 'dynamodb:LeadingKeys': [`C#${i}`] } })).toBe('Allowed');
    }
    expect(await evaluator.decide(itemWriter, 'fn', { action: 'dynamodb:Query', resource: TABLE })).toBe('ImplicitlyDenied');
    expect(evaluator.stats).toMatchObject({ evaluations: 2, cacheHits: 49 });
  });

  it('an explicit deny wins over an allow', async () => {
    const role: StackRole = { ...itemWriter, logicalId: 'Denied', policies: [...itemWriter.policies, { name: 'deny', document: { Statement: [{ Effect: 'Deny', Action: 'dynamodb:PutItem', Resource: '*' }] } }] };
    expect(await new PolicyEvaluator().decide(role, 'fn', { action: 'dynamodb:PutItem', resource: TABLE })).toBe('ExplicitlyDenied');
  });
});
