import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { synthesizeNudgeTemplate } from '#infra/synthesize.ts';
import { LOCAL_STACK_CONTEXT } from '#local/stack/local-context.ts';

type Resource = { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, unknown> };
const resourcesOf = (template: Record<string, any>) => Object.values(template.Resources as Record<string, Resource>);

describe('synthesizeNudgeTemplate without bundling (the local runtime\'s view of the stack)', () => {
  it('returns the stack name and the behavior-events rule with its pattern', () => {
    const { stackName, template } = synthesizeNudgeTemplate({ bundle: false, context: LOCAL_STACK_CONTEXT });
    expect(stackName).toBe('Nudge');
    const rules = resourcesOf(template).filter((r) => r.Type === 'AWS::Events::Rule');
    expect(rules.map((r) => r.Properties?.EventPattern)).toContainEqual({ source: [{ 'anything-but': { prefix: 'nudge' } }] });
  });

  it('carries each function\'s handler module as nudge:entry metadata', () => {
    const { template } = synthesizeNudgeTemplate({ bundle: false, context: LOCAL_STACK_CONTEXT });
    const entries = resourcesOf(template)
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => r.Metadata?.['nudge:entry']);
    expect(entries).toEqual(
      expect.arrayContaining(['functions/ingest/ingest-event.ts', 'functions/delivery/dispatch-sends.ts', 'functions/scheduled/sweep-profiles.ts']),
    );
  });

  it('returns the sweep, scoring, training, drift check and experiment check schedule rules with their expressions, for the local scheduler', () => {
    const { template } = synthesizeNudgeTemplate({ bundle: false, context: LOCAL_STACK_CONTEXT });
    const schedules = resourcesOf(template).filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties?.ScheduleExpression);
    expect(schedules.map((r) => r.Properties?.ScheduleExpression).sort()).toEqual(['cron(0 2 ? * SUN *)', 'cron(0 3 * * ? *)', 'cron(0 4 * * ? *)', 'cron(0 5 * * ? *)', 'cron(0 6 * * ? *)']);
  });

  it('applies the given context', () => {
    const { stackName, template } = synthesizeNudgeTemplate({ context: { stackName: 'NudgeDev', senderEmail: 'dev@shop.example.com' } });
    expect(stackName).toBe('NudgeDev');
    expect(template.Outputs.SenderEmail.Value).toBe('dev@shop.example.com');
  });

  it('refuses to synthesize without a sender, naming both context keys', () => {
    expect(() => synthesizeNudgeTemplate({ bundle: false })).toThrow(/-c senderDomain=.*-c senderEmail=/);
  });

  it('leaves no cloud assembly behind', () => {
    // A private temp root (os.tmpdir() follows TMPDIR), so other processes' temp files cannot interfere.
    const tempRoot = mkdtempSync(join(tmpdir(), 'nudge-synth-test-'));
    vi.stubEnv('TMPDIR', tempRoot);
    try {
      synthesizeNudgeTemplate({ bundle: false, context: LOCAL_STACK_CONTEXT });
      expect(readdirSync(tempRoot)).toEqual([]);
    } finally {
      vi.unstubAllEnvs();
      rmSync(tempRoot, { recursive: true, force: true });
    }
  });
});
