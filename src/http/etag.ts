import { z } from 'zod';
import { invalidField, preconditionFailed, preconditionRequired, problemResponse } from './problems.js';

/** The ETag of a versioned resource (feedback items, actions). */
export const etagOf = (version: number): string => `"v${version}"`;

/**
 * Checks an `If-Match` header against the current version. Absent or `*`: no check. Accepts the
 * ETags this service sends (`"v3"`, also weak `W/"v3"`, bare `3`), several separated by commas.
 * None matching means the caller read a stale copy: 412. None readable: 400.
 */
export function checkIfMatch(header: string | undefined, version: number): void {
  if (header === undefined || header.trim() === '*') return;
  const versions = header
    .split(',')
    .map((tag) => /^\s*(?:W\/)?"?v?(\d{1,9})"?\s*$/i.exec(tag)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number);
  if (versions.length === 0) {
    throw invalidField('/if-match', 'If-Match must be an ETag this service sent, e.g. "v3"', 'headers');
  }
  if (!versions.includes(version)) throw preconditionFailed();
}

/**
 * For edits (PATCH), where two people editing at once would silently overwrite each other: the
 * header is required (428 without it, RFC 6585); `If-Match: *` is the deliberate overwrite.
 */
export function requireIfMatch(header: string | undefined, version: number): void {
  if (header === undefined) {
    throw preconditionRequired(
      'Send If-Match with the ETag you read (e.g. "v3"), or If-Match: * to overwrite whatever is there',
    );
  }
  checkIfMatch(header, version);
}

/** The header itself; each kind of route says what it means there. */
const ifMatchHeader = z.string().max(200).optional();

/** If-Match on a state transition (complete, cancel, decision, reopen, link): optional. */
export const ifMatchHeadersSchema = z.looseObject({
  'if-match': ifMatchHeader.describe(
    'Optional: `"v<version>"` from the ETag; a stale one answers 412 `precondition-failed`',
  ),
});

/**
 * If-Match on an edit (PATCH). Declared optional so that its absence reaches `requireIfMatch` and
 * answers 428 naming the header, not a generic 400.
 */
export const editIfMatchHeadersSchema = z.looseObject({
  'if-match': ifMatchHeader.describe(
    'Required: `"v<version>"` from the ETag you read (a stale one answers 412 `precondition-failed`), or `*` to overwrite deliberately. Without it: 428 `precondition-required`.',
  ),
});

/** The 412 and 428 answers of an edit, for its OpenAPI responses. */
export const editPreconditionResponses = {
  412: problemResponse('`precondition-failed`: the resource changed since the If-Match version was read'),
  428: problemResponse('`precondition-required`: no If-Match header; send the ETag you read, or `*`'),
};

/** The 409 of a state rule and the 412 of a stale If-Match, for a state transition's OpenAPI responses. */
export const transitionConflictResponses = (description: string) => ({
  409: problemResponse(description),
  412: problemResponse('`If-Match` names a version that is no longer current (`precondition-failed`)'),
});
