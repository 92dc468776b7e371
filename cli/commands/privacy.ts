import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { EraseResult } from '#shared/services/erase-customer.ts';
import type { CustomerExport } from '#shared/services/export-customer.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { keyValueTable, printResult } from '../format.ts';
import { callLocal, type LocalStatus } from '../local-control.ts';

/** Invokes a privacy Lambda (named by its stack output) through the Lambda API, as `aws lambda invoke` would. */
async function invokePrivacy<T>(output: string, customerId: string): Promise<T> {
  const status = await callLocal<LocalStatus>('status');
  const lambda = new LambdaClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: status.endpoints.eventBridge });
  try {
    const result = await lambda.send(new InvokeCommand({ FunctionName: requireOutput(status.outputs, output), Payload: new TextEncoder().encode(JSON.stringify({ customerId })) }));
    const answer = JSON.parse(new TextDecoder().decode(result.Payload ?? new Uint8Array())) as unknown;
    if (result.FunctionError) {
      const error = answer as { errorType?: string; errorMessage?: string };
      throw new Error(error.errorMessage ?? JSON.stringify(answer));
    }
    return answer as T;
  } finally {
    lambda.destroy();
  }
}

/**
 * `nudge erase <customerId> [--yes]`: erases the customer after a confirmation (typed customer id);
 * without a terminal to ask on, only with --yes.
 */
export async function erase(customerId: string, options: { yes?: boolean; json?: boolean }): Promise<void> {
  if (!options.yes) {
    if (!process.stdin.isTTY) throw new Error('nudge erase deletes every record of the customer and cannot be undone: pass --yes to confirm when not on a terminal');
    const prompt = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await prompt.question(`Erase every record of customer ${customerId}? This cannot be undone. Type the customer id to confirm: `);
    prompt.close();
    if (answer.trim() !== customerId) throw new Error('not confirmed: nothing was erased');
  }
  const result = await invokePrivacy<EraseResult>('EraseFunctionName', customerId);
  printResult(result, options, (r: EraseResult) =>
    !r.found
      ? `nothing found for customer ${r.customerId}: nothing erased, no address suppressed`
      : [
          `erased customer ${r.customerId}`,
          keyValueTable([
            ...Object.entries(r.items).sort(([a], [b]) => a.localeCompare(b)).map(([kind, count]): [string, unknown] => [`items: ${kind}`, count]),
            ['sequence executions stopped', r.executionsStopped],
            ['schedules deleted', r.schedulesDeleted],
            ['address suppressed (hashed, reason erased)', r.suppressed ? 'yes' : 'no address was known'],
          ]),
        ].join('\n'),
  );
}

/** `nudge export <customerId> [--out file]`: everything held about the customer, as JSON. */
export async function exportCustomer(customerId: string, options: { out?: string }): Promise<void> {
  const result = await invokePrivacy<CustomerExport>('ExportFunctionName', customerId);
  const json = `${JSON.stringify(result, null, 2)}\n`;
  if (options.out === undefined) {
    process.stdout.write(json);
    return;
  }
  await writeFile(options.out, json);
  console.error(`wrote ${options.out}`);
}
