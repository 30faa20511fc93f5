import { type Document, html, type SafeHtml } from '../../http/pages/html.js';
import { pageCss } from '../../http/pages/styles.js';

/** The panel pages' additions to the shared stylesheet: the menu, filters, lists and form fields. */
export const panelCss = `${pageCss}
nav ul{display:flex;flex-wrap:wrap;gap:.3em 1.2em;list-style:none;margin:.4em 0 .6em;padding:0}
nav form{margin:0;display:inline}
nav button,.link-button{background:none;border:0;padding:0;margin:0;color:#0b3d91;text-decoration:underline;font-weight:400;cursor:pointer}
nav a[aria-current=page]{font-weight:700;text-decoration:none;color:var(--ink)}
.filters{display:flex;flex-wrap:wrap;gap:.6em 1.2em;align-items:flex-end;background:var(--panel);border:.1rem solid #8a8a8a;border-radius:.4em;padding:.7em 1em}
.filters .field{margin:0;flex:1 1 12em;min-width:0}
.filters select,.filters input[type=date]{width:100%}
select,input[type=date],input[type=text].wide{font:inherit;padding:.3em .5em;border:.15rem solid var(--ink);border-radius:.2em;max-width:100%;letter-spacing:normal}
input[type=text].wide{width:100%;max-width:40em}
select:focus-visible,input[type=date]:focus-visible,input[type=checkbox]:focus-visible{outline:.2em solid var(--ink);box-shadow:0 0 0 .35em var(--focus)}
.items{list-style:none;margin:1em 0;padding:0;display:grid;gap:1em}
.item{border:.15rem solid var(--ink);border-left-width:.6rem;border-left-color:var(--said);border-radius:.4em;padding:.6em .9em;overflow-wrap:anywhere}
.item h2,.item h3{font-size:1.05em;margin:0 0 .3em}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:.4em 0}
.facts dt{font-weight:700}
.facts dd{margin:0;overflow-wrap:anywhere}
.tag{display:inline-block;border:.1rem solid var(--ink);border-radius:1em;padding:0 .6em;margin:0 .3em .3em 0;font-size:.85em}
.paging{display:flex;flex-wrap:wrap;gap:1em;margin:1em 0}
.button-link{display:inline-block;font-weight:700;padding:.35em 1em;border:.15rem solid var(--ink);border-radius:.2em;background:var(--did);color:#fff;text-decoration:none}
.button-link:focus-visible{color:var(--ink);background:var(--focus)}
.secondary{background:var(--panel);color:var(--ink)}
.status-done{color:var(--did);font-weight:700}
.status-declined{color:var(--couldnt);font-weight:700}
.status-open{color:var(--doing);font-weight:700}
.field{margin:0 0 1.2em}
.error-summary:focus{outline:.2em solid var(--ink);box-shadow:0 0 0 .35em var(--focus)}
.choice input[type=checkbox]{width:1.6em;height:1.6em}
@media (max-width:30em){.facts{grid-template-columns:1fr}.facts dd{margin-bottom:.4em}}`;

/** Who is signed in, for the menu; absent on the pages shown before sign-in. */
export interface Shell {
  easyRead: boolean;
  /** The form token for the sign-out button (and every form on the page). */
  csrf?: string;
  /** The menu entry of this page, marked `aria-current`. */
  current?: 'feedback' | 'recommendations' | 'new';
  /** This page's address, for the Easy Read switch. */
  here?: string;
}

/** The same page with Easy Read switched on or off (the choice is then kept in the session). */
function switchedUrl(here: string, easyRead: boolean): string {
  const url = new URL(here, 'http://x');
  url.searchParams.set('easyRead', easyRead ? '0' : '1');
  url.searchParams.delete('cursor');
  return `${url.pathname}${url.search}`;
}

function menu(shell: Shell): SafeHtml {
  if (!shell.csrf) return html``;
  const item = (key: NonNullable<Shell['current']>, href: string, label: string) =>
    html`<li><a href="${href}"${shell.current === key ? html` aria-current="page"` : ''}>${label}</a></li>`;
  const easy = shell.easyRead;
  return html`<nav aria-label="Panel">
<ul>
${item('feedback', '/review', easy ? 'Read feedback' : 'Feedback to review')}
${item('new', '/review/recommendations/new', easy ? 'Make a suggestion' : 'Make a recommendation')}
${item('recommendations', '/review/recommendations', easy ? 'My suggestions' : 'My recommendations')}
${shell.here ? html`<li><a href="${switchedUrl(shell.here, easy)}">${easy ? 'Standard pages' : 'Easy Read'}</a></li>` : ''}
<li><form method="post" action="/review/sign-out"><input type="hidden" name="_csrf" value="${shell.csrf}"><button type="submit">Sign out</button></form></li>
</ul>
</nav>`;
}

/** A panel page: skip link, the panel's header and menu, the main content, a short footer. */
export function panelPage(title: string, shell: Shell, body: SafeHtml): Document {
  return {
    title: `${title} – Lived experience panel`,
    assets: { css: panelCss },
    body: html`<a class="jump-link" href="#main">Skip to main content</a>
<header>
<p class="unit">Lived experience panel</p>
${menu(shell)}
</header>
<main id="main" tabindex="-1"${shell.easyRead ? html` class="easy-read"` : ''}>
${body}
</main>
<footer><p>${
      shell.easyRead
        ? 'You see what the ward wrote about feedback. You do not see names.'
        : 'You see the ward’s short summaries of feedback people agreed to share, never their own words or details.'
    }</p></footer>`,
  };
}

export interface FieldError {
  field: string;
  message: string;
}

/** The GOV.UK-style summary at the top of a form that was refused: each error links to its field. */
export function errorSummary(errors: readonly FieldError[], easyRead: boolean): SafeHtml {
  if (errors.length === 0) return html``;
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
<h2 id="error-summary-title">${easyRead ? 'Please check these' : 'There is a problem'}</h2>
<ul>${errors.map((error) => html`<li><a href="#${error.field}">${error.message}</a></li>`)}</ul>
</div>`;
}

export const errorOf = (errors: readonly FieldError[], field: string) => errors.find((error) => error.field === field);

export const errorMessage = (error: FieldError | undefined) =>
  error
    ? html`<p class="error-message" id="${error.field}-error"><span class="visually-hidden">Error:</span> ${error.message}</p>`
    : '';
