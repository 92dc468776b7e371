import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { RunningEmulator } from './dynamodb-local.ts';
import { freePort } from './ports.ts';
import { refusalOf, type SendEmailRequest, type SesAccount } from './ses-account.ts';
import { SesSendingLimits, type SesLimitCounters, type SesLimitsConfig } from './ses-sending-limits.ts';
import { closeServer } from './sqs-local.ts';

export type RunningSes = RunningEmulator & {
  limits: SesSendingLimits;
  /**
   * The account the stack set up (identities, configuration sets and their event destinations) and
   * where SES's events go. Until it is set, SendEmail is checked against the limits only.
   */
  configure(account: SesAccount, publish: SesEventPublisher): void;
};

/** Puts SES's events for an accepted email on the (local) bus. */
export type SesEventPublisher = (request: SendEmailRequest, messageId: string) => void;

/** The SESv2 SendEmail route (REST-JSON). */
const SEND_EMAIL_PATH = '/v2/email/outbound-emails';
const GET_ACCOUNT_PATH = '/v2/email/account';
/** `GET /limits`: the configured limits and how often each refused (for tests and the benchmark). */
export const LIMITS_PATH = '/limits';

export type SesLimitsView = { config: SesLimitsConfig; counters: SesLimitCounters; sendQuota: ReturnType<SesSendingLimits['sendQuota']> };

/**
 * A local SES (npm aws-ses-v2-local): accepts SESv2 SendEmail and shows every email in its web UI
 * at the same address; `GET /store` lists them for tests.
 *
 * aws-ses-v2-local enforces no account limits, so it runs on a private port behind a small proxy
 * that does what SES does before it accepts an email (ses-sending-limits.ts): the sandbox's verified
 * recipients, the maximum send rate and the daily quota, refused with AWS's errors; and it answers
 * GetAccount with the SendQuota those limits make. Everything else passes through unchanged.
 */
/** `quotaNow`: the clock the 24-hour quota counts on (the system's; the rate counts on real time). */
export async function startSesLocal(port: number, limitsConfig: SesLimitsConfig, quotaNow: () => number = Date.now): Promise<RunningSes> {
  const module = (await import('aws-ses-v2-local')) as unknown as {
    default: ((config: { host: string; port: number }) => Promise<Server>) | { default: (config: { host: string; port: number }) => Promise<Server> };
  };
  // CommonJS default export: reached as `.default` or `.default.default` depending on the loader.
  const start = typeof module.default === 'function' ? module.default : module.default.default;
  const upstreamPort = await freePort();
  const upstream = await start({ host: '127.0.0.1', port: upstreamPort });
  const limits = new SesSendingLimits(limitsConfig);
  const setup: AccountSetup = {};

  const proxy = createServer((req, res) => {
    void route(req, res, limits, setup, upstreamPort, quotaNow).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { message: String(error) }, 'InternalFailure');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    limits,
    configure: (account, publish) => {
      setup.account = account;
      setup.publish = publish;
    },
    stop: async () => {
      await closeServer(proxy);
      await closeServer(upstream);
    },
  };
}

type AccountSetup = { account?: SesAccount; publish?: SesEventPublisher };

async function route(req: IncomingMessage, res: ServerResponse, limits: SesSendingLimits, setup: AccountSetup, upstreamPort: number, quotaNow: () => number): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === LIMITS_PATH) {
    const view: SesLimitsView = { config: limits.config, counters: limits.counters, sendQuota: limits.sendQuota(quotaNow()) };
    return sendJson(res, 200, view);
  }
  if (req.method === 'GET' && path === GET_ACCOUNT_PATH) {
    return sendJson(res, 200, {
      DedicatedIpAutoWarmupEnabled: false,
      EnforcementStatus: 'HEALTHY',
      ProductionAccessEnabled: !limits.config.sandbox,
      SendingEnabled: true,
      SendQuota: limits.sendQuota(quotaNow()),
    });
  }
  const body = await readBody(req);
  if (req.method === 'POST' && path === SEND_EMAIL_PATH) {
    const request = parseRequest(body);
    // What SES refuses whatever the limits (unknown configuration set, unverified sender, bad tags, size), then the limits.
    const refusal = (request && setup.account ? refusalOf(request, body.length, setup.account) : undefined) ?? limits.admit(recipientsOf(request), Date.now(), quotaNow());
    if (refusal) return sendJson(res, refusal.status, { message: refusal.message }, refusal.errorType);
    const answer = await forwardBuffered(req, body, upstreamPort);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
    // Accepted: SES publishes its events (delivery, bounce, complaint) through the configuration set.
    const messageId = answer.status === 200 ? messageIdOf(answer.body) : undefined;
    if (request && messageId && setup.publish) setup.publish(request, messageId);
    return;
  }
  await forward(req, res, body, upstreamPort);
}

function parseRequest(body: Buffer): SendEmailRequest | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as SendEmailRequest) : undefined;
  } catch {
    // Not JSON: aws-ses-v2-local answers it with its own validation error.
    return undefined;
  }
}

function messageIdOf(body: Buffer): string | undefined {
  try {
    const id = (JSON.parse(body.toString('utf8')) as { MessageId?: unknown }).MessageId;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Every recipient counts against the limits, as in SES (To, Cc and Bcc). */
function recipientsOf(request: SendEmailRequest | undefined): string[] {
  const destination = (request?.Destination ?? {}) as Record<string, unknown>;
  return ['ToAddresses', 'CcAddresses', 'BccAddresses'].flatMap((field) => (Array.isArray(destination[field]) ? (destination[field] as unknown[]).map(String) : []));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(req: IncomingMessage, res: ServerResponse, body: Buffer, upstreamPort: number): Promise<void> {
  // The body was read whole: it goes on with a length, never chunked.
  const { 'transfer-encoding': _chunked, ...headers } = req.headers;
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: { ...headers, 'content-length': String(body.length) } },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
        response.on('end', () => resolve());
        response.on('error', reject);
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

/** The upstream's whole answer, for a SendEmail whose MessageId the events need. */
function forwardBuffered(req: IncomingMessage, body: Buffer, upstreamPort: number): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const { 'transfer-encoding': _chunked, ...headers } = req.headers;
  return new Promise((resolve, reject) => {
    const upstream = httpRequest({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: { ...headers, 'content-length': String(body.length) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const { 'transfer-encoding': _upstreamChunked, ...responseHeaders } = response.headers;
        const answer = Buffer.concat(chunks);
        resolve({ status: response.statusCode ?? 502, headers: { ...responseHeaders, 'content-length': String(answer.length) }, body: answer });
      });
      response.on('error', reject);
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}

/** AWS's REST-JSON error shape: the SDK reads the error name from `x-amzn-ErrorType`. */
function sendJson(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(payload);
}
