import { sql } from 'drizzle-orm';
import type { Database, Queryable } from '../../db/client.js';
import { type PreparedQuery, preparedRows, rowsOf } from '../../db/rows.js';
import { uuidArray } from '../../db/uuid-array.js';

/** What a board request needs to know about its unit, and the stamp that says whether a cached copy is current. */
export interface BoardUnitRow {
  id: string;
  code: string;
  name: string;
  boardEnabled: boolean;
  boardEasyRead: boolean;
  boardVersion: number;
  /** The unit and every unit below it whose own board is on: a board switched off shows nowhere. */
  subtreeIds: string[];
  /** Sum of the subtree's board versions: moves of a ward between sites change it too. */
  subtreeVersion: number;
  changedAt: Date;
  /** The latest board_changed_at in the subtree (a move touches the old parent, so it moves for both sites). */
  subtreeChangedAt: Date;
}

const boardUnitSelectText = `
  select u.id, u.code, u.name, u.board_enabled, u.board_easy_read, u.board_version, u.board_changed_at,
    s.ids as subtree_ids, s.version as subtree_version, s.changed_at as subtree_changed_at
  from units u
  cross join lateral (
    select coalesce(array_agg(d.id order by d.id) filter (where d.board_enabled), '{}') as ids,
      coalesce(sum(d.board_version), 0)::bigint as version, max(d.board_changed_at) as changed_at
    from units d where d.path @> array[u.id]::uuid[]
  ) s`;

const boardUnitSelect = sql.raw(boardUnitSelectText);

interface RawBoardUnit extends Record<string, unknown> {
  id: string;
  code: string;
  name: string;
  board_enabled: boolean;
  board_easy_read: boolean;
  board_version: number;
  board_changed_at: string | Date;
  subtree_ids: string[] | string;
  subtree_version: string | number;
  subtree_changed_at: string | Date;
}

/** pg returns uuid[] as an array; PGlite may too, but a '{a,b}' literal is parsed just in case. */
function parseUuidArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  return value
    .replace(/^\{|\}$/g, '')
    .split(',')
    .filter(Boolean);
}

function toBoardUnit(row: RawBoardUnit | undefined): BoardUnitRow | undefined {
  if (!row) return undefined;
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    boardEnabled: row.board_enabled,
    boardEasyRead: row.board_easy_read,
    boardVersion: Number(row.board_version),
    subtreeIds: parseUuidArray(row.subtree_ids),
    subtreeVersion: Number(row.subtree_version),
    changedAt: new Date(row.board_changed_at),
    subtreeChangedAt: new Date(row.subtree_changed_at),
  };
}

/** One primary-key look-up plus one GIN subtree look-up: cheap enough to run on every request. */
export async function findBoardUnitById(db: Queryable, id: string): Promise<BoardUnitRow | undefined> {
  const rows = await rowsOf<RawBoardUnit>(db, sql`${boardUnitSelect} where u.id = ${id}::uuid`);
  return toBoardUnit(rows[0]);
}

const boardUnitByIdQuery: PreparedQuery = {
  name: 'wedid_board_unit_by_id',
  text: `${boardUnitSelectText} where u.id = $1::uuid`,
};

/**
 * findBoardUnitById as a prepared statement, for the public board's freshness check: it runs once
 * per burst of requests for every board polled, so its own cost counts.
 */
export async function findBoardUnitByIdPrepared(db: Database, id: string): Promise<BoardUnitRow | undefined> {
  const rows = await preparedRows<RawBoardUnit>(db, boardUnitByIdQuery, [id]);
  return toBoardUnit(rows[0]);
}

/**
 * Codes are matched regardless of case, as tracking references are: people type what they read off a
 * poster. Codes are unique only as written, so an exact match wins over one differing in case.
 */
export async function findBoardUnitByCode(db: Queryable, code: string): Promise<BoardUnitRow | undefined> {
  const rows = await rowsOf<RawBoardUnit>(
    db,
    sql`${boardUnitSelect} where lower(u.code) = lower(${code}) order by u.code = ${code} desc, u.code limit 1`,
  );
  return toBoardUnit(rows[0]);
}

export interface ActionEntryRow {
  id: string;
  status: 'planned' | 'in_progress' | 'completed';
  title: string;
  description: string | null;
  outcome: string | null;
  plannedFor: string | null;
  /** completedAt for a completed action, createdAt for a live one: when it became news. */
  sortAt: Date;
}

interface RawActionRow extends Record<string, unknown> {
  id: string;
  status: ActionEntryRow['status'];
  title: string;
  description: string | null;
  outcome: string | null;
  planned_for: string | Date | null;
  sort_at: string | Date;
}

const isoDate = (value: string | Date | null): string | null =>
  value === null ? null : typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10);

