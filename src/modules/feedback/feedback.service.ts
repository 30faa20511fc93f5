import { randomUUID } from 'node:crypto';
import type { Database, Queryable, Transaction } from '../../db/client.js';
import { inTransaction } from '../../db/transaction.js';
import { requireIfMatch } from '../../http/etag.js';
import { forbidden, HttpProblem, invalidField, notFound } from '../../http/problems.js';
import { type AuditEntry, appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import { unknownThemeCodes } from '../themes/themes.repository.js';
import { touchBoards } from '../units/units.board-version.js';
import { findUnits, type UnitRow } from '../units/units.repository.js';
import { principalSees } from '../units/units.service.js';
import {
  actionIdsFor,
  currentDecisionsFor,
  type DecisionRow,
  deleteEquality,
  deleteStoredResponsesFor,
  externalRefKey,
  type FeedbackRow,
  findFeedback,
  insertEquality,
  insertFeedbackRows,
  itemsByExternalRef,
  listFeedbackRows,
  lockFeedback,
  type NewFeedbackValues,
  type ScopedFeedbackRow,
  updateFeedbackRow,
} from './feedback.repository.js';
import type { CreateFeedback, Feedback, FeedbackView, ListFeedbackQuery, UpdateFeedback } from './feedback.schemas.js';
import { recordTransitions } from './feedback-transitions.repository.js';
import { generateReference } from './reference.js';

/** Contact details are for the people who may reply: staff and admin. Auditors never see them. */
export const mayReadContact = (principal: Principal): boolean =>
  principal.role === 'staff' || principal.role === 'admin';

/**
 * Private text is for triage (staff, admin) and oversight (auditor). An intake key (a kiosk, a
 * survey tool) only writes it: a leaked intake key must not become a way to read what people said.
 */
const textReaders: readonly Principal['role'][] = ['staff', 'auditor', 'admin'];
export const mayReadText = (principal: Principal): boolean => textReaders.includes(principal.role);

/**
 * The item as the principal's role may see it: intake keys get a receipt (id, reference, unit,
 * status, dates), never the words, the summary, the classification or the externalRef.
 */
export function viewFor(principal: Principal, item: Feedback): FeedbackView {
  if (principal.role !== 'intake') return item;
  const { id, reference, unitId, status, receivedAt, dueAt, closedAt, version } = item;
  return { id, reference, unitId, status, receivedAt, dueAt, closedAt, version };
}

/** Refuses what only a reader of private text may ask for: `include=text` and a `q` search over it. */
function assertMayReadText(principal: Principal, what: string): void {
  if (!mayReadText(principal)) {
    throw forbidden(`The ${principal.role} role may not ${what}; roles that may: ${textReaders.join(', ')}`);
  }
}

/** True when the key may see this item: its unit scope, and for intake keys only what they created. */
export function principalSeesItem(
  principal: Principal,
  row: Pick<ScopedFeedbackRow, 'unitPath' | 'createdByKeyId'>,
): boolean {
  if (!principalSees(principal, { path: row.unitPath })) return false;
  return principal.role !== 'intake' || row.createdByKeyId === principal.keyId;
}

interface Related {
  actionIds?: string[] | undefined;
  decision?: DecisionRow | undefined;
}

/** The Feedback view of a row, redacted for the principal: `contact` and `text` are left out unless allowed. */
export function toFeedback(
  row: FeedbackRow,
  principal: Principal,
  related: Related = {},
  options: { includeText?: boolean } = {},
): Feedback {
  const view: Feedback = {
    id: row.id,
    reference: row.reference,
    unitId: row.unitId,
    youSaid: row.youSaid,
    publishConsent: row.publishConsent,
    kind: row.kind,
    channel: row.channel,
    submitterRole: row.submitterRole,
    format: row.format,
    themes: row.themes,
    externalRef:
      row.externalSystem !== null && row.externalId !== null
        ? { system: row.externalSystem, id: row.externalId }
        : null,
    receivedAt: row.receivedAt.toISOString(),
    dueAt: row.dueAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
    status: row.status,
    version: row.version,
    actionIds: related.actionIds ?? [],
    decision: related.decision
      ? {
          reasonCode: related.decision.reasonCode,
          explanation: related.decision.explanation,
          referredTo: related.decision.referredTo,
          decidedAt: related.decision.decidedAt.toISOString(),
        }
      : null,
    erased: row.erasedAt !== null,
  };
  if (options.includeText && mayReadText(principal)) view.text = row.text;
  if (mayReadContact(principal)) view.contact = stripUndefined(row.contact);
  return view;
}

function stripUndefined(contact: FeedbackRow['contact']): Feedback['contact'] {
  if (!contact) return null;
  return Object.fromEntries(Object.entries(contact).filter(([, value]) => value !== undefined));
}

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
  if (reads.length > 0) await inTransaction(db, (tx) => appendAudit(tx, actorOf(principal), reads));
  return viewFor(principal, item);
}

