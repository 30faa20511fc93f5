import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import type { Role } from '../../db/schema/enums.js';
import { inTransaction } from '../../db/transaction.js';
import { afterTimeAndId, timeAndIdPage } from '../../http/pagination.js';
import { invalidField, notFound } from '../../http/problems.js';
import { appendAudit } from '../audit/audit.service.js';
import { actorOf, apiKeyIdOf, type Principal } from '../auth/auth.service.js';
import { liveSessionCounts } from '../sessions/sessions.repository.js';
import { findUnit } from '../units/units.repository.js';
import { principalSees } from '../units/units.service.js';
import {
  findReviewInvite,
  generateInviteToken,
  insertReviewInvite,
  listReviewInvites,
  lockReviewInviteByToken,
  type ReviewInviteRow,
  revokeReviewInvite,
  spendReviewInvite,
} from './review-invites.repository.js';
import type { CreateReviewInvite, ReviewInvite } from './review-invites.schemas.js';

/** The role a reviewer's session carries: the same as a `reviewer` key's. */
const reviewerRole: Role = 'reviewer';

/** The page a link opens: a "Start" button, so a link-preview bot that only GETs never spends it. */
export const invitePath = (token: string) => `/review/invite/${token}`;

function statusOf(row: ReviewInviteRow, now = Date.now()): ReviewInvite['status'] {
  if (row.revokedAt) return 'revoked';
  if (row.usedAt) return 'used';
  return row.expiresAt.getTime() <= now ? 'expired' : 'open';
}

const toReviewInvite = (row: ReviewInviteRow, activeSessions: number): ReviewInvite => ({
  id: row.id,
  name: row.name,
  unitId: row.unitId,
  status: statusOf(row),
  createdAt: row.createdAt.toISOString(),
  expiresAt: row.expiresAt.toISOString(),
  usedAt: row.usedAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
  activeSessions,
});

/** The unit, when the principal may see it; else the same 400 whether it exists or not. */
async function visibleUnit(db: Database, principal: Principal, unitId: string) {
  const unit = await findUnit(db, unitId);
  if (!unit || !principalSees(principal, unit)) throw invalidField('/unitId', 'No such unit');
  return unit;
}

/**
 * Creates a one-time link for a reviewer of `unitId`'s subtree (a unit-scoped admin only within its
 * own), valid for REVIEW_INVITE_TTL_HOURS, audited. Only a hash of the token is kept: the link is
 * in this answer and nowhere else.
 */
export async function createInvite(
  db: Database,
  config: Config,
  principal: Principal,
  input: CreateReviewInvite,
): Promise<ReviewInvite & { url: string }> {
  await visibleUnit(db, principal, input.unitId);
  const token = generateInviteToken();
  const row = await inTransaction(db, async (tx) => {
    const created = await insertReviewInvite(tx, {
      token,
      name: input.name ?? null,
      unitId: input.unitId,
      createdByKeyId: apiKeyIdOf(principal),
      ttlHours: config.REVIEW_INVITE_TTL_HOURS,
    });
    await appendAudit(tx, actorOf(principal), {
      entityType: 'review_invite',
      entityId: created.id,
      action: 'created',
      details: { unitId: input.unitId, expiresAt: created.expiresAt.toISOString() },
    });
    return created;
  });
  return { ...toReviewInvite(row, 0), url: `${config.PUBLIC_BASE_URL}${invitePath(token)}` };
}

/** A page of the invites the principal may see, newest first, each with its live sessions. */
export async function listInvites(
  db: Database,
  principal: Principal,
  query: { limit: number; cursor?: string | undefined },
) {
  const { limit, cursor } = query;
  const after = afterTimeAndId(cursor, 'createdAt');
  const [rows, sessions] = await Promise.all([
    listReviewInvites(db, limit, after, principal.unitId),
    liveSessionCounts(db, 'review_invite'),
  ]);
  return timeAndIdPage(rows, limit, 'createdAt', (row) => toReviewInvite(row, sessions.get(row.id) ?? 0));
}

/**
 * Revokes an invite the principal may see: an open link stops working and every session it started
 * ends at its next request (the database deletes them with the revocation). Audited; twice is once.
 */
export async function revokeInvite(db: Database, principal: Principal, id: string): Promise<void> {
  const existing = await findReviewInvite(db, id);
  if (!existing) throw notFound('Invite');
  const unit = await findUnit(db, existing.unitId);
  if (!unit || !principalSees(principal, unit)) throw notFound('Invite');
  await inTransaction(db, async (tx) => {
    if (!(await revokeReviewInvite(tx, id))) return;
    await appendAudit(tx, actorOf(principal), { entityType: 'review_invite', entityId: id, action: 'revoked' });
  });
}

/** Why a link signs no one in, in the words its page uses. */
export type InviteRefusal = 'unknown' | 'used' | 'expired' | 'revoked';

/** The principal a reviewer signed in by this invite acts as: a reviewer key of the invite's unit. */
const principalOfInvite = (row: ReviewInviteRow): Principal => ({
  keyId: row.id,
  name: row.name ?? 'Reviewer',
  role: reviewerRole,
  unitId: row.unitId,
  session: { kind: 'review_invite', id: row.id },
});

/**
 * Spends an invite link and answers the principal its session will carry, or why it cannot: used
 * already, expired, revoked or unknown. Spending is audited as the session it starts.
 */
export async function spendInvite(
  db: Database,
  token: string,
): Promise<{ principal: Principal } | { refused: InviteRefusal }> {
  return inTransaction(db, async (tx) => {
    const row = await lockReviewInviteByToken(tx, token);
    if (!row) return { refused: 'unknown' as const };
    const status = statusOf(row);
    if (status !== 'open') return { refused: status };
    if (!(await spendReviewInvite(tx, row.id))) return { refused: 'expired' as const };
    const principal = principalOfInvite(row);
    await appendAudit(tx, actorOf(principal), {
      entityType: 'review_invite',
      entityId: row.id,
      action: 'signed_in',
    });
    return { principal };
  });
}

/** Whether an invite link would still sign someone in (the page with its "Start" button, or why not). */
export async function inviteRefusal(db: Database, token: string): Promise<InviteRefusal | undefined> {
  return inTransaction(db, async (tx) => {
    const row = await lockReviewInviteByToken(tx, token);
    if (!row) return 'unknown';
    const status = statusOf(row);
    return status === 'open' ? undefined : status;
  });
}

/** Records a sign-out in the audit trail, as the session that ended. */
export async function auditSignOut(db: Database, principal: Principal): Promise<void> {
  if (principal.session?.kind !== 'review_invite') return;
  const inviteId = principal.session.id;
  await inTransaction(db, (tx) =>
    appendAudit(tx, actorOf(principal), { entityType: 'review_invite', entityId: inviteId, action: 'signed_out' }),
  );
}
