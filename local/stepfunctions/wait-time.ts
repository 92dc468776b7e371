import { parseSimplePath, readPath } from './simple-json-path.ts';

/** How long a Wait state waits, as its definition says (exactly one of the four fields). */
export type WaitTime =
  | { kind: 'seconds'; seconds: number }
  | { kind: 'timestamp'; at: Date }
  | { kind: 'secondsPath'; path: string; fields: string[] }
  | { kind: 'timestampPath'; path: string; fields: string[] };

/** What Step Functions raises when a path does not give a usable value; it fails the execution (a Wait has no Retry or Catch). */
export class StatesRuntimeError extends Error {
  override name = 'States.Runtime';
}

/** The timestamps Step Functions accepts: RFC 3339, with a zone (Z or an offset). */
const RFC3339 = /^\d{4}-(0[1-9]|1[012])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** Reads a Wait state's timing, refusing at load what the local runner cannot evaluate. */
export function parseWaitTime(stateName: string, state: Record<string, unknown>): WaitTime {
  const fields = ['Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath'].filter((field) => state[field] !== undefined);
  if (fields.length !== 1) {
    throw new Error(`Wait state ${stateName} needs exactly one of Seconds, Timestamp, SecondsPath or TimestampPath (it has ${fields.join(', ') || 'none'})`);
  }
  const { Seconds: seconds, Timestamp: timestamp, SecondsPath: secondsPath, TimestampPath: timestampPath } = state;
  if (seconds !== undefined) {
    if (!isSeconds(seconds)) throw new Error(`Wait state ${stateName}: Seconds must be a non-negative integer`);
    return { kind: 'seconds', seconds };
  }
  if (timestamp !== undefined) {
    if (typeof timestamp !== 'string' || !RFC3339.test(timestamp)) throw new Error(`Wait state ${stateName}: Timestamp must be an RFC 3339 timestamp`);
    return { kind: 'timestamp', at: new Date(timestamp) };
  }
  const path = String(secondsPath ?? timestampPath);
  const parsed = parseSimplePath(path);
  if (!parsed) {
    const field = secondsPath !== undefined ? 'SecondsPath' : 'TimestampPath';
    throw new Error(`Wait state ${stateName}: ${field} "${path}" cannot be evaluated locally; use $ or a plain field path such as $.dueAt`);
  }
  return secondsPath !== undefined ? { kind: 'secondsPath', path, fields: parsed } : { kind: 'timestampPath', path, fields: parsed };
}

/** When a Wait state entered at `now` with `input` ends. */
export function waitUntil(stateName: string, wait: WaitTime, input: unknown, now: Date): Date {
  switch (wait.kind) {
    case 'seconds':
      return new Date(now.getTime() + wait.seconds * 1000);
    case 'timestamp':
      return wait.at;
    case 'secondsPath': {
      const seconds = readPath(input, wait.fields);
      if (!isSeconds(seconds)) {
        throw new StatesRuntimeError(`The SecondsPath parameter of state '${stateName}' does not reference a non-negative integer: ${wait.path} == ${JSON.stringify(seconds) ?? 'undefined'}`);
      }
      return new Date(now.getTime() + seconds * 1000);
    }
    case 'timestampPath': {
      const timestamp = readPath(input, wait.fields);
      if (typeof timestamp !== 'string' || !RFC3339.test(timestamp)) {
        throw new StatesRuntimeError(
          `The TimestampPath parameter of state '${stateName}' does not reference a valid RFC 3339 timestamp: ${wait.path} == ${JSON.stringify(timestamp) ?? 'undefined'}`,
        );
      }
      return new Date(timestamp);
    }
  }
}

function isSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
