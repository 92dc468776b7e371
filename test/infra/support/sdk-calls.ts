import { join } from 'node:path';
import { build } from 'esbuild';
import type { Template } from 'aws-cdk-lib/assertions';
import { PROJECT_ROOT } from '#infra/project-paths.ts';
import { actionsOf, resourcesOfType, statementsOfFunction } from './synth.ts';

/**
 * Which AWS API calls each Lambda's code can make, derived from the code itself rather than listed
 * by hand (a hand-kept list cannot catch the next missing grant): every handler is bundled by
 * esbuild with tree-shaking (as `cdk synth` bundles it, minus minification), and the bundle is read
 * module by module (esbuild marks each module's code with a `// <path>` comment) for the SDK
 * commands it constructs (`new QueryCommand(`). What tree-shaking keeps is what the handler can
 * reach, at the granularity esbuild shakes: a class is kept whole, so a function using one method
 * of a repository is held to every command of that repository (an over-approximation, never a miss).
 *
 * Not derived (say so rather than pretend): which resource or partition a call touches, and the
 * IAM conditions on a grant; those are enforced by the local runtime's IAM check (another issue).
 */

/** IAM action(s) each SDK v3 command is authorized as. A command Nudge's own code sends that is missing here fails the test: add it. */
export const IAM_ACTIONS_OF_COMMAND: Readonly<Record<string, readonly string[]>> = {
  // @aws-sdk/lib-dynamodb (document client) and @aws-sdk/client-dynamodb
  Get: ['dynamodb:GetItem'],
  GetItem: ['dynamodb:GetItem'],
  Put: ['dynamodb:PutItem'],
  PutItem: ['dynamodb:PutItem'],
  Update: ['dynamodb:UpdateItem'],
  UpdateItem: ['dynamodb:UpdateItem'],
  Delete: ['dynamodb:DeleteItem'],
  DeleteItem: ['dynamodb:DeleteItem'],
  Query: ['dynamodb:Query'],
  Scan: ['dynamodb:Scan'],
  BatchWrite: ['dynamodb:BatchWriteItem'],
  BatchWriteItem: ['dynamodb:BatchWriteItem'],
  BatchGet: ['dynamodb:BatchGetItem'],
  BatchGetItem: ['dynamodb:BatchGetItem'],
  DescribeTable: ['dynamodb:DescribeTable'],
  // Transactions have no action of their own: IAM checks each item as Put/Update/Delete/ConditionCheck (see transactItemActions).
  TransactWrite: [],
  TransactWriteItems: [],
  TransactGet: ['dynamodb:GetItem'],
  TransactGetItems: ['dynamodb:GetItem'],
  // SQS
  SendMessage: ['sqs:SendMessage'],
  SendMessageBatch: ['sqs:SendMessage'],
  ChangeMessageVisibility: ['sqs:ChangeMessageVisibility'],
  ChangeMessageVisibilityBatch: ['sqs:ChangeMessageVisibility'],
  DeleteMessage: ['sqs:DeleteMessage'],
  DeleteMessageBatch: ['sqs:DeleteMessage'],
  ReceiveMessage: ['sqs:ReceiveMessage'],
  // SES v2
  SendEmail: ['ses:SendEmail'],
  GetAccount: ['ses:GetAccount'],
  // EventBridge
  PutEvents: ['events:PutEvents'],
  // EventBridge Scheduler
  CreateSchedule: ['scheduler:CreateSchedule'],
  GetSchedule: ['scheduler:GetSchedule'],
  DeleteSchedule: ['scheduler:DeleteSchedule'],
  ListSchedules: ['scheduler:ListSchedules'],
  // Step Functions
  StartExecution: ['states:StartExecution'],
  StopExecution: ['states:StopExecution'],
  // Secrets Manager (the link key, through Powertools Parameters)
  GetSecretValue: ['secretsmanager:GetSecretValue'],
};

/** The services whose grants the test compares; the prefixes of the actions above. */
export const CHECKED_SERVICES = ['dynamodb', 'sqs', 'ses', 'events', 'scheduler', 'states', 'secretsmanager'] as const;

const TRANSACT_ITEM_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

export type SdkCall = { command: string; module: string; actions: readonly string[] };
export type EntryCalls = { calls: SdkCall[]; unknownInProjectCode: SdkCall[] };

