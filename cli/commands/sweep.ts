import { printResult } from '../format.ts';
import { callLocal } from '../local-control.ts';

type RunResult = { ran: string; ok: boolean; error?: string; result?: unknown };

/** Runs one of the local system's schedule rules now (at its simulated time) and prints its report. */
async function runSchedule(what: string, rule: string, options: { json?: boolean }): Promise<void> {
  const result = await callLocal<RunResult>('schedules/run', { method: 'POST', body: { rule } });
  if (!result.ok) process.exitCode = 1;
  printResult(result, options, (r: RunResult) => (r.ok ? `${what} ${r.ran} finished${r.result ? `: ${JSON.stringify(r.result)}` : ''}` : `${what} ${r.ran} failed: ${r.error}`));
}

/** `nudge sweep`: run the daily profile sweep now. */
export const runSweep = (options: { json?: boolean }) => runSchedule('sweep', 'Sweep', options);

/** `nudge train`: run the weekly training of the predictive models now. */
export const runTraining = (options: { json?: boolean }) => runSchedule('training', 'Training', options);

/** `nudge drift`: run the daily segment drift check now. */
export const runDriftCheck = (options: { json?: boolean }) => runSchedule('drift check', 'DriftCheck', options);
