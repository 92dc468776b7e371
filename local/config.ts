import { defaultSesLimits, type SesLimitsConfig } from './emulators/ses-sending-limits.ts';

/** Local runtime settings: default ports of design.md section 4, each overridable by an env var. */
export type LocalPorts = { eventBridge: number; dynamodb: number; sqs: number; ses: number };

export const PORT_ENV_VARS: Record<keyof LocalPorts, string> = {
  eventBridge: 'NUDGE_EVENTBRIDGE_PORT',
  dynamodb: 'NUDGE_DYNAMODB_PORT',
  sqs: 'NUDGE_SQS_PORT',
  ses: 'NUDGE_SES_PORT',
};

const DEFAULT_PORTS: LocalPorts = { eventBridge: 4010, dynamodb: 8000, sqs: 9324, ses: 8005 };

export function portsFromEnv(env: Record<string, string | undefined> = process.env): LocalPorts {
  const ports = { ...DEFAULT_PORTS };
  for (const key of Object.keys(PORT_ENV_VARS) as Array<keyof LocalPorts>) {
    const raw = env[PORT_ENV_VARS[key]];
    if (raw === undefined || raw === '') continue;
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`${PORT_ENV_VARS[key]}=${raw} is not a TCP port (1-65535)`);
    }
    ports[key] = port;
  }
  return ports;
}

/** The control API of a running local system (served beside the EventBridge API). */
export function controlUrl(env: Record<string, string | undefined> = process.env): string {
  return `http://127.0.0.1:${portsFromEnv(env).eventBridge}/_nudge`;
}

/** The local SES's account limits, each overridable by an env var the README documents. */
export const SES_LIMIT_ENV_VARS = {
  sandbox: 'NUDGE_SES_SANDBOX',
  maxSendRate: 'NUDGE_SES_MAX_SEND_RATE',
  max24HourSend: 'NUDGE_SES_MAX_24_HOUR_SEND',
  verifiedIdentities: 'NUDGE_SES_VERIFIED_IDENTITIES',
} as const;

/** Out of the sandbox at 14/s and 50,000 a day unless the env says otherwise (the sandbox: 1/s, 200 a day). */
export function sesLimitsFromEnv(env: Record<string, string | undefined> = process.env): SesLimitsConfig {
  const sandboxRaw = env[SES_LIMIT_ENV_VARS.sandbox] ?? '';
  if (!['', '0', '1', 'true', 'false'].includes(sandboxRaw)) throw new Error(`${SES_LIMIT_ENV_VARS.sandbox}=${sandboxRaw} must be 1 or 0`);
  const sandbox = sandboxRaw === '1' || sandboxRaw === 'true';
  const defaults = defaultSesLimits(sandbox);
  const positive = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}=${raw} must be a number above 0`);
    return value;
  };
  return {
    sandbox,
    maxSendRate: positive(SES_LIMIT_ENV_VARS.maxSendRate, defaults.maxSendRate),
    max24HourSend: positive(SES_LIMIT_ENV_VARS.max24HourSend, defaults.max24HourSend),
    verifiedIdentities: (env[SES_LIMIT_ENV_VARS.verifiedIdentities] ?? '').split(',').map((identity) => identity.trim()).filter(Boolean),
  };
}

/** NUDGE_IAM: each function's SDK calls are checked against its role (the default), or `off` for none. */
export function iamEnforcementFromEnv(env: Record<string, string | undefined> = process.env): boolean {
  const raw = (env.NUDGE_IAM ?? 'on').toLowerCase();
  if (raw !== 'on' && raw !== 'off') throw new Error(`NUDGE_IAM=${env.NUDGE_IAM} must be "on" or "off"`);
  return raw === 'on';
}
