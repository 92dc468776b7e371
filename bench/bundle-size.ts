/**
 * Each Lambda's bundle size and module init time (a figure of `npm run bench`). The bundles are the
 * ones `cdk synth` makes: the Nudge app built in this process with bundling on, so NodejsFunction
 * runs esbuild with the construct's own options (infra/constructs/nudge-function.ts); nothing here
 * repeats them. Init time is the time to import the bundle in a fresh Node process (what a cold start
 * adds to Lambda's own runtime start), the median of `runs`; Lambda's CPU share at 256 MB is smaller
 * than a laptop core, so read it as a ranking and a lower bound. The import's CPU time (user + system)
 * is reported beside the wall time: on a machine loaded by other work the wall time mostly measures
 * the wait for a core, the CPU time much less so. The child gets the function's own environment, so
 * a `NODE_OPTIONS` it sets (e.g. `--enable-source-maps`) is part of what is measured.
 *
 * Alone: `npx tsx bench/bundle-size.ts [--runs 3]` (JSON on stdout).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { buildNudgeApp } from '#infra/nudge-app.ts';
import { ENTRY_METADATA_KEY } from '#infra/constructs/nudge-function.ts';
import { inProcessContext } from '#infra/synthesize.ts';
import { LOCAL_STACK_CONTEXT } from '#local/stack/local-context.ts';

const run = promisify(execFile);

export type FunctionBundle = { entry: string; logicalId: string; memoryMb: number; timeoutSeconds: number; bytes: number; gzipBytes: number; initMs: number; initCpuMs: number };

/** Each function's bundle must stay under this (index.mjs; its source map is a separate file). */
export const BUNDLE_BUDGET_BYTES = 1_000_000;

/** Imports the bundle and prints how long the import took, wall and CPU (in the child, so Node's own start is not counted). */
const IMPORT_TIMER =
  'const t = performance.now(); const c = process.cpuUsage(); await import(process.argv[1]); const u = process.cpuUsage(c); console.log(performance.now() - t, (u.user + u.system) / 1000);';

export async function measureBundles(options: { runs: number; progress?: (message: string) => void }): Promise<FunctionBundle[]> {
  const progress = options.progress ?? (() => undefined);
  const outdir = mkdtempSync(join(tmpdir(), 'nudge-bench-bundles-'));
  try {
    progress('bundles: cdk synth with esbuild bundling ...');
    const { app, stack } = buildNudgeApp({ context: inProcessContext({ bundle: true, context: LOCAL_STACK_CONTEXT }), outdir, nag: false, autoSynth: false });
    const template = app.synth().getStackArtifact(stack.artifactId).template as { Resources: Record<string, { Type: string; Properties: Record<string, any>; Metadata?: Record<string, unknown> }> };
    const functions = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::Function' && resource.Metadata?.[ENTRY_METADATA_KEY]);
    const bundles: FunctionBundle[] = [];
    for (const [logicalId, resource] of functions) {
      const bundle = join(outdir, `asset.${String(resource.Properties.Code?.S3Key).replace(/\.zip$/, '')}`, 'index.mjs');
      const env = { ...process.env, ...placeholderEnvironment(resource.Properties.Environment?.Variables ?? {}) };
      const times: number[] = [];
      const cpuTimes: number[] = [];
      for (let i = 0; i < options.runs; i++) {
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', IMPORT_TIMER, pathToFileURL(bundle).href], { env });
        const [wall, cpu] = stdout.trim().split('\n').at(-1)!.split(' ').map(Number);
        times.push(wall!);
        cpuTimes.push(cpu!);
      }
      const entry = String(resource.Metadata?.[ENTRY_METADATA_KEY]);
      bundles.push({
        entry,
        logicalId,
        memoryMb: Number(resource.Properties.MemorySize ?? 128),
        timeoutSeconds: Number(resource.Properties.Timeout ?? 3),
        bytes: statSync(bundle).size,
        gzipBytes: gzipSync(readFileSync(bundle)).length,
        initMs: median(times),
        initCpuMs: median(cpuTimes),
      });
      progress(`bundles: ${bundles.length}/${functions.length} ${entry}`);
    }
    return bundles.sort((a, b) => a.entry.localeCompare(b.entry));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]! * 10) / 10;
}

/**
 * The function's environment with every value the template leaves to CloudFormation (Ref, GetAtt)
 * replaced by a well-formed stand-in, so the module's config parsing passes: module scope creates
 * clients but makes no call, so nothing is contacted.
 */
function placeholderEnvironment(variables: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = { AWS_REGION: 'eu-west-1', POWERTOOLS_LOG_LEVEL: 'SILENT' };
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value === 'string') env[name] = value;
    else if (name.endsWith('_URL')) env[name] = `https://example.com/${name.toLowerCase()}`;
    else if (name.endsWith('_ARN')) env[name] = `arn:aws:sqs:eu-west-1:123456789012:${name.toLowerCase().replace(/_/g, '-')}`;
    else env[name] = name.toLowerCase().replace(/_/g, '-');
  }
  return env;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
  const bundles = await measureBundles({ runs: Number(values.runs), progress: (message) => process.stderr.write(`${message}\n`) });
  for (const b of bundles) process.stderr.write(`${b.entry.padEnd(44)} ${Math.round(b.bytes / 1024)} KB (${Math.round(b.gzipBytes / 1024)} KB gzip)  init ${b.initMs} ms, ${b.initCpuMs} ms CPU\n`);
  console.log(JSON.stringify(bundles, null, 2));
}
