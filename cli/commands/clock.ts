import { printResult } from '../format.ts';
import { callLocal } from '../local-control.ts';

type ClockState = { now: string; offsetMs: number };

/** `nudge clock [advance <duration>]`: show or run forward the local system's simulated clock. */
export async function showClock(options: { json?: boolean }): Promise<void> {
  printResult(await callLocal<ClockState>('clock'), options, describeClock);
}

export async function advanceClock(duration: string, options: { json?: boolean }): Promise<void> {
  printResult(await callLocal<ClockState>('clock', { method: 'POST', body: { advance: duration } }), options, describeClock);
}

function describeClock(state: ClockState): string {
  const hours = state.offsetMs / 3_600_000;
  return `simulated now: ${state.now} (${hours.toFixed(2)} h ahead of real time)`;
}
