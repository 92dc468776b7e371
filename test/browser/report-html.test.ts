import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportDocument } from '#shared/presentation/report-document.ts';
import { renderHtml } from '#shared/presentation/render-html.ts';

/**
 * The HTML report as a browser really draws it: Debian's Chromium, headless, through playwright-core
 * (which downloads no browser of its own). Screenshots go to test-results/ for a look by eye.
 */

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = 'test-results';
const WIDTHS = [1280, 390] as const;

const days = Array.from({ length: 30 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`);
const MODELS = ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based'];
const document: ReportDocument = {
  title: 'Every block <kind>',
  subtitle: 'last 30 days',
  generatedAt: '2026-11-30T12:00:00.000Z',
  blocks: [
    { kind: 'notes', title: 'Advice', items: [{ severity: 'info', text: 'welcome_series is doing fine' }, { severity: 'warning', text: 'Opens are 4.5% above the control' }, { severity: 'critical', text: 'Unsubscribes are up 35%' }] },
    {
      kind: 'table',
      title: 'Rules and sequence steps',
      columns: [
        { key: 'trigger', label: 'trigger', format: 'text' },
        ...['matched', 'fired', 'suppressed', 'sent', 'delivered'].map((key) => ({ key, label: key, format: 'int' as const })),
        { key: 'open', label: 'open', format: 'percent' },
        { key: 'click', label: 'click', format: 'percent' },
        { key: 'converted', label: 'converted', format: 'int' },
        { key: 'revenue', label: 'revenue', format: 'money' },
        { key: 'allTimeSent', label: 'all-time sent', format: 'int' },
        { key: 'allTimeRevenue', label: 'all-time revenue', format: 'money' },
      ],
      rows: ['cart_abandonment_1hour', 'seq_welcome_series__hello', 'browse_abandonment'].map((trigger, i) => ({
        trigger,
        matched: 1200 + i,
        fired: 900,
        suppressed: 300,
        sent: 880,
        delivered: 870,
        open: 0.4321,
        click: i === 2 ? null : 0.05,
        converted: 12,
        revenue: 12_345.6,
        allTimeSent: 15_000,
        allTimeRevenue: 98_765.43,
      })),
      footer: { trigger: 'total', matched: 3603, fired: 2700, suppressed: 900, sent: 2640, delivered: 2610, open: 0.4321, click: 0.05, converted: 36, revenue: 37_036.8, allTimeSent: 45_000, allTimeRevenue: 296_296.29 },
    },
    {
      kind: 'lines',
      title: 'Opens and clicks per day',
      x: days,
      series: [
        { name: 'opened', values: days.map((_, i) => (i === 10 || i === 11 ? null : 40 + ((i * 17) % 23))) },
        { name: 'clicked', values: days.map((_, i) => (i * 7) % 11) },
      ],
      format: 'int',
    },
    {
      kind: 'funnel',
      title: 'Last 30 days, from sent to converted',
      funnels: [
        { name: 'cart_abandonment_1hour', steps: [{ label: 'sent', value: 880 }, { label: 'delivered', value: 870 }, { label: 'opened', value: 376 }, { label: 'clicked', value: 44 }, { label: 'converted', value: 12 }] },
        { name: 'seq_welcome_series__hello', steps: [{ label: 'sent', value: 120 }, { label: 'delivered', value: 118 }, { label: 'opened', value: 61 }, { label: 'clicked', value: 9 }, { label: 'converted', value: 0 }] },
      ],
    },
    {
      kind: 'bars',
      title: 'Revenue by attribution model',
      categories: ['cart_abandonment_1hour', 'seq_welcome_series', 'winback_<30d>'],
      series: MODELS.map((name, m) => ({ name, values: [1200 - m * 100, 400 + m * 80, 150 + m * 10] })),
      format: 'money',
    },
    {
      kind: 'heatmap',
      title: 'Opens by hour (UTC) and weekday',
      rows: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
      columns: Array.from({ length: 24 }, (_, h) => String(h)),
      values: Array.from({ length: 7 }, (_, d) => Array.from({ length: 24 }, (_, h) => (d === 0 && h === 0 ? 0 : 1 + ((d + 2) * (h + 5)) % 40))),
    },
  ],
};

/** What each chart's marks must say, in page order. */
const expectedMarks: Record<string, number[]> = {
  lines: document.blocks.flatMap((block) => (block.kind === 'lines' ? block.series.flatMap((series) => series.values.filter((value): value is number => value !== null)) : [])),
  funnel: document.blocks.flatMap((block) => (block.kind === 'funnel' ? block.funnels.flatMap((funnel) => funnel.steps.map((step) => step.value)) : [])),
  bars: document.blocks.flatMap((block) => (block.kind === 'bars' ? block.categories.flatMap((_, c) => block.series.map((series) => series.values[c]!)) : [])),
  heatmap: document.blocks.flatMap((block) => (block.kind === 'heatmap' ? block.values.flat() : [])),
};

let workDir: string;
let context: BrowserContext;
let page: Page;
const requests: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's Chromium. Install it with: apt-get update && apt-get install -y chromium`);
  }
  workDir = await mkdtemp(join(tmpdir(), 'nudge-report-html-'));
  const file = join(workDir, 'report.html');
  await writeFile(file, renderHtml(document));
  // A fresh profile each run; the flags keep Chromium off the network (this machine has none).
  context = await chromium.launchPersistentContext(join(workDir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(pathToFileURL(file).href);
  await mkdir(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await context?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe.each(WIDTHS)('the HTML report in Chromium at %d px', (width) => {
  beforeAll(async () => {
    await page.setViewportSize({ width, height: 900 });
  });

  it('draws every chart: each SVG has a size, and its marks are the data', async () => {
    const charts = await page.$$eval('figure[data-chart]', (figures) =>
      figures.map((figure) => {
        const box = figure.querySelector('svg')!.getBoundingClientRect();
        return { kind: figure.getAttribute('data-chart')!, width: box.width, height: box.height, marks: [...figure.querySelectorAll('[data-value]')].map((mark) => Number(mark.getAttribute('data-value'))) };
      }),
    );
    expect(charts.map((chart) => chart.kind)).toEqual(['lines', 'funnel', 'bars', 'heatmap']);
    for (const chart of charts) {
      expect(chart.width, chart.kind).toBeGreaterThan(100);
      expect(chart.height, chart.kind).toBeGreaterThan(50);
      expect(chart.marks, chart.kind).toEqual(expectedMarks[chart.kind]);
    }
  });

  it('draws the marks inside their chart, bars with a width that grows with the value', async () => {
    const outside = await page.$$eval('figure[data-chart] svg', (svgs) =>
      svgs.flatMap((svg) => {
        const frame = svg.getBoundingClientRect();
        return [...svg.querySelectorAll('[data-value]')].filter((mark) => {
          const box = mark.getBoundingClientRect();
          return box.left < frame.left - 1 || box.right > frame.right + 1 || box.top < frame.top - 1 || box.bottom > frame.bottom + 1;
        }).length;
      }),
    );
    expect(outside).toEqual([0, 0, 0, 0]);
    const bars = await page.$$eval('figure[data-chart="bars"] [data-value]', (marks) => marks.map((mark) => ({ value: Number(mark.getAttribute('data-value')), width: mark.getBoundingClientRect().width })));
    const byValue = [...bars].sort((a, b) => a.value - b.value);
    expect(byValue[0]!.width).toBeGreaterThan(0);
    expect(byValue.at(-1)!.width).toBeGreaterThan(byValue[0]!.width * 5);
  });

  it('colors the smallest and the largest heatmap cells differently', async () => {
    const fills = await page.$$eval('figure[data-chart="heatmap"] [data-value]', (cells) => cells.map((cell) => ({ value: Number(cell.getAttribute('data-value')), fill: cell.ownerDocument.defaultView!.getComputedStyle(cell).fill })));
    const values = fills.map((cell) => cell.value);
    const fillOf = (value: number) => fills.find((cell) => cell.value === value)!.fill;
    expect(fillOf(Math.min(...values))).toMatch(/^rgb\(/);
    expect(fillOf(Math.min(...values))).not.toBe(fillOf(Math.max(...values)));
  });

  it('fits the viewport: nothing overflows sideways, the wide table scrolls inside its own box', async () => {
    const viewport = page.viewportSize()!.width;
    expect(viewport).toBe(width);
    expect(await page.$eval('html', (html) => html.scrollWidth)).toBeLessThanOrEqual(viewport);
    const table = await page.$eval('.table-scroll', (box) => ({ scrollWidth: box.scrollWidth, clientWidth: box.clientWidth, right: box.getBoundingClientRect().right }));
    expect(table.right).toBeLessThanOrEqual(viewport);
    if (width === 390) expect(table.scrollWidth).toBeGreaterThan(table.clientWidth);
    // Cells inside the scrolling table extend past it by design; everything else stays in view.
    const stray = await page.$$eval(
      'main *',
      (elements, limit) => elements.filter((element) => !element.closest('.table-scroll') && element.getBoundingClientRect().right > limit + 0.5).map((element) => element.outerHTML.slice(0, 80)),
      viewport,
    );
    expect(stray).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, `report-html-${width}.png`), fullPage: true });
  });

  it('loads nothing but the page itself and logs no error', () => {
    expect(new Set(requests)).toEqual(new Set([requests[0]]));
    expect(requests[0]).toMatch(/^file:\/\/.*report\.html$/);
    expect(consoleErrors).toEqual([]);
  });
});
