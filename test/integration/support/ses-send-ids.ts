import type { SesEmail } from './nudge-client.ts';

/**
 * The sendId an email in the local SES store was sent for, read from its signed open-pixel or
 * unsubscribe link (`<kid>.<payload>.<signature>`; the payload is base64url JSON with the send id as `s`). The store keeps
 * no SES message tags, so this is how a test tells two emails of one customer apart.
 */
export function sendIdOf(email: SesEmail): string | undefined {
  const text = `${email.body.html ?? ''}\n${email.body.text ?? ''}\n${(email.headers ?? []).map((h) => h.value).join('\n')}`;
  for (const match of text.matchAll(/\/(?:o|u)\/(?:[A-Za-z0-9_-]+\.)?([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+/g)) {
    try {
      const claims = JSON.parse(Buffer.from(match[1]!, 'base64url').toString('utf8')) as { s?: unknown };
      if (typeof claims.s === 'string') return claims.s;
    } catch {
      // Not a link token: keep looking.
    }
  }
  return undefined;
}

/** Every email in the local SES store. */
export async function storedEmails(sesEndpoint: string): Promise<SesEmail[]> {
  return ((await (await fetch(`${sesEndpoint}/store`)).json()) as { emails: SesEmail[] }).emails;
}

/** Send ids that appear on more than one email among `emails` (a double send), with their counts. */
export function repeatedSendIds(emails: SesEmail[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const email of emails) {
    const id = sendIdOf(email);
    if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].filter(([, count]) => count > 1));
}
