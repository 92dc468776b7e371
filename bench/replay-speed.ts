/**
 * The fast replay's speed and memory (issue 23, goal 7): `nudge replay --mode memory` on a generated
 * stream, in this process: events per second of the replay itself (startup apart), the peak
 * resident memory, and the bytes each customer's state takes (resident memory grown over the run,
 * per customer; and the table's items by DynamoDB's own size rules).
 *
 *   npx tsx bench/replay-speed.ts --customers 200 --days 14      standalone, small
 *   --follow-up 1d                                              how long past the last event to follow scheduled work
 *   NODE_OPTIONS=--expose-gc                                    also the live heap per customer (after a full collection)
 * Also step 9 of `npm run bench`.
 */
import { writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseDuration } from '#local/clock/simulated-clock.ts';
import { readReplayStream } from '#local/replay/read-replay-stream.ts';
import { replayInMemory } from '#local/replay/replay-worker.ts';
import type { MemorySystem } from '#local/memory/memory-system.ts';
import { dynamoItemSize } from '#shared/adapters/dynamo/item-size.ts';
import { hideSdkNodeVersionNotice } from '#local/quiet-sdk-warning.ts';
import { generateBehaviorStream, toJsonLines } from '../events/generators/behavior-stream.ts';

export type ReplaySpeed = {
  customers: number;
  days: number;
  events: number;
  startupMs: number;
  replayMs: number;
  eventsPerSecond: number;
  /** This process's CPU time (user + system) over the replay, and events per CPU second: what load on a shared machine moves least. */
  replayCpuMs: number;
  eventsPerCpuSecond: number;
  /** Extrapolated from eventsPerSecond: the time to backtest a million events. */
  minutesPerMillionEvents: number;
  emailsSent: number;
  peakRssMb: number;
  /** Resident memory grown from the system's start to the end of the replay, per customer. */
  rssBytesPerCustomer: number;
  /**
   * Live heap grown from the system's start to the end of the replay, per customer, after a full
   * collection (what the state costs, garbage apart); undefined unless node runs with --expose-gc.
   */
  heapBytesPerCustomer: number | undefined;
  /** The table's items per customer, by DynamoDB's size rules (what the state is, apart from the JS overhead). */
  itemBytesPerCustomer: number;
  tableItems: number;
  /** `os.loadavg()` at start and end: the machine is shared, so read the figure with it. */
  loadAverage: { start: number[]; end: number[] };
};

export async function measureReplaySpeed(options: { customers: number; days: number; followUp?: string; progress?: (message: string) => void }): Promise<ReplaySpeed> {
  const loadStart = os.loadavg().map(round2);
  const generated = generateBehaviorStream({ customers: options.customers, days: options.days, seed: 23, start: '2027-01-04T00:00:00Z' });
  const stream = readReplayStream(toJsonLines(generated.entries));
  let system: MemorySystem | undefined;
  let rssAtStart = 0;
  let heapAtStart = 0;
  let replayStarted = 0;
  let startupMs = 0;
  let cpuAtStart = process.cpuUsage();
  const outcome = await replayInMemory(
    {
      mode: 'memory',
      eventsFile: '',
      stream: { file: 'generated', from: null, to: null, events: stream.events.length, skippedLines: 0, filteredOut: 0 },
      catalog: 'shipped',
      speed: 'max',
      followUpMs: parseDuration(options.followUp ?? '1d'),
    },
    stream.events,
    {
      onSystem: (started) => (system = started),
      onStarted: (ms) => {
        profiler?.start();
        startupMs = ms;
        rssAtStart = process.memoryUsage().rss;
        heapAtStart = liveHeap() ?? 0;
        replayStarted = performance.now();
        cpuAtStart = process.cpuUsage();
      },
      onProgress: (done, total) => {
        if (done % Math.max(1, Math.round(total / 10)) === 0 || done === total) {
          const seconds = (performance.now() - replayStarted) / 1000;
          options.progress?.(`replay ${done}/${total} events, ${Math.round(done / seconds)} events/s, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`);
        }
      },
    },
  );
  const replayMs = performance.now() - replayStarted;
  await profiler?.stop();
  const cpu = process.cpuUsage(cpuAtStart);
  const replayCpuMs = (cpu.user + cpu.system) / 1000;
  const rssAtEnd = process.memoryUsage().rss;
  const heapAtEnd = liveHeap();
  const tables = [...system!.memory.tables.values()];
  let itemBytes = 0;
  let tableItems = 0;
  for (const table of tables) {
    for (const item of table.items()) {
      itemBytes += dynamoItemSize(item);
      tableItems += 1;
    }
  }
  const eventsPerSecond = stream.events.length / (replayMs / 1000);
  return {
    customers: options.customers,
    days: options.days,
    events: stream.events.length,
    startupMs: Math.round(startupMs),
    replayMs: Math.round(replayMs),
    eventsPerSecond: Math.round(eventsPerSecond),
    replayCpuMs: Math.round(replayCpuMs),
    eventsPerCpuSecond: Math.round(stream.events.length / (replayCpuMs / 1000)),
    minutesPerMillionEvents: round2(1_000_000 / eventsPerSecond / 60),
    emailsSent: outcome.emailsInSesStore,
    // maxRSS is in kilobytes.
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    rssBytesPerCustomer: Math.round(Math.max(0, rssAtEnd - rssAtStart) / options.customers),
    heapBytesPerCustomer: heapAtEnd === undefined ? undefined : Math.round(Math.max(0, heapAtEnd - heapAtStart) / options.customers),
    itemBytesPerCustomer: Math.round(itemBytes / options.customers),
    tableItems,
    loadAverage: { start: loadStart, end: os.loadavg().map(round2) },
  };
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** The heap in use after a full collection, when node exposes one (NODE_OPTIONS=--expose-gc). */
function liveHeap(): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  gc();
  return process.memoryUsage().heapUsed;
}

/** NUDGE_REPLAY_PROFILE=<file.cpuprofile>: a CPU profile of the replay alone (startup apart), for finding what costs. */
const profiler = (() => {
  const file = process.env.NUDGE_REPLAY_PROFILE;
  if (!file) return undefined;
  const session = new inspector.Session();
  session.connect();
  return {
    start: () => {
      session.post('Profiler.enable');
      session.post('Profiler.start');
    },
    stop: () =>
      new Promise<void>((resolve) =>
        session.post('Profiler.stop', (error, result) => {
          if (!error) writeFileSync(file, JSON.stringify(result.profile));
          resolve();
        }),
      ),
  };
})();

/**
 * For `npm run bench`: the measurement in a process of its own, since the fast replay answers every
 * AWS SDK call of its process in memory and loads the handlers with its own environment.
 */
export async function measureReplaySpeedInChild(options: { customers: number; days: number; progress?: (message: string) => void }): Promise<ReplaySpeed> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--customers', String(options.customers), '--days', String(options.days)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach((line) => options.progress?.(line)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`bench/replay-speed.ts exited ${code}`);
  return JSON.parse(stdout) as ReplaySpeed;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  hideSdkNodeVersionNotice();
  const { values } = parseArgs({ options: { customers: { type: 'string', default: '200' }, days: { type: 'string', default: '14' }, 'follow-up': { type: 'string', default: '1d' } } });
  const result = await measureReplaySpeed({
    customers: Number(values.customers),
    days: Number(values.days),
    followUp: values['follow-up'],
    progress: (message) => process.stderr.write(`${message}\n`),
  });
  console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}
