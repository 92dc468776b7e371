import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFY_ACCOUNT_MANAGER_ENTRY } from '#infra/constructs/triggers.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { actionsOf, functionIdByEntry, removeSynthOutputs, resourcesOf, resourcesOfType, statementsOfFunction, synthTemplate } from './support/synth.ts';

afterAll(removeSynthOutputs);

/** Document 001's notify_account_manager: the notifier function, its bus rule and its least-privilege role. */
describe('the account-manager notifier (VipEscalation consumer)', () => {
  let template: Template;
  let notifier: string;

  beforeAll(() => {
    ({ template } = synthTemplate());
    notifier = functionIdByEntry(template, NOTIFY_ACCOUNT_MANAGER_ENTRY);
  }, 120_000);

  it('is deployed because the shipped catalog names an account manager', () => {
    expect(defaultCatalog.settings.accountManagerEmail).toBe('account-manager@shop.example.com');
  });

  it('one rule on the Nudge bus targets it: exactly VipEscalation from source nudge, with retries and a dead-letter queue', () => {
    const rules = Object.values(resourcesOfType(template, 'AWS::Events::Rule')).filter((rule) =>
      (rule.Properties?.Targets as Array<{ Arn: unknown }>).some((target) => JSON.stringify(target.Arn) === JSON.stringify({ 'Fn::GetAtt': [notifier, 'Arn'] })),
    );
    expect(rules.map((rule) => rule.Properties?.EventPattern)).toEqual([{ source: ['nudge'], 'detail-type': ['VipEscalation'] }]);
    const [target] = rules[0]!.Properties!.Targets as Array<Record<string, any>>;
    expect(target!.DeadLetterConfig?.Arn).toBeDefined();
    expect(target!.RetryPolicy).toMatchObject({ MaximumEventAgeInSeconds: 86_400 });
    expect(JSON.stringify(rules[0]!.Properties!.EventBusName)).toContain('EventBus');
  });

  it('its role may write only its own markers (by leading key; no profile reads) and send email as the sender only', () => {
    const statements = statementsOfFunction(template, notifier);
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.map((s) => [actionsOf(s).sort(), s.Condition])).toEqual([
      [['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['NOTIFIED#*'] } }],
    ]);
    const ses = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
    expect(ses.flatMap(actionsOf)).toEqual(['ses:SendEmail']);
    // The sender identity and the configuration set, never identity/* (outside sesSandbox).
    expect(JSON.stringify(ses.flatMap(resourcesOf))).not.toContain('identity/*');
    const services = new Set(statements.flatMap(actionsOf).map((a) => a.split(':')[0]));
    expect([...services].sort()).toEqual(['dynamodb', 'logs', 'ses', 'sqs', 'xray']);
  });

  it('sends as the dispatcher does (same sender and configuration set variables)', () => {
    const variables = resourcesOfType(template, 'AWS::Lambda::Function')[notifier]!.Properties!.Environment.Variables as Record<string, unknown>;
    expect(Object.keys(variables)).toEqual(expect.arrayContaining(['TABLE_NAME', 'SENDER_EMAIL', 'SES_CONFIGURATION_SET']));
    expect(variables).not.toHaveProperty('REPLY_TO_EMAIL');
  });
});
