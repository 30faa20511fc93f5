import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { html, type SafeHtml, sendPage } from '../../http/pages/html.js';
import { HttpProblem } from '../../http/problems.js';
import type { Principal } from '../auth/auth.service.js';
import { errorMessage, errorOf, type FieldError } from '../panel/panel.shell.js';
import { renderNotFoundPage } from './console.render.js';

// What every console form shares: reading its fields, the version it carries, the field messages of
// a refusal, and a labelled control with its hint and error.

/** A form's fields as single strings (the first of a repeated one), without its token. */
export function formFields(body: Record<string, string | string[]> | null | undefined): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body ?? {})) {
    const text = Array.isArray(value) ? value[0] : value;
    if (name !== '_csrf' && text !== undefined) fields[name] = text;
  }
  return fields;
}

/** A box left empty asks for nothing. */
export const optional = (text: string | undefined) => (text?.trim() ? text : undefined);

/** The form's `version` as the If-Match the services check (a missing one is stale, never `*`). */
export const versionOf = (fields: Record<string, string>) => `"v${Number.parseInt(fields.version ?? '', 10) || 0}"`;

/** How a page names the fields of a refusal: a message per field, and where one naming no field points. */
export interface FormMessages {
  messages: Record<string, string>;
  firstField: string;
  /** A nested input path (`coproduction.level`) as the form field that holds it. */
  aliases?: Record<string, string>;
}

/** The errors of a refused form: a zod check's fields, or the service's problem. */
export function errorsOf(error: z.ZodError | HttpProblem, form: FormMessages): FieldError[] {
  const { messages, firstField, aliases = {} } = form;
  const fieldOf = (path: readonly PropertyKey[]) => aliases[path.join('.')] ?? String(path[0] ?? firstField);
  if (error instanceof z.ZodError) {
    const names = [...new Set(error.issues.map((issue) => fieldOf(issue.path)))];
    return names.map((name) => ({ field: name, message: messages[name] ?? 'Check this field' }));
  }
  const named = error.extras.errors?.map((fieldError) => fieldOf(fieldError.path.replace(/^\//, '').split('/')));
  const fields = named?.filter((name) => name in messages) ?? [];
  if (fields.length > 0) return fields.map((name) => ({ field: name, message: error.message || messages[name]! }));
  return [{ field: firstField, message: error.message }];
}

/** A labelled control with its hint and error message, the control described by both. */
export function field(
  errors: readonly FieldError[],
  name: string,
  label: string,
  control: (describedBy: SafeHtml) => SafeHtml,
  hint?: string,
): SafeHtml {
  const error = errorOf(errors, name);
  const ids = [hint ? `${name}-hint` : '', error ? `${name}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field"><label for="${name}">${label}</label>${hint ? html`<p class="hint" id="${name}-hint">${hint}</p>` : ''}${errorMessage(error)}${control(
    ids ? html` aria-describedby="${ids}"` : html``,
  )}</div>`;
}

/**
 * Runs a page's work for the signed-in person on the record its `:id` names; a record outside the
 * person's units is the not-found page, as in the API. Every path sends its answer on `reply`.
 */
export async function withRecord(
  personOrSignIn: (request: FastifyRequest, reply: FastifyReply) => Principal | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
  work: (principal: Principal, csrf: string, id: string) => Promise<unknown>,
): Promise<void> {
  const principal = personOrSignIn(request, reply);
  if (!principal) return;
  const csrf = reply.generateCsrf();
  try {
    await work(principal, csrf, (request.params as { id: string }).id);
  } catch (error) {
    if (!(error instanceof HttpProblem && error.kind === 'not-found')) throw error;
    sendPage(reply, 404, renderNotFoundPage(csrf));
  }
}

/**
 * The page's answer when someone else saved first: nothing of the person's was saved, and each
 * field as it is now beside theirs (`rows`: label, saved now, yours), their version in the form.
 */
export function conflictNotice(
  what: 'item' | 'action',
  rows: readonly (readonly [string, string, string])[],
): SafeHtml {
  return html`<div class="error-summary" role="alert" aria-labelledby="conflict-title" tabindex="-1">
<h2 id="conflict-title">Someone else changed this ${what} first</h2>
<p>Nothing of yours was saved. Compare the two below; the form holds your version. Send it again to replace theirs, or change it first.</p>
</div>
<table><caption>The ${what} now, and what you sent</caption>
<thead><tr><th scope="col">Field</th><th scope="col">Saved now</th><th scope="col">Yours</th></tr></thead>
<tbody>${rows.map(([name, now, mine]) => html`<tr><th scope="row">${name}</th><td>${now || '(none)'}</td><td>${mine || '(none)'}</td></tr>`)}</tbody></table>`;
}
