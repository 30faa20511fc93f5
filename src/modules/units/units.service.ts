import type { Database, Transaction } from '../../db/client.js';
import type { UnitType } from '../../db/schema/enums.js';
import { inTransaction } from '../../db/transaction.js';
import { HttpProblem, invalidField, notFound } from '../../http/problems.js';
import { appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import { touchBoards } from './units.board-version.js';
import {
  findUnit,
  findUnitByCode,
  findUnitByOdsCode,
  insertUnit,
  liveLinksOutsideSubtree,
  moveSubtree,
  type UnitRow,
  updateUnit,
} from './units.repository.js';
import type { CreateUnit, Unit, UpdateUnit } from './units.schemas.js';

/** Which unit types may sit directly under which: trust > site > ward / service / team. */
const allowedParents: Record<UnitType, readonly UnitType[]> = {
  trust: [],
  site: ['trust'],
  ward: ['site', 'trust'],
  service: ['site', 'trust'],
  team: ['service', 'site', 'trust'],
};

export function toUnit(row: UnitRow): Unit {
  return {
    id: row.id,
    type: row.type,
    code: row.code,
    name: row.name,
    parentId: row.parentId,
    responseTargetDays: row.effectiveTargetDays,
    responseTargetInherited: row.responseTargetDays === null,
    acknowledgementTargetWorkingDays: row.effectiveAcknowledgementDays,
    acknowledgementTargetInherited: row.acknowledgementTargetWorkingDays === null,
    boardEnabled: row.boardEnabled,
    boardEasyRead: row.boardEasyRead,
    odsCode: row.odsCode,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** True when the principal's scope covers the unit (a key without a unit sees everything). */
export const principalSees = (principal: Principal | null, unit: Pick<UnitRow, 'path'>): boolean =>
  !principal?.unitId || unit.path.includes(principal.unitId);

/** Loads a unit the principal may see; one it may not see is reported as not found, not forbidden. */
export async function getVisibleUnit(db: Database, principal: Principal | null, id: string): Promise<UnitRow> {
  const unit = await findUnit(db, id);
  if (!unit || !principalSees(principal, unit)) throw notFound('Unit');
  return unit;
}

async function checkedParent(db: Database, principal: Principal, type: UnitType, parentId: string | null | undefined) {
  const allowed = allowedParents[type];
  if (!parentId) {
    if (allowed.length > 0) throw invalidField('/parentId', `A ${type} needs a parent (${allowed.join(' or ')})`);
    if (principal.unitId) throw new HttpProblem('forbidden', 'A key scoped to a unit cannot create a trust');
    return null;
  }
  if (allowed.length === 0) throw invalidField('/parentId', 'A trust is the top of the tree and has no parent');
  const parent = await findUnit(db, parentId);
  if (!parent || !principalSees(principal, parent)) throw invalidField('/parentId', 'No such unit');
  if (!allowed.includes(parent.type)) {
    throw invalidField('/parentId', `A ${type} sits under a ${allowed.join(' or ')}, not under a ${parent.type}`);
  }
  return parent;
}

export async function createUnit(db: Database, principal: Principal, input: CreateUnit): Promise<UnitRow> {
  const parent = await checkedParent(db, principal, input.type, input.parentId);
  if (await findUnitByCode(db, input.code))
    throw new HttpProblem('conflict', `A unit with code ${input.code} already exists`);
  await refuseTakenOdsCode(db, input.odsCode, null);
  const id = await inTransaction(db, async (tx) => {
    const newId = await insertUnit(tx, {
      type: input.type,
      code: input.code,
      name: input.name,
      parentId: parent?.id ?? null,
      parentPath: parent?.path ?? null,
      responseTargetDays: input.responseTargetDays ?? null,
      acknowledgementTargetWorkingDays: input.acknowledgementTargetWorkingDays ?? null,
      boardEnabled: input.boardEnabled ?? true,
      boardEasyRead: input.boardEasyRead ?? false,
      odsCode: input.odsCode ?? null,
    });
    await appendAudit(tx, actorOf(principal), {
      entityType: 'unit',
      entityId: newId,
      action: 'created',
      details: { fields: Object.keys(input) },
    });
    return newId;
  });
  return (await findUnit(db, id)) as UnitRow;
}

/**
 * A move that would leave items linked to a live action outside that action's unit subtree is
 * refused, naming the links: completing the action would then close feedback of another site. The
 * admin unlinks them (or completes the action) first, so nobody's answer changes unannounced.
 * Completed and cancelled actions keep their links as the record of what happened.
 */
async function refuseBrokenActionLinks(tx: Transaction, unitId: string): Promise<void> {
  const broken = await liveLinksOutsideSubtree(tx, unitId);
  if (broken.length === 0) return;
  const named = broken.map((link) => `feedback ${link.feedbackId} on action ${link.actionId}`).join('; ');
  throw new HttpProblem(
    'conflict',
    `This move would leave feedback linked to a planned or in-progress action outside that action’s unit subtree (${named}); unlink those items (DELETE /v1/actions/{id}/feedback/{feedbackId}) or complete the actions first`,
  );
}

/** One unit per ODS code (also a unique constraint, which a concurrent write meets as a 409). */
async function refuseTakenOdsCode(db: Database, odsCode: string | null | undefined, unitId: string | null) {
  if (!odsCode) return;
  const holder = await findUnitByOdsCode(db, odsCode);
  if (holder && holder.id !== unitId) {
    throw new HttpProblem('conflict', `The ODS code ${odsCode} is already another unit’s code`);
  }
}

export async function patchUnit(db: Database, principal: Principal, id: string, input: UpdateUnit): Promise<UnitRow> {
  const unit = await getVisibleUnit(db, principal, id);
  await refuseTakenOdsCode(db, input.odsCode, unit.id);
  const moving = input.parentId !== undefined && input.parentId !== unit.parentId;
  const newParent = moving ? await checkedParent(db, principal, unit.type, input.parentId) : undefined;
  if (newParent?.path.includes(unit.id))
    throw invalidField('/parentId', 'A unit cannot sit under itself or its own descendants');
  await inTransaction(db, async (tx) => {
    const { parentId: _parentId, ...plain } = input;
    if (Object.keys(plain).length > 0) await updateUnit(tx, id, plain);
    if (newParent) {
      await updateUnit(tx, id, { parentId: newParent.id });
      await moveSubtree(tx, unit, newParent.path);
      await refuseBrokenActionLinks(tx, id);
    }
    // Names, settings and place in the tree all show on boards: this unit's and its ancestors', and
    // after a move the old ancestors' too.
    await touchBoards(tx, [id, ...(moving && unit.parentId ? [unit.parentId] : [])]);
    await appendAudit(tx, actorOf(principal), {
      entityType: 'unit',
      entityId: id,
      action: 'updated',
      details: { fields: Object.keys(input) },
    });
  });
  return (await findUnit(db, id)) as UnitRow;
}