/** Clock skew allowed between a sending system and this service before a time counts as future. */
const futureSkewMs = 60_000;
/** Well before any feedback this service will hold, and inside what PostgreSQL stores (not year 0). */
const earliestReceivedAt = Date.UTC(1900, 0, 1);
const dayMs = 86_400_000;
/** 40 random bits: a collision is rare, and drawing again is all it takes. */
const maxReferenceDraws = 5;

/**
 * The 409 for an externalRef stored already. An externalRef can be a patient identifier, so the
 * stored item's id (`existingId`) goes only to a key that may read that item; others learn only
 * that the reference is taken, which deduplication cannot avoid.
 */
const duplicateExternalRef = (existingId: string | undefined) =>
  existingId
    ? new HttpProblem(
        'duplicate-external-ref',
        'Feedback with this externalRef was already recorded; existingId names it',
        { existingId },
      )
    : new HttpProblem(
        'duplicate-external-ref',
        'Feedback with this externalRef was already recorded, outside what this key may read',
      );

/** What the intake rules need from the database, read once for one item or for a whole batch. */
export interface IntakeLookups {
  units: ReadonlyMap<string, UnitRow>;
  unknownThemes: ReadonlySet<string>;
}

export async function loadIntakeLookups(db: Queryable, inputs: readonly CreateFeedback[]): Promise<IntakeLookups> {
  const found = await findUnits(db, [...new Set(inputs.map((input) => input.unitId))]);
  const units = new Map<string, UnitRow>(found.map((unit) => [unit.id, unit]));
  const themes = [...new Set(inputs.flatMap((input) => input.themes))];
  return { units, unknownThemes: new Set(await unknownThemeCodes(db, themes)) };
}

/** An item that passed the intake rules, with the columns to write. */
export interface CheckedFeedback {
  input: CreateFeedback;
  values: NewFeedbackValues;
}

/**
 * The intake rules beyond the schema, for one item: its unit exists and is visible to the key, its
 * themes are in the vocabulary, it was received neither in the future nor before 1900; `dueAt` is
 * `receivedAt` plus the unit's effective response target. Answers the problem POST /v1/feedback
 * would send, if any.
 */
