import type { z } from 'zod';
import type { Database } from '../../db/client.js';
import { inTransaction } from '../../db/transaction.js';
import { fieldErrors, HttpProblem, invalidField, validationProblem } from '../../http/problems.js';
import { type AuditEntry, appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import { findUnitsByCodes, type UnitRow } from '../units/units.repository.js';
import { principalSees } from '../units/units.service.js';
import { insertFeedbackKeys, type WrittenFeedback } from './feedback.repository.js';
import { createFeedbackSchema } from './feedback.schemas.js';
import { maxBatchItems } from './feedback-batch.schemas.js';
import {
  type CheckedFeedback,
  checkIntake,
  loadIntakeLookups,
  receivedAudit,
  writeFeedbackItems,
} from './feedback-intake.service.js';

/** An item's fate: its keys when recorded, else the problem POST /v1/feedback would have answered. */
export type ItemOutcome = WrittenFeedback | HttpProblem;

/** A schema failure of one item, as the error handler words it for POST /v1/feedback. */
const invalidItem = (error: z.ZodError): HttpProblem =>
  validationProblem(
    error.issues.flatMap((issue) =>
      fieldErrors(
        'body',
        issue.path.map((key) => `/${String(key)}`).join(''),
        issue.message,
        issue.code === 'unrecognized_keys' ? issue.keys : [],
      ),
    ),
  );

/**
 * Records up to 1,000 items sent together. Each is checked on its own (the schema, then the intake
 * rules); the good ones are written as one set in one transaction, with one audit event each,
 * appended last. One bad item never stops the others. Answers an outcome per item, in order.
 */
export async function createFeedbackBatch(
  db: Database,
  principal: Principal,
  items: readonly unknown[],
  via: 'batch' | 'import',
): Promise<ItemOutcome[]> {
  const parsed = items.map((item) => createFeedbackSchema.safeParse(item));
  const lookups = await loadIntakeLookups(
    db,
    parsed.flatMap((result) => (result.success ? [result.data] : [])),
  );
  const now = Date.now();
  const outcomes = new Array<ItemOutcome>(items.length);
  const checked: { index: number; item: CheckedFeedback }[] = [];
  parsed.forEach((result, index) => {
    const item = result.success ? checkIntake(principal, result.data, lookups, now) : invalidItem(result.error);
    if (item instanceof HttpProblem) outcomes[index] = item;
    else checked.push({ index, item });
  });
  if (checked.length === 0) return outcomes;

  await inTransaction(db, async (tx) => {
    const written = await writeFeedbackItems(
      tx,
      checked.map(({ item }) => item),
      insertFeedbackKeys,
    );
    const audit: AuditEntry[] = [];
    written.forEach((outcome, k) => {
      const { index, item } = checked[k]!;
      outcomes[index] = outcome;
      if (!(outcome instanceof HttpProblem)) audit.push(receivedAudit(outcome.id, item.input, { via }));
    });
    await appendAudit(tx, actorOf(principal), audit);
  });
  return outcomes;
}

/** A row of a CSV import: its item, and the code naming its unit when the file uses unitCode. */
export interface ImportRow {
  item: Record<string, unknown>;
  unitCode?: string;
}

/**
 * The rows' items with each unitCode turned into its unit's id, the codes looked up in one query,
 * ignoring case (an exact match wins when two codes differ only by case). A code that is missing,
 * unknown or names a unit the key cannot see becomes that row's problem.
 */
async function withUnitIds(db: Database, principal: Principal, rows: readonly ImportRow[]) {
  const codes = rows.flatMap((row) => (row.unitCode ? [row.unitCode] : []));
  const byCode = new Map<string, UnitRow[]>();
  for (const unit of await findUnitsByCodes(db, codes)) {
    if (!principalSees(principal, unit)) continue;
    const key = unit.code.toLowerCase();
    byCode.set(key, [...(byCode.get(key) ?? []), unit]);
  }
  return rows.map(({ item, unitCode }): Record<string, unknown> | HttpProblem => {
    if (unitCode === undefined) return item;
    if (unitCode === '') return invalidField('/unitCode', 'Required: the code of the unit the feedback is about');
    const candidates = byCode.get(unitCode.toLowerCase()) ?? [];
    const unit = candidates.find((c) => c.code === unitCode) ?? (candidates.length === 1 ? candidates[0] : undefined);
    if (unit) return { ...item, unitId: unit.id };
    return invalidField(
      '/unitCode',
      candidates.length > 1
        ? `The code "${unitCode}" matches ${candidates.map((c) => c.code).join(', ')}; write it exactly`
        : `No unit has the code "${unitCode}"`,
    );
  });
}

/** Records the rows of a CSV import in sets of 1,000, each set as one batch. */
export async function importFeedback(
  db: Database,
  principal: Principal,
  rows: readonly ImportRow[],
): Promise<ItemOutcome[]> {
  const items = await withUnitIds(db, principal, rows);
  const outcomes: ItemOutcome[] = [];
  for (let start = 0; start < items.length; start += maxBatchItems) {
    const set = items.slice(start, start + maxBatchItems);
    const written = await createFeedbackBatch(
      db,
      principal,
      set.filter((item) => !(item instanceof HttpProblem)),
      'import',
    );
    let next = 0;
    outcomes.push(...set.map((item) => (item instanceof HttpProblem ? item : written[next++]!)));
  }
  return outcomes;
}
