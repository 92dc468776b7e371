import { Command } from 'commander';
import { advanceClock, showClock } from './commands/clock.ts';
import { showProfile, whySegment } from './commands/profile.ts';
import { runSweep } from './commands/sweep.ts';
import { why } from './commands/why.ts';
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
  .option('--explain', 'show every condition of every segment the customer is in')
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
  .description('why a customer did or did not get an email: every rule decision, newest first')
  .argument('<customerId>')
  .option('--rule <ruleId>', 'only this rule')
  .option('--limit <n>', 'at most this many decisions', '50')
  .option('--json', 'machine-readable output')
  .action((customerId: string, options: { json?: boolean; rule?: string; limit?: string }) => why(customerId, options));

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

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`nudge: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
