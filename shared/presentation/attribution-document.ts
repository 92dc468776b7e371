import { ATTRIBUTION_MODELS, type AttributionModel, type RoiRow } from '../domain/reports/attribution.ts';
import type { AttributionReport } from '../domain/reports/attribution-report.ts';
import { formatValue } from './format-value.ts';
import type { CellValue, ReportDocument } from './report-document.ts';

const MODEL_LABELS: Record<AttributionModel, string> = {
  first_touch: 'first touch',
  last_touch: 'last touch',
  linear: 'linear',
  time_decay: 'time decay',
  position_based: 'position based',
};

/**
 * The attribution report for people: what was converted and how it was credited; each campaign's
 * revenue under the five models side by side (how much the answer depends on the model) and in a
 * table with the conversions; the return on sending cost under the chosen model; and the newest
 * conversions with the campaigns that model credits. Without conversions a single note says so.
 */
export function attributionDocument(report: AttributionReport): ReportDocument {
  const { period, conversions, roi } = report;
  const model = MODEL_LABELS[report.model];
  const head = { title: `attribution, last ${period.days} days (${period.from} to ${period.to})`, generatedAt: report.generatedAt };
  if (conversions.count === 0) {
    return { ...head, blocks: [{ kind: 'notes', title: 'Summary', items: [{ severity: 'info', text: 'No conversions in the period yet: nothing to attribute.' }] }] };
  }
  const modelColumns = ATTRIBUTION_MODELS.map((m) => ({ key: m, label: MODEL_LABELS[m], format: 'number' as const }));
  return {
    ...head,
    blocks: [
      {
        kind: 'notes',
        title: 'Summary',
        items: [
          { severity: 'info', text: `Conversions: ${conversions.count}, revenue ${formatValue(conversions.revenue, 'money')}.` },
          // Said even when 0: it is what separates the campaigns' total from all revenue.
          { severity: 'info', text: `Lookback: ${describeLookback(report.windowHours)}; every email sent within it is a touch, an open or click a stronger one. ${conversions.withoutTouches} of the conversions had no email within it and are credited to no campaign.` },
          { severity: 'info', text: `Time decay weighs a touch ${describeTimeDecay(report.timeDecay)} before the conversion, twice for an open and four times for a click.` },
          { severity: 'info', text: `ROI under the ${model} model, at ${formatValue(roi.costPerThousandSends, 'money')} per 1,000 sends.` },
        ],
      },
      {
        kind: 'bars',
        title: 'Revenue by model',
        categories: report.models.map((row) => row.campaignId),
        series: ATTRIBUTION_MODELS.map((m) => ({ name: MODEL_LABELS[m], values: report.models.map((row) => row.models[m].revenue) })),
        format: 'money',
      },
      {
        kind: 'table',
        title: 'Revenue (conversions) by campaign and model',
        // Two values to a cell, preformatted, as 'number' for alignment: ten columns would not fit a terminal.
        columns: [{ key: 'campaign', label: 'campaign', format: 'text' }, ...modelColumns],
        rows: report.models.map((row) => ({
          campaign: row.campaignId,
          ...Object.fromEntries(ATTRIBUTION_MODELS.map((m) => [m, `${formatValue(row.models[m].revenue, 'money')} (${formatValue(row.models[m].conversions)})`])),
        })),
      },
      {
        kind: 'table',
        title: `Return on sending cost (${model})`,
        columns: [
          { key: 'campaign', label: 'campaign', format: 'text' },
          { key: 'sends', label: 'sends', format: 'int' },
          { key: 'revenue', label: 'revenue', format: 'money' },
          { key: 'cost', label: 'cost', format: 'money' },
          { key: 'roi', label: 'ROI', format: 'signed_percent' },
        ],
        rows: roi.campaigns.map((row) => roiCells(row.campaignId, row)),
        footer: roiCells('total', roi.totals),
      },
      {
        kind: 'table',
        title: `Newest conversions (${report.recent.length} of ${conversions.count}), credited by ${model}`,
        columns: [
          { key: 'time', label: 'time', format: 'text' },
          { key: 'customer', label: 'customer', format: 'text' },
          { key: 'revenue', label: 'revenue', format: 'money' },
          { key: 'touches', label: 'touches', format: 'int' },
          { key: 'credited', label: 'credited campaigns', format: 'text' },
        ],
        rows: report.recent.map(({ convertedAt, customerId, revenue, touches, credits }) => {
          const credited = credits[report.model];
          return {
            time: convertedAt,
            customer: customerId,
            revenue,
            touches,
            credited: credited.length > 0 ? credited.map((c) => `${c.campaignId} ${formatValue(c.credit, 'percent')}`).join(', ') : null,
          };
        }),
      },
      {
        kind: 'table',
        title: 'Per model, per conversion',
        columns: [
          { key: 'model', label: 'model', format: 'text' },
          { key: 'conversions', label: 'conversions credited', format: 'int' },
          { key: 'revenue', label: 'revenue credited', format: 'money' },
          { key: 'averageRevenue', label: 'revenue per conversion', format: 'money' },
          { key: 'averageTouches', label: 'campaigns per conversion', format: 'number' },
        ],
        rows: report.perModel.map((row) => ({ model: MODEL_LABELS[row.model], conversions: row.conversions, revenue: row.revenue, averageRevenue: row.averageRevenue, averageTouches: row.averageTouches })),
        footer: {
          model: 'no touch',
          conversions: conversions.withoutTouches,
          revenue: null,
          averageRevenue: null,
          averageTouches: conversions.withoutTouchesShare === null ? null : `${formatValue(conversions.withoutTouchesShare, 'percent')} of conversions`,
        },
      },
    ],
  };
}

function roiCells(campaign: string, { sends, revenue, cost, roi }: Omit<RoiRow, 'campaignId'>): Record<string, CellValue> {
  return { campaign, sends, revenue, cost, roi };
}

function describeLookback(hours: number): string {
  return hours % 24 === 0 ? `${hours / 24} days` : `${hours} hours`;
}

function describeTimeDecay(decay: AttributionReport['timeDecay']): string {
  return decay.curve === 'half_life' ? `by a ${decay.days}-day half-life (half the weight for each ${decay.days} days)` : `by e^(−days/${decay.days}) (document 000's curve: half the weight every ${(decay.days * Math.LN2).toFixed(2)} days)`;
}
