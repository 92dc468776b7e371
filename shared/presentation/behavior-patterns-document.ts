import { ENGAGEMENT_BANDS, type BehaviorPatternsReport } from '../domain/reports/behavior-patterns.ts';
import { formatValue } from './format-value.ts';
import type { ReportDocument } from './report-document.ts';

/** The report's weekday index 0 is Monday. */
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const HOURS = Array.from({ length: 24 }, (_, hour) => String(hour));

/**
 * The behavior-patterns report for people: the insights first (what to do), then the population's
 * engagement (summary and distribution), what customers do (event types, the commonest steps from
 * one event to the next), what they care about (categories) and when they are active (local hour
 * by weekday, and by hour alone: when to send).
 */
export function behaviorPatternsDocument(report: BehaviorPatternsReport): ReportDocument {
  const { engagement, activity } = report;
  return {
    title: `behavior patterns, last ${report.period.days} days (${report.period.from} to ${report.period.to})`,
    generatedAt: report.generatedAt,
    blocks: [
      { kind: 'notes', title: 'Insights', items: report.insights.map((text) => ({ severity: 'info', text })) },
      {
        kind: 'table',
        title: 'Engagement now',
        columns: [
          { key: 'customers', label: 'customers', format: 'int' },
          { key: 'mean', label: 'mean', format: 'number' },
          { key: 'median', label: 'median', format: 'number' },
          { key: 'std', label: 'std', format: 'number' },
          { key: 'high', label: `high (> ${ENGAGEMENT_BANDS.high})`, format: 'int' },
          { key: 'low', label: `low (≤ ${ENGAGEMENT_BANDS.low})`, format: 'int' },
        ],
        rows: [{ customers: engagement.customers, mean: engagement.mean, median: engagement.median, std: engagement.std, high: engagement.high, low: engagement.low }],
      },
      {
        kind: 'bars',
        title: 'Customers by engagement score',
        categories: engagement.histogram.map(({ from, to }) => `${formatValue(from)}–${formatValue(to)}`),
        series: [{ name: 'customers', values: engagement.histogram.map((bucket) => bucket.count) }],
        format: 'int',
      },
      {
        kind: 'table',
        title: 'Events by type',
        columns: [
          { key: 'type', label: 'type', format: 'text' },
          { key: 'count', label: 'count', format: 'int' },
        ],
        rows: report.behaviors.map(({ type, count }) => ({ type, count })),
      },
      {
        kind: 'table',
        title: 'Top transitions within a session',
        columns: [
          { key: 'transition', label: 'from → to', format: 'text' },
          { key: 'count', label: 'count', format: 'int' },
        ],
        rows: report.transitions.map(({ from, to, count }) => ({ transition: `${from} → ${to}`, count })),
      },
      {
        kind: 'bars',
        title: 'Events by category',
        categories: report.categories.map((c) => c.category),
        series: [{ name: 'events', values: report.categories.map((c) => c.count) }],
        format: 'int',
      },
      {
        kind: 'table',
        title: 'Categories',
        columns: [
          { key: 'category', label: 'category', format: 'text' },
          { key: 'count', label: 'events', format: 'int' },
          { key: 'share', label: 'share', format: 'percent' },
        ],
        rows: report.categories.map(({ category, count, share }) => ({ category, count, share })),
      },
      { kind: 'heatmap', title: "Events by customers' local hour and weekday", rows: WEEKDAYS, columns: HOURS, values: activity.hourByWeekday },
      { kind: 'bars', title: "Events by customers' local hour", categories: HOURS, series: [{ name: 'events', values: activity.byHour }], format: 'int' },
    ],
  };
}
