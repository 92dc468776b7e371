import { z } from 'zod';
import type { BehaviorEvent } from '../contract/index.ts';
import { ConditionGroup, evaluateConditionGroup, type ConditionResult } from './conditions.ts';
import type { Profile } from './profile.ts';
import type { ProfileFacts } from './profile-facts.ts';

const SNAKE_ID = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** A trigger rule of the catalog: when it matches, which email it sends, and what limits it. */
export const TriggerRule = z
  .object({
    id: z.string().regex(SNAKE_ID, 'rule ids are snake_case'),
    description: z.string().min(1),
    active: z.boolean().default(true),
    /** Higher wins when several rules match one event. */
    priority: z.number().int().min(0).max(1000),
    trigger: z.object({ type: z.literal('behavioral'), eventType: z.string().regex(SNAKE_ID) }).strict(),
    conditions: ConditionGroup.optional(),
    /** Hours during which the rule cannot fire again for the same customer (a TTL claim item). */
    cooldownHours: z.number().positive().optional(),
    /** Sends of this rule per customer: `count` per `periodHours` (a sliding window), or ever when no period. */
    maxSends: z
      .object({ count: z.number().int().positive().max(100), periodHours: z.number().positive().optional() })
      .strict()
      .optional(),
    templateId: z.string().regex(SNAKE_ID),
    /** The subscription category the email belongs to; consent is checked against it (always, transactional too). */
    category: z.string().regex(SNAKE_ID).default('marketing'),
    /** Transactional mail bypasses the global marketing cap, priority conflicts and promotional pauses; never consent. */
    transactional: z.boolean().default(false),
    /** Share of matching customers (0-50 %) kept as a control group: nothing is sent, "would have sent" is recorded. */
    holdoutPercent: z.number().min(0).max(50).default(0),
    /** What counts as this rule's success in reports (event types after the send, e.g. purchase). */
    successMetrics: z.array(z.string().regex(SNAKE_ID)).default([]),
  })
  .strict();
export type TriggerRule = z.infer<typeof TriggerRule>;
export type TriggerRuleInput = z.input<typeof TriggerRule>;

export type RuleMatch = { rule: TriggerRule; conditions: ConditionResult[] };

/**
 * The rules whose trigger and conditions match this event and the profile after it, highest
 * priority first. `facts` answers `calculated.<metric>` fields (the profile evaluation's facts).
 */
export function matchRules(rules: readonly TriggerRule[], event: BehaviorEvent, profile: Profile, facts?: ProfileFacts): RuleMatch[] {
  const scope = { event, profile, ...(facts ? { calculated: (metric: string) => facts.metric(metric) } : {}) };
  const matches: RuleMatch[] = [];
  for (const rule of rules) {
    if (!rule.active || rule.trigger.eventType !== event.type) continue;
    if (!rule.conditions) {
      matches.push({ rule, conditions: [] });
      continue;
    }
    const { passed, results } = evaluateConditionGroup(rule.conditions, scope);
    if (passed) matches.push({ rule, conditions: results });
  }
  return matches.sort((a, b) => b.rule.priority - a.rule.priority);
}
