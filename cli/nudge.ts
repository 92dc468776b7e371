import { Command } from 'commander';
import { advanceClock, showClock } from './commands/clock.ts';
import { showProfile } from './commands/profile.ts';
import { hideSdkNodeVersionNotice } from '#local/quiet-sdk-warning.ts';

hideSdkNodeVersionNotice();

/** `nudge`: the operator CLI. Talks to the local system started by `npm start`. */
const program = new Command()
  .name('nudge')
  .description('Operate Nudge: inspect profiles and drive the local system')
  .showHelpAfterError();

program
  .command('profile')
  .description('print the stored profile of a customer')
  .argument('<customerId>')
  .option('--json', 'machine-readable output')
  .action((customerId: string, options: { json?: boolean }) => showProfile(customerId, options));

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
