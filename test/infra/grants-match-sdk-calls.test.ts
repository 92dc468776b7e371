import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsInBundle, nudgeFunctions, sdkCallsByEntry, ungrantedCalls, type EntryCalls } from './support/sdk-calls.ts';
import { removeSynthOutputs, synthTemplate } from './support/synth.ts';

afterAll(removeSynthOutputs);


/**
 * The class of defect in issue 20 item 1 (ingest's recordConversion Query without dynamodb:Query):
 * nothing enforces IAM locally, so a handler can call an API its role was never granted and only
 * AWS finds out. For every function, each DynamoDB / SQS / SES / EventBridge / Scheduler / Step
 * Functions / Secrets Manager call its bundled code can reach must be granted by its role.
 */
describe('every function is granted every AWS call its code can make', () => {
  let template: Template;
  let functions: Array<{ id: string; entry: string }>;
  let callsByEntry: Map<string, EntryCalls>;

  beforeAll(async () => {
    ({ template } = synthTemplate());
    functions = nudgeFunctions(template);
    callsByEntry = await sdkCallsByEntry([...new Set(functions.map(({ entry }) => entry))]);
  }, 120_000);

  it('reads the calls of every function (the derivation sees the calls it must)', () => {
    expect(functions.length).toBeGreaterThanOrEqual(23);
    // A sanity anchor, not the check itself: ingest records conversions (Query) and the dispatcher sends email.
    const commandsOf = (entry: string) => new Set(callsByEntry.get(entry)!.calls.map((call) => call.command));
    expect(commandsOf('functions/ingest/ingest-event.ts')).toContain('Query');
    expect(commandsOf('functions/delivery/dispatch-sends.ts')).toContain('SendEmail');
    expect(commandsOf('functions/tracking/track-link.ts')).toContain('GetSecretValue');
  });

  it("constructs only SDK commands whose IAM action the check knows, in Nudge's own code", () => {
    const unknown = [...callsByEntry].flatMap(([entry, { unknownInProjectCode }]) => unknownInProjectCode.map((call) => `${entry}: ${call.command}Command in ${call.module}`));
    expect(unknown, 'add these commands to IAM_ACTIONS_OF_COMMAND (test/infra/support/sdk-calls.ts)').toEqual([]);
  });

  it("grants each function's role every action its calls need", () => {
    const { missing, staleCollisions } = ungrantedCalls(template, callsByEntry);
    expect(missing).toEqual([]);
    // Every listed name collision is still reported (otherwise remove it from the list).
    expect(staleCollisions).toEqual([]);
  });
});

describe('the SDK call reader', () => {
  it('attributes commands to the module that constructs them, skips class methods nothing calls, and maps transaction items to their actions', () => {
    const bundle = [
      '// shared/adapters/dynamo/a.ts',
      'var A = class {',
      '  async q() {',
      '    return this.c.send(new QueryCommand2({}));',
      '  }',
      '  async unused() {',
      '    return this.c.send(new ScanCommand({}));',
      '  }',
      '  t() {',
      '    return new TransactWriteCommand({ TransactItems: [{ Put: p }, { Update: u }] });',
      '  }',
      '};',
      'await a.q(); a.t();',
      '// node_modules/@aws-sdk/client-sts/dist-es/index.js',
      'new AssumeRoleCommand({});',
      '// functions/x.ts',
      'new FrobnicateCommand({});',
    ].join('\n');
    const { calls, unknownInProjectCode } = callsInBundle(bundle);
    expect(calls).toEqual([
      { command: 'Query', module: 'shared/adapters/dynamo/a.ts', actions: ['dynamodb:Query'] },
      { command: 'TransactWrite', module: 'shared/adapters/dynamo/a.ts', actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'] },
    ]);
    // The SDK's own credential calls need no grant; an unknown command in Nudge's code must be mapped.
    expect(unknownInProjectCode.map((call) => call.command)).toEqual(['Frobnicate']);
  });
});

