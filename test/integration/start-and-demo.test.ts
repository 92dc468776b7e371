import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { startLocalNudge, type LocalNudge } from './support/start-local-nudge.ts';

/**
 * The README's start command, as a newcomer runs it: `npm start` boots, prints one line per
 * endpoint and `ready`, replays the demo scenario, and the demo's emails land in the local SES store.
 */
describe('npm start with the demo', () => {
  let nudge: LocalNudge | undefined;

  afterAll(async () => {
    if (nudge) expect(await nudge.stop()).toBe(0);
  });

  it('prints the endpoints and ready within 60 s, then the demo summary with the expected emails', async () => {
    nudge = await startLocalNudge({ demo: true, waitFor: /Ctrl-C stops everything/, timeoutMs: 180_000 });
    const output = nudge.output();
    const readyAt = output.indexOf('ready');
    for (const name of ['EventBridge', 'DynamoDB', 'SQS', 'SES']) {
      const line = output.indexOf(`${name} `);
      expect(line, `${name} endpoint line`).toBeGreaterThanOrEqual(0);
      expect(line, `${name} printed before ready`).toBeLessThan(readyAt);
    }
    const startup = /ready \((\d+(?:\.\d+)?) s\)/.exec(output);
    expect(Number(startup?.[1])).toBeLessThan(60);

    // Every welcome series sends its welcome at once (the README's count); what follows depends on caps.
    expect(output).toMatch(new RegExp(`seq_welcome_series__hello\\s+${expectedWelcomes()} sent`));
    expect(output).toMatch(/seq_cart_recovery__reminder\s+[1-9]\d* sent/);
    // The summary (from the send ledger) and the SES store agree on what was sent.
    const sentPerStep = [...output.matchAll(/^ {2}\w+\s+(\d+) sent/gm)].map((m) => Number(m[1]));
    const inStore = Number(/(\d+) emails are in the local SES store/.exec(output)?.[1]);
    expect(sentPerStep.reduce((a, b) => a + b, 0)).toBe(inStore);
    const store = (await (await fetch(`http://127.0.0.1:${nudge.ports.ses}/store`)).json()) as { emails: Array<{ body: { html?: string } }> };
    expect(store.emails).toHaveLength(inStore);

    // The unsubscribe link of a demo email, as the SES web UI renders it, opens the confirmation page.
    const link = /<a href="(http:\/\/127\.0\.0\.1:\d+\/_url\/[^"]+\/u\/[^"]+)"[^>]*>Unsubscribe<\/a>/.exec(store.emails[0]?.body.html ?? '')?.[1];
    expect(link, 'an unsubscribe link in the first demo email').toBeDefined();
    const page = await fetch(link!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    // Startup is held to 60 s above; the demo after it replays a scenario through the whole system,
    // which on a loaded CI machine took longer than the suite's default 60 s per test.
  }, 240_000);
});

/** The number of welcome series the scenario's README states (and its unit test re-derives from the file). */
function expectedWelcomes(): number {
  const readme = readFileSync(new URL('../../events/scenarios/README.md', import.meta.url), 'utf8');
  const stated = /\*\*(\d+) welcome series\*\*/.exec(readme);
  if (!stated) throw new Error('events/scenarios/README.md must state "**<n> welcome series**"');
  return Number(stated[1]);
}
