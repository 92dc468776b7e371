import { controlUrl } from '#local/config.ts';

export type LocalStatus = {
  endpoints: { eventBridge: string; dynamodb: string; sqs: string; ses: string };
  outputs: Record<string, string>;
  now: string;
};

export class LocalSystemUnavailableError extends Error {
  override name = 'LocalSystemUnavailableError';
}

/** Talks to the control API of a running `npm start` (beside its EventBridge endpoint). */
export async function callLocal<T>(route: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const url = `${controlUrl()}/${route}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: init?.method ?? 'GET',
      ...(init?.body !== undefined ? { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } } : {}),
    });
  } catch {
    throw new LocalSystemUnavailableError(
      `no local Nudge answers at ${url}; start it with \`npm start\` (or set NUDGE_EVENTBRIDGE_PORT to its port)`,
    );
  }
  const body = (await response.json()) as T & { message?: string };
  if (!response.ok) throw new Error(body.message ?? `${url} answered ${response.status}`);
  return body;
}
