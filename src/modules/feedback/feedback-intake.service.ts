import { randomUUID } from 'node:crypto';
import type { Database, Queryable, Transaction } from '../../db/client.js';
import { settleContact } from '../../db/schema/contact.js';
import { inTransaction } from '../../db/transaction.js';
import { HttpProblem, invalidField } from '../../http/problems.js';
import { type Actor, type AuditEntry, appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import type { SafeguardingScreen } from '../safeguarding/safeguarding.screen.js';
import { loadScreen } from '../safeguarding/safeguarding.service.js';
import { unknownThemeCodes } from '../themes/themes.repository.js';
import { touchBoards } from '../units/units.board-version.js';
import { findUnits, type UnitRow } from '../units/units.repository.js';
import { principalSees } from '../units/units.service.js';
import {
  externalRefKey,
  insertEquality,
  insertFeedbackRows,
  itemsByExternalRef,
  type NewFeedbackRow,
  type NewFeedbackValues,
  type WrittenFeedback,
} from './feedback.repository.js';
import type { CreateFeedback, FeedbackView } from './feedback.schemas.js';
import { principalSeesItem, viewFor } from './feedback-access.js';
import { recordTransitions } from './feedback-transitions.repository.js';
import { toFeedback } from './feedback-view.js';
import { generateReference } from './reference.js';
import { acknowledgeByFor } from './working-days.js';

/**
 * Who records what a person sends through the public form or POST /v1/units/{id}/public-feedback:
 * no API key (the item's `createdByKeyId` stays null), an unscoped intake key's rights, so it can
 * write an item and read back only its receipt.
 */
const publicSubmitter: Principal = { keyId: 'public', name: 'public feedback form', role: 'intake', unitId: null };
/** The audit trail's actor for public submissions: no key, a name that says where it came from. */
export const publicActor = { keyId: null, name: 'public: tell us form' };

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
  /** The safeguarding phrase list as it stood when the request arrived. */
  screen: SafeguardingScreen;
}

export async function loadIntakeLookups(db: Queryable, inputs: readonly CreateFeedback[]): Promise<IntakeLookups> {
  const found = await findUnits(db, [...new Set(inputs.map((input) => input.unitId))]);
  const units = new Map<string, UnitRow>(found.map((unit) => [unit.id, unit]));
  const themes = [...new Set(inputs.flatMap((input) => input.themes))];
  return {
    units,
    unknownThemes: new Set(await unknownThemeCodes(db, themes)),
    screen: await loadScreen(db),
  };
}

/** An item that passed the intake rules, with the columns to write. */
export interface CheckedFeedback {
  principal: Principal;
  input: CreateFeedback;
  values: NewFeedbackValues;
}

/**
 * The intake rules beyond the schema, for one item: its unit exists and is visible to the key, its
 * themes are in the vocabulary, it was received neither in the future nor before 1900; `dueAt` is
 * `receivedAt` plus the unit's effective response target, `acknowledgeBy` the end of the unit's
 * effective acknowledgement target in working days after the day of receipt. The words (`text` and
 * `youSaid`) are screened against the safeguarding phrase list: a match flags the item. Answers the
 * problem POST /v1/feedback would send, if any.
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
  const safeguardingMatches = lookups.screen.matches([input.text, input.youSaid]);
  return {
    principal,
    input,
    values: {
      unitId: unit.id,
      text: input.text || null,
      youSaid: input.youSaid ?? null,
      publishConsent: input.publishConsent,
      reviewConsent: input.reviewConsent,
      kind: input.kind ?? null,
      channel: input.channel ?? null,
      submitterRole: input.submitterRole,
      format: input.format,
      themes: [...new Set(input.themes)],
      externalSystem: input.externalRef?.system ?? null,
      externalId: input.externalRef?.id ?? null,
      contact: input.contact ? settleContact(input.contact) : null,
      receivedAt,
      dueAt: new Date(receivedAt.getTime() + unit.effectiveTargetDays * dayMs),
      acknowledgeBy: acknowledgeByFor(receivedAt, unit.effectiveAcknowledgementDays),
      createdByKeyId: principal === publicSubmitter ? null : principal.keyId,
      fftRating: input.fftRating ?? null,
      collectionMode: input.collectionMode ?? null,
      safeguarding: safeguardingMatches.length > 0 ? 'flagged' : 'none',
      safeguardingMatches,
      safeguardingReason: safeguardingMatches.length > 0 ? 'phrases' : null,
    },
  };
}

/**
 * Writes checked items as one set, in the caller's transaction: the items, their equality answers,
 * their first status and one board bump for all their units. The caller appends the audit events
 * (last). Answers, per item in order, its row as `insert` reads it back (insertFeedbackRows, or
 * insertFeedbackKeys when only the keys are needed), or a 409 `duplicate-external-ref` problem when its
 * externalRef is stored already: by an earlier request, by a concurrent one (the unique index
 * decides), or by an earlier item of the same set; it names the stored item only to the item's
 * principal if that one may read it.
 */
export async function writeFeedbackItems<Row extends WrittenFeedback>(
  tx: Transaction,
  items: readonly CheckedFeedback[],
  insert: (tx: Transaction, rows: readonly NewFeedbackRow[]) => Promise<Row[]>,
): Promise<(Row | HttpProblem)[]> {
  const outcomes = new Array<Row | HttpProblem>(items.length);
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
    const written = await insert(
      tx,
      pending.map((index) => ({ id: ids[index]!, reference: generateReference(), values: items[index]!.values })),
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
      if (holder) {
        outcomes[index] = duplicateExternalRef(
          principalSeesItem(items[index]!.principal, holder) ? holder.id : undefined,
        );
      }
      return !holder;
    });
  }
  for (const [index, first] of repeats) {
    const firstOutcome = outcomes[first]!;
    outcomes[index] =
      firstOutcome instanceof HttpProblem
        ? firstOutcome
        : // Written in this set: by the same key it is one it may read.
          duplicateExternalRef(
            items[index]!.principal.keyId === items[first]!.principal.keyId ? firstOutcome.id : undefined,
          );
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
  /**
   * A file comes with the item that the screen cannot read (a voice note, a video, a picture): the
   * item is flagged for a person to look at, unless its words already flagged it.
   */
  unscreenedFile?: boolean;
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
  actor: Actor = actorOf(principal),
): Promise<FeedbackView> {
  const checked = checkIntake(principal, input, await loadIntakeLookups(db, [input]));
  if (checked instanceof HttpProblem) throw checked;
  if (options.unscreenedFile && checked.values.safeguarding === 'none') {
    checked.values.safeguarding = 'flagged';
    checked.values.safeguardingReason = 'unscreened_file';
  }
  return inTransaction(db, async (tx) => {
    const [written] = await writeFeedbackItems(tx, [checked], insertFeedbackRows);
    if (written instanceof HttpProblem) throw written;
    const item = viewFor(principal, toFeedback(written!, principal));
    await options.beforeCommit?.(tx, item);
    await appendAudit(tx, actor, receivedAudit(item.id, input));
    return item;
  });
}

/**
 * Records what a person sent through the public form or route, as the public submitter (no key,
 * audited as `publicActor`). The caller has built `input` from the public schema, so it never
 * carries `youSaid`, themes, an externalRef or a status.
 */
export async function createPublicFeedback(
  db: Database,
  input: CreateFeedback,
  options: CreateOptions = {},
): Promise<FeedbackView> {
  return createFeedback(db, publicSubmitter, input, options, publicActor);
}
