import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { SEQUENCE_SIGNALS } from '#shared/domain/sequences.ts';
import { SEQUENCE_STARTER_ENTRY, SEQUENCE_STEP_ENTRY } from '#infra/constructs/sequences.ts';
import { measureSequenceTransitions, type SequenceTransitions } from '../../bench/sequence-transitions.ts';
import { actionsOf, functionIdByEntry, removeSynthOutputs, resourcesOf, resourcesOfType, statementsOfFunction, synthTemplate } from './support/synth.ts';

let template: Template;
beforeAll(() => {
  ({ template } = synthTemplate());
});
afterAll(removeSynthOutputs);

type Definition = { StartAt: string; TimeoutSeconds?: number; States: Record<string, Record<string, any>> };

const machineId = () => {
  const ids = Object.keys(resourcesOfType(template, 'AWS::StepFunctions::StateMachine'));
  expect(ids, 'one data-driven state machine for every sequence').toHaveLength(1);
  return ids[0]!;
};
const machine = () => resourcesOfType(template, 'AWS::StepFunctions::StateMachine')[machineId()]!.Properties!;
/** The ASL with the step function's ARN left as a marker (the definition is an Fn::Join around it). */
function definition(): Definition {
  const parts = machine().DefinitionString['Fn::Join'][1] as unknown[];
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'STEP_FUNCTION_ARN')).join('')) as Definition;
}
const stepId = () => functionIdByEntry(template, SEQUENCE_STEP_ENTRY);
const starterId = () => functionIdByEntry(template, SEQUENCE_STARTER_ENTRY);

describe('the sequence state machine', () => {
  it("is a Standard workflow (runs wait for days) that may run a year, Standard's maximum", () => {
    expect(machine().StateMachineType).toBe('STANDARD');
    expect(definition().TimeoutSeconds).toBe(365 * 86_400);
  });

  it('logs ALL with execution data and traces with X-Ray (cdk-nag SF1, SF2)', () => {
    expect(machine().LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
    expect(machine().TracingConfiguration).toEqual({ Enabled: true });
  });

  it('waits for the due time carried in the run, then runs the step function, then loops or finishes', () => {
    const { StartAt, States } = definition();
    expect(StartAt).toBe('WaitForStep');
    expect(States.WaitForStep).toEqual({ Type: 'Wait', TimestampPath: '$.dueAt', Next: 'RunStep' });
    expect(States.RunStep).toMatchObject({ Type: 'Task', Resource: 'STEP_FUNCTION_ARN', Next: 'MoreSteps', TimeoutSeconds: 60 });
    expect(machine().DefinitionString['Fn::Join'][1]).toContainEqual({ 'Fn::GetAtt': [stepId(), 'Arn'] });
    expect(States.MoreSteps).toEqual({ Type: 'Choice', Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'Finished' }], Default: 'WaitForStep' });
    expect(States.Finished).toEqual({ Type: 'Succeed' });
  });

  it("retries Lambda's transient faults quickly, with jitter, six times", () => {
    expect(definition().States.RunStep!.Retry[0]).toEqual({
      ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
      IntervalSeconds: 2,
      MaxAttempts: 6,
      BackoffRate: 2,
      JitterStrategy: 'FULL',
    });
  });

  it('retries a failed or timed-out step three times, 30 s apart and growing (the step is idempotent)', () => {
    expect(definition().States.RunStep!.Retry[1]).toEqual({ ErrorEquals: ['States.TaskFailed', 'States.Timeout'], IntervalSeconds: 30, MaxAttempts: 3, BackoffRate: 3 });
    expect(definition().States.RunStep!.Retry).toHaveLength(2);
  });

  it('catches whatever still fails into a Fail state that keeps the error and its cause', () => {
    expect(definition().States.RunStep!.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'StepFailed' }]);
    expect(definition().States.StepFailed).toEqual({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
  });

  it("may invoke only the step function (its role's Lambda grant)", () => {
    const roleId = machine().RoleArn['Fn::GetAtt'][0] as string;
    const statements = Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
      .filter((policy) => (policy.Properties?.Roles as Array<{ Ref: string }>).some((role) => role.Ref === roleId))
      .flatMap((policy) => policy.Properties?.PolicyDocument.Statement as Array<Record<string, any>>);
    const invoke = statements.filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(invoke.flatMap(resourcesOf)).toEqual([{ 'Fn::GetAtt': [stepId(), 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [stepId(), 'Arn'] }, ':*']] }]);
  });
});

