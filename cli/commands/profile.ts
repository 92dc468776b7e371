import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DOCUMENT_TRANSLATE_CONFIG } from '#shared/adapters/dynamo/translate-config.ts';
import { DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { defaultCatalog, segmentationOf } from '#shared/catalog/index.ts';
import { topKeys } from '#shared/domain/bounded-counter.ts';
import { evaluateProfile, type ProfileEvaluation } from '#shared/domain/profile-evaluation.ts';
import type { Profile } from '#shared/domain/profile.ts';
import { explainSegment, rankSegments } from '#shared/domain/segments.ts';
import { scoreExplanationLines } from '#shared/presentation/score-explanation.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { keyValueTable, printResult } from '../format.ts';
import { callLocal, type LocalStatus } from '../local-control.ts';

/** The stored profile and what it means now: scores, segments (with why), lifecycle stage. */
export type ProfileView = {
  profile: Omit<Profile, 'recentEvents' | 'activity'>;
  evaluatedAt: string;
  lifecycleStage: string | null;
  scores: Array<{ model: string; value: number; level?: string; components: unknown[]; explanation?: string[] }>;
  /** Document 001's order: priority, then match score. */
  segments: Array<{ segmentId: string; priority: string | null; since: string; matchScore: number; recommendedActions: string[]; conditions?: unknown[] }>;
  topCategories: Array<{ key: string; count: number }>;
};

async function loadProfile(customerId: string): Promise<{ profile: Profile; now: Date } | undefined> {
  const status = await callLocal<LocalStatus>('status');
  const client = new DynamoDBClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: status.endpoints.dynamodb });
  try {
    const store = new DynamoProfileStore(DynamoDBDocumentClient.from(client, DOCUMENT_TRANSLATE_CONFIG), requireOutput(status.outputs, 'TableName'));
    const profile = await store.get(customerId);
    return profile ? { profile, now: new Date(status.now) } : undefined;
  } finally {
    client.destroy();
  }
}

function notFound(customerId: string): void {
  console.error(`no profile for customer "${customerId}"`);
  process.exitCode = 2;
}

/** `nudge profile <customerId> [--explain] [--json]`, evaluated at the local system's (simulated) now. */
export async function showProfile(customerId: string, options: { json?: boolean; explain?: boolean }): Promise<void> {
  const loaded = await loadProfile(customerId);
  if (!loaded) return notFound(customerId);
  const evaluation = evaluateProfile({ profile: loaded.profile, catalog: segmentationOf(defaultCatalog), now: loaded.now, triggerId: 'cli' });
  printResult(profileView(loaded.profile, evaluation, loaded.now, options.explain === true), options, (view: ProfileView) => profileTable(view, options.explain === true));
}

/** `nudge why-segment <customerId> <segment>`: each condition with expected, actual, pass/fail. */
export async function whySegment(customerId: string, segmentId: string, options: { json?: boolean }): Promise<void> {
  const loaded = await loadProfile(customerId);
  if (!loaded) return notFound(customerId);
  const evaluation = evaluateProfile({ profile: loaded.profile, catalog: segmentationOf(defaultCatalog), now: loaded.now, triggerId: 'cli' });
  const explained = explainSegment(defaultCatalog.segments, evaluation.facts, segmentId);
  if (!explained) {
    const known = evaluation.segments.map((s) => s.segmentId).join(', ');
    console.error(`no segment "${segmentId}" in the catalog; segments: ${known}`);
    process.exitCode = 2;
    return;
  }
  printResult(explained, options, () =>
    [
      `${customerId} ${explained.member ? 'IS' : 'is NOT'} in ${segmentId} (match score ${explained.matchScore})`,
      ...explained.conditions.map((c) => `  ${c.passed ? 'pass' : 'FAIL'}  ${c.description}  (actual: ${formatActual(c.actual)}, strength ${c.strength})`),
      ...(explained.recommendedActions.length > 0 ? [`recommended actions: ${explained.recommendedActions.join(', ')}`] : []),
    ].join('\n'),
  );
}