export function checkIntake(
  principal: Principal,
  input: CreateFeedback,
  lookups: IntakeLookups,
  now = Date.now(),
): CheckedFeedback | HttpProblem {
  const unit = lookups.units.get(input.unitId);
  if (!unit || !principalSees(principal, unit)) return invalidField('/unitId', 'No such unit');
  const unknown = [...new Set(input.themes)].filter((code) => lookups.unknownThemes.has(code));
  if (unknown.length > 0) return invalidField('/themes', `Not in the theme vocabulary: ${unknown.join(', ')}`);
  const receivedAt = input.receivedAt ? new Date(input.receivedAt) : new Date(now);
  if (receivedAt.getTime() > now + futureSkewMs) {
    return invalidField('/receivedAt', 'receivedAt must not be in the future');
  }
  if (receivedAt.getTime() < earliestReceivedAt) {
    return invalidField('/receivedAt', 'receivedAt must be in 1900 or later');
  }
  return {
    input,
    values: {
      unitId: unit.id,
      text: input.text,
      youSaid: input.youSaid ?? null,
      publishConsent: input.publishConsent,
      kind: input.kind ?? null,
      channel: input.channel ?? null,
      submitterRole: input.submitterRole,
      format: input.format,
      themes: [...new Set(input.themes)],
      externalSystem: input.externalRef?.system ?? null,
      externalId: input.externalRef?.id ?? null,
      contact: input.contact ?? null,
      receivedAt,
      dueAt: new Date(receivedAt.getTime() + unit.effectiveTargetDays * dayMs),
      createdByKeyId: principal.keyId,
    },
  };
}

/**
 * Writes checked items as one set, in the caller's transaction: the items, their equality answers,
 * their first status and one board bump for all their units. The caller appends the audit events
 * (last). Answers, per item in order, its row, or a 409 `duplicate-external-ref` problem when its
 * externalRef is stored already: by an earlier request, by a concurrent one (the unique index
 * decides), or by an earlier item of the same set; it names the stored item only to a principal
 * that may read it.
 */
export async function writeFeedbackItems(
  tx: Transaction,
  principal: Principal,
  items: readonly CheckedFeedback[],
): Promise<(FeedbackRow | HttpProblem)[]> {
  const outcomes = new Array<FeedbackRow | HttpProblem>(items.length);
  const refKeys = items.map(({ input }) => (input.externalRef ? externalRefKey(input.externalRef) : ''));
  const firstWithRef = new Map<string, number>();
  const repeats: [index: number, first: number][] = [];
  let pending: number[] = [];
  for (const [index, key] of refKeys.entries()) {
    const first = firstWithRef.get(key);
    if (first !== undefined) {
      repeats.push([index, first]);
      continue;
    }
    if (key !== '') firstWithRef.set(key, index);
    pending.push(index);
  }
  // In externalRef order, so concurrent batches wait on each other's rows in one order, never in a cycle.
  pending.sort((a, b) => (refKeys[a]! < refKeys[b]! ? -1 : refKeys[a]! > refKeys[b]! ? 1 : a - b));
  const ids = items.map(() => randomUUID());
  for (let draw = 0; pending.length > 0; draw++) {
    if (draw === maxReferenceDraws) throw new Error('could not draw unused tracking references');
    const written = await insertFeedbackRows(
      tx,
      pending.map((index) => ({ ...items[index]!.values, id: ids[index]!, reference: generateReference() })),
    );
    const byId = new Map(written.map((row) => [row.id, row]));
    const skipped = pending.filter((index) => {
      const row = byId.get(ids[index]!);
      if (row) outcomes[index] = row;
      return !row;
    });
    const stored = await itemsByExternalRef(
      tx,
      skipped.flatMap((index) => items[index]!.input.externalRef ?? []),
    );
    // A skipped item whose externalRef is stored lost to it; any other drew a taken reference: draw again.
    pending = skipped.filter((index) => {
      const ref = items[index]!.input.externalRef;
      const holder = ref && stored.get(externalRefKey(ref));
      if (holder) outcomes[index] = duplicateExternalRef(principalSeesItem(principal, holder) ? holder.id : undefined);
      return !holder;
    });
  }
  for (const [index, first] of repeats) {
    const firstOutcome = outcomes[first]!;
    outcomes[index] =
      firstOutcome instanceof HttpProblem
        ? firstOutcome
        : // Written by this key in this request, so one it may read.
          duplicateExternalRef(firstOutcome.id);
  }

  const rows = outcomes.flatMap((outcome, index) =>
    outcome instanceof HttpProblem ? [] : [{ row: outcome, input: items[index]!.input }],
  );
  await insertEquality(
    tx,
    rows.flatMap(({ row, input }) =>
      input.equality && Object.keys(input.equality).length > 0 ? [{ feedbackId: row.id, ...input.equality }] : [],
    ),
  );
  await recordTransitions(
    tx,
    rows.map(({ row }) => ({ feedbackId: row.id, fromStatus: null, toStatus: 'received' as const })),
  );
  await touchBoards(tx, [...new Set(rows.map(({ row }) => row.unitId))]);
  return outcomes;
}

