import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeNudgeTemplate } from '#infra/synthesize.ts';
import { LOCAL_STACK_CONTEXT } from '#local/stack/local-context.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { freePort } from '#local/emulators/ports.ts';
import type { CfnTemplate } from '#local/stack/cloud-template.ts';
import { startLocalSystem, type LocalSystem } from '#local/system.ts';

type Statement = { Action: string | string[]; Effect: string; Resource: unknown; Condition?: unknown };

/** The logical id of the role whose policy grants, as `cdk synth` writes it. */
function roleOfFunction(template: CfnTemplate, entry: string): string {
  const fn = Object.values(template.Resources ?? {}).find((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Metadata?.['nudge:entry'] === entry);
  return String(fn?.Properties?.Role?.['Fn::GetAtt']?.[0]);
}

/**
 * Removes `action` from every statement of the policies attached to `roleId`: what deleting one
 * grant from its construct would synthesize. Returns how many statements lost it.
 */
function removeGrant(template: CfnTemplate, roleId: string, action: string): number {
  let removed = 0;
  for (const resource of Object.values(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::IAM::Policy' || !(resource.Properties?.Roles as unknown[]).some((ref) => (ref as { Ref?: string }).Ref === roleId)) continue;
    const statements = resource.Properties!.PolicyDocument.Statement as Statement[];
    resource.Properties!.PolicyDocument.Statement = statements.flatMap((statement) => {
      const actions = [statement.Action].flat();
      if (!actions.includes(action)) return [statement];
      removed += 1;
      const kept = actions.filter((a) => a !== action);
      return kept.length > 0 ? [{ ...statement, Action: kept }] : [];
    });
  }
  return removed;
}

const sessionOf = (role: string, session: string) => `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${role}/${session}`;

/**
 * The local runtime refuses what AWS refuses: the stack synthesized with one grant removed from
 * each of three roles (a function's, the Scheduler's target role, the state machine's), run
 * in-process, and each call that needed the grant fails with AccessDenied naming role, action and
 * resource, while the untouched grants keep working.
 */
describe('IAM enforcement: a stack with grants removed', () => {
  let system: LocalSystem;
  const template = synthesizeNudgeTemplate({ bundle: false, context: LOCAL_STACK_CONTEXT }).template as CfnTemplate;
  const attributionRole = roleOfFunction(template, 'functions/reports/attribution.ts');
  const schedulerRole = Object.keys(template.Resources ?? {}).find((id) => id.startsWith('TriggersSchedulerRole') && template.Resources![id]!.Type === 'AWS::IAM::Role')!;
  const machineId = Object.keys(template.Resources ?? {}).find((id) => template.Resources![id]!.Type === 'AWS::StepFunctions::StateMachine')!;
  const machineRole = String(template.Resources![machineId]!.Properties!.RoleArn['Fn::GetAtt'][0]);

  beforeAll(async () => {
    expect(removeGrant(template, attributionRole, 'dynamodb:Query')).toBe(1);
    expect(removeGrant(template, schedulerRole, 'lambda:InvokeFunction')).toBe(1);
    expect(removeGrant(template, machineRole, 'lambda:InvokeFunction')).toBe(1);
    const ports = { eventBridge: await freePort(), dynamodb: await freePort(), sqs: await freePort(), ses: await freePort() };
    const quiet = { info: () => undefined, warn: () => undefined, error: (message: string) => console.error(message) };
    system = await startLocalSystem({ ports, log: quiet, handlerLogLevel: 'CRITICAL', template });
  }, 180_000);
  afterAll(async () => system?.stop());

  const aws = () => ({ region: LOCAL_REGION, credentials: localCredentials, endpoint: system.endpoints.eventBridge });
  const invoke = async (functionName: string) => {
    const response = await new LambdaClient(aws()).send(new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode('{}') }));
    return { functionError: response.FunctionError, payload: JSON.parse(new TextDecoder().decode(response.Payload)) as Record<string, unknown> };
  };
  const functionId = (entry: string) => Object.keys(template.Resources ?? {}).find((id) => template.Resources![id]!.Metadata?.['nudge:entry'] === entry)!;

  it('a handler whose role lost dynamodb:Query fails with DynamoDB\'s AccessDeniedException naming the role, the action and the table', async () => {
    const fn = functionId('functions/reports/attribution.ts');
    const { functionError, payload } = await invoke(fn);
    expect(functionError).toBe('Unhandled');
    expect(payload.errorType).toBe('AccessDeniedException');
    expect(payload.errorMessage).toBe(
      `User: ${sessionOf(attributionRole, fn)} is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${system.outputs.TableName} because no identity-based policy allows the dynamodb:Query action`,
    );
  });

  it('a handler whose grants are intact runs (the denial is the removed grant, not enforcement as such)', async () => {
    const { functionError, payload } = await invoke(functionId('functions/reports/trigger-performance.ts'));
    expect(functionError, JSON.stringify(payload)).toBeUndefined();
  });

  it('a one-time schedule whose target role lost lambda:InvokeFunction does not invoke the function: AccessDenied on the schedule', async () => {
    const timerArn = system.outputs.TimerFunctionArn!;
    await new SchedulerClient(aws()).send(
      new CreateScheduleCommand({
        Name: 'iam-denied-timer',
        GroupName: system.outputs.ScheduleGroupName,
        ScheduleExpression: `at(${system.clock.now().toISOString().slice(0, 19)})`,
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: timerArn, RoleArn: system.outputs.SchedulerRoleArn, Input: '{}' },
      }),
    );
    await system.waitForIdle();
    const schedule = system.oneTimeSchedules.list().find((entry) => entry.name === 'iam-denied-timer');
    expect(schedule?.status).toBe('failed');
    expect(schedule?.lastError).toBe(
      `AccessDeniedException: User: ${sessionOf(schedulerRole, 'iam-denied-timer')} is not authorized to perform: lambda:InvokeFunction on resource: ${timerArn} because no identity-based policy allows the lambda:InvokeFunction action`,
    );
  });

  it('a state machine whose role lost lambda:InvokeFunction fails its Lambda task as Step Functions does', async () => {
    const sfn = new SFNClient(aws());
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: system.outputs.SequenceStateMachineArn, name: 'iam-denied', input: JSON.stringify({ dueAt: system.clock.now().toISOString() }) }),
    );
    await system.waitForIdle();
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('Lambda.AWSLambdaException');
    expect(execution.cause).toContain(`User: ${sessionOf(machineRole, 'iam-denied')} is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:`);
    expect(execution.cause).toContain('Error Code: AccessDeniedException');
  });
});
