import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_XRAY_SAMPLING_RATE } from '#infra/context.ts';
import { isHotPath, SEQUENCE_SAMPLING_RESERVOIR } from '#infra/nudge-stack.ts';
import { sequenceSampling } from '../../bench/cost-model.ts';
import { removeSynthOutputs, resourcesOfType, synthTemplate } from './support/synth.ts';

// Issue 23 goal 6: logs and traces at a price a team would choose (cdk-nag runs in every synth here).
const functions = (template: Template) => Object.values(resourcesOfType(template, 'AWS::Lambda::Function')).map((fn) => ({ entry: String(fn.Metadata?.['nudge:entry']), properties: fn.Properties! }));

describe('logs and X-Ray at the reference volume', () => {
  let byDefault: Template;
  let opted: Template;
  beforeAll(() => {
    byDefault = synthTemplate().template;
    opted = synthTemplate({ logLevel: 'INFO', hotPathTracing: 'Active' }).template;
  }, 300_000); // two synths; a loaded 2-core machine took over 120 s
  afterAll(removeSynthOutputs);

  it('logs at WARN by default (application and Lambda platform lines), INFO when -c logLevel=INFO', () => {
    expect(functions(byDefault).length).toBeGreaterThan(10);
    for (const { properties } of functions(byDefault)) expect(properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'WARN', SystemLogLevel: 'WARN' });
    for (const { properties } of functions(opted)) expect(properties.LoggingConfig).toMatchObject({ ApplicationLogLevel: 'INFO', SystemLogLevel: 'INFO' });
  });

  it('lets no per-event or per-email function sample its own traces by default; -c hotPathTracing=Active makes every function Active', () => {
    const hot = functions(byDefault).filter(({ entry }) => isHotPath(entry));
    expect(hot.map(({ entry }) => entry)).toContain('functions/ingest/ingest-event.ts');
    for (const { entry, properties } of hot) expect(properties.TracingConfig, entry).toEqual({ Mode: 'PassThrough' });
    for (const { properties } of functions(opted)) expect(properties.TracingConfig).toEqual({ Mode: 'Active' });
  });

  it('samples the nurture sequences with an X-Ray rule at a low fixed rate and no reservoir, as the cost model prices it', () => {
    const rules = Object.values(resourcesOfType(byDefault, 'AWS::XRay::SamplingRule')).map((rule) => rule.Properties!.SamplingRule);
    const [machineId, machine] = Object.entries(resourcesOfType(byDefault, 'AWS::StepFunctions::StateMachine'))[0]!;
    expect(rules).toEqual([
      expect.objectContaining({ FixedRate: DEFAULT_XRAY_SAMPLING_RATE, ReservoirSize: SEQUENCE_SAMPLING_RESERVOIR, ServiceType: 'AWS::StepFunctions::StateMachine', ServiceName: { 'Fn::GetAtt': [machineId, 'Name'] }, Version: 1 }),
    ]);
    expect(DEFAULT_XRAY_SAMPLING_RATE).toBeLessThanOrEqual(0.01);
    expect(machine.Properties!.TracingConfiguration).toEqual({ Enabled: true });
    // The reference month's ~0.24 executions a second: a reservoir of 1 a second would trace ~21% of them, 20x the fixed rate.
    expect(SEQUENCE_SAMPLING_RESERVOIR).toBe(0);
    expect(sequenceSampling(byDefault.toJSON() as never)).toEqual({ serviceType: 'AWS::StepFunctions::StateMachine', fixedRate: DEFAULT_XRAY_SAMPLING_RATE, reservoirPerSecond: SEQUENCE_SAMPLING_RESERVOIR });
  });

  it("gives every sampling rule's reservoir as the stack intends: none, so the rule's fixed rate is the share traced", () => {
    const rules = Object.values(resourcesOfType(byDefault, 'AWS::XRay::SamplingRule')).map((rule) => rule.Properties!.SamplingRule);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(rule.ReservoirSize, rule.RuleName).toBe(SEQUENCE_SAMPLING_RESERVOIR);
  });
});
