import { percent } from '../domain/reports/numbers.ts';
import type { SuccessCriteria } from '../domain/reports/success-verdict.ts';
import type { SuccessRow, TriggerPerformanceReport, TriggerPerformanceRow, TriggerTotals } from '../domain/reports/trigger-performance.ts';
import { intervalText } from './trigger-performance-document.ts';

/**
 * `nudge why --rule-performance <id>`: how a rule (or sequence step) did over the last 30 days, from
 * the trigger-performance report (the rollups): its funnel, matched to converted, with why matches
 * did not fire; each success metric against its target; and the biggest drop in words. Pure.
 *
 * The biggest drop is the step of the funnel that loses the most (in count, not share: a step that
 * loses 700 of 1000 matters more than one that loses 3 of 4 clicks), the earliest on a tie.
 */
export type FunnelStage = 'matched' | 'fired' | 'sent' | 'delivered' | 'opened' | 'clicked' | 'converted';

export type FunnelDrop = {
  from: FunnelStage;
  to: FunnelStage;
  /** from − to (0 when `to` is larger: purchases credited to an open, not a click). */
  lost: number;
  /** lost / from */
  share: number;
  /** What the drop is made of, largest first (for matched → fired: suppressed, held out, ...; suppressed by reason). */
  causes: Array<{ cause: string; count: number }>;
  text: string;
};

export type RulePerformanceExplanation = {
  id: string;
  kind: TriggerPerformanceRow['kind'];
  description: string;
  period: { from: string; to: string };
  funnel: Array<{ stage: FunnelStage; count: number }>;
  /** Why matches did not fire. */
  notFired: { heldOut: number; suppressed: number; suppressedBy: Array<{ reason: string; count: number }>; droppedPriority: number; deferred: number; goalMet: number };
  success: SuccessRow[];
  successCriteria: SuccessCriteria;
  biggestDrop: FunnelDrop | null;
  /** A rule that starts a sequence sends no email itself: its sequence's steps, as the report has them. */
  sequence?: { id: string; started: number; steps: Array<{ id: string; sent: number; delivered: number; opened: number; clicked: number; converted: number; success: SuccessRow[] }> };
  /** The explanation in sentences: the biggest drop, then each judged metric. */
  summary: string[];
};

const REASON_WORDS: Record<string, string> = {
  no_email: 'no email address',
  no_consent: 'no consent',
  promotional_pause: 'a promotional pause',
  cooldown: 'the cooldown',
  rule_cap: "the rule's send cap",
  global_cap: 'the global marketing cap',
};

/** The explanation of one row of the report; an unknown id is an error naming the known ones. */
export function explainRulePerformance(report: TriggerPerformanceReport, id: string): RulePerformanceExplanation {
  const row = report.rows.find((r) => r.id === id);
  if (!row) throw new Error(`no rule or sequence step "${id}" in the catalog; known: ${report.rows.map((r) => r.id).join(', ')}`);
  const t = row.last30Days;
  const startsSequence = row.startsSequence;
  const stages: Array<[FunnelStage, number]> = [
    ['matched', t.matched],
    ['fired', t.fired],
    ...(startsSequence
      ? []
      : ([
          ['sent', t.sent],
          ['delivered', t.delivered],
          ['opened', t.opened],
          ['clicked', t.clicked],
          ['converted', t.converted],
        ] as Array<[FunnelStage, number]>)),
  ];
  const suppressedBy = Object.entries(t.suppressed.byReason)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count);
  const notFired = { heldOut: t.holdout, suppressed: t.suppressed.total, suppressedBy, droppedPriority: t.droppedPriority, deferred: t.deferred, goalMet: t.goalMet };
  const biggestDrop = biggestDropOf(stages, t, notFired);
  const sequence = startsSequence
    ? {
        id: startsSequence,
        started: t.sequencesStarted,
        steps: report.rows
          .filter((r) => r.kind === 'sequence_step' && r.id.startsWith(`seq_${startsSequence}__`))
          .map((r) => ({ id: r.id, sent: r.last30Days.sent, delivered: r.last30Days.delivered, opened: r.last30Days.opened, clicked: r.last30Days.clicked, converted: r.last30Days.converted, success: r.success })),
      }
    : undefined;
  const summary = [
    t.matched === 0
      ? 'no matches in the last 30 days: nothing to explain (a rule that never matches may be misconfigured)'
      : biggestDrop
        ? `biggest drop: ${biggestDrop.text}`
        : 'nothing was lost along the funnel',
    ...row.success.filter((s) => s.verdict !== null).map((s) => `${row.id} ${successSentence(s, report.successCriteria)}`),
    ...(sequence?.steps.flatMap((step) => step.success.filter((s) => s.verdict !== null).map((s) => `${step.id} ${successSentence(s, report.successCriteria)}`)) ?? []),
  ];
  return {
    id: row.id,
    kind: row.kind,
    description: row.description,
    period: report.last30Days,
    funnel: stages.map(([stage, count]) => ({ stage, count })),
    notFired,
    success: row.success,
    successCriteria: report.successCriteria,
    biggestDrop,
    ...(sequence ? { sequence } : {}),
    summary,
  };
}

