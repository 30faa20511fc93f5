import { randomBytes } from 'node:crypto';
import type { Database } from '../../db/client.js';
import { SqlState, sqlStateOf } from '../../db/errors.js';
import { inTransaction } from '../../db/transaction.js';
import { afterTimeAndId, timeAndIdPage } from '../../http/pagination.js';
import { HttpProblem, invalidField, notFound } from '../../http/problems.js';
import { appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import { findUnit } from '../units/units.repository.js';
import { principalSees } from '../units/units.service.js';
import {
  deletePerson,
  findPerson,
  findPersonHolding,
  insertPerson,
  insertPersonInvite,
  listPeople,
  type PersonRow,
  updatePerson,
} from './people.repository.js';
import { type CreatePerson, oneMatch, oneMatchMessage, type Person, type UpdatePerson } from './people.schemas.js';

export const toPerson = (row: PersonRow): Person => ({
  id: row.id,
  email: row.email,
  group: row.idpGroup,
  role: row.role,
  unitId: row.unitId,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** What the audit trail keeps of a row: who it matches and what it grants (staff identities, no patient data). */
const auditedFields = (row: Pick<PersonRow, 'email' | 'idpGroup' | 'role' | 'unitId'>) => ({
  email: row.email,
  group: row.idpGroup,
  role: row.role,
  unitId: row.unitId,
});

/**
 * A unit-scoped admin grants only within its own subtree, and never a trust-wide role: otherwise a
 * ward's admin could make someone an admin of the whole trust.
 */
async function checkGrantableScope(db: Database, principal: Principal, unitId: string | null): Promise<void> {
  if (unitId) {
    const unit = await findUnit(db, unitId);
    if (!unit || !principalSees(principal, unit)) throw invalidField('/unitId', 'No such unit');
  } else if (principal.unitId) {
    throw new HttpProblem(
      'forbidden',
      'An admin scoped to a unit can only grant roles within that unit: give a unitId inside it',
    );
  }
}

/** A person row the principal may manage; one outside a scoped admin's subtree is not found. */
async function visiblePerson(db: Database, principal: Principal, id: string): Promise<PersonRow> {
  const row = await findPerson(db, id);
  if (!row) throw notFound('Person');
  if (principal.unitId) {
    const unit = row.unitId ? await findUnit(db, row.unitId) : undefined;
    if (!unit || !principalSees(principal, unit)) throw notFound('Person');
  }
  return row;
}

const holdingConflict = (row: Pick<PersonRow, 'email' | 'id'>) =>
  new HttpProblem(
    'conflict',
    row.email !== null ? 'Another person row already has this email' : 'Another person row already maps this group',
    { existingId: row.id },
  );

/** Runs a write that may meet the unique email or group index, a race past the check, as a 409. */
async function withUniqueMatch<T>(
  db: Database,
  match: { email: string | null; idpGroup: string | null },
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (sqlStateOf(error) !== SqlState.uniqueViolation) throw error;
    const holder = await findPersonHolding(db, match);
    throw holder ? holdingConflict(holder) : error;
  }
}

/** Maps an email or a group to a role and scope, within the principal's own scope; audited. */
export async function createPerson(db: Database, principal: Principal, input: CreatePerson): Promise<Person> {
  const values = {
    email: input.email ?? null,
    idpGroup: input.group ?? null,
    role: input.role,
    unitId: input.unitId ?? null,
  };
  await checkGrantableScope(db, principal, values.unitId);
  const holder = await findPersonHolding(db, values);
  if (holder) throw holdingConflict(holder);
  const row = await withUniqueMatch(db, values, () =>
    inTransaction(db, async (tx) => {
      const created = await insertPerson(tx, values);
      await appendAudit(tx, actorOf(principal), {
        entityType: 'person',
        entityId: created.id,
        action: 'created',
        details: auditedFields(created),
      });
      return created;
    }),
  );
  return toPerson(row);
}

/** A page of the people the principal may manage, newest first. */
export async function listPeopleFor(
  db: Database,
  principal: Principal,
  query: { limit: number; cursor?: string | undefined },
) {
  const { limit, cursor } = query;
  const after = afterTimeAndId(cursor, 'createdAt');
  const rows = await listPeople(db, limit, after, principal.unitId);
  return timeAndIdPage(rows, limit, 'createdAt', toPerson);
}

/**
 * Changes what a row matches or grants, both within the principal's scope; audited. The person's
 * sessions end (a database trigger), so the new role applies from their next sign-in.
 */
export async function patchPerson(
  db: Database,
  principal: Principal,
  id: string,
  patch: UpdatePerson,
): Promise<Person> {
  const existing = await visiblePerson(db, principal, id);
  const merged = {
    email: patch.email !== undefined ? patch.email : existing.email,
    idpGroup: patch.group !== undefined ? patch.group : existing.idpGroup,
    role: patch.role ?? existing.role,
    unitId: patch.unitId !== undefined ? patch.unitId : existing.unitId,
  };
  if (!oneMatch({ email: merged.email, group: merged.idpGroup })) {
    throw invalidField(patch.email !== undefined ? '/email' : '/group', oneMatchMessage);
  }
  if (patch.unitId !== undefined) await checkGrantableScope(db, principal, merged.unitId);
  const holder = await findPersonHolding(db, merged, existing.id);
  if (holder) throw holdingConflict(holder);
  const changed = (Object.keys(merged) as (keyof typeof merged)[]).filter((field) => merged[field] !== existing[field]);
  if (changed.length === 0) return toPerson(existing);
  const row = await withUniqueMatch(db, merged, () =>
    inTransaction(db, async (tx) => {
      const updated = await updatePerson(tx, existing.id, merged);
      await appendAudit(tx, actorOf(principal), {
        entityType: 'person',
        entityId: existing.id,
        action: 'updated',
        details: {
          ...auditedFields(updated),
          changed: changed.map((field) => (field === 'idpGroup' ? 'group' : field)),
        },
      });
      return updated;
    }),
  );
  return toPerson(row);
}

/** Removes a row: no one signs in through it again, and its sessions end at once (a trigger); audited. */
export async function removePerson(db: Database, principal: Principal, id: string): Promise<void> {
  const existing = await visiblePerson(db, principal, id);
  await inTransaction(db, async (tx) => {
    if (!(await deletePerson(tx, existing.id))) throw notFound('Person');
    await appendAudit(tx, actorOf(principal), {
      entityType: 'person',
      entityId: existing.id,
      action: 'removed',
      details: auditedFields(existing),
    });
  });
}

const roleRank = { admin: 0, staff: 1, auditor: 2 } as const;

/**
 * The row a signed-in person acts through, of all those matching their verified email or one of
 * their groups: the most privileged role (admin, staff, auditor), then no unit scope before a
 * scope, then an email row before a group row, then the oldest. Undefined: no access yet.
 */
export function mostPrivileged(rows: readonly PersonRow[]): PersonRow | undefined {
  return [...rows].sort(
    (a, b) =>
      roleRank[a.role] - roleRank[b.role] ||
      Number(a.unitId !== null) - Number(b.unitId !== null) ||
      Number(a.email === null) - Number(b.email === null) ||
      a.createdAt.getTime() - b.createdAt.getTime() ||
      a.id.localeCompare(b.id),
  )[0];
}

/** How long a person's invite link works before it is used. */
const inviteHours = 72;

/**
 * A one-time link that signs the person of an email row in, for trusts without an identity
 * provider; within the principal's scope, audited. Only a hash of the token is stored: the link is
 * in this answer once.
 */
export async function invitePerson(
  db: Database,
  principal: Principal,
  id: string,
  publicBaseUrl: string,
): Promise<{ id: string; personId: string; url: string; expiresAt: string }> {
  const person = await visiblePerson(db, principal, id);
  if (person.email === null) {
    throw new HttpProblem('conflict', 'Only a row with an email can be invited: a group row names no one person');
  }
  const token = randomBytes(32).toString('base64url');
  const invite = await inTransaction(db, async (tx) => {
    const created = await insertPersonInvite(tx, person.id, token, inviteHours * 3600);
    await appendAudit(tx, actorOf(principal), {
      entityType: 'person',
      entityId: person.id,
      action: 'invited',
      details: { inviteId: created.id, expiresAt: created.expiresAt.toISOString() },
    });
    return created;
  });
  return {
    id: invite.id,
    personId: person.id,
    url: `${publicBaseUrl}/console/invite/${token}`,
    expiresAt: invite.expiresAt.toISOString(),
  };
}
