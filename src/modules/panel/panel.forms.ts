import { z } from 'zod';
import { feedbackKinds, feedbackStatuses } from '../../db/schema/enums.js';
import type { HttpProblem } from '../../http/problems.js';
import { type ReviewFeedbackQuery, reviewFeedbackQuerySchema } from '../review/review.schemas.js';
import type { ListFilters, RecommendationAnswers } from './panel.render.js';
import type { FieldError } from './panel.shell.js';

const optionalText = z.string().max(500).optional();

/** `?easyRead=1` or `0` on any panel page; the choice is then kept for the session. */
export const easyReadFlag = z
  .enum(['1', '0', 'true', 'false'])
  .transform((value) => value === '1' || value === 'true')
  .optional()
  .catch(undefined)
  .describe('`1` for Easy Read pages, `0` for the standard ones; the choice is kept for the session');

/** The review list's query string as a browser sends it (empty fields mean "any"). */
export const listQuerySchema = z.object({
  easyRead: easyReadFlag,
  kind: optionalText.describe('A feedback kind, or empty for any'),
  theme: optionalText.describe('A theme code, or empty for any'),
  status: optionalText.describe('A feedback status, or empty for any'),
  from: optionalText.describe('Received on or after this day, `YYYY-MM-DD`'),
  to: optionalText.describe('Received on or before this day, `YYYY-MM-DD`'),
  cursor: optionalText.describe('The next page, as the page’s own link gives it'),
});

const pageSize = 20;
const dayPattern = /^\d{4}-\d{2}-\d{2}$/;

/** A `YYYY-MM-DD` day as the instant it starts (UTC), or undefined when it is not a real day. */
function dayStart(day: string): Date | undefined {
  if (!dayPattern.test(day)) return undefined;
  const date = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== day ? undefined : date;
}

/**
 * The filters as the page shows them, the query the review service takes, and what to put right. A
 * kind, theme or status not in the lists means "any" (a browser only sends what the page offers).
 */
export function reviewQueryOf(raw: z.infer<typeof listQuerySchema>): {
  filters: ListFilters;
  query: ReviewFeedbackQuery;
  errors: FieldError[];
} {
  const pick = <T extends string>(list: readonly T[], value: string | undefined) =>
    list.includes(value as T) ? (value as T) : undefined;
  const kind = pick(feedbackKinds, raw.kind);
  const status = pick(feedbackStatuses, raw.status);
  const theme = raw.theme && /^[a-z][a-z0-9_]{0,47}$/.test(raw.theme) ? raw.theme : undefined;
  const errors: FieldError[] = [];
  const from = raw.from ? dayStart(raw.from) : undefined;
  const to = raw.to ? dayStart(raw.to) : undefined;
  if (raw.from && !from)
    errors.push({ field: 'from', message: 'Enter the “from” date as a real date, for example 2026-03-27' });
  if (raw.to && !to)
    errors.push({ field: 'to', message: 'Enter the “to” date as a real date, for example 2026-03-31' });
  if (from && to && to < from)
    errors.push({ field: 'to', message: 'The “to” date must be the same as or after the “from” date' });
  const filters: ListFilters = { kind, theme, status, from: raw.from || undefined, to: raw.to || undefined };
  const parsed = reviewFeedbackQuerySchema.safeParse({
    limit: pageSize,
    cursor: raw.cursor || undefined,
    kind,
    status,
    theme,
    receivedFrom: from?.toISOString(),
    receivedTo: to ? new Date(to.getTime() + 86_400_000).toISOString() : undefined,
  });
  // A cursor the service did not write (an edited link) starts again from the first page.
  const query = parsed.success
    ? parsed.data
    : reviewFeedbackQuerySchema.parse({ limit: pageSize, kind, status, theme });
  return { filters, query, errors };
}

/** The filters as a query string, for the paging links. */
export function filterQuery(filters: ListFilters): URLSearchParams {
  return new URLSearchParams(
    Object.entries(filters).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '',
    ),
  );
}

export function withCursor(base: URLSearchParams, cursor: string): URLSearchParams {
  const next = new URLSearchParams(base);
  next.set('cursor', cursor);
  return next;
}

type FormFields = Record<string, string | string[]>;

const list = (value: string | string[] | undefined) => (value === undefined ? [] : [value].flat());
const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export function recommendationAnswersOf(body: FormFields): RecommendationAnswers {
  return {
    unitId: one(body.unitId),
    title: one(body.title)?.trim(),
    text: one(body.text)?.trim(),
    feedbackIds: list(body.feedbackIds).slice(0, 200),
    themes: list(body.themes).slice(0, 20),
  };
}

/** The form's own checks, in plain words; the service's rules follow (problemFieldErrors). */
export function recommendationErrors(answers: RecommendationAnswers): FieldError[] {
  const errors: FieldError[] = [];
  if (!answers.unitId) errors.push({ field: 'unitId', message: 'Choose the ward or service it is for' });
  if (!answers.title) errors.push({ field: 'title', message: 'Enter your recommendation in a few words' });
  else if (answers.title.length > 200)
    errors.push({ field: 'title', message: 'The few words must be 200 characters or fewer' });
  if (!answers.text) errors.push({ field: 'text', message: 'Tell the ward more about your recommendation' });
  else if (answers.text.length > 4000)
    errors.push({ field: 'text', message: 'The recommendation must be 4,000 characters or fewer' });
  return errors;
}

const serviceWords: Record<string, string> = {
  unitId: 'Choose a ward or service from the list',
  title: 'Write your recommendation in plain words, without special characters',
  text: 'Write your recommendation in plain words, without special characters',
  feedbackIds: 'One of the feedback items chosen can no longer be used: choose again',
  themes: 'One of the themes chosen can no longer be used: choose again',
};

/** Refused fields (by JSON pointer), in the form's words, each linked to its field. */
function inFormWords(refused: { path: string; message: string }[], otherwise: string): FieldError[] {
  const errors = refused.map(({ path, message }) => {
    const field = path.split('/')[1] ?? 'title';
    return { field, message: serviceWords[field] ?? message };
  });
  return errors.length > 0 ? errors : [{ field: 'title', message: otherwise }];
}

/** The service's refusal of a field, in the form's words. */
export const problemFieldErrors = (problem: HttpProblem): FieldError[] =>
  inFormWords(problem.extras.errors ?? [], problem.message);

/** What the API's schema refuses (control characters, a lone surrogate), in the form's words. */
export const schemaFieldErrors = (error: z.ZodError): FieldError[] =>
  inFormWords(
    error.issues.map((issue) => ({ path: `/${issue.path.join('/')}`, message: issue.message })),
    error.message,
  );
