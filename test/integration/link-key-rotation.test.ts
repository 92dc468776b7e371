import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { parseKeyring } from '#shared/domain/link-keyring.ts';
import { signLink } from '#shared/domain/link-tokens.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { nudgeClient, uniqueId, type SesEmail } from './support/nudge-client.ts';
import { subscriberEvents } from './support/subscriber-events.ts';

const run = promisify(execFile);

/** The key id a token names (`<kid>.<payload>.<signature>`). */
const kidOf = (url: string) => /\/u\/([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.exec(url)?.[1];
const unsubscribeUrl = (email: SesEmail) => /Unsubscribe: (\S+\/u\/\S+)/.exec(email.body.text ?? '')?.[1] ?? '';

/**
 * `nudge keys rotate` on the running local system, run as an operator runs it: links already in
 * inboxes keep working, the link endpoint accepts the new key at once, and new emails carry the
 * new key id once the dispatcher's cached keyring has aged out (an hour of simulated time).
 */
describe('rotating the link key', () => {
  const nudge = nudgeClient();
  const { welcomed } = subscriberEvents(nudge);
  const secrets = new SecretsManagerClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: nudge.context.endpoints.eventBridge });
  const keyring = async () => parseKeyring((await secrets.send(new GetSecretValueCommand({ SecretId: nudge.output('LinkSecretArn') }))).SecretString ?? '');
  const rotate = async () => {
    const { stdout } = await run(process.execPath, [join(process.cwd(), 'bin/nudge.js'), 'keys', 'rotate', '--json'], {
      env: { ...process.env, NUDGE_EVENTBRIDGE_PORT: new URL(nudge.context.endpoints.eventBridge).port },
    });
    return JSON.parse(stdout) as { current: string; previous: Array<{ id: string }>; dropped: string[] };
  };
  const unsubscribe = (url: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });

  it('an unsubscribe link sent before a rotation still unsubscribes after it; new emails are signed with the new key', async () => {
    const before = await keyring();
    const early = uniqueId('rot-early');
    const oldUrl = unsubscribeUrl(await welcomed(early));
    expect(kidOf(oldUrl)).toBe(before.current.id);
    // The link function has just read the keyring (a visit seconds before the rotation, as on a busy day).
    expect((await fetch(oldUrl)).status).toBe(200);

    const rotation = await rotate();
    const after = await keyring();
    expect(rotation.current).toBe(after.current.id);
    expect(after.current.id).not.toBe(before.current.id);
    expect(after.previous.map((k) => k.id)).toContain(before.current.id);

    // A link signed with the new key verifies at once: the link function re-reads the keyring on an unknown key id.
    const probe = signLink({ a: 'unsubscribe', c: uniqueId('rot-probe'), s: 'probe', k: 'marketing' }, after.current, await nudge.now());
    expect(await (await fetch(`${oldUrl.slice(0, oldUrl.indexOf('/u/'))}/u/${probe}`)).text()).toContain('<form method="post">');

    // The old link, a week later: still unsubscribes.
    await nudge.advanceClock('7d');
    const posted = await unsubscribe(oldUrl);
    expect(posted.status).toBe(200);
    expect(await posted.text()).toContain('You are unsubscribed');
    await nudge.waitForIdle();
    expect((await nudge.profiles.get(early))?.consent.marketing).toBe('unsubscribed');

    // The dispatcher's cached keyring has aged out (an hour): a new email carries the new key id, and its link works.
    const late = uniqueId('rot-late');
    const newUrl = unsubscribeUrl(await welcomed(late));
    expect(kidOf(newUrl)).toBe(after.current.id);
    expect((await unsubscribe(newUrl)).status).toBe(200);
    await nudge.waitForIdle();
    expect((await nudge.profiles.get(late))?.consent.marketing).toBe('unsubscribed');
  });

  it('a token naming a key the keyring never held, or signed with a stranger key under the current id, is refused', async () => {
    const { current } = await keyring();
    const base = unsubscribeUrl(await welcomed(uniqueId('rot-forged'))).replace(/\/u\/.*$/, '');
    const claims = { a: 'unsubscribe' as const, c: uniqueId('rot-x'), s: 'x', k: 'marketing' };
    const now = await nudge.now();
    for (const key of [{ id: 'k999', key: current.key }, { id: current.id, key: 'a-stranger-key-of-at-least-32-characters!' }]) {
      expect((await fetch(`${base}/u/${signLink(claims, key, now)}`)).status).toBe(400);
    }
  });
});
