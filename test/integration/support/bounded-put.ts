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
 * `GET /_nudge/idle` for a long backlog: the control call answers once the pipeline is idle, which
 * for thousands of events can outlast fetch's 5-minute header timeout; asked again until `deadlineMs`.
 */
export async function waitForIdleLong(eventBridgeEndpoint: string, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      await (await fetch(`${eventBridgeEndpoint}/_nudge/idle`)).json();
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
    }
  }
}
