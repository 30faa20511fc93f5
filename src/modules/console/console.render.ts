import { type Document, html, type SafeHtml } from '../../http/pages/html.js';
import { pageCss } from '../../http/pages/styles.js';
import type { Principal } from '../auth/auth.service.js';
import type { SignInRefusal } from './console-sign-in.service.js';

/** The console's additions to the shared stylesheet: smaller type than a wall board, a button link. */
const consoleCss = `${pageCss}
body{font-size:clamp(1rem,.95rem + .3vw,1.25rem)}
.button-link{display:inline-block;font-weight:700;padding:.45em 1.1em;border:.15rem solid var(--ink);border-radius:.2em;background:var(--did);color:#fff;text-decoration:none}
.button-link:focus-visible{color:var(--ink);background:var(--focus);outline:.2em solid var(--ink)}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:.4em 0}
.facts dt{font-weight:700}
.facts dd{margin:0;overflow-wrap:anywhere}
nav form{margin:0}
header nav{display:flex;flex-wrap:wrap;gap:.5em 1.5em;align-items:center;margin:.4em 0 .8em}
header nav ul{display:flex;flex-wrap:wrap;gap:.3em 1.2em;list-style:none;margin:0;padding:0}
main{margin-top:1.2em}
.filters{display:flex;flex-wrap:wrap;gap:.6em 1.2em;align-items:end;margin:1em 0}
.field label{display:block;font-weight:700}
.chart{margin:1em 0;max-width:40em}
.chart svg{display:block;max-width:100%;height:auto}
.table-wrap{overflow-x:auto;margin:1em 0;position:relative}
table{border-collapse:collapse}
caption{text-align:left;font-weight:700;padding:.3em 0}
th,td{border-bottom:1px solid var(--ink);padding:.25em .6em;text-align:left}
.num{text-align:right;font-variant-numeric:tabular-nums}
@media (max-width:30em){.facts{grid-template-columns:1fr}}`;

const roleWords: Record<string, string> = {
  admin: 'Admin: everything, including who may sign in',
  staff: 'Staff: triage, actions and decisions',
  auditor: 'Auditor: reports, the audit trail and items without contact details (read only)',
};

/** The console's sections, in the header of every page a signed-in person sees. */
const sections = [
  ['/console', 'Home'],
  ['/console/inbox', 'Inbox'],
  ['/console/actions', 'Actions'],
  ['/console/replies', 'Replies'],
  ['/console/boards', 'Boards'],
  ['/console/reports', 'Reports'],
] as const;

/** A console page; `css` adds rules of its own pages to the console's stylesheet. */
export function consolePage(
  title: string,
  main: SafeHtml,
  signedIn?: { csrf: string },
  continueTo?: string,
  css = '',
): Document {
  return {
    title: `${title} – WeDid console`,
    assets: { css: consoleCss + css },
    ...(continueTo ? { continueTo } : {}),
    body: html`<a class="jump-link" href="#main">Skip to main content</a>
<header><p class="unit">WeDid staff console</p>
${
  signedIn
    ? html`<nav aria-label="Console"><ul>${sections.map(([href, label]) => html`<li><a href="${href}">${label}</a></li>`)}</ul><form method="post" action="/console/sign-out"><input type="hidden" name="_csrf" value="${signedIn.csrf}"><button type="submit">Sign out</button></form></nav>`
    : null
}</header>
<main id="main"><h1>${title}</h1>${main}</main>
<footer><p>Feedback people give stays private here. Only what they agreed to share goes on a board.</p></footer>`,
  };
}

/** The sign-in page: the button to the trust's identity provider, or why there is none. */
export function renderSignInPage(providerConfigured: boolean): Document {
  return consolePage(
    'Sign in',
    providerConfigured
      ? html`<p>Sign in with the account you use at work, for example your NHSmail account.</p>
<p><a class="button-link" href="/console/auth/start">Sign in with your organisation</a></p>`
      : html`<p>Signing in with your organisation is not set up on this service.</p>
<p>Ask an admin of your trust to set it up, or to send you an invite link.</p>`,
  );
}