/** The audit entry of a received item: the names of the fields sent, never their values. */
export const receivedAudit = (
  id: string,
  input: CreateFeedback,
  details: Record<string, unknown> = {},
): AuditEntry => ({
  entityType: 'feedback',
  entityId: id,
  action: 'received',
  details: { fields: Object.keys(input).sort(), ...details },
});

export interface CreateOptions {
  /** Runs inside the transaction after the item is written (e.g. storing an idempotent reply). */
  beforeCommit?: (tx: Transaction, item: FeedbackView) => Promise<void>;
}

/**
 * Records a feedback item: the item, its equality answers, its first status and a board bump, with
 * the audit event last, in one transaction.
 */
export async function createFeedback(
  db: Database,
  principal: Principal,
  input: CreateFeedback,
  options: CreateOptions = {},
): Promise<FeedbackView> {
  const checked = checkIntake(principal, input, await loadIntakeLookups(db, [input]));
  if (checked instanceof HttpProblem) throw checked;
  return inTransaction(db, async (tx) => {
    const [written] = await writeFeedbackItems(tx, principal, [checked]);
    if (written instanceof HttpProblem) throw written;
    const item = viewFor(principal, toFeedback(written!, principal));
    await options.beforeCommit?.(tx, item);
    await appendAudit(tx, actorOf(principal), receivedAudit(item.id, input));
    return item;
  });
}

/** GET /v1/feedback: one page, with one audit event when private text is included. */
export async function listFeedback(
  db: Database,
  principal: Principal,
  query: ListFeedbackQuery,
  after: { receivedAt: string; id: string } | undefined,
): Promise<{ rows: FeedbackRow[]; items: FeedbackView[] }> {
  const includeText = query.include === 'text';
  if (includeText) assertMayReadText(principal, 'read private text (include=text)');
  // A search over the private text answers what it says, one word at a time: reading by another name.
  if (query.q !== undefined) assertMayReadText(principal, 'search private text (q)');
  const within = [principal.unitId, query.unitId].filter((id): id is string => Boolean(id));
  const rows = await listFeedbackRows(
    db,
    {
      within,
      createdByKeyId: principal.role === 'intake' ? principal.keyId : undefined,
      status: query.status,
      kind: query.kind,
      channel: query.channel,
      theme: query.theme,
      receivedFrom: query.receivedFrom ? new Date(query.receivedFrom) : undefined,
      receivedTo: query.receivedTo ? new Date(query.receivedTo) : undefined,
      overdue: query.overdue,
      q: query.q,
    },
    query.limit,
    after,
  );
  const pageRows = rows.slice(0, query.limit);
  const items = await withRelated(db, principal, pageRows, { includeText });
  const withText = items.filter((item) => typeof item.text === 'string').map((item) => item.id);
  const withContact = items.filter((item) => item.contact).map((item) => item.id);
  const reads: AuditEntry[] = [];
  if (includeText && withText.length > 0) {
    reads.push({
      entityType: 'feedback',
      entityId: 'list',
      action: 'text_read',
      details: { fields: ['text'], count: withText.length, ids: withText },
    });
  }
  if (withContact.length > 0) {
    reads.push({
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
    reads.push({
      entityType: 'feedback',
      entityId: 'list',
      action: 'searched',
      details: { filters, count: items.length },
    });
  }
  if (reads.length > 0) await inTransaction(db, (tx) => appendAudit(tx, actorOf(principal), reads));
  return { rows, items: items.map((item) => viewFor(principal, item)) };
}

/** The fields of a triage edit whose value differs from the stored row. */
function changedTriageFields(row: FeedbackRow, input: UpdateFeedback): UpdateFeedback {
  const changed: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input) as [keyof UpdateFeedback, unknown][]) {
    const stored: unknown = row[field];
    const same = Array.isArray(value)
      ? Array.isArray(stored) && value.length === stored.length && value.every((v, i) => v === stored[i])
      : value === stored;
    if (!same) changed[field] = value;
  }
  return changed as UpdateFeedback;
}

