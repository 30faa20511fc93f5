import type { Database, Transaction } from '../../db/client.js';
import { inTransaction } from '../../db/transaction.js';
import { afterTimeAndId, timeAndIdPage } from '../../http/pagination.js';
import { illegalTransition, invalidField, notFound } from '../../http/problems.js';
import { appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import { reviewableIds } from '../review/review.service.js';
import { unknownThemeCodes } from '../themes/themes.repository.js';
import { touchBoards } from '../units/units.board-version.js';
import { findUnit } from '../units/units.repository.js';
import { principalSees } from '../units/units.service.js';
import {
  acceptWithActions,
  declineRecommendationRow,
  findRecommendation,
  insertRecommendation,
  listRecommendationRows,
  lockActionsForAnswer,
  lockRecommendation,
  type RecommendationRow,
} from './recommendations.repository.js';
import type {
  AcceptRecommendation,
  CreateRecommendation,
  DeclineRecommendation,
  ListRecommendationsQuery,
  Recommendation,
} from './recommendations.schemas.js';

export function toRecommendation(row: RecommendationRow): Recommendation {
  return {
    id: row.id,
    unitId: row.unitId,
    title: row.title,
    text: row.text,
    feedbackIds: row.feedbackIds,
    themes: row.themes,
    status: row.status,
    response: row.response,
    actionIds: row.actionIds,
    createdAt: row.createdAt.toISOString(),
    respondedAt: row.respondedAt?.toISOString() ?? null,
    doneAt: row.doneAt?.toISOString() ?? null,
    version: row.version,
  };
}

/**
 * Reads a recommendation the principal may see: any in its unit scope, whoever made it. The panel
 * works as a group, so a reviewer sees every recommendation of its wards, not only its own; none
 * of them carries who made it.
 */
export async function getRecommendation(db: Database, principal: Principal, id: string): Promise<Recommendation> {
  const row = await findRecommendation(db, id);
  if (!row || !principalSees(principal, { path: row.unitPath })) throw notFound('Recommendation');
  return toRecommendation(row);
}

/** GET /v1/recommendations: newest first, within the principal's scope and the filters. */
export async function listRecommendations(db: Database, principal: Principal, query: ListRecommendationsQuery) {
  const after = afterTimeAndId(query.cursor, 'createdAt');
  const within = [principal.unitId, query.unitId].filter((id): id is string => Boolean(id));
  const rows = await listRecommendationRows(
    db,
    {
      within,
      madeBy: query.mine ? principal.keyId : undefined,
      status: query.status,
      theme: query.theme,
      createdFrom: query.createdFrom ? new Date(query.createdFrom) : undefined,
      createdTo: query.createdTo ? new Date(query.createdTo) : undefined,
    },
    query.limit,
    after,
  );
  return timeAndIdPage(rows, query.limit, 'createdAt', toRecommendation);
}

/**
 * POST /v1/recommendations, for a reviewer or for staff recording a panel meeting. The feedback it
 * quotes must be items the principal may read in the review list and about the unit or below it; an
 * id that is not is refused as "no such item", hidden or not, so the answer tells nothing of it.
 */
export async function createRecommendation(
  db: Database,
  principal: Principal,
  input: CreateRecommendation,
): Promise<Recommendation> {
  const unit = await findUnit(db, input.unitId);
  if (!unit || !principalSees(principal, unit)) throw invalidField('/unitId', 'No such unit');
  const themes = [...new Set(input.themes ?? [])];
  const unknown = await unknownThemeCodes(db, themes);
  if (unknown.length > 0) throw invalidField('/themes', `Not in the theme vocabulary: ${unknown.join(', ')}`);
  const requested = input.feedbackIds ?? [];
  const feedbackIds = [...new Set(requested)];
  const readable = await reviewableIds(db, principal, feedbackIds, unit.id);
  const missing = feedbackIds.find((id) => !readable.has(id));
  if (missing) {
    throw invalidField(
      `/feedbackIds/${requested.indexOf(missing)}`,
      'No such feedback item in the review list of this unit',
    );
  }
  const id = await inTransaction(db, async (tx) => {
    const created = await insertRecommendation(
      tx,
      {
        unitId: unit.id,
        title: input.title,
        text: input.text,
        themes,
        madeBy: principal.keyId,
      },
      feedbackIds,
    );
    await appendAudit(tx, actorOf(principal), {
      entityType: 'recommendation',
      entityId: created,
      action: 'created',
      details: { fields: Object.keys(input).sort(), feedbackIds },
    });
    return created;
  });
  return toRecommendation((await findRecommendation(db, id))!);
}

/** The skeleton of an answer: one transaction, the recommendation locked and in scope, the state rule. */
async function answer(
  db: Database,
  principal: Principal,
  id: string,
  refuse: (row: RecommendationRow) => string | undefined,
  /** Answers the units of other boards it changed (those of the actions it links or unlinks). */
  change: (tx: Transaction, row: RecommendationRow) => Promise<string[] | undefined>,
): Promise<Recommendation> {
  await inTransaction(db, async (tx) => {
    const row = await lockRecommendation(tx, id);
    if (!row || !principalSees(principal, { path: row.unitPath })) throw notFound('Recommendation');
    const refused = refuse(row);
    if (refused !== undefined) throw illegalTransition(refused);
    const touched = await change(tx, row);
    // The boards show answered recommendations, and the actions answering them say so.
    await touchBoards(tx, [row.unitId, ...(touched ?? [])]);
  });
  return toRecommendation((await findRecommendation(db, id))!);
}

/**
 * POST /v1/recommendations/{id}/accept: answers it with existing actions of its unit's subtree. A
 * proposed one becomes `accepted`, or `done` at once when every action is already completed; an
 * accepted one gets these actions instead of its old ones (one was cancelled, say). The database keeps
 * `done` true from then on, whatever changes the actions.
 */
export async function acceptRecommendation(
  db: Database,
  principal: Principal,
  id: string,
  input: AcceptRecommendation,
): Promise<Recommendation> {
  const actionIds = [...new Set(input.actionIds)];
  const refuse = (row: RecommendationRow) =>
    row.status === 'declined'
      ? 'A declined recommendation has its answer; the panel can make it again as a new recommendation'
      : row.status === 'done'
        ? 'A done recommendation has its answer: every linked action is completed'
        : undefined;
  return answer(db, principal, id, refuse, async (tx, row) => {
    const found = new Map((await lockActionsForAnswer(tx, actionIds)).map((action) => [action.id, action]));
    for (const actionId of actionIds) {
      const path = `/actionIds/${input.actionIds.indexOf(actionId)}`;
      const action = found.get(actionId);
      if (!action || !principalSees(principal, { path: action.unitPath })) throw invalidField(path, 'No such action');
      if (!action.unitPath.includes(row.unitId)) {
        throw invalidField(
          path,
          `Action ${actionId} belongs to a unit outside the recommendation’s unit subtree; answer it with actions of its own unit or the units below it`,
        );
      }
      if (action.status === 'cancelled') {
        throw invalidField(path, `Action ${actionId} is cancelled and answers nothing; choose or create a live one`);
      }
    }
    await acceptWithActions(tx, id, actionIds);
    const unlinked = row.actionIds.filter((actionId) => !found.has(actionId));
    const unlinkedUnits = (await lockActionsForAnswer(tx, unlinked)).map((action) => action.unitId);
    await appendAudit(tx, actorOf(principal), {
      entityType: 'recommendation',
      entityId: id,
      action: 'accepted',
      details: { from: row.status, actionIds, previousActionIds: row.actionIds },
    });
    return [...[...found.values()].map((action) => action.unitId), ...unlinkedUnits];
  });
}

/** POST /v1/recommendations/{id}/decline: only a proposed one, with a public explanation. */
export async function declineRecommendation(
  db: Database,
  principal: Principal,
  id: string,
  input: DeclineRecommendation,
): Promise<Recommendation> {
  const refuse = (row: RecommendationRow) =>
    row.status === 'proposed'
      ? undefined
      : `Only a proposed recommendation can be declined; this one is ${row.status}, and its answer stands`;
  return answer(db, principal, id, refuse, async (tx, row) => {
    await declineRecommendationRow(tx, id, input.response);
    await appendAudit(tx, actorOf(principal), {
      entityType: 'recommendation',
      entityId: id,
      action: 'declined',
      details: { fields: ['response'], from: row.status },
    });
    return undefined;
  });
}
