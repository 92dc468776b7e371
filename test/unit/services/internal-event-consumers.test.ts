import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthesizeNudgeTemplate } from '#infra/synthesize.ts';
import { matchesEventPattern, type EventPattern } from '#local/eventbridge/pattern-matcher.ts';
import { LOCAL_STACK_CONTEXT } from '#local/stack/local-context.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { INTERNAL_SOURCE } from '#shared/domain/internal-events.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

/**
 * Internal events no rule of the default stack reads, kept because the project documents them as
 * its output on the bus (a user's own rule, a dashboard): where each is documented. Issue 23 asked
 * to stop putting events nobody reads; these are read by whoever the documentation promised them to.
 */
const DOCUMENTED_OUTPUTS: Record<string, { file: string; says: string }> = {
  SegmentExited: { file: 'README.md', says: 'Every\nchange goes on the bus as an internal event (source `nudge`): `SegmentEntered`, `SegmentExited`' },
  PromotionalSendsPaused: { file: 'README.md', says: '`PromotionalSendsPaused/Resumed`' },
  PromotionalSendsResumed: { file: 'README.md', says: '`PromotionalSendsPaused/Resumed`' },
  ConversionAttributed: { file: 'README.md', says: 'puts `ConversionAttributed` on the bus' },
  SegmentDriftDetected: { file: 'README.md', says: 'each drifted segment is put on the bus as\n`SegmentDriftDetected`' },
  LoyaltyEnrolled: { file: 'docs/decisions.md', says: 'the first purchase enrols in loyalty (`LoyaltyEnrolled`' },
};

/** Every detail type Nudge's code puts (the string literals given as `detailType` in shared/, tests aside). */
function detailTypesPut(): string[] {
  const files = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : name.endsWith('.ts') ? [join(dir, name)] : []));
  const types = new Set<string>();
  for (const file of files(join(ROOT, 'shared'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(/detailType: ([^,}\n]*)/g)) {
      for (const literal of match[1]!.matchAll(/'([A-Z][A-Za-z]+)'/g)) types.add(literal[1]!);
    }
  }
  return [...types].sort();
}

describe('internal events put on the bus', () => {
  const template = synthesizeNudgeTemplate({ context: LOCAL_STACK_CONTEXT }).template;
  const patterns = Object.values(template.Resources as Record<string, { Type: string; Properties?: { EventPattern?: EventPattern } }>)
    .filter((resource) => resource.Type === 'AWS::Events::Rule' && resource.Properties?.EventPattern)
    .map((resource) => resource.Properties!.EventPattern!)
    // Rules on other sources (SES's, whose pattern holds an unresolved configuration-set Ref) cannot match source `nudge`.
    .filter((pattern) => !(Array.isArray(pattern.source) && pattern.source.every((source) => typeof source === 'string' && source !== INTERNAL_SOURCE)));
  const event = (detailType: string, detail: Record<string, unknown>) => ({ version: '0', id: 'x', 'detail-type': detailType, source: INTERNAL_SOURCE, account: '000000000000', time: '2027-01-04T00:00:00Z', region: 'us-east-1', resources: [], detail });
  const consumed = (detailType: string, detail: Record<string, unknown> = {}) => patterns.some((pattern) => matchesEventPattern(pattern, event(detailType, detail)));

  it('finds the types the code puts (the scan is not empty)', () => {
    expect(detailTypesPut()).toEqual(expect.arrayContaining(['SegmentEntered', 'SegmentExited', 'LifecycleStageChanged', 'PromotionalSendsResumed', 'SequenceStartRequested']));
  });

  it('are each read by a rule of the synthesized stack (for every segment of the catalog) or documented as an output', () => {
    const unread = detailTypesPut().flatMap((detailType) => {
      const readFor = detailType.startsWith('Segment') && detailType !== 'SegmentDriftDetected' ? defaultCatalog.segments.every((segment) => consumed(detailType, { segmentId: segment.id })) : consumed(detailType);
      return readFor ? [] : [detailType];
    });
    expect(unread.filter((detailType) => !DOCUMENTED_OUTPUTS[detailType])).toEqual([]);
    for (const detailType of unread) {
      const { file, says } = DOCUMENTED_OUTPUTS[detailType]!;
      expect(readFileSync(join(ROOT, file), 'utf8'), `${detailType} is put on the bus unread; ${file} must say so`).toContain(says);
    }
  });

  it('lists as documented outputs only events no rule reads (a type a rule reads needs no excuse)', () => {
    for (const detailType of Object.keys(DOCUMENTED_OUTPUTS)) expect(consumed(detailType, { segmentId: defaultCatalog.segments[0]!.id }), detailType).toBe(false);
  });
});
