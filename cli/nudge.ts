import { Command, Option } from 'commander';
import { advanceClock, showClock } from './commands/clock.ts';
import { DLQ_NAMES, REDRIVABLE_DLQS, listDlq, redriveDlq, type DlqName, type RedrivableDlq } from './commands/dlq.ts';
import { rotateKeys } from './commands/keys.ts';
import { preview } from './commands/preview.ts';
import { listQuarantine } from './commands/quarantine.ts';
import { erase, exportCustomer } from './commands/privacy.ts';
import { replay, type ReplayOptions } from './commands/replay.ts';
import { showProfile, whySegment } from './commands/profile.ts';
import { showModels } from './commands/models.ts';
import { REPORT_NAMES, runReport, type ReportOptions } from './commands/report.ts';
import { runScoring } from './commands/score.ts';
import { runDriftCheck, runSweep, runTraining } from './commands/sweep.ts';
import { sequences } from './commands/sequences.ts';
import { why, whyRulePerformance } from './commands/why.ts';
import { hideSdkNodeVersionNotice } from '#local/quiet-sdk-warning.ts';

hideSdkNodeVersionNotice();

/** `nudge`: the operator CLI. Talks to the local system started by `npm start`. */
const program = new Command()
  .name('nudge')
  .description('Operate Nudge: inspect profiles and drive the local system')
  .showHelpAfterError();

program
  .command('profile')
  .description('a customer: profile, scores, segments and lifecycle stage')
  .argument('<customerId>')
  .option('--explain', 'show each score part by part (the engagement score as document 000 defines it) and every condition of every segment the customer is in')
  .option('--json', 'machine-readable output')
  .action((customerId: string, options: { json?: boolean; explain?: boolean }) => showProfile(customerId, options));

program
  .command('why-segment')
  .description("why a customer is (or is not) in a segment: each condition's expected and actual value")
  .argument('<customerId>')
  .argument('<segment>')
  .option('--json', 'machine-readable output')
  .action((customerId: string, segment: string, options: { json?: boolean }) => whySegment(customerId, segment, options));

program
  .command('why')
  .description(
    "why a customer did or did not get an email: every rule decision, newest first; or, with --rule-performance, how a rule did over the last 30 days: its funnel, its success metrics against their targets, the biggest drop",
  )
  .argument('[customerId]')
  .option('--rule <ruleId>', 'only this rule')
  .option('--limit <n>', 'at most this many decisions', '50')
  .option('--rule-performance <ruleId>', "a rule's (or sequence step's seq_<sequence>__<step>) last 30 days instead of a customer's decisions")
  .option('--json', 'machine-readable output')
  .action((customerId: string | undefined, options: { json?: boolean; rule?: string; limit?: string; rulePerformance?: string }) => {
    if (options.rulePerformance !== undefined) {
      if (customerId !== undefined || options.rule !== undefined) throw new Error('--rule-performance explains a rule, not a customer: give no customerId or --rule with it');
      return whyRulePerformance(options.rulePerformance, options);
    }
    if (customerId === undefined) throw new Error('nudge why needs a customerId, or --rule-performance <ruleId>');
    return why(customerId, options);
  });

program
  .command('sequences')
  .description("a customer's nurture sequences: active and finished runs, each step's outcome and the next send time")
  .argument('<customerId>')
  .option('--json', 'machine-readable output')
  .action((customerId: string, options: { json?: boolean }) => sequences(customerId, options));

program
  .command('erase')
  .description('erase a customer (GDPR): every record of theirs, their sequences and scheduled sends; keeps only a hashed suppression entry')
  .argument('<customerId>')
  .option('--yes', 'do not ask for confirmation (required when not on a terminal)')
  .option('--json', 'machine-readable output')
  .action((customerId: string, options: { yes?: boolean; json?: boolean }) => erase(customerId, options));

program
  .command('export')
  .description('everything held about a customer as JSON (GDPR access): profile, segments, decisions, sends, conversions, sequence runs, schedules')
  .argument('<customerId>')
  .option('--out <file>', 'write the JSON to this file instead of stdout')
  .action((customerId: string, options: { out?: string }) => exportCustomer(customerId, options));

program
  .command('score')
  .description('run the daily predictive scoring now (fanned out over workers): churn, purchase intent, value, next purchase and content interests of every profile')
  .option('--json', 'machine-readable output')
  .action((options: { json?: boolean }) => runScoring(options));

program
  .command('train')
  .description('run the weekly training now: churn, purchase intent and value models from the labelled snapshots (each kept if it beats its heuristic), content interests')
  .option('--json', 'machine-readable output')
  .action((options: { json?: boolean }) => runTraining(options));

program
  .command('report')
  .description(`a report, from its report Lambda: ${REPORT_NAMES.join(', ')}`)
  .argument('<name>')
  .option('--json', 'machine-readable output (what the Lambda returns)')
  .addOption(new Option('--html <file>', 'write the report as one self-contained HTML page with charts').conflicts('json'))
  .option('--days <n>', 'the window: the last n days (segment-performance, attribution, behavior-patterns, incrementality: decision days; default 30)')
  .option('--model <name>', 'attribution: the model of the ROI summary (first_touch, last_touch, linear, time_decay, position_based; default time_decay)')
  .option('--experiment <file>', 'segment-experiment: a JSON file with the control and variant criteria')
  .option('--confidence <level>', 'incrementality: the intervals\' confidence, above 0.5 and below 1 (default 0.95)')
  .option('--min-exposures <n>', 'incrementality: exposures each group needs before a verdict (default 100)')
  .action((name: string, options: ReportOptions) => runReport(name, options));