function toActionRow(row: RawActionRow): ActionEntryRow {
  return {
    id: row.id,
    status: row.status,
    title: row.title,
    description: row.description,
    outcome: row.outcome,
    plannedFor: isoDate(row.planned_for),
    sortAt: new Date(row.sort_at),
  };
}

/** The newest completed actions: walks actions_completed_idx (unit_id, completed_at desc). */
export async function listCompletedActions(db: Queryable, unitIds: string[], limit: number): Promise<ActionEntryRow[]> {
  const rows = await rowsOf<RawActionRow>(
    db,
    sql`
    select a.id, a.status, a.title, a.description, a.outcome, a.planned_for, a.completed_at as sort_at
    from actions a
    where a.unit_id = any(${uuidArray(unitIds)}) and a.status = 'completed'
    order by a.completed_at desc, a.id desc
    limit ${limit}`,
  );
  return rows.map(toActionRow);
}

/** The newest planned or in-progress actions: walks actions_unit_idx (unit_id, created_at desc). */
export async function listLiveActions(db: Queryable, unitIds: string[], limit: number): Promise<ActionEntryRow[]> {
  const rows = await rowsOf<RawActionRow>(
    db,
    sql`
    select a.id, a.status, a.title, a.description, a.outcome, a.planned_for, a.created_at as sort_at
    from actions a
    where a.unit_id = any(${uuidArray(unitIds)}) and a.status in ('planned', 'in_progress')
    order by a.created_at desc, a.id desc
    limit ${limit}`,
  );
  return rows.map(toActionRow);
}

// The one rule for "may this summary be shown": staff wrote it, the person agreed, it is not erased,
// and it is not waiting for a person to look at what the safeguarding screen flagged.
const publishable = sql`f.publish_consent and f.you_said is not null and btrim(f.you_said) <> '' and f.erased_at is null and f.safeguarding <> 'flagged'`;

export interface DecisionEntryRow {
  id: string;
  explanation: string;
  decidedAt: Date;
  youSaid: string;
}

/**
 * The newest current decisions whose item may be shown: a "We couldn't, because" needs the
 * "You said" it answers, or it has no public context.
 */
export async function listPublishableDecisions(
  db: Queryable,
  unitIds: string[],
  limit: number,
): Promise<DecisionEntryRow[]> {
  const rows = await rowsOf<{ id: string; explanation: string; decided_at: string | Date; you_said: string }>(
    db,
    sql`
    select d.id, d.explanation, d.decided_at, f.you_said
    from feedback_items f
    join decisions d on d.feedback_id = f.id and d.superseded_at is null
    where f.unit_id = any(${uuidArray(unitIds)}) and f.status = 'not_actioned' and ${publishable}
    order by d.decided_at desc, d.id desc
    limit ${limit}`,
  );
  return rows.map((row) => ({
    id: row.id,
    explanation: row.explanation,
    decidedAt: new Date(row.decided_at),
    youSaid: row.you_said,
  }));
}

/** The consented summaries each action answers, newest first, at most `perAction` each. */
export async function listYouSaidForActions(
  db: Queryable,
  actionIds: string[],
  perAction: number,
): Promise<Map<string, string[]>> {
  const byAction = new Map<string, string[]>();
  if (actionIds.length === 0) return byAction;
  const rows = await rowsOf<{ action_id: string; you_said: string }>(
    db,
    sql`
    select action_id, you_said from (
      select l.action_id, f.you_said,
        row_number() over (partition by l.action_id order by f.received_at desc, f.id desc) as n
      from action_feedback l
      join feedback_items f on f.id = l.feedback_id
      where l.action_id = any(${uuidArray(actionIds)}) and ${publishable}
    ) ranked
    where n <= ${perAction}
    order by action_id, n`,
  );
  for (const row of rows) {
    const list = byAction.get(row.action_id) ?? [];
    list.push(row.you_said);
    byAction.set(row.action_id, list);
  }
  return byAction;
}

/** One aggregate over feedback_unit_received_idx (unit_id, received_at): items received since `since`. */
export async function boardStats(db: Queryable, unitIds: string[], since: Date) {
  const rows = await rowsOf<{
    received: string;
    closed: string;
    actioned: string;
    not_actioned: string;
    fft_responses: string;
    fft_positive: string;
  }>(
    db,
    sql`
    select count(*) as received,
      count(*) filter (where f.status in ('actioned', 'not_actioned')) as closed,
      count(*) filter (where f.status = 'actioned') as actioned,
      count(*) filter (where f.status = 'not_actioned') as not_actioned,
      count(*) filter (where f.fft_rating is not null) as fft_responses,
      count(*) filter (where f.fft_rating in ('very_good', 'good')) as fft_positive
    from feedback_items f
    where f.unit_id = any(${uuidArray(unitIds)}) and f.received_at >= ${since.toISOString()}::timestamptz`,
  );
  const row = rows[0];
  return {
    received: Number(row?.received ?? 0),
    closed: Number(row?.closed ?? 0),
    actioned: Number(row?.actioned ?? 0),
    notActioned: Number(row?.not_actioned ?? 0),
    fftResponses: Number(row?.fft_responses ?? 0),
    fftPositive: Number(row?.fft_positive ?? 0),
  };
}

