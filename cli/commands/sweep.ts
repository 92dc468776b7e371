import { printResult } from '../format.ts';
import { callLocal } from '../local-control.ts';

type RunResult = { ran: string; ok: boolean; error?: string; result?: unknown };

/** `nudge sweep`: run the daily profile sweep of the local system now (at its simulated time). */
export async function runSweep(options: { json?: boolean }): Promise<void> {
  const result = await callLocal<RunResult>('schedules/run', { method: 'POST', body: { rule: 'Sweep' } });
  if (!result.ok) process.exitCode = 1;
  printResult(result, options, (r: RunResult) => (r.ok ? `sweep ${r.ran} finished${r.result ? `: ${JSON.stringify(r.result)}` : ''}` : `sweep ${r.ran} failed: ${r.error}`));
}