/** The answer of a callback that signed no one in: why, and what to do next. */
export function renderRefusedPage(refused: SignInRefusal): Document {
  const again = html`<p><a href="/console/sign-in">Start signing in again</a></p>`;
  switch (refused.reason) {
    case 'no_access':
      return consolePage(
        'You do not have access yet',
        html`<p>Your organisation signed you in${refused.email ? html` as <strong>${refused.email}</strong>` : null}, but no one has given you access to the WeDid console yet.</p>
<p>Ask an admin of your trust to add you, by your email address or by a group you are in. Then sign in again.</p>`,
      );
    case 'no_attempt':
      return consolePage(
        'This sign-in has expired',
        html`<p>This sign-in was already used, took longer than 10 minutes, or was started in another browser.</p>${again}`,
      );
    case 'provider_error':
      return consolePage(
        'We could not sign you in',
        html`<p>We could not confirm your sign-in with your organisation. Nothing was changed.</p>${again}`,
      );
  }
}

/** When the identity provider cannot be reached to start a sign-in. */
export const renderProviderDownPage = (): Document =>
  consolePage(
    'Signing in is not working just now',
    html`<p>We cannot reach your organisation’s sign-in service. Please try again in a few minutes.</p>
<p><a href="/console/sign-in">Back to sign in</a></p>`,
  );

/** The page the callback answers: the session cookie is set, and the browser goes on by itself. */
export const renderSignedInPage = (): Document =>
  consolePage('You are signed in', html`<p><a href="/console">Continue to the console</a></p>`, undefined, '/console');

/** A console page asked for without a session (never signed in, signed out, expired or revoked). */
export const renderPleaseSignInPage = (): Document =>
  consolePage(
    'Please sign in',
    html`<p>You need to be signed in to use the WeDid staff console.</p><p><a href="/console/sign-in">Sign in</a></p>`,
  );

export const renderSignedOutPage = (): Document =>
  consolePage(
    'You have signed out',
    html`<p>You have signed out of the WeDid console.</p><p><a href="/console/sign-in">Sign in again</a></p>`,
  );

/** The form token was missing or wrong: nothing was done. */
export const renderFormExpiredPage = (): Document =>
  consolePage(
    'This form has expired',
    html`<p>Nothing was changed. Go back, reload the page and try again.</p><p><a href="/console">Back to the console</a></p>`,
  );

/** The landing page of a signed-in person: who they are, what their role lets them do, where. */
export function renderLandingPage(principal: Principal, scope: string, csrf: string): Document {
  return consolePage(
    'Your console',
    html`<dl class="facts">
<dt>Signed in as</dt><dd>${principal.name}</dd>
<dt>Role</dt><dd>${roleWords[principal.role] ?? principal.role}</dd>
<dt>Units</dt><dd>${scope}</dd>
</dl>
<p><a href="/console/inbox">Inbox: the feedback of your units</a></p>
<p><a href="/console/actions">Actions: what your units will do about feedback, and what they did</a></p>
<p><a href="/console/reports">Reports</a>: closure, themes, equity, Friends and Family Test, recommendations.</p>
<p><a href="/console/replies">Replies waiting for staff</a>: slips to print and hand over.</p>
<p><a href="/console/boards">Board previews</a>: what each board shows, and what is not on it yet.</p>
`,
    { csrf },
  );
}

export const renderNotFoundPage = (csrf: string): Document =>
  consolePage(
    'Not found',
    html`<p>There is nothing here, or it is outside the units you can see.</p><p><a href="/console">Back to the console</a></p>`,
    { csrf },
  );

/** The person's role may not do what the page is for. */
export const renderNotAllowedPage = (reason: string, csrf: string): Document =>
  consolePage('You cannot use this page', html`<p>${reason}.</p><p><a href="/console">Back to the console</a></p>`, {
    csrf,
  });

/** An invite link's page: the Start button (opening the link spends nothing), or why it signs no one in. */
export function renderInvitePage(
  invite: { path: string; csrf: string } | { refused: 'used' | 'expired' | 'unknown' },
): Document {
  if ('refused' in invite) {
    const why = {
      used: 'This link was used already. Each link signs someone in once.',
      expired: 'This link has expired. Links work for 72 hours.',
      unknown: 'This link is not one we sent, or it was copied wrongly.',
    }[invite.refused];
    return consolePage('This link does not work', html`<p>${why}</p><p>Ask an admin of your trust for a new link.</p>`);
  }
  return consolePage(
    'Sign in with your invite',
    html`<p>An admin of your trust invited you to the WeDid staff console.</p>
<form method="post" action="${invite.path}"><input type="hidden" name="_csrf" value="${invite.csrf}"><button type="submit">Start</button></form>`,
  );
}
