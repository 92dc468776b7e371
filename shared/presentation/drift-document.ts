import type { DriftFinding, DriftMetric, DriftReport, DriftSeverity } from '../domain/reports/drift.ts';
import { formatValue } from './format-value.ts';
import type { Block, CellValue, ColumnFormat, ReportDocument, Severity } from './report-document.ts';

const NOTE_SEVERITY: Record<DriftSeverity, Severity> = { critical: 'critical', high: 'warning', medium: 'info' };

/**
 * The drift check for people: which segments drifted and how badly, each with what changed; every
 * finding in a table; then what could not be judged (too little data, no baseline yet), which is
 * never drift but says where the check is blind.
 */
export function driftDocument(report: DriftReport): ReportDocument {
  const drifted = report.segments.flatMap(({ segmentId, severity, findings }) =>
    severity === 'none' ? [] : [{ severity: NOTE_SEVERITY[severity], text: `${segmentId}, ${severity}: ${findings.map((finding) => finding.message).join('; ')}` }],
  );
  const notes = report.segments.flatMap((segment) => segment.notes.map((note) => ({ severity: 'info' as const, text: `${segment.segmentId}: ${note}` })));
  const blocks: Block[] = [
    {
      kind: 'notes',
      title: 'Drifted segments',
      items: drifted.length > 0 ? drifted : [{ severity: 'info', text: report.segments.length > 0 ? `No segment drifted (${report.segments.length} checked).` : 'No segments to check.' }],
    },
    {
      kind: 'table',
      title: 'Findings',
      columns: [
        { key: 'segment', label: 'segment', format: 'text' },
        { key: 'kind', label: 'kind', format: 'text' },
        { key: 'metric', label: 'metric', format: 'text' },
        // Preformatted per metric (a count, a score, an index or a rate), as 'number' for alignment.
        { key: 'baseline', label: 'baseline', format: 'number' },
        { key: 'current', label: 'current', format: 'number' },
        { key: 'change', label: 'change', format: 'number' },
        { key: 'severity', label: 'severity', format: 'text' },
        { key: 'message', label: 'message', format: 'text' },
      ],
      rows: report.segments.flatMap((segment) => segment.findings.map((finding) => findingRow(segment.segmentId, finding))),
    },
  ];
  if (notes.length > 0) blocks.push({ kind: 'notes', title: 'Not judged', items: notes });
  return { title: 'segment drift', subtitle: `${report.drifted} of ${report.segments.length} segments drifted`, generatedAt: report.generatedAt, blocks };
}

/**
 * How each metric's values and change read. Members and rates change relatively (signed_percent);
 * average engagement changes absolutely on its 0..1 scale and a PSI is an index: both plain numbers.
 */
const FORMATS: Record<DriftMetric, { value: ColumnFormat; change: ColumnFormat }> = {
  members: { value: 'int', change: 'signed_percent' },
  average_engagement: { value: 'number', change: 'number' },
  engagement_psi: { value: 'number', change: 'number' },
  revenue_psi: { value: 'number', change: 'number' },
  purchases_psi: { value: 'number', change: 'number' },
  churn_risk_psi: { value: 'number', change: 'number' },
  open_rate: { value: 'percent', change: 'signed_percent' },
  conversion_rate: { value: 'percent', change: 'signed_percent' },
};

function findingRow(segment: string, { kind, metric, baseline, current, change, severity, message }: DriftFinding): Record<string, CellValue> {
  const format = FORMATS[metric];
  const changeText = formatValue(change, format.change);
  return {
    segment,
    kind,
    metric,
    baseline: formatValue(baseline, format.value),
    current: formatValue(current, format.value),
    // A PSI is never negative; an engagement change goes either way, so it shows its sign as lifts do.
    change: metric === 'average_engagement' && Number(changeText) > 0 ? `+${changeText}` : changeText,
    severity,
    message,
  };
}