function profileView(profile: Profile, evaluation: ProfileEvaluation, now: Date, explain: boolean): ProfileView {
  const { recentEvents: _digests, activity: _ring, ...shown } = evaluation.profile;
  return {
    profile: shown,
    evaluatedAt: now.toISOString(),
    lifecycleStage: evaluation.profile.lifecycleStage ?? null,
    scores: Object.values(evaluation.scores).map((score) => ({
      model: score.modelId,
      value: score.value,
      ...(score.level !== undefined ? { level: score.level } : {}),
      components: score.components,
      ...(explain ? { explanation: explanationOf(score) } : {}),
    })),
    segments: rankSegments(evaluation.segments.filter((s) => s.member)).map((s) => ({
        segmentId: s.segmentId,
        priority: s.priority ?? null,
        since: new Date((profile.segments[s.segmentId] ?? Math.floor(now.getTime() / 1000)) * 1000).toISOString(),
        matchScore: s.matchScore,
        recommendedActions: s.recommendedActions,
        ...(explain ? { conditions: s.conditions } : {}),
      })),
    topCategories: topKeys(profile.categories, 5),
  };
}

/** The score's parts (for the engagement score: document 000's formula, part by part). */
function explanationOf(score: ProfileEvaluation['scores'][string]): string[] {
  const model = defaultCatalog.scoringModels.find((m) => m.id === score.modelId);
  return model ? scoreExplanationLines(model, score) : [];
}

function profileTable(view: ProfileView, explain: boolean): string {
  const p = view.profile;
  const lines = [
    keyValueTable([
      ['customer', p.customerId],
      ['email', p.email],
      ['name', [p.firstName, p.lastName].filter(Boolean).join(' ') || undefined],
      ['timezone', p.timezone],
      ['consent', p.consent],
      ['lifecycle stage', view.lifecycleStage ? `${view.lifecycleStage} (since ${p.lifecycleStageSince ?? '?'})` : undefined],
      ['first seen', p.firstSeenAt],
      ['last activity', p.lastActivityAt],
      ['events', `${p.eventCount} ${JSON.stringify(p.eventCounts)}`],
      ['purchases', `${p.commerce.purchaseCount}, revenue ${p.commerce.revenue}, refunds ${p.commerce.refunds}`],
      ['sessions', `${p.sessions.count} (${p.sessions.seconds} s)`],
      ['top categories', view.topCategories.map((c) => `${c.key} (${c.count})`).join(', ') || undefined],
      ['open tickets', p.support.openTickets.length > 0 ? p.support.openTickets.join(', ') : undefined],
      ['last cart', p.lastCart ? `${p.lastCart.value} ${p.lastCart.currency ?? ''} (${p.lastCart.itemCount} items)` : undefined],
    ]),
    '',
    'scores:',
    ...view.scores.flatMap((s) => [`  ${s.model.padEnd(14)} ${s.value.toFixed(4)}${s.level ? `  ${s.level}` : ''}`, ...(s.explanation ?? []).map((line) => `      ${line}`)]),
    '',
    `segments (evaluated at ${view.evaluatedAt}):`,
    ...view.segments.flatMap((s) => [
      `  ${s.segmentId.padEnd(28)} ${(s.priority ?? '-').padEnd(8)} match ${s.matchScore.toFixed(2)}  since ${s.since}`,
      ...(s.recommendedActions.length > 0 ? [`      recommended: ${s.recommendedActions.join(', ')}`] : []),
      ...(explain ? ((s.conditions ?? []) as Array<{ passed: boolean; description: string; actual: unknown }>).map((c) => `      ${c.passed ? 'pass' : 'FAIL'}  ${c.description}  (actual: ${formatActual(c.actual)})`) : []),
    ]),
  ];
  return lines.join('\n');
}

function formatActual(value: unknown): string {
  return value === undefined || value === null ? '-' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}
