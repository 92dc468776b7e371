import type { PutEventsResultEntry } from '@aws-sdk/client-eventbridge';

type Entry = { source?: string; detailType: string; detail: unknown };
type Put = (entries: Entry[]) => Promise<PutEventsResultEntry[]>;

/**
 * Puts many entries the way a well-behaved producer does: PutEvents calls of at most 10 entries,
 * at most `concurrency` calls in flight (thousands of calls at once overload the local system with
 * socket queueing and timeouts). Resolves with every entry's result, in input order.
 */
export async function putInBatches(put: Put, entries: Entry[], concurrency = 4): Promise<PutEventsResultEntry[]> {
  const batches: Entry[][] = [];
  for (let i = 0; i < entries.length; i += 10) batches.push(entries.slice(i, i + 10));
  const results: PutEventsResultEntry[][] = new Array(batches.length);
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const index = next++;
      results[index] = await put(batches[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
  return results.flat();
}

/**
 * `GET /_nudge/idle` for a long backlog: the control call answers `{ idle: true }` once the pipeline
 * is idle, or, after its own timeout, an error saying what is still busy; either answer can also
 * outlast fetch's 5-minute header timeout. Asked again until `deadlineMs`: only `idle: true` is idle
 * (taking the "still busy" answer for idle let a test assert over half-processed events).
 */
export async function waitForIdleLong(eventBridgeEndpoint: string, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const response = await fetch(`${eventBridgeEndpoint}/_nudge/idle?timeoutMs=60000`);
      const answer = (await response.json()) as { idle?: boolean; message?: string };
      if (response.ok && answer.idle === true) return;
      last = answer.message ?? JSON.stringify(answer);
    } catch (error) {
      last = String(error);
    }
    if (Date.now() > until) throw new Error(`the local system did not become idle within ${deadlineMs} ms: ${last}`);
  }
}