function biggestDropOf(stages: ReadonlyArray<[FunnelStage, number]>, t: TriggerTotals, notFired: RulePerformanceExplanation['notFired']): FunnelDrop | null {
  let best: FunnelDrop | null = null;
  for (let i = 1; i < stages.length; i++) {
    const [from, before] = stages[i - 1]!;
    const [to, after] = stages[i]!;
    const lost = Math.max(0, before - after);
    if (lost === 0 || (best && lost <= best.lost)) continue;
    const share = lost / before;
    best = { from, to, lost, share, ...describeDrop(from, before, lost, t, notFired) };
  }
  return best;
}

function describeDrop(from: FunnelStage, before: number, lost: number, t: TriggerTotals, notFired: RulePerformanceExplanation['notFired']): Pick<FunnelDrop, 'causes' | 'text'> {
  const share = lost / before;
  switch (from) {
    case 'matched': {
      const causes = [
        { cause: 'suppressed', count: notFired.suppressed },
        { cause: 'held_out', count: notFired.heldOut },
        { cause: 'dropped_priority', count: notFired.droppedPriority },
        { cause: 'deferred', count: notFired.deferred },
        { cause: 'goal_met', count: notFired.goalMet },
      ]
        .filter((c) => c.count > 0)
        .sort((a, b) => b.count - a.count);
      const main = causes[0];
      const of = (count: number) => percent(count / before);
      const rest = main && main.count < lost ? `; ${percent(share)} did not fire in all` : '';
      if (!main) return { causes, text: `${percent(share)} of matches did not fire` };
      if (main.cause === 'suppressed') {
        const top = notFired.suppressedBy[0];
        const by = top ? `, ${top.count === notFired.suppressed ? 'all' : 'mostly'} by ${REASON_WORDS[top.reason] ?? top.reason} (${top.count} of ${notFired.suppressed})` : '';
        return { causes, text: `${of(main.count)} of matches were suppressed${by}${rest}` };
      }
      const words: Record<string, string> = {
        held_out: 'were held out (the control group)',
        dropped_priority: 'lost the event to a higher-priority rule',
        deferred: 'were deferred behind a higher-priority rule',
        goal_met: 'ended with the goal met before the timer came due',
      };
      return { causes, text: `${of(main.count)} of matches ${words[main.cause]}${rest}` };
    }
    case 'fired':
      return { causes: t.failed > 0 ? [{ cause: 'failed', count: t.failed }] : [], text: `${percent(share)} of fired emails were not sent${t.failed > 0 ? ` (${t.failed} failed; the others wait for their send time)` : ' yet (they wait for their send time)'}` };
    case 'sent':
      return { causes: t.bounced > 0 ? [{ cause: 'bounced', count: t.bounced }] : [], text: `${percent(share)} of sent emails were not delivered${t.bounced > 0 ? ` (${t.bounced} bounced)` : ''}` };
    case 'delivered':
      return { causes: [], text: `${percent(share)} of delivered emails were not opened` };
    case 'opened':
      return { causes: [], text: `${percent(share)} of opened emails were not clicked` };
    default:
      return { causes: [], text: `${percent(share)} of clicked emails led to no purchase` };
  }
}

