import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
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

    // Recipients behave (issue 21 item 4): the SES event stream marks deliveries, the seeded readers
    // open, click and buy through the public endpoints, and the summary and the reports show it.
    const funnel = (step: string) => {
      const line = new RegExp(`^ {2}${step}\\s+.*; (\\d+) delivered, (\\d+) opened, (\\d+) clicked, (\\d+) converted, ([\\d.]+) revenue$`, 'm').exec(output);
      expect(line, `${step}'s funnel line`).not.toBeNull();
      const [delivered, opened, clicked, converted, revenue] = line!.slice(1).map(Number) as [number, number, number, number, number];
      return { delivered, opened, clicked, converted, revenue };
    };
    const hello = funnel('seq_welcome_series__hello');
    // Every welcome but the simulator's bounce is delivered; the complaint was delivered first.
    expect(hello.delivered).toBe(expectedWelcomes() - 1);
    expect(hello.opened).toBeGreaterThan(0);
    expect(funnel('seq_cart_recovery__reminder').delivered).toBeGreaterThan(0);
    const totals = [...output.matchAll(/; \d+ delivered, \d+ opened, (\d+) clicked, (\d+) converted, ([\d.]+) revenue$/gm)].map((m) => m.slice(1).map(Number));
    expect(totals.reduce((sum, [clicked]) => sum + clicked!, 0)).toBeGreaterThan(0);
    expect(totals.reduce((sum, [, converted]) => sum + converted!, 0)).toBeGreaterThan(0);
    expect(output).toMatch(/Recipients \(seeded, .*\): read [1-9]\d* of \d+ emails, clicked [1-9]\d*, bought [1-9]\d* times after a click/);
    const attribution = JSON.parse(await nudgeCli(nudge.ports.eventBridge, 'report', 'attribution', '--json')) as { totals?: unknown };
    expect(JSON.stringify(attribution)).toMatch(/"revenue":\s*[1-9]/);
    // Startup is held to 60 s above; the demo after it replays a scenario through the whole system,
    // which on a loaded CI machine took longer than the suite's default 60 s per test.
  }, 240_000);
});

/** `nudge <args>` against the demo's system, as a user runs it in a second terminal. */
async function nudgeCli(eventBridgePort: number, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(process.cwd(), 'bin/nudge.js'), ...args], {
    env: { ...process.env, NUDGE_EVENTBRIDGE_PORT: String(eventBridgePort) },
    maxBuffer: 32 * 1024 * 1024,
  });
  return stdout;
}

/** The number of welcome series the scenario's README states (and its unit test re-derives from the file). */
function expectedWelcomes(): number {
  const readme = readFileSync(new URL('../../events/scenarios/README.md', import.meta.url), 'utf8');
  const stated = /\*\*(\d+) welcome series\*\*/.exec(readme);
  if (!stated) throw new Error('events/scenarios/README.md must state "**<n> welcome series**"');
  return Number(stated[1]);
}
