/** How the reports round and order what they show, in one place so every report reads alike. */

/** Money: to the cent. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Rates, shares and credits: four decimals. */
export function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** 0.125 → "12.5%", 0.0099 → "0.99%": two decimals at most, so a value just past a threshold never reads as the threshold. */
export function percent(fraction: number): string {
  return `${Math.round(fraction * 10_000) / 100}%`;
}

/** Code-unit order (not the locale's), so reports sort ids the same everywhere. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
