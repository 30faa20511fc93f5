import type { Database, Queryable } from '../../db/client.js';
import type { Reads } from '../../db/replica.js';
import { afterTimeAndId, timeAndIdPage } from '../../http/pagination.js';
import { notFound } from '../../http/problems.js';
import { type AuditEntry, appendReadAudit } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import {
  actionIdsFor,
  currentDecisionsFor,
  type FeedbackRow,
  findFeedback,
  type ItemFilters,
  listFeedbackRows,
} from './feedback.repository.js';
import type { Feedback, FeedbackView, ListFeedbackQuery } from './feedback.schemas.js';
import { assertMayReadText, principalSeesItem, viewFor } from './feedback-access.js';
import { toFeedback } from './feedback-view.js';

async function withRelated(
  db: Queryable,
  principal: Principal,
  rows: FeedbackRow[],
  options: { includeText?: boolean } = {},
): Promise<Feedback[]> {
  const ids = rows.map((row) => row.id);
  const [actions, decisions] = await Promise.all([actionIdsFor(db, ids), currentDecisionsFor(db, ids)]);
  return rows.map((row) =>
    toFeedback(row, principal, { actionIds: actions.get(row.id), decision: decisions.get(row.id) }, options),
  );
}

/**
 * Loads one item the principal may see, with its linked actions and current decision, redacted
 * for the principal's role. An item outside the key's unit scope, or (for an intake key) one it did
 * not create, is reported as not found. `text` is included only when asked for and allowed; this
 * function writes no audit event, so callers that hand the text to a person use `readFeedbackItem`.
 */
export async function getFeedbackItem(
  db: Queryable,
  principal: Principal,
  id: string,
  options: { includeText?: boolean } = {},
): Promise<Feedback> {
  const row = await findFeedback(db, id);
  if (!row || !principalSeesItem(principal, row)) throw notFound('Feedback');
  const [item] = await withRelated(db, principal, [row], options);
  return item!;
}

/**
 * GET /v1/feedback/{id}: the item with its private text, the read of text or contact in the audit
 * trail; for an intake key, the receipt of an item it created.
 */
export async function readFeedbackItem(db: Database, principal: Principal, id: string): Promise<FeedbackView> {
  const item = await getFeedbackItem(db, principal, id, { includeText: true });
  const reads: AuditEntry[] = [];
  if (typeof item.text === 'string') {
    reads.push({ entityType: 'feedback', entityId: id, action: 'text_read', details: { fields: ['text'] } });
  }
  if (item.contact) {
    reads.push({ entityType: 'feedback', entityId: id, action: 'contact_read', details: { fields: ['contact'] } });
  }
  // Committed before the item is sent, sharing its commit with concurrent reads.
  if (reads.length > 0) await appendReadAudit(db, actorOf(principal), reads);
  return viewFor(principal, item);
}

/** The public-safe filters of a list query, within the principal's scope and the `unitId` asked for. */
export function itemFiltersOf(
  principal: Principal,
  query: Pick<ListFeedbackQuery, 'unitId' | 'status' | 'kind' | 'channel' | 'theme' | 'receivedFrom' | 'receivedTo'>,
): ItemFilters {
  return {
    within: [principal.unitId, query.unitId].filter((id): id is string => Boolean(id)),
    status: query.status,
    kind: query.kind,
    channel: query.channel,
    theme: query.theme,
    receivedFrom: query.receivedFrom ? new Date(query.receivedFrom) : undefined,
    receivedTo: query.receivedTo ? new Date(query.receivedTo) : undefined,
  };
}

/**
 * GET /v1/feedback: one page, with one audit event when private text is included. An auditor's list
 * comes from the replica when it is fresh enough, with `dataAsOf`: auditors change no item, so they
 * never need to see a write of their own; the other roles triage and record, and read the primary.
 */
export async function listFeedback(
  reads: Reads,
  principal: Principal,
  query: ListFeedbackQuery,
): Promise<{ items: FeedbackView[]; nextCursor: string | null; dataAsOf?: Date }> {
  const after = afterTimeAndId(query.cursor, 'receivedAt');
  const includeText = query.include === 'text';
  if (includeText) assertMayReadText(principal, 'read private text (include=text)');
  // A search over the private text answers what it says, one word at a time: reading by another name.
  if (query.q !== undefined) assertMayReadText(principal, 'search private text (q)');
  // Which items were flagged says something of what they say: for the same readers as the text.
  if (query.safeguarding !== undefined) assertMayReadText(principal, 'filter by safeguarding');
  const readPage = async (db: Database) => {
    const rows = await listFeedbackRows(
      db,
      {
        ...itemFiltersOf(principal, query),
        createdByKeyId: principal.role === 'intake' ? principal.keyId : undefined,
        overdue: query.overdue,
        overdueAcknowledgement: query.overdueAcknowledgement,
        safeguarding: query.safeguarding,
        q: query.q,
      },
      query.limit,
      after,
    );
    return timeAndIdPage(rows, query.limit, 'receivedAt', (row) =>
      toFeedback(row, principal, { actionIds: row.actionIds, decision: row.decision ?? undefined }, { includeText }),
    );
  };
  const {
    value: { items, nextCursor },
    dataAsOf,
  } =
    principal.role === 'auditor'
      ? await reads.fromReplica(readPage)
      : { value: await readPage(reads.primary), dataAsOf: undefined };
  const withText = items.filter((item) => typeof item.text === 'string').map((item) => item.id);
  const withContact = items.filter((item) => item.contact).map((item) => item.id);
  const audited: AuditEntry[] = [];
  if (includeText && withText.length > 0) {
    audited.push({
      entityType: 'feedback',
      entityId: 'list',
      action: 'text_read',
      details: { fields: ['text'], count: withText.length, ids: withText },
    });
  }
  if (withContact.length > 0) {
    audited.push({
      entityType: 'feedback',
      entityId: 'list',
      action: 'contact_read',
      details: { fields: ['contact'], count: withContact.length, ids: withContact },
    });
  }
  // The search words may themselves be private (a name, a diagnosis): only that a search ran, and
  // the other filters, are recorded.
  if (query.q !== undefined) {
    const { q: _words, cursor: _cursor, limit: _limit, ...filters } = query;
    audited.push({
      entityType: 'feedback',
      entityId: 'list',
      action: 'searched',
      details: { filters, count: items.length },
    });
  }
  // A page of staff's list nearly always shows a contact, so this write is on the list's hot path:
  // committed before the page is sent, sharing its commit with concurrent pages (appendReadAudit).
  if (audited.length > 0) await appendReadAudit(reads.primary, actorOf(principal), audited);
  return { items: items.map((item) => viewFor(principal, item)), nextCursor, ...(dataAsOf ? { dataAsOf } : {}) };
}
