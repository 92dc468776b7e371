import { describe, expect, it } from 'vitest';
import { engagementModels, scoringModels } from '#shared/catalog/scoring-models.ts';
import { factsFrom } from '#shared/domain/profile-facts.ts';
import { computeScore, ScoringModel } from '#shared/domain/scoring.ts';
import { scoreExplanationLines } from '#shared/presentation/score-explanation.ts';

describe('scoreExplanationLines', () => {
  it("shows document 000's parts of the engagement score with metric, cap and contribution", () => {
    // Prepare
    const model = ScoringModel.parse(engagementModels.documented);
    const facts = factsFrom({
      metrics: { email_interaction_rate: 0.4, purchase_count: 3, avg_session_seconds: 180, interactions_90d: 8, full_days_since_last_activity: 2 },
    });

    // Act
    const lines = scoreExplanationLines(model, computeScore(model, facts));

    // Assess
    expect(lines).toEqual([
      'email        email_interaction_rate = 0.4: min(1, 0.4/0.5) x 0.3 = 0.24',
      'purchases    purchase_count = 3: min(1, 3/10) x 0.25 = 0.075',
      'session      avg_session_seconds = 180: min(1, 180/300) x 0.2 = 0.12',
      'frequency    interactions_90d = 8: min(1, 8/50) x 0.15 = 0.024',
      'recency      full_days_since_last_activity = 2: max(0, 1 - 2/30) x 0.1 = 0.0933',
    ]);
  });

  it('shows event counts for event-based models', () => {
    // Prepare
    const model = ScoringModel.parse(scoringModels.find((m) => m.id === 'interaction')!);
    const facts = factsFrom({ metrics: {}, eventCounts: { email_click: { 30: 2 } } });

    // Act
    const lines = scoreExplanationLines(model, computeScore(model, facts));

    // Assess
    expect(lines).toContain('email_click  2 in 30 d x 3 points = 6');
  });
});