/**
 * PATCH /v1/feedback/{id}: triage edits under a row lock, compared with the required If-Match. The
 * first edit of a `received` item is its triage and moves it to `in_review`. An edit that changes
 * no stored value writes nothing: no new version, no event, no audit entry, no triage.
 */
export async function updateFeedback(
  db: Database,
  principal: Principal,
  id: string,
  input: UpdateFeedback,
  ifMatch: string | undefined,
): Promise<Feedback> {
  if (input.themes) {
    const unknown = await unknownThemeCodes(db, input.themes);
    if (unknown.length > 0) throw invalidField('/themes', `Not in the theme vocabulary: ${unknown.join(', ')}`);
  }
  const edit = input.themes ? { ...input, themes: [...new Set(input.themes)] } : input;
  await inTransaction(db, async (tx) => {
    const row = await lockFeedback(tx, id);
    if (!row || !principalSeesItem(principal, row)) throw notFound('Feedback');
    requireIfMatch(ifMatch, row.version);
    const changed = changedTriageFields(row, edit);
    if (Object.keys(changed).length === 0) return;
    const triage = row.status === 'received';
    await updateFeedbackRow(tx, id, { ...changed, ...(triage ? { status: 'in_review' as const } : {}) });
    if (triage) await recordTransitions(tx, [{ feedbackId: id, fromStatus: 'received', toStatus: 'in_review' }]);
    if (changed.youSaid !== undefined || changed.publishConsent !== undefined) await touchBoards(tx, [row.unitId]);
    await appendAudit(tx, actorOf(principal), {
      entityType: 'feedback',
      entityId: id,
      action: 'updated',
      details: { fields: Object.keys(changed).sort(), ...(triage ? { status: 'in_review' } : {}) },
    });
  });
  return getFeedbackItem(db, principal, id);
}

/**
 * POST /v1/feedback/{id}/erase: removes the private text, contact details, equality answers, the
 * externalRef and any stored idempotent reply for good; status, dates, unit, kind, channel and
 * themes stay, so counts stay true. `youSaid` is kept only when the person consented to its
 * publication: it is then public text already; without consent it is a staff summary of private
 * words and goes with them. The externalRef can be a patient identifier, so it goes too, and with it
 * deduplication: re-sending it records a new item. Erasing an erased item changes nothing.
 */
export async function eraseFeedback(db: Database, principal: Principal, id: string): Promise<Feedback> {
  await inTransaction(db, async (tx) => {
    const row = await lockFeedback(tx, id);
    if (!row || !principalSeesItem(principal, row)) throw notFound('Feedback');
    if (row.erasedAt !== null) return;
    const youSaidErased = !row.publishConsent && row.youSaid !== null;
    const externalRefErased = row.externalSystem !== null;
    await updateFeedbackRow(tx, id, {
      text: null,
      contact: null,
      externalSystem: null,
      externalId: null,
      erasedAt: new Date(),
      ...(youSaidErased ? { youSaid: null } : {}),
    });
    await deleteEquality(tx, id);
    await deleteStoredResponsesFor(tx, id);
    await touchBoards(tx, [row.unitId]);
    await appendAudit(tx, actorOf(principal), {
      entityType: 'feedback',
      entityId: id,
      action: 'erased',
      details: {
        fields: [
          'text',
          'contact',
          'equality',
          ...(externalRefErased ? ['externalRef'] : []),
          ...(youSaidErased ? ['youSaid'] : []),
        ],
      },
    });
  });
  return getFeedbackItem(db, principal, id);
}
