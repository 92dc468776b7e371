import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import cliProgress from 'cli-progress';
import { CATALOG_OVERRIDE_ENV } from '#shared/catalog/catalog-override.ts';
import { loadCatalog, type CatalogInput } from '#shared/catalog/index.ts';
import { parseDuration } from '#local/clock/simulated-clock.ts';
import { compareOutcomes, type OutcomeComparison } from '#local/replay/compare-outcomes.ts';
import { readReplayStream, type ReplayStream } from '#local/replay/read-replay-stream.ts';
import type { ReplayOutcome } from '#local/replay/replay-outcome.ts';
import type { ReplayJob, ReplayMode, WorkerMessage } from '#local/replay/replay-worker.ts';
import { renderComparison, renderOutcome } from './replay-text.ts';

export type ReplayOptions = { speed: string; from?: string; to?: string; catalog?: string; compare?: string; followUp: string; mode?: ReplayMode; fast?: boolean; json?: boolean };

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER = join(PROJECT_ROOT, 'local/replay/replay-worker.ts');

/**
 * `nudge replay <file>`: replays a recorded stream through the full local system under the
 * simulated clock, on a private system started for the run (clean state, free ports, beside any
 * `npm start`), and prints what each rule and sequence step matched, sent and suppressed, and why.
 * `--compare <catalog>` replays the same stream with a second catalog and prints the difference.
 */
