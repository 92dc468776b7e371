/**
 * Step Functions' payload quota: an execution's input, and every state's input and output, is at
 * most 262,144 bytes of UTF-8 JSON ("Maximum input or output size for a task, state, or
 * execution: 256 KiB", Step Functions service quotas; the API reference gives the same "Maximum
 * length of 262144 ... bytes in UTF-8 encoding" for StartExecution's input and every state's
 * entered/exited data). aws-local-stepfunctions has no such limit, so the local runtime checks it.
 */
export const MAX_PAYLOAD_BYTES = 262_144;

/** The state name and which side of it went over. */
export type PayloadSide = 'input' | 'output';

/** Bytes of `value` as Step Functions counts them: its JSON text in UTF-8. */
export function payloadBytes(value: unknown): number {
  const text = JSON.stringify(value);
  return text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
}

/**
 * The cause Step Functions reports with `States.DataLimitExceeded` when `value`, a state's input or
 * output, is over the quota; undefined when it fits.
 */
export function dataLimitCause(state: string, side: PayloadSide, value: unknown): string | undefined {
  const bytes = payloadBytes(value);
  if (bytes <= MAX_PAYLOAD_BYTES) return undefined;
  const what = side === 'output' ? 'returned a result' : 'has an input';
  return `The state/task '${state}' ${what} with a size exceeding the maximum number of bytes service limit (${bytes} bytes > ${MAX_PAYLOAD_BYTES}).`;
}