/** "email_open: 30% of 400 delivered, target 40%: fail (95% interval 25.72%–34.66%)". */
function successSentence(s: SuccessRow, criteria: SuccessCriteria): string {
  const rate = s.rate === null ? 'no email delivered' : `${percent(s.rate)} of ${s.delivered} delivered`;
  const target = s.target === null ? 'no target' : `target ${percent(s.target)}`;
  const interval = s.interval ? ` (${percent(criteria.confidence)} interval ${intervalText(s.interval)})` : '';
  const verdict =
    s.verdict === 'insufficient_data'
      ? s.delivered < criteria.minDelivered
        ? `insufficient data: a verdict needs ${criteria.minDelivered} delivered`
        : 'insufficient data: the interval holds the target'
      : s.verdict;
  return `${s.metric}: ${rate}, ${target}${verdict ? `: ${verdict}` : ''}${interval}`;
}

/** The explanation for people. */
export function rulePerformanceText(e: RulePerformanceExplanation): string {
  const width = Math.max(...e.funnel.map((s) => String(s.count).length), 1);
  const line = (label: string, count: number, note = '') => `  ${label.padEnd(10)} ${String(count).padStart(width)}${note ? `  ${note}` : ''}`;
  const funnel = e.funnel.flatMap(({ stage, count }, i) => {
    const previous = e.funnel[i - 1];
    const share = previous && previous.count > 0 ? `${percent(count / previous.count)} of ${previous.stage}` : '';
    const label = stage === 'fired' && e.sequence ? 'started' : stage;
    const lines = [line(label, count, share)];
    if (stage === 'fired') {
      const n = e.notFired;
      const why = [
        n.suppressed > 0 ? `suppressed ${n.suppressed} (${n.suppressedBy.map((r) => `${REASON_WORDS[r.reason] ?? r.reason} ${r.count}`).join(', ')})` : '',
        n.heldOut > 0 ? `held out ${n.heldOut}` : '',
        n.droppedPriority > 0 ? `lost to a higher-priority rule ${n.droppedPriority}` : '',
        n.deferred > 0 ? `deferred ${n.deferred}` : '',
        n.goalMet > 0 ? `goal met first ${n.goalMet}` : '',
      ].filter(Boolean);
      if (why.length > 0) lines.push(`    not fired: ${why.join('; ')}`);
    }
    return lines;
  });
  const metric = (s: SuccessRow) => `  ${successSentence(s, e.successCriteria)}`;
  const { confidence, minDelivered } = e.successCriteria;
  return [
    `${e.id} (${e.kind === 'rule' ? 'rule' : 'sequence step'}): ${e.description}`,
    `last 30 days, ${e.period.from} to ${e.period.to}`,
    '',
    'funnel',
    ...funnel,
    ...(e.sequence
      ? [
          `  its emails are sequence ${e.sequence.id}'s steps:`,
          ...e.sequence.steps.map((s) => `    ${s.id}: sent ${s.sent}, delivered ${s.delivered}, opened ${s.opened}, clicked ${s.clicked}, converted ${s.converted}`),
        ]
      : []),
    '',
    e.summary[0]!,
    '',
    `success metrics (rate per delivered email; a target is judged from the ${percent(confidence)} Wilson score interval: pass above it, fail below it, insufficient data when the interval holds it or under ${minDelivered} delivered)`,
    ...(e.sequence ? ['  (the rule sends no email itself: its steps\' follow)'] : e.success.length > 0 ? e.success.map(metric) : ['  none declared']),
    ...(e.sequence?.steps.flatMap((step) => (step.success.length > 0 ? [`  ${step.id}:`, ...step.success.map((s) => `  ${metric(s)}`)] : [])) ?? []),
  ].join('\n');
}