const COMMAND = /\bnew\s+(?:__)?([A-Z][A-Za-z]*?)Command\d*\s*\(/g;
const MODULE_MARKER = /^\/\/ (\S+\.(?:[cm]?[jt]s|json))$/gm;

/**
 * The SDK calls reachable from each handler module (repository-relative entries, as in
 * `nudge:entry`). Nudge's own modules must only construct commands listed in
 * {@link IAM_ACTIONS_OF_COMMAND}; in node_modules only listed commands count, so the SDK's own
 * credential-provider calls (STS, SSO), which need no grant, are ignored.
 */
export async function sdkCallsByEntry(entries: readonly string[]): Promise<Map<string, EntryCalls>> {
  const outdir = join(PROJECT_ROOT, '.sdk-calls-out');
  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: entries.map((entry) => join(PROJECT_ROOT, entry)),
    outbase: PROJECT_ROOT,
    outdir,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: false,
    treeShaking: true,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const byEntry = new Map<string, EntryCalls>();
  for (const entry of entries) {
    const outPath = join(outdir, entry.replace(/\.ts$/, '.js'));
    const file = result.outputFiles.find((output) => output.path === outPath);
    if (!file) throw new Error(`esbuild produced no bundle for ${entry}`);
    byEntry.set(entry, callsInBundle(file.text));
  }
  return byEntry;
}

/**
 * Splits a non-minified esbuild bundle into its modules and reads the commands each constructs.
 *
 * Tree-shaking keeps classes whole (and the functions their methods call), so within Nudge's code
 * the reader follows names: a class method counts when reachable code accesses a member of that
 * name (`.recordConversion`), a top-level function when reachable code names it; module top-level
 * code (the handler) is where reachability starts. A report that only reads rollups is then not
 * held to the writer methods of the same repository class. Matching by name over-approximates
 * (any `.get` reaches every method named `get`); it never misses a call.
 */
export function callsInBundle(bundle: string): EntryCalls {
  const modules = [...bundle.matchAll(MODULE_MARKER)].map((marker, index, markers) => ({
    module: marker[1]!,
    code: bundle.slice(marker.index + marker[0].length, markers[index + 1]?.index ?? bundle.length),
  }));
  const blocks = modules.flatMap(({ module, code }): ModuleBlock[] => {
    const isOurs = !module.includes('node_modules/');
    // The SDK's own constructions are wrappers (lib-dynamodb around client-dynamodb) or credential
    // calls (STS, SSO) that need no grant; Nudge's code constructs every command it sends. Other
    // packages (Powertools Parameters) send on Nudge's behalf: reached whenever bundled.
    if (!isOurs) return module.includes('node_modules/@aws-sdk/') ? [] : [{ module, code, isOurs, name: undefined, kind: 'root' as const }];
    return splitBlocks(code).map((block) => ({ module, isOurs, ...block }));
  });
  const reached = reachableBlocks(blocks);
  const calls: SdkCall[] = [];
  const unknownInProjectCode: SdkCall[] = [];
  for (const block of reached) {
    for (const [, command] of block.code.matchAll(COMMAND)) {
      const known = IAM_ACTIONS_OF_COMMAND[command!];
      if (!known) {
        if (block.isOurs) unknownInProjectCode.push({ command: command!, module: block.module, actions: [] });
        continue;
      }
      const actions = command!.startsWith('TransactWrite') && block.isOurs ? transactItemActions(block.code) : known;
      calls.push({ command: command!, module: block.module, actions });
    }
  }
  return { calls, unknownInProjectCode };
}

type Block = { code: string; name: string | undefined; kind: 'root' | 'member' | 'function' };
type ModuleBlock = Block & { module: string; isOurs: boolean };

const CLASS_MEMBER = /^ {2}(?:static\s+)?(?:async\s+)?\*?\s*(?:get\s+|set\s+)?(#?[\w$]+)\s*\(.*\{\s*$/;
const TOP_LEVEL_FUNCTION = /^(?:async\s+)?function\s*\*?\s*([\w$]+)\s*\(/;
const CLOSING = /^[}\])]/;
const CLASS_START = /\bclass\b[^{]*\{\s*$/;

/** A module's code as blocks: each class method, each top-level function, and the rest (top-level code, the roots). */
function splitBlocks(code: string): Block[] {
  const blocks: Block[] = [];
  let current: Block = { code: '', name: undefined, kind: 'root' };
  const root = current;
  const open = (block: Block) => {
    if (current !== root) blocks.push(current);
    current = block;
  };
  // Methods are recognized only directly inside a top-level class (2-space indentation), so that
  // `  if (x) {` in a function body is not taken for a method called `if`.
  let inClass = false;
  for (const line of code.split('\n')) {
    const topLevel = /^\S/.test(line) && !CLOSING.test(line);
    if (topLevel) inClass = CLASS_START.test(line);
    const member = inClass ? CLASS_MEMBER.exec(line) : null;
    const fn = TOP_LEVEL_FUNCTION.exec(line);
    if (fn) open({ code: '', name: fn[1], kind: 'function' });
    else if (member && member[1] !== 'constructor') open({ code: '', name: member[1], kind: 'member' });
    else if (topLevel || member) {
      // Back at top level (or in a constructor, which runs whenever its class is used): root code.
      if (current !== root) blocks.push(current);
      current = root;
    }
    current.code += `${line}\n`;
  }
  if (current !== root) blocks.push(current);
  return [root, ...blocks];
}

/** The blocks reachable from the roots, following member accesses (`.name`) and function names. */
function reachableBlocks(blocks: ModuleBlock[]): ModuleBlock[] {
  const reached = new Set(blocks.filter((block) => block.kind === 'root'));
  let frontier = [...reached];
  while (frontier.length > 0) {
    // Only Nudge's code calls Nudge's methods by name; a library's `.enqueue` is its own.
    const text = frontier.filter((block) => block.isOurs).map((block) => block.code).join('\n');
    frontier = blocks.filter((block) => !reached.has(block) && block.name !== undefined && referenced(block, text));
    for (const block of frontier) reached.add(block);
  }
  return [...reached];
}

function referenced(block: Block, text: string): boolean {
  const name = block.name!.replace(/[$#]/g, '\\$&');
  return new RegExp(block.kind === 'member' ? `\\.${name}\\b` : `(?<![\\w$.])${name}\\b`).test(text);
}

/** The item actions a module's TransactWriteItems can contain: the `Put:` / `Update:` / ... keys of its TransactItems. */
function transactItemActions(code: string): string[] {
  return Object.entries(TRANSACT_ITEM_ACTIONS).flatMap(([key, action]) => (new RegExp(`\\b${key}:\\s`).test(code) ? [action] : []));
}

/**
 * Calls the name-following reader finds only because a method's name is also a property read
 * elsewhere in the bundle (it matches names, not types). Each was checked by hand: the function
 * never calls that method, and granting the action would widen a role for nothing. An entry that
 * the reader no longer reports fails the test, so this list cannot go stale.
 */
export const NAME_COLLISIONS: ReadonlyArray<{ entry: string; action: string; module: string; why: string }> = [
  {
    entry: 'functions/scheduled/score-profiles.ts',
    action: 'dynamodb:Query',
    module: 'shared/adapters/dynamo/customer-items.ts',
    why: 'DynamoScoringRuns.segments (a Query) is matched by `profile.segments`; the planner only starts runs (its workers read segments and hold Query)',
  },
  {
    entry: 'functions/reports/update-rollups.ts',
    action: 'dynamodb:Query',
    module: 'shared/adapters/dynamo/rollup-repository.ts',
    why: 'DynamoRollups.conversions (a Query) is matched by `effects.conversions`; the rollup Lambda only applies increments (TransactWriteItems)',
  },
  {
    entry: 'functions/reports/segment-optimizer.ts',
    action: 'dynamodb:Query',
    module: 'shared/adapters/dynamo/rollup-repository.ts',
    why: 'DynamoRollups.days / conversions are matched by property reads of the same names; the optimizer reads the live rollups (GetItem) only',
  },
  {
    entry: 'functions/tracking/track-link.ts',
    action: 'dynamodb:PutItem',
    module: 'shared/adapters/dynamo/erasure-tombstone-repository.ts',
    why: "DynamoErasureTombstones.record (erase writes the tombstone) is matched by other `.record` reads; the link endpoint only asks isErased (GetItem), typed as Pick<ErasureTombstones, 'isErased'>",
  },
];

/** Every Nudge function of a template, by logical id, with its handler module. */
export function nudgeFunctions(template: Template): Array<{ id: string; entry: string }> {
  return Object.entries(resourcesOfType(template, 'AWS::Lambda::Function')).flatMap(([id, resource]) => {
    const entry = resource.Metadata?.['nudge:entry'];
    return typeof entry === 'string' ? [{ id, entry }] : [];
  });
}

/**
 * The calls each function's role does not grant (as `<entry> lacks <action> (<command> in <module>)`),
 * leaving out the checked {@link NAME_COLLISIONS}; and the collisions no longer reported (stale).
 */
export function ungrantedCalls(template: Template, callsByEntry: Map<string, EntryCalls>): { missing: string[]; staleCollisions: string[] } {
  const findings = nudgeFunctions(template).flatMap(({ id, entry }) => {
    const granted = statementsOfFunction(template, id)
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap(actionsOf);
    const needed = new Map<string, SdkCall[]>();
    for (const call of callsByEntry.get(entry)?.calls ?? []) {
      for (const action of call.actions) {
        if (CHECKED_SERVICES.some((service) => action.startsWith(`${service}:`))) needed.set(action, [...(needed.get(action) ?? []), call]);
      }
    }
    return [...needed].filter(([action]) => !granted.some((grant) => actionMatches(grant, action))).map(([action, calls]) => ({ entry, action, calls }));
  });
  type Finding = (typeof findings)[number];
  const collision = (finding: Finding) =>
    NAME_COLLISIONS.find((known) => known.entry === finding.entry && known.action === finding.action && finding.calls.every((call) => call.module === known.module));
  const describe = ({ entry, action, calls }: Finding) => `${entry} lacks ${action} (${[...new Set(calls.map((call) => `${call.command}Command in ${call.module}`))].join(', ')})`;
  return {
    missing: findings.filter((finding) => !collision(finding)).map(describe),
    staleCollisions: NAME_COLLISIONS.filter((known) => !findings.some((finding) => collision(finding) === known)).map((known) => `${known.entry} ${known.action}`),
  };
}

/** IAM action matching: `service:Prefix*` wildcards as IAM reads them (case-insensitive). */
function actionMatches(granted: string, needed: string): boolean {
  const pattern = new RegExp(`^${granted.split('*').map((part) => part.replace(/[.?+^$()[\]{}|\\]/g, '\\$&')).join('.*')}$`, 'i');
  return pattern.test(needed);
}
