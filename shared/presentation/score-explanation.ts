import type { ScoreResult, ScoringModel } from '../domain/scoring.ts';

/**
 * One line per part of a score, for `nudge profile --explain`: the metric's value, how the model
 * scales it (the cap, or 1 - value/cap for recency) and what the part adds. A weighted model's
 * parts are the formula a user can check against document 000 by hand.
 */
export function scoreExplanationLines(model: ScoringModel, score: ScoreResult): string[] {
  return score.components.map((component) => {
    const value = component.input === null ? '-' : String(component.input);
    if (model.kind !== 'weighted_capped') {
      const per = model.kind === 'behavior_weighted' ? `x ${component.weight}` : `x ${component.weight} points`;
      return `${component.name.padEnd(12)} ${value} in ${component.windowDays ?? '?'} d ${per} = ${component.contribution}`;
    }
    const spec = model.components.find((c) => c.name === component.name);
    const scaled = spec === undefined ? '?' : spec.invert ? `max(0, 1 - ${value}/${spec.cap})` : `min(1, ${value}/${spec.cap})`;
    return `${component.name.padEnd(12)} ${component.metric ?? '?'} = ${value}: ${scaled} x ${component.weight} = ${component.contribution}`;
  });
}