export interface PanelRecommendationRow {
  id: string;
  title: string;
  status: 'accepted' | 'done' | 'declined';
  response: string | null;
  date: Date;
  actions: { title: string; status: 'planned' | 'in_progress' | 'completed'; outcome: string | null }[];
}

/**
 * The newest recommendations of the lived-experience panel that staff have answered, with the live
 * and completed actions answering them. Titles, outcomes and responses only: never who made them,
 * nor the panel's full text.
 */
export async function listPanelRecommendations(
  db: Queryable,
  unitIds: string[],
  limit: number,
): Promise<PanelRecommendationRow[]> {
  const rows = await rowsOf<{
    id: string;
    title: string;
    status: PanelRecommendationRow['status'];
    response: string | null;
    date: string | Date;
    actions: PanelRecommendationRow['actions'] | string;
  }>(
    db,
    sql`
    select r.id, r.title, r.status, case when r.status = 'declined' then r.response end as response,
      coalesce(r.done_at, r.responded_at) as date,
      coalesce((
        select jsonb_agg(jsonb_build_object('title', a.title, 'status', a.status,
          'outcome', case when a.status = 'completed' then a.outcome end) order by l.linked_at, a.id)
        from recommendation_actions l join actions a on a.id = l.action_id
        where l.recommendation_id = r.id and a.status <> 'cancelled'), '[]'::jsonb) as actions
    from recommendations r
    where r.unit_id = any(${uuidArray(unitIds)}) and r.status <> 'proposed'
    order by coalesce(r.done_at, r.responded_at) desc, r.id desc
    limit ${limit}`,
  );
  return rows.map((row) => ({
    id: row.id,
    title: row.title,
    status: row.status,
    response: row.response,
    date: new Date(row.date),
    actions: typeof row.actions === 'string' ? JSON.parse(row.actions) : row.actions,
  }));
}

/** For each action answering an accepted or done recommendation, that recommendation's title. */
export async function listPanelTitlesForActions(db: Queryable, actionIds: string[]): Promise<Map<string, string>> {
  if (actionIds.length === 0) return new Map();
  const rows = await rowsOf<{ action_id: string; title: string }>(
    db,
    sql`
    select distinct on (l.action_id) l.action_id, r.title
    from recommendation_actions l join recommendations r on r.id = l.recommendation_id
    where l.action_id = any(${uuidArray(actionIds)}) and r.status in ('accepted', 'done')
    order by l.action_id, r.created_at, r.id`,
  );
  return new Map(rows.map((row) => [row.action_id, row.title]));
}

/** An item whose answer is ready for the board but whose "You said" may not be shown, and why. */
export interface HeldBackRow {
  id: string;
  reference: string;
  noSummary: boolean;
  noConsent: boolean;
  flagged: boolean;
  erased: boolean;
  /** How many such items the unit has in all (the rows stop at `limit`). */
  total: number;
}

/**
 * The unit's items that an action (not cancelled) or a current decision answers, but that fail the
 * `publishable` rule the board reads through: what approving or consenting would put on the board.
 * Newest first, `limit` at most; each row says which parts of the rule it fails. No words.
 */
export async function listHeldBackItems(db: Queryable, unitId: string, limit: number): Promise<HeldBackRow[]> {
  const rows = await rowsOf<{
    id: string;
    reference: string;
    no_summary: boolean;
    no_consent: boolean;
    flagged: boolean;
    erased: boolean;
    total: string | number;
  }>(
    db,
    sql`
    select f.id, f.reference,
      (f.you_said is null or btrim(f.you_said) = '') as no_summary, not f.publish_consent as no_consent,
      f.safeguarding = 'flagged' as flagged, f.erased_at is not null as erased, count(*) over () as total
    from feedback_items f
    where f.unit_id = ${unitId}::uuid and not (${publishable})
      and (
        (f.status = 'not_actioned' and exists (
          select 1 from decisions d where d.feedback_id = f.id and d.superseded_at is null))
        or exists (
          select 1 from action_feedback l join actions a on a.id = l.action_id
          where l.feedback_id = f.id and a.status <> 'cancelled')
      )
    order by f.received_at desc, f.id desc
    limit ${limit}`,
  );
  return rows.map((row) => ({
    id: row.id,
    reference: row.reference,
    noSummary: row.no_summary,
    noConsent: row.no_consent,
    flagged: row.flagged,
    erased: row.erased,
    total: Number(row.total),
  }));
}
