import { escapeHtml } from '../domain/html.ts';
import type { SegmentExplanation } from '../domain/segment-explanations.ts';

/**
 * The preference center's HTML: a plain form that works without JavaScript, one labelled checkbox
 * per category inside a fieldset, required categories shown as always on with the reason. Built for
 * a phone first: viewport meta, 48 px tap targets, a visible focus ring, colours at WCAG AA or better
 * (text #1a1a1a and #4a4a4a on white, white on #0b57d0 buttons), nothing wider than the screen.
 * Every piece of text is escaped, the catalog's too: names and descriptions are configuration, the
 * customer's name is user input.
 */
export type PreferenceRow = { id: string; name: string; description: string; on: boolean; required: boolean };

export type PreferenceCenterView = {
  brandName: string;
  firstName?: string | undefined;
  email?: string | undefined;
  subscriptions: PreferenceRow[];
  segments: SegmentExplanation[];
};

/** The form field of a category's checkbox; the server reads every `category` value posted. */
export const CATEGORY_FIELD = 'category';
/** The submit buttons' name: `save` (the checkboxes as they are) or `leave` (every optional category off). */
export const ACTION_FIELD = 'action';

const STYLE = `
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:1.0625rem;line-height:1.5;color:#1a1a1a;background:#fff;margin:0}
main{max-width:36rem;margin:0 auto;padding:1.25rem 1rem 3rem}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:2rem 0 .5rem}
p,li{overflow-wrap:anywhere}
.muted{color:#4a4a4a}
fieldset{border:1px solid #767676;border-radius:.5rem;padding:.5rem 1rem 1rem;margin:0 0 1.25rem}
legend{font-weight:600;padding:0 .25rem}
.choice{display:flex;gap:.75rem;align-items:flex-start;padding:.75rem 0;border-top:1px solid #e0e0e0}
.choice:first-of-type{border-top:0}
.choice input{width:1.5rem;height:1.5rem;margin:.1rem 0 0;flex:none;accent-color:#0b57d0}
.choice label{flex:1;min-height:2.5rem;cursor:pointer}
.choice .name{display:block;font-weight:600}
.choice .description{display:block;color:#4a4a4a;font-size:.95rem}
button{font:inherit;font-weight:600;min-height:3rem;width:100%;padding:.75rem 1rem;border-radius:.5rem;border:2px solid #0b57d0;cursor:pointer;margin:.5rem 0}
.primary{background:#0b57d0;color:#fff}
.secondary{background:#fff;color:#0b57d0}
a{color:#0b57d0}
:focus-visible,input:focus,button:focus{outline:3px solid #1a1a1a;outline-offset:3px}
.notice{border-left:4px solid #0b57d0;background:#eef3fd;padding:.75rem 1rem;margin:0 0 1rem}
ul.reasons{margin:.25rem 0 1rem;padding-left:1.25rem}`;

export function renderPreferenceCenter(view: PreferenceCenterView, notice?: string): string {
  const hello = view.firstName ? `Hello ${escapeHtml(view.firstName)}, choose` : 'Choose';
  const rows = view.subscriptions.map((row) => {
    const id = `category-${escapeHtml(row.id)}`;
    const help = `${id}-help`;
    // A required category cannot be unchecked: disabled and checked, and the description says why.
    const input = row.required
      ? `<input type="checkbox" id="${id}" checked disabled aria-describedby="${help}">`
      : `<input type="checkbox" id="${id}" name="${CATEGORY_FIELD}" value="${escapeHtml(row.id)}"${row.on ? ' checked' : ''} aria-describedby="${help}">`;
    return `<div class="choice">${input}<label for="${id}"><span class="name">${escapeHtml(row.name)}${row.required ? ' (always on)' : ''}</span>
<span class="description" id="${help}">${escapeHtml(row.description)}</span></label></div>`;
  });
  const optional = view.subscriptions.some((row) => !row.required);
  const body = `${notice ? `<p class="notice" role="status">${escapeHtml(notice)}</p>` : ''}
<h1>Your email preferences</h1>
<p>${hello} which emails you get from ${escapeHtml(view.brandName)}${view.email ? ` at <strong>${escapeHtml(view.email)}</strong>` : ''}.</p>
<form method="post">
<fieldset><legend>Emails you get</legend>
${rows.join('\n')}
</fieldset>
<button type="submit" class="primary" name="${ACTION_FIELD}" value="save">Save my choices</button>
${optional ? `<button type="submit" class="secondary" name="${ACTION_FIELD}" value="leave">Unsubscribe from everything I can</button>
<p class="muted">Turning emails off takes effect at once, also for emails already on their way. Emails you turn on may first need your confirmation: we then email you a link.</p>` : ''}
</form>
${segmentsSection(view.segments)}`;
  return layout(`Email preferences - ${view.brandName}`, body);
}

function segmentsSection(segments: SegmentExplanation[]): string {
  if (segments.length === 0) return `<h2>Why you get these emails</h2><p class="muted">We have not put you in any group yet.</p>`;
  const items = segments.map(
    (s) => `<li><strong>${escapeHtml(s.title)}</strong><ul class="reasons">${s.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul></li>`,
  );
  return `<h2>Why you get these emails</h2>
<p class="muted">We group customers by what they do, to send fewer and more useful emails. You are in these groups, because:</p>
<ul>${items.join('\n')}</ul>`;
}

/** A page for outcomes (saved, refused, expired): a heading and a sentence, in the same look. */
export function renderPreferenceMessage(title: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}

/** The confirmation link's page: what it subscribes to and one button (a GET must change nothing: mail scanners prefetch links). */
export function renderConfirmSubscription(view: { brandName: string; categories: string[] }): string {
  const items = view.categories.map((name) => `<li><strong>${escapeHtml(name)}</strong></li>`).join('');
  return layout(
    `Confirm your subscription - ${view.brandName}`,
    `<h1>Confirm your subscription</h1>
<p>You asked to receive these emails from ${escapeHtml(view.brandName)}:</p>
<ul>${items}</ul>
<form method="post"><button type="submit" class="primary">Yes, subscribe me</button></form>
<p class="muted">Did not ask for this? Close this page: nothing changes.</p>`,
  );
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>
${body}
</main></body></html>`;
}
