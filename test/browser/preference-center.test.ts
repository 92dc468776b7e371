import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { DynamoDecisionLog } from '#shared/adapters/dynamo/decision-log-repository.ts';
import { nudgeClient, uniqueId } from '../integration/support/nudge-client.ts';
import { startLocalNudge, type LocalNudge } from '../integration/support/start-local-nudge.ts';

/**
 * The preference center as a person on a phone uses it: a private local Nudge, a real welcome
 * email in the local SES store, its signed preference link opened in Debian's headless Chromium at
 * 375x812, marketing unchecked and saved with the keyboard only, then the next marketing email
 * suppressed for want of consent. Screenshots go to test-output/preference-center/ and are attached
 * to the test results.
 */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = 'test-output/preference-center';
const PHONE = { width: 375, height: 812 };

let local: LocalNudge;
let nudge: ReturnType<typeof nudgeClient>;
let workDir: string;
let browser: BrowserContext;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's Chromium. Install it with: apt-get update && apt-get install -y chromium`);
  }
  local = await startLocalNudge({ demo: false, waitFor: /ready/, timeoutMs: 180_000 });
  const status = (await (await fetch(`http://127.0.0.1:${local.ports.eventBridge}/_nudge/status`)).json()) as Parameters<typeof nudgeClient>[0];
  nudge = nudgeClient(status);
  workDir = await mkdtemp(join(tmpdir(), 'nudge-preferences-'));
  browser = await chromium.launchPersistentContext(join(workDir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: PHONE,
    isMobile: true,
    hasTouch: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  await mkdir(SCREENSHOTS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
  if (local) {
    const code = await local.stop();
    if (code !== 0) console.error(`local Nudge exited with ${code}:\n${local.output()}`);
  }
});

async function screenshot(context: TestContext, name: string, message: string): Promise<void> {
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await context.annotate(message, 'screenshot', { path, contentType: 'image/png' });
}

/**
 * In-page scripts, as strings: the project compiles without the DOM library (no code of ours may
 * use browser globals by accident), and Chromium evaluates these as written.
 */
const IN_PAGE = {
  scrollWidth: 'document.documentElement.scrollWidth',
  focusedId: "document.activeElement ? document.activeElement.id : ''",
  focusedText: "document.activeElement ? document.activeElement.textContent.trim() : ''",
  focusOutline: 'getComputedStyle(document.activeElement).outlineStyle',
  unlabelled: `[...document.querySelectorAll('input, button')]
    .filter((c) => (c.tagName === 'BUTTON' ? c.textContent.trim() === '' : !(c.labels && c.labels.length)))
    .map((c) => c.outerHTML)`,
  tapHeights: "[...document.querySelectorAll('button, .choice')].map((e) => e.getBoundingClientRect().height)",
  /** WCAG 2.x contrast of every visible text element against the background it sits on (walking up to an opaque one). */
  lowestContrast: `(() => {
    const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
    const channel = (c) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
    const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    const background = (element) => {
      for (let e = element; e; e = e.parentElement) {
        const color = rgb(getComputedStyle(e).backgroundColor);
        if (color.length === 3 || (color.length === 4 && color[3] > 0)) return color.slice(0, 3);
      }
      return [255, 255, 255];
    };
    let lowest = { ratio: 21, text: '', count: 0 };
    for (const element of document.querySelectorAll('body *')) {
      const own = [...element.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== '');
      if (!own || element.offsetParent === null) continue;
      lowest.count += 1;
      const a = luminance(rgb(getComputedStyle(element).color));
      const b = luminance(background(element));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < lowest.ratio) lowest = { ratio, text: element.textContent.trim().slice(0, 60), count: lowest.count };
    }
    return lowest;
  })()`,
};

describe('the preference center in headless Chromium at phone size', () => {
  const customerId = uniqueId('phone');
  const address = `${customerId}@example.com`;
  let preferencesUrl = '';

  const put = async (type: string, properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    await nudge.putEvents([{ detailType: type, detail: { eventId: uniqueId('b'), customerId, occurredAt: (await nudge.now()).toISOString(), properties, ...extra } }]);
    await nudge.waitForIdle();
  };

  it('a subscribed customer gets a marketing email whose footer carries a signed preference link', async () => {
    await nudge.daytime();
    await put('subscribe', { firstName: 'Ana' }, { email: address });
    const [welcome] = await nudge.emailsTo(address);
    preferencesUrl = /href="(https?:\/\/[^"]+\/p\/[^"]+)"/.exec(welcome?.body.html ?? '')?.[1] ?? '';
    expect(preferencesUrl).toMatch(/\/p\/k\d+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('the page fits a phone, labels every input, and its text meets WCAG AA contrast', async (context) => {
    const response = await page.goto(preferencesUrl);
    expect(response?.status()).toBe(200);
    await screenshot(context, '1-preferences', 'The preference center at 375x812, as the welcome email opens it');
    expect(await page.evaluate<number>(IN_PAGE.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(await page.locator('meta[name="viewport"]').getAttribute('content')).toContain('width=device-width');
    const unlabelled = await page.evaluate<string[]>(IN_PAGE.unlabelled);
    expect(unlabelled).toEqual([]);
    expect(await page.locator('fieldset > legend').textContent()).toBe('Emails you get');
    // The link may be forwarded: the address shows masked.
    expect(await page.locator('h1 + p strong').textContent()).toBe(`${address[0]}***@example.com`);
    expect(await page.content()).not.toContain(address);
    expect(await page.getByLabel('Offers and reminders').isChecked()).toBe(true);
    expect(await page.getByLabel('Orders and account (always on)').isDisabled()).toBe(true);
    // Tap targets: every button at least 44 px high (WCAG 2.5.5), checkboxes in rows as tall.
    const heights = await page.evaluate<number[]>(IN_PAGE.tapHeights);
    expect(heights.length).toBeGreaterThanOrEqual(5);
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(44);
    const { ratio, text, count } = await page.evaluate<{ ratio: number; text: string; count: number }>(IN_PAGE.lowestContrast);
    expect(count).toBeGreaterThan(10);
    expect(ratio, `lowest contrast: "${text}"`).toBeGreaterThanOrEqual(4.5);
    await context.annotate(`lowest text contrast ${ratio.toFixed(2)}:1 ("${text}")`);
  });

  it('with the keyboard only: tab to marketing, uncheck it with Space, tab to Save, Enter; the confirmation shows', async (context) => {
    let focused = '';
    for (let tab = 0; tab < 20 && focused !== 'category-marketing'; tab++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate<string>(IN_PAGE.focusedId);
    }
    expect(focused).toBe('category-marketing');
    // The focus is visible: a solid outline on the focused checkbox.
    expect(await page.evaluate<string>(IN_PAGE.focusOutline)).toBe('solid');
    await page.keyboard.press('Space');
    expect(await page.getByLabel('Offers and reminders').isChecked()).toBe(false);
    await screenshot(context, '2-marketing-unchecked', 'Marketing unchecked with the keyboard (focus ring visible)');
    let onSave = false;
    for (let tab = 0; tab < 10 && !onSave; tab++) {
      await page.keyboard.press('Tab');
      onSave = (await page.evaluate<string>(IN_PAGE.focusedText)) === 'Save my choices';
    }
    expect(onSave).toBe(true);
    const [navigation] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(navigation?.status()).toBe(200);
    expect(await page.getByRole('status').textContent()).toBe('Your choices are saved.');
    expect(await page.getByLabel('Offers and reminders').isChecked()).toBe(false);
    await screenshot(context, '3-confirmation', 'The confirmation after saving');
    expect(await page.evaluate<number>(IN_PAGE.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  });

  it('the next marketing email is not sent: suppressed for want of consent', async () => {
    await nudge.waitForIdle();
    expect((await nudge.profiles.get(customerId))?.consent.marketing).toBe('unsubscribed');
    await put('cart_abandon', { cartValue: 120, currency: 'USD', items: [{ productId: 'sku-1', name: 'Linen shirt', quantity: 1, price: 120 }] });
    const decisions = new DynamoDecisionLog(nudge.documentClient, nudge.output('TableName'));
    const [latest] = await decisions.list(customerId, { ruleId: 'cart_abandonment_1hour' });
    expect(latest).toMatchObject({ outcome: 'suppressed', reason: 'no_consent' });
    expect(await nudge.emailsTo(address)).toHaveLength(1); // the welcome only
  });

  it('a tampered link shows the refusal page with a 4xx status and changes nothing', async (context) => {
    const tampered = preferencesUrl.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const response = await page.goto(tampered);
    expect(response?.status()).toBe(400);
    expect(await page.locator('h1').textContent()).toBe('This link is not valid');
    await screenshot(context, '4-tampered-link', 'A tampered preference link is refused (400)');
    expect(await page.locator('form').count()).toBe(0);
  });
});
