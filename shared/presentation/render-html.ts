import { escapeHtml as e } from '../domain/html.ts';
import { seriesColor } from './chart-scale.ts';
import { formatValue, isNumericColumn } from './format-value.ts';
import { checkDocument, type Block, type CellValue, type ReportDocument } from './report-document.ts';
import { chartSvg, type ChartBlock } from './svg-charts.ts';

/**
 * A report as one self-contained HTML page: inline style, charts as inline SVG, no script, font or
 * URL to fetch (the Content-Security-Policy forbids them, so even a label that escaped escaping could
 * not run). Every text from the document is escaped: labels come from user catalogs.
 */
export function renderHtml(doc: ReportDocument): string {
  checkDocument(doc);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${e(doc.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>${e(doc.title)}</h1>
${doc.subtitle ? `<p class="subtitle">${e(doc.subtitle)}</p>\n` : ''}<p class="generated">Generated <time datetime="${e(doc.generatedAt)}">${e(doc.generatedAt)}</time></p>
</header>
${doc.blocks.map((block, i) => blockHtml(block, `block-${i + 1}`)).join('\n')}
</main>
</body>
</html>
`;
}

function blockHtml(block: Block, id: string): string {
  switch (block.kind) {
    case 'notes':
      return notesHtml(block, id);
    case 'table':
      return tableHtml(block, id);
    default:
      return figureHtml(block, id);
  }
}

function notesHtml(block: Extract<Block, { kind: 'notes' }>, id: string): string {
  const items = block.items.map((item) => `<li class="note note-${e(item.severity)}"><span class="severity">${e(item.severity)}</span> ${e(item.text)}</li>`);
  return `<section class="block" aria-labelledby="${id}-title">
<h2 id="${id}-title">${e(block.title)}</h2>
${items.length > 0 ? `<ul class="notes">${items.join('')}</ul>` : '<p class="empty">Nothing to note.</p>'}
</section>`;
}

/** A real table: column headers, the first cell of each row as its header, the footer (totals) in tfoot. Scrolls sideways on its own when too wide. */
function tableHtml(block: Extract<Block, { kind: 'table' }>, id: string): string {
  const all = [...block.rows, ...(block.footer ? [block.footer] : [])];
  const numeric = block.columns.map((column) => isNumericColumn(column.format, all.map((row) => row[column.key] ?? null)));
  const cls = (i: number) => (numeric[i] ? ' class="num"' : '');
  const row = (cells: Record<string, CellValue>) =>
    `<tr>${block.columns
      .map((column, i) => {
        const tag = i === 0 ? 'th scope="row"' : 'td';
        return `<${tag}${cls(i)}>${e(formatValue(cells[column.key] ?? null, column.format))}</${i === 0 ? 'th' : 'td'}>`;
      })
      .join('')}</tr>`;
  const body = block.rows.length > 0 ? block.rows.map(row).join('\n') : `<tr><td class="empty" colspan="${block.columns.length}">No rows.</td></tr>`;
  return `<section class="block" aria-labelledby="${id}-title">
<h2 id="${id}-title">${e(block.title)}</h2>
<div class="table-scroll" role="region" aria-labelledby="${id}-title" tabindex="0">
<table>
<thead><tr>${block.columns.map((column, i) => `<th scope="col"${cls(i)}>${e(column.label)}</th>`).join('')}</tr></thead>
<tbody>
${body}
</tbody>${block.footer ? `\n<tfoot>${row(block.footer)}</tfoot>` : ''}
</table>
</div>
</section>`;
}

function figureHtml(block: ChartBlock, id: string): string {
  const series = block.kind === 'lines' || block.kind === 'bars' ? block.series : [];
  const legend =
    series.length > 1
      ? `<ul class="legend">${series.map((s, i) => `<li><span class="swatch" style="background:${seriesColor(i)}"></span>${e(s.name)}</li>`).join('')}</ul>\n`
      : '';
  return `<figure class="block" data-chart="${block.kind}">
<figcaption>${e(block.title)}</figcaption>
${legend}${chartSvg(block, id)}
</figure>`;
}

const STYLE = `
:root { color-scheme: light; --text: #1f2937; --muted: #4b5563; --line: #e5e7eb; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f4f6; color: var(--text); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; overflow-wrap: anywhere; }
main { max-width: 960px; margin: 0 auto; padding: 24px 16px 48px; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 4px; }
.subtitle, .generated { color: var(--muted); margin: 0; }
.block { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px; margin: 16px 0; min-width: 0; }
h2, figcaption { font-size: 1.1rem; font-weight: 600; margin: 0 0 12px; }
figure svg { display: block; width: 100%; height: auto; }
svg text { fill: #374151; }
svg .heading { font-weight: 600; fill: var(--text); }
svg .no-data { fill: var(--muted); }
svg .grid { stroke: var(--line); }
svg .grid.zero { stroke: #9ca3af; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 16px; padding: 0; margin: 0 0 8px; font-size: 0.9rem; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.table-scroll { overflow-x: auto; }
table { border-collapse: collapse; white-space: nowrap; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 10px; text-align: left; border-bottom: 1px solid var(--line); }
thead th { border-bottom: 2px solid #d1d5db; }
tbody th { font-weight: 500; }
tfoot th, tfoot td { font-weight: 600; border-top: 2px solid #d1d5db; border-bottom: 0; }
.num { text-align: right; }
.empty { color: var(--muted); }
.notes { list-style: none; padding: 0; margin: 0; }
.note { margin: 6px 0; padding: 8px 12px; border-left: 4px solid; border-radius: 4px; }
.note-info { border-color: #2563eb; background: #eff6ff; }
.note-warning { border-color: #b45309; background: #fffbeb; }
.note-critical { border-color: #b91c1c; background: #fef2f2; }
.severity { margin-right: 6px; font-size: 0.75rem; font-weight: 700; letter-spacing: 0.05em; text-transform: uppercase; }
@media (max-width: 480px) { main { padding: 16px 8px 32px; } .block { padding: 12px; } }
`;
