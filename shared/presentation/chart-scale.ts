/** Axis ticks and colors for the SVG charts. */

export type LinearScale = {
  /** The axis runs from the first tick to the last. */
  ticks: number[];
  /** A value's position between `from` (the first tick) and `to` (the last). */
  at: (value: number, from: number, to: number) => number;
};

/**
 * An axis over the values and zero (bars and counts read from zero), extended to round ticks: steps
 * of 1, 2 or 5 times a power of ten, about `count` of them. Whole steps for integers (no "0, 0, 1"
 * labels). No values, or only zeros, give the axis 0..1 rather than a zero-length one.
 */
export function linearScale(values: readonly number[], options: { count?: number; integer?: boolean } = {}): LinearScale {
  let min = Math.min(0, ...values);
  let max = Math.max(0, ...values);
  if (min === max) max = min + 1;
  let step = niceStep((max - min) / (options.count ?? 5));
  if (options.integer) step = Math.max(1, step);
  min = Math.floor(min / step) * step;
  max = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  // toPrecision drops float noise (0.30000000000000004) that would show in labels.
  for (let i = 0; min + i * step <= max + step / 2; i++) ticks.push(Number((min + i * step).toPrecision(12)));
  const first = ticks[0]!;
  const span = ticks.at(-1)! - first;
  return { ticks, at: (value, from, to) => from + ((value - first) / span) * (to - from) };
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const error = raw / power;
  // The geometric midpoints between 1, 2, 5 and 10, as d3 chooses them.
  const factor = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1;
  return factor * power;
}

/**
 * Series colors, in order: distinct hues, each at least 4.5:1 against white (WCAG's bar for text;
 * graphics need 3:1), so thin lines, small marks and the legend's text stay legible. Repeats past eight.
 */
const SERIES_COLORS = ['#2563eb', '#c2410c', '#047857', '#7c3aed', '#be185d', '#0e7490', '#4d7c0f', '#b45309'] as const;

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length]!;
}

/** ColorBrewer's sequential Blues without its near-white end, so the lowest cells still show on white. */
const HEAT_STOPS: ReadonlyArray<readonly [number, number, number]> = [
  [0xde, 0xeb, 0xf7],
  [0xc6, 0xdb, 0xef],
  [0x9e, 0xca, 0xe1],
  [0x6b, 0xae, 0xd6],
  [0x42, 0x92, 0xc6],
  [0x21, 0x71, 0xb5],
  [0x08, 0x51, 0x9c],
  [0x08, 0x30, 0x6b],
];

/** The heat color of a position 0..1 (clamped), interpolated between the stops; `#rrggbb`. */
export function heatColor(position: number): string {
  const t = Math.min(1, Math.max(0, position)) * (HEAT_STOPS.length - 1);
  const i = Math.min(HEAT_STOPS.length - 2, Math.floor(t));
  const [a, b] = [HEAT_STOPS[i]!, HEAT_STOPS[i + 1]!];
  return `#${a.map((channel, c) => Math.round(channel + (b[c]! - channel) * (t - i)).toString(16).padStart(2, '0')).join('')}`;
}

