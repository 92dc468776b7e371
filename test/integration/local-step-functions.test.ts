import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidArn,
  InvalidName,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ACCOUNT, LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import type { ExecutionView } from '#local/stepfunctions/execution.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

const DAY_MS = 86_400_000;

type ExecutionsRoute = { now: string; stateMachines: Array<{ name: string; stateMachineArn: string }>; executions: ExecutionView[] };

/**
 * The Step Functions API of the local runtime, through the real `@aws-sdk/client-sfn` client (as
 * the starter function calls it): wire shapes, the service's exceptions, and an execution held in
 * its Wait by the simulated clock until it is stopped.
 */
describe('Step Functions, locally', () => {
  const nudge = nudgeClient();
  const sfn = new SFNClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: nudge.context.endpoints.eventBridge });
  const executionsRoute = async (): Promise<ExecutionsRoute> => (await fetch(`${nudge.context.endpoints.eventBridge}/_nudge/executions`)).json() as Promise<ExecutionsRoute>;
  let stateMachineArn: string;

  beforeAll(async () => {
    const { stateMachines } = await executionsRoute();
    const sequences = stateMachines.filter((machine) => machine.name.startsWith('SequencesStateMachine'));
    expect(sequences).toHaveLength(1);
    stateMachineArn = sequences[0]!.stateMachineArn;
  });
  afterAll(() => sfn.destroy());

  /** A run of the sequence machine whose first step is due in a year: the clock holds it in WaitForStep. */
  const heldRun = async (runId: string) => {
    const now = await nudge.now();
    const dueAt = new Date(now.getTime() + 365 * DAY_MS).toISOString();
    const input = {
      runId,
      sequenceId: 'it-never-runs',
      customerId: `cus_${runId}`,
      startedAt: now.toISOString(),
      startStage: null,
      stepIndex: 0,
      trigger: { eventId: `evt_${runId}`, type: 'test', occurredAt: now.toISOString() },
      dueAt,
      done: false,
    };
    return { input: JSON.stringify(input), dueAt };
  };

  it('refuses an execution input over 256 KiB with a ValidationException, as the service does', async () => {
    const { input } = await heldRun(uniqueId('big'));
    const padded = JSON.stringify({ ...JSON.parse(input), pad: 'x'.repeat(262_144) });
    const refused = sfn.send(new StartExecutionCommand({ stateMachineArn, name: uniqueId('big'), input: padded }));
    await expect(refused).rejects.toBeInstanceOf(ValidationException);
    await expect(refused).rejects.toThrow(/Member must have length less than or equal to 262144/);
  });

  it('serves the stack state machine under its local ARN', () => {
    expect(stateMachineArn).toMatch(new RegExp(`^arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:SequencesStateMachine`));
  });

  it('starts an execution that waits for the simulated clock, describes and lists it, and stops it', async () => {
    const name = uniqueId('held');
    const { input, dueAt } = await heldRun(name);
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input }));
    expect(started.executionArn).toBe(`${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`);
    expect(started.startDate).toBeInstanceOf(Date);
    // Same name and input while it runs: the same execution, as Standard workflows answer.
    expect((await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input }))).executionArn).toBe(started.executionArn);

    // Held in its Wait, the execution leaves the system idle.
    await nudge.waitForIdle();
    const held = (await executionsRoute()).executions.find((execution) => execution.name === name);
    expect(held).toMatchObject({ status: 'RUNNING', currentState: 'WaitForStep', waitingUntil: dueAt });
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(described).toMatchObject({ name, status: 'RUNNING', stateMachineArn, input, startDate: started.startDate });
    expect(described.stopDate).toBeUndefined();
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));
    expect(listed.executions?.map((execution) => execution.name)).toContain(name);

    const stopped = await sfn.send(new StopExecutionCommand({ executionArn: started.executionArn, cause: 'integration test' }));
    expect(stopped.stopDate).toBeInstanceOf(Date);
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }))).toMatchObject({
      status: 'ABORTED',
      cause: 'integration test',
      stopDate: stopped.stopDate,
    });
    // A name is never reused, not even after the execution ended.
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn, name, input }))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it("refuses an execution name Step Functions refuses (InvalidName)", async () => {
    const error = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'has spaces', input: '{}' })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidName);
    expect((error as InvalidName).$metadata.httpStatusCode).toBe(400);
    expect((error as InvalidName).message).toContain("'has spaces'");
  });

  it('answers StateMachineDoesNotExist for a machine the stack does not have, InvalidArn for what is no ARN', async () => {
    const missing = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:NoSuchMachine`;
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: missing, name: uniqueId('x') }))).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(sfn.send(new ListExecutionsCommand({ stateMachineArn: missing }))).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: 'NoSuchMachine' }))).rejects.toBeInstanceOf(InvalidArn);
  });

  it('answers ExecutionDoesNotExist when stopping or describing an execution that was never started', async () => {
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${uniqueId('never')}`;
    await expect(sfn.send(new StopExecutionCommand({ executionArn, cause: 'stage changed' }))).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(sfn.send(new DescribeExecutionCommand({ executionArn }))).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });
});
