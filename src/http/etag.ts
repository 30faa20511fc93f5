import { invalidField, preconditionFailed } from './problems.js';

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