describe('the sequence starter', () => {
  it('may start executions of the sequence machine only', () => {
    const start = statementsOfFunction(template, starterId()).filter((s) => actionsOf(s).some((a) => a.startsWith('states:Start')));
    expect(start.map((s) => [actionsOf(s), resourcesOf(s)])).toEqual([[['states:StartExecution'], [{ Ref: machineId() }]]]);
  });

  it("may stop only that machine's executions", () => {
    const stop = statementsOfFunction(template, starterId()).filter((s) => actionsOf(s).includes('states:StopExecution'));
    expect(stop).toHaveLength(1);
    expect(actionsOf(stop[0]!)).toEqual(['states:StopExecution']);
    expect(JSON.stringify(resourcesOf(stop[0]!))).toBe(
      JSON.stringify([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':execution:', { 'Fn::GetAtt': [machineId(), 'Name'] }, ':*']] }]),
    );
  });

  it('has no other Step Functions, queue-sending or bus rights than its own dead-letter queue', () => {
    const actions = statementsOfFunction(template, starterId()).flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('states:')).sort()).toEqual(['states:StartExecution', 'states:StopExecution']);
    expect(actions).not.toContain('events:PutEvents');
    expect(actions).not.toContain('scheduler:CreateSchedule');
  });

  it('reads and writes items and queries its partition on the table; no Scan', () => {
    const actions = statementsOfFunction(template, starterId()).flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'));
    expect(actions.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
  });

  it('gets the machine ARN and the table through its environment', () => {
    const env = resourcesOfType(template, 'AWS::Lambda::Function')[starterId()]!.Properties!.Environment.Variables;
    expect(env.STATE_MACHINE_ARN).toEqual({ Ref: machineId() });
    expect(env.TABLE_NAME).toBeDefined();
  });

  it('receives rule starts and stage changes, entries into exactly the segments a sequence starts on, and exactly the signals sequences start on', () => {
    const starter = { 'Fn::GetAtt': [starterId(), 'Arn'] };
    const patterns = Object.values(resourcesOfType(template, 'AWS::Events::Rule'))
      .filter((rule) => (rule.Properties?.Targets as Array<{ Arn: unknown }>).some((t) => JSON.stringify(t.Arn) === JSON.stringify(starter)))
      .map((rule) => rule.Properties?.EventPattern);
    const segments = [...new Set(defaultCatalog.sequences.flatMap((s) => (s.startOn?.segmentEntered ? [s.startOn.segmentEntered] : [])))].sort();
    expect(segments.length).toBeGreaterThan(0);
    const signals = [...new Set(defaultCatalog.sequences.flatMap((s) => (s.startOn?.signal ? [SEQUENCE_SIGNALS[s.startOn.signal]] : [])))].sort();
    expect(signals).toEqual(['ContentInterestPredicted']);
    expect(patterns).toEqual([
      { source: ['nudge'], 'detail-type': ['SequenceStartRequested', 'LifecycleStageChanged'] },
      { source: ['nudge'], 'detail-type': ['SegmentEntered'], detail: { segmentId: segments } },
      { source: ['nudge'], 'detail-type': signals },
    ]);
  });

  it('retries its bus deliveries for 24 h and keeps what still fails in its dead-letter queue', () => {
    const starter = { 'Fn::GetAtt': [starterId(), 'Arn'] };
    const targets = Object.values(resourcesOfType(template, 'AWS::Events::Rule')).flatMap((rule) =>
      (rule.Properties?.Targets as Array<Record<string, any>>).filter((t) => JSON.stringify(t.Arn) === JSON.stringify(starter)),
    );
    expect(targets).toHaveLength(3);
    for (const target of targets) {
      expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 });
      expect(target.DeadLetterConfig.Arn['Fn::GetAtt'][0]).toMatch(/^SequencesDeadLetterQueue/);
    }
  });
});

describe('the sequence step function', () => {
  it('decides sends like every rule: the send queue, one-time schedules, the bus for sequence starts', () => {
    const actions = statementsOfFunction(template, stepId()).flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['sqs:SendMessage', 'scheduler:CreateSchedule', 'iam:PassRole', 'events:PutEvents', 'dynamodb:BatchWriteItem']));
    expect(actions.filter((a) => a.startsWith('states:'))).toEqual([]);
  });
});

describe('state transitions per run (what Standard workflows bill), counted by running the synthesized machine locally', () => {
  let measured: SequenceTransitions;
  beforeAll(async () => {
    measured = await measureSequenceTransitions();
  });

  it('runs every shipped sequence through the same loop: Wait, Task and Choice per step, then Succeed', () => {
    expect(measured.machineStates.sort()).toEqual(['Finished', 'MoreSteps', 'RunStep', 'StepFailed', 'WaitForStep']);
    expect(measured.sequences.map((s) => s.sequenceId).sort()).toEqual(defaultCatalog.sequences.map((s) => s.id).sort());
    for (const s of measured.sequences) {
      expect(s.fullRun, `${s.sequenceId}, ${s.steps} step(s), every step run`).toBe(3 * s.steps + 1);
      expect(s.exitAtFirstStep, `${s.sequenceId}, exit goal met at the first step`).toBe(4);
    }
  });

  it('prices a thousand full runs at the Standard price of bench/aws-prices.json', () => {
    for (const s of measured.sequences) expect(s.usdPerThousandFullRuns).toBeCloseTo(s.fullRun * measured.usdPerThousandTransitions, 6);
  });
});
