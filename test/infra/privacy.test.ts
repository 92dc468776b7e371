import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERASE_ENTRY, EXPORT_ENTRY } from '#infra/constructs/privacy.ts';
import { actionsOf, functionIdByEntry, removeSynthOutputs, resourcesOf, resourcesOfType, statementsOfFunction, synthTemplate } from './support/synth.ts';

let template: Template;
beforeAll(() => {
  ({ template } = synthTemplate());
});
afterAll(removeSynthOutputs);

/** What every NudgeFunction has (its own log group, X-Ray), asserted in nudge-stack.test.ts. */
const COMMON = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'logs:CreateLogStream', 'logs:PutLogEvents'];
const id = (type: string) => Object.keys(resourcesOfType(template, type))[0]!;
/** [actions, resources] of each statement of the function, the common ones left out. */
const grants = (entry: string) =>
  statementsOfFunction(template, functionIdByEntry(template, entry))
    .map((s) => [actionsOf(s).filter((a) => !COMMON.includes(a)).sort(), JSON.stringify(resourcesOf(s))] as const)
    .filter(([actions]) => actions.length > 0);
const tableArn = () => JSON.stringify([{ 'Fn::GetAtt': [id('AWS::DynamoDB::Table'), 'Arn'] }]);

describe('the privacy Lambdas', () => {
  it('erase: table reads, suppression put and batch deletes on this table only; schedules of the Nudge group; StopExecution of the sequence machine', () => {
    const statements = grants(ERASE_ENTRY);
    const actions = statements.flatMap(([a]) => a).sort();
    expect(actions).toEqual(
      ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule', 'scheduler:ListSchedules', 'states:StopExecution'].sort(),
    );
    expect(statements.find(([a]) => a.includes('dynamodb:BatchWriteItem'))![1]).toBe(tableArn());
    expect(statements.find(([a]) => a.includes('scheduler:DeleteSchedule'))![1]).toContain(':schedule/');
    // The group is named by CloudFormation: the ARN refers to it (Ref), never a fixed name.
    expect(statements.find(([a]) => a.includes('scheduler:DeleteSchedule'))![1]).toContain(JSON.stringify({ Ref: id('AWS::Scheduler::ScheduleGroup') }).slice(1, -1));
    const stop = statements.find(([a]) => a.includes('states:StopExecution'))!;
    expect(stop[1]).toContain(':execution:');
    expect(stop[1]).toContain(id('AWS::StepFunctions::StateMachine'));
    // Only ListSchedules (no resource-level permissions) is on "*".
    expect(statements.filter(([, r]) => r === '["*"]').map(([a]) => a)).toEqual([['scheduler:ListSchedules']]);
  });

  it('export: reads only (Query, GetItem, ListSchedules, GetSchedule), nothing that writes, deletes or stops', () => {
    const statements = grants(EXPORT_ENTRY);
    expect(statements.flatMap(([a]) => a).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query', 'scheduler:GetSchedule', 'scheduler:ListSchedules']);
    expect(statements.find(([a]) => a.includes('dynamodb:Query'))![1]).toBe(tableArn());
  });

  it('both name the table and schedule group; erase names the state machine; the stack outputs their names for the CLI', () => {
    const env = (entry: string) => resourcesOfType(template, 'AWS::Lambda::Function')[functionIdByEntry(template, entry)]!.Properties!.Environment.Variables as Record<string, unknown>;
    expect(Object.keys(env(ERASE_ENTRY))).toEqual(expect.arrayContaining(['TABLE_NAME', 'SCHEDULE_GROUP_NAME', 'STATE_MACHINE_ARN']));
    expect(Object.keys(env(EXPORT_ENTRY))).toEqual(expect.arrayContaining(['TABLE_NAME', 'SCHEDULE_GROUP_NAME']));
    expect(Object.keys(env(EXPORT_ENTRY))).not.toContain('STATE_MACHINE_ARN');
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.EraseFunctionName!.Value).toEqual({ Ref: functionIdByEntry(template, ERASE_ENTRY) });
    expect(outputs.ExportFunctionName!.Value).toEqual({ Ref: functionIdByEntry(template, EXPORT_ENTRY) });
  });
});