export async function replay(file: string, options: ReplayOptions): Promise<void> {
  const speed = parseSpeed(options.speed);
  const mode: ReplayMode = options.fast ? 'memory' : (options.mode ?? 'emulators');
  const followUpMs = parseDuration(options.followUp);
  const window = { ...(options.from ? { from: parseInstant('--from', options.from) } : {}), ...(options.to ? { to: parseInstant('--to', options.to) } : {}) };
  if (window.from && window.to && window.from >= window.to) throw new Error('--from must be before --to');
  const path = resolve(file);
  if (!existsSync(path)) throw new Error(`${file}: no such file`);
  const stream = readReplayStream(await readFile(path, 'utf8'), window);
  for (const skipped of stream.skipped.slice(0, 20)) console.error(`${file}:${skipped.line}: skipped: ${skipped.reason}`);
  if (stream.skipped.length > 20) console.error(`... and ${stream.skipped.length - 20} more skipped lines`);
  if (stream.events.length === 0) throw new Error(`${file}: no events to replay (${stream.skipped.length} lines skipped, ${stream.filteredOut} outside --from/--to)`);

  const scratch = await mkdtemp(join(tmpdir(), 'nudge-replay-'));
  try {
    const eventsFile = join(scratch, 'events.jsonl');
    await writeFile(eventsFile, stream.events.map((event) => JSON.stringify(event)).join('\n') + '\n');
    const job = (catalog: string): ReplayJob => ({ mode, eventsFile, stream: describeStream(file, stream), catalog, speed, followUpMs });
    const baselineCatalog = options.catalog ? await writeCatalogJson(options.catalog, join(scratch, 'catalog.json')) : undefined;
    const alternativeCatalog = options.compare ? await writeCatalogJson(options.compare, join(scratch, 'compare.json')) : undefined;

    const baseline = await runWorker(job(options.catalog ?? 'shipped'), baselineCatalog, options.compare ? 'baseline' : 'replay');
    if (!options.compare || !alternativeCatalog) {
      console.log(options.json ? JSON.stringify(baseline, null, 2) : renderOutcome(baseline));
      return;
    }
    const alternative = await runWorker(job(options.compare), alternativeCatalog, 'alternative');
    const comparison: OutcomeComparison = compareOutcomes(baseline, alternative);
    console.log(options.json ? JSON.stringify({ baseline, alternative, comparison }, null, 2) : renderComparison(baseline, alternative, comparison));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function parseSpeed(text: string): 'max' | number {
  if (text === 'max') return 'max';
  const factor = Number(text);
  if (!Number.isFinite(factor) || factor <= 0) throw new Error(`--speed ${text}: use max, or a factor above 0 (e.g. 3600: a simulated hour per real second)`);
  return factor;
}

function parseInstant(option: string, text: string): Date {
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw new Error(`${option} ${text}: not a time; use an ISO 8601 instant, e.g. 2027-01-04T00:00:00Z`);
  return at;
}

function describeStream(file: string, stream: ReplayStream): ReplayOutcome['stream'] {
  return {
    file,
    from: stream.events[0]?.Time ?? null,
    to: stream.events.at(-1)?.Time ?? null,
    events: stream.events.length,
    skippedLines: stream.skipped.length,
    filteredOut: stream.filteredOut,
  };
}

/**
 * A catalog module (.ts/.js/.mjs exporting the catalog input as `default` or `catalog`) or a JSON
 * file, validated here (the errors name each bad field) and written as the JSON NUDGE_CATALOG reads.
 */
async function writeCatalogJson(source: string, target: string): Promise<string> {
  const path = resolve(source);
  if (!existsSync(path)) throw new Error(`catalog ${source}: no such file`);
  let input: unknown;
  if (extname(path) === '.json') input = JSON.parse(await readFile(path, 'utf8')) as unknown;
  else {
    const module = (await import(pathToFileURL(path).href)) as { default?: unknown; catalog?: unknown };
    input = module.default ?? module.catalog;
    if (input === undefined) throw new Error(`catalog ${source}: export the catalog input as default (or as "catalog")`);
  }
  try {
    loadCatalog(input as CatalogInput);
  } catch (error) {
    throw new Error(`catalog ${source}: ${(error as Error).message}`);
  }
  await writeFile(target, JSON.stringify(input));
  return target;
}

/** Runs one replay in its own process and system; shows its progress on stderr. */
async function runWorker(job: ReplayJob, catalogFile: string | undefined, label: string): Promise<ReplayOutcome> {
  const child = fork(WORKER, [JSON.stringify(job)], {
    cwd: PROJECT_ROOT,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, [CATALOG_OVERRIDE_ENV]: catalogFile ?? '' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const progress = progressReporter(label, job.stream.events, job.mode ?? 'emulators');
  let outcome: ReplayOutcome | undefined;
  child.on('message', (message: WorkerMessage) => {
    if (message.type === 'started') progress.started(message.startupMs);
    if (message.type === 'progress') progress.update(message.done);
    if (message.type === 'outcome') outcome = message.outcome;
  });
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  progress.stop();
  if (code !== 0 || !outcome) throw new Error(`the ${label} run failed (exit ${code}):\n${output.split('\n').slice(-40).join('\n')}`);
  return outcome;
}

/** A bar on a terminal; on a pipe or in CI, a line at every tenth. */
function progressReporter(label: string, total: number, mode: ReplayMode) {
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { stream: process.stderr, format: `${label} [{bar}] {value}/{total} events | {rate} events/s | {duration_formatted} elapsed, eta {eta_formatted}`, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let shown = 0;
  let startedAt = performance.now();
  // Events per second of the replay itself (the system's start apart).
  const rate = (done: number) => Math.round(done / Math.max(0.001, (performance.now() - startedAt) / 1000));
  return {
    started(startupMs: number) {
      process.stderr.write(`${label}: private ${mode === 'memory' ? 'in-memory' : 'local'} system up in ${(startupMs / 1000).toFixed(1)} s; replaying ${total} events\n`);
      startedAt = performance.now();
      bar?.start(total, 0, { rate: 0 });
    },
    update(done: number) {
      if (bar) bar.update(done, { rate: rate(done) });
      else if (done === total || done - shown >= Math.ceil(total / 10)) {
        process.stderr.write(`${label}: ${done}/${total} events, ${rate(done)} events/s\n`);
        shown = done;
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