program
  .command('drift')
  .description('run the daily segment drift check now (composition and email results against their baselines); `nudge report drift` shows it')
  .option('--json', 'machine-readable output')
  .action((options: { json?: boolean }) => runDriftCheck(options));

program
  .command('models')
  .description('each predictive model in use: metrics, training date, feature importances; and its last training attempt')
  .option('--json', 'machine-readable output')
  .action((options: { json?: boolean }) => showModels(options));

program
  .command('quarantine')
  .description('items the daily jobs could not read (corrupt), recorded and skipped so the jobs go on for everyone else')
  .command('list')
  .description('every quarantined item: its key, why it could not be read, when it was first and last seen')
  .option('--json', 'machine-readable output')
  .action((options: { json?: boolean }) => listQuarantine(options));

program
  .command('sweep')
  .description('run the daily profile sweep (time-based segments and stages) now')
  .option('--json', 'machine-readable output')
  .action((options: { json?: boolean }) => runSweep(options));

const clock = program.command('clock').description("show the local system's simulated clock").option('--json', 'machine-readable output');
clock.action((options: { json?: boolean }) => showClock(options));
clock
  .command('advance')
  .description('run the simulated clock forward, e.g. 25h, 90m, 7d')
  .argument('<duration>')
  .option('--json', 'machine-readable output')
  .action((duration: string, options: { json?: boolean }) => advanceClock(duration, options));

program
  .command('preview')
  .description('render a catalog template for a customer, with the variables the dispatcher would use; writes the HTML')
  .argument('<template>')
  .argument('<customerId>')
  .option('--event <json>', "the triggering event's properties (event.* in the template), a JSON object", '{}')
  .option('--out <file.html>', 'where to write the HTML (default: preview-<template>-<customerId>.html here)')
  .option('--json', 'machine-readable output')
  .action((template: string, customerId: string, options: { event?: string; out?: string; json?: boolean }) => preview(template, customerId, options));

program
  .command('replay')
  .description('replay a recorded stream (JSON lines: PutEvents entries or archived EventBridge events) on a private local system under the simulated clock: what each rule and step sent and suppressed, and why')
  .argument('<file>')
  .option('--speed <max|factor>', 'max: jump the clock from event to event; a factor: simulated time runs that many times faster than real time', 'max')
  .option('--from <time>', 'only events at or after this instant (ISO 8601)')
  .option('--to <time>', 'only events before this instant (ISO 8601)')
  .option('--catalog <file>', 'replay with this catalog (a .ts/.js module exporting the catalog input, or .json) instead of the shipped one')
  .option('--compare <file>', 'replay again with this catalog and print the difference per rule and step')
  .option('--follow-up <duration>', 'how long past the last event to follow scheduled work (held sends, sequence steps)', '15d')
  .addOption(
    new Option('--mode <mode>', 'emulators: DynamoDB Local and the SQS/SES emulators, the most faithful (a few events/s); memory: the same handlers, stack and state machines with AWS in memory, for backtests of long streams')
      .choices(['emulators', 'memory'])
      .default('emulators'),
  )
  .option('--fast', 'the same as --mode memory')
  .option('--json', 'machine-readable output (with --compare: baseline, alternative and comparison)')
  .action((file: string, options: ReplayOptions) => replay(file, options));

program
  .command('keys')
  .description('the key that signs the links in emails (unsubscribe, preferences, open, click)')
  .command('rotate')
  .description('a new link key signs new links; retired keys keep verifying links already sent until they expire (a year); keys retired longer ago are dropped')
  .option('--stack <name>', 'rotate the deployed stack\'s key (secret nudge/<name>/link-signing-key) with your AWS credentials, instead of the local system\'s')
  .option('--region <region>', 'with --stack: the stack\'s region (default: your AWS configuration\'s)')
  .option('--json', 'machine-readable output')
  .action((options: { stack?: string; region?: string; json?: boolean }) => rotateKeys(options));

const dlq = program.command('dlq').description('dead-letter queues: failed sends, events, timers; rejected events');
dlq
  .command('list')
  .description('the messages on the dead-letter queues (left on them): what, why, how old')
  .addOption(new Option('--queue <queue>', 'only this queue (default: all)').choices(DLQ_NAMES))
  .option('--max <n>', 'at most this many messages per queue', '50')
  .option('--json', 'machine-readable output')
  .action((options: { queue?: DlqName; max?: string; json?: boolean }) => listDlq(options));
dlq
  .command('redrive')
  .description('send dead-lettered work back (sends to the send queue, events to the bus, timers to the scheduler); deletes each once re-sent')
  .addOption(new Option('--queue <queue>', 'only this queue (default: send, ingest, triggers and sequences)').choices(REDRIVABLE_DLQS))
  .option('--max <n>', 'at most this many messages per queue (default: what the queue holds when the redrive starts)')
  .option('--json', 'machine-readable output')
  .action((options: { queue?: RedrivableDlq; max?: string; json?: boolean }) => redriveDlq(options));

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`nudge: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
