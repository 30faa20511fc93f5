import { createHash } from 'node:crypto';
import type { Database } from '../../db/client.js';
import { FreshReads } from '../../db/fresh-reads.js';
import { HttpProblem, notFound } from '../../http/problems.js';
import type { Principal } from '../auth/auth.service.js';
import { smallestShownCount } from '../feedback/fft.js';
import { getVisibleUnit } from '../units/units.service.js';
import { type BoardCache, stringBytes } from './boards.cache.js';
import {
  type BoardUnitRow,
  boardStats,
  findBoardUnitByCode,
  findBoardUnitByIdPrepared,
  type HeldBackRow,
  listCompletedActions,
  listHeldBackItems,
  listLiveActions,
  listPanelRecommendations,
  listPanelTitlesForActions,
  listPublishableDecisions,
  listYouSaidForActions,
} from './boards.repository.js';
import { type Board, type BoardEntry, type BoardQuery, boardSchema } from './boards.schemas.js';

export const statsWindowDays = 90;
const youSaidPerEntry = 20;

/** A built board: the body, its JSON, and the strong ETag of its content. */
export interface BuiltBoard {
  board: Board;
  json: string;
  etag: string;
  /** Whether the unit asks for the Easy Read form by default. */
  easyRead: boolean;
}

export type BoardOptions = Pick<BoardQuery, 'limit' | 'includeDescendants' | 'type'>;

const dayMs = 86_400_000;

let dayKept = { day: '', from: 0, until: 0 };

/**
 * Midnight UTC today: the figures cover whole days, so they change with the date even without writes.
 * Kept until the day ends, since every board request asks.
 */
function utcDay(now: Date): string {
  const ms = now.getTime();
  if (ms < dayKept.from || ms >= dayKept.until) {
    const from = ms - (ms % dayMs);
    dayKept = { day: now.toISOString().slice(0, 10), from, until: from + dayMs };
  }
  return dayKept.day;
}

function statsSince(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - (statsWindowDays - 1) * dayMs);
}

/**
 * Everything the content depends on, read in one cheap query: the unit's public fields, the board
 * versions of its subtree (bumped by touchBoards in the same transaction as every change) and the
 * UTC day of the figures. Equal stamps mean equal content, on every instance.
 */
function stampOf(unit: BoardUnitRow, options: BoardOptions, day: string): string {
  return JSON.stringify([
    unit.code,
    unit.name,
    unit.boardEasyRead,
    unit.boardVersion,
    options.includeDescendants ? [unit.subtreeIds.length, unit.subtreeVersion] : null,
    day,
  ]);
}

const cacheKey = (unitId: string, options: BoardOptions) =>
  `board|${unitId}|${options.limit}|${options.includeDescendants ? 1 : 0}|${options.type ?? '*'}`;

async function buildEntries(db: Database, unitIds: string[], options: BoardOptions): Promise<BoardEntry[]> {
  const wants = (type: BoardEntry['type']) => !options.type || options.type === type;
  const [completed, live, decisions] = await Promise.all([
    wants('we_did') ? listCompletedActions(db, unitIds, options.limit) : [],
    wants('we_are_doing') ? listLiveActions(db, unitIds, options.limit) : [],
    wants('we_couldnt') ? listPublishableDecisions(db, unitIds, options.limit) : [],
  ]);
  const sorted = [
    ...completed.map((row) => ({ kind: 'action' as const, row, at: row.sortAt })),
    ...live.map((row) => ({ kind: 'action' as const, row, at: row.sortAt })),
    ...decisions.map((row) => ({ kind: 'decision' as const, row, at: row.decidedAt })),
  ]
    .sort((a, b) => b.at.getTime() - a.at.getTime() || (a.row.id < b.row.id ? 1 : -1))
    .slice(0, options.limit);

  const actionIds = sorted.filter((item) => item.kind === 'action').map((item) => item.row.id);
  const [youSaid, panelTitles] = await Promise.all([
    listYouSaidForActions(db, actionIds, youSaidPerEntry),
    listPanelTitlesForActions(db, actionIds),
  ]);
  const panelRecommendation = (actionId: string) => {
    const title = panelTitles.get(actionId);
    return title === undefined ? {} : { panelRecommendation: title };
  };

  return sorted.map((item): BoardEntry => {
    if (item.kind === 'decision') {
      return {
        type: 'we_couldnt',
        youSaid: [item.row.youSaid],
        response: item.row.explanation,
        date: item.row.decidedAt.toISOString(),
      };
    }
    const action = item.row;
    if (action.status === 'completed') {
      return {
        type: 'we_did',
        title: action.title,
        ...panelRecommendation(action.id),
        youSaid: youSaid.get(action.id) ?? [],
        response: action.outcome ?? action.title,
        date: action.sortAt.toISOString(),
      };
    }
    return {
      type: 'we_are_doing',
      title: action.title,
      ...panelRecommendation(action.id),
      youSaid: youSaid.get(action.id) ?? [],
      response: action.description?.trim() ? action.description : action.title,
      date: action.plannedFor ?? action.sortAt.toISOString(),
    };
  });
}

async function buildBoard(db: Database, unit: BoardUnitRow, options: BoardOptions, day: string): Promise<BuiltBoard> {
  const unitIds = options.includeDescendants ? unit.subtreeIds : [unit.id];
  const [entries, panel, { fftResponses, fftPositive, ...counts }] = await Promise.all([
    buildEntries(db, unitIds, options),
    listPanelRecommendations(db, unitIds, options.limit),
    boardStats(db, unitIds, statsSince(day)),
  ]);
  // Parsing through the schema keeps exactly the public fields, whatever a query returned.
  const board = boardSchema.parse({
    unit: { id: unit.id, code: unit.code, name: unit.name },
    generatedAt: new Date().toISOString(),
    changedAt: (options.includeDescendants ? unit.subtreeChangedAt : unit.changedAt).toISOString(),
    entries,
    panel: panel.map(({ id: _id, title, date, ...answer }) => ({
      recommended: title,
      ...answer,
      date: date.toISOString(),
    })),
    stats: {
      ...counts,
      // A share of a handful of answers would say what those few people answered.
      fft: fftResponses >= smallestShownCount ? { responses: fftResponses, positive: fftPositive } : null,
    },
  });
  const { generatedAt: _generatedAt, ...content } = board;
  const etag = `"${createHash('sha256').update(JSON.stringify(content)).digest('base64url').slice(0, 32)}"`;
  return { board, json: JSON.stringify(board), etag, easyRead: unit.boardEasyRead };
}

const unitReads = new WeakMap<Database, FreshReads<BoardUnitRow | undefined>>();

/**
 * The unit and its stamp, as the database has them now. Every request checks them (a change committed
 * through any instance is seen by the next request to any instance), but the screens polling a board
 * at once share one check: see FreshReads for why no request is answered from an older one.
 */
function findBoardUnit(db: Database, unitRef: { id: string } | { code: string }): Promise<BoardUnitRow | undefined> {
  let reads = unitReads.get(db);
  if (!reads) {
    reads = new FreshReads();
    unitReads.set(db, reads);
  }
  return 'id' in unitRef
    ? reads.read(`id|${unitRef.id}`, () => findBoardUnitByIdPrepared(db, unitRef.id))
    : reads.read(`code|${unitRef.code}`, () => findBoardUnitByCode(db, unitRef.code));
}

/**
 * The board of a unit (by id or by code). A unit that does not exist and one whose board is off
 * answer the same 404. The ETag is a hash of the content (without `generatedAt`), so it changes
 * exactly when what the board shows changes, and every instance computes the same one. `changedAt`
 * is in it: it comes from the database, so a rebuild keeps it, and it only moves with a version
 * the stamp sees, so the page showing "Last changed" is never answered 304 with an older time.
 */
export async function getBoard(
  db: Database,
  cache: BoardCache,
  unitRef: { id: string } | { code: string },
  options: BoardOptions,
  now = new Date(),
): Promise<BuiltBoard> {
  const current = await currentBoard(db, cache, unitRef, options, now);
  if (!current) throw notFound('Board');
  if (current.built) return current.built;
  const built = await buildBoard(db, current.unit, options, current.day);
  // The JSON text and the parsed board it came from hold about the same strings.
  cache.set(current.key, current.stamp, built, 2 * stringBytes(built.json));
  return built;
}

/**
 * The board as getBoard would answer it when this process has already built it from the stamp the
 * database has now (checked by a read begun after this call, as getBoard checks); undefined when it
 * would have to be built, or answered 404. For the public route's early answer, which leaves every
 * other case to the ordinary one.
 */
export async function getBuiltBoard(
  db: Database,
  cache: BoardCache,
  unitRef: { id: string } | { code: string },
  options: BoardOptions,
  now = new Date(),
): Promise<BuiltBoard | undefined> {
  return (await currentBoard(db, cache, unitRef, options, now))?.built;
}

/** The unit's current stamp and the board cached for it, if any; undefined for no board (unknown or off). */
async function currentBoard(
  db: Database,
  cache: BoardCache,
  unitRef: { id: string } | { code: string },
  options: BoardOptions,
  now: Date,
) {
  const unit = await findBoardUnit(db, unitRef);
  if (!unit?.boardEnabled) return undefined;
  const day = utcDay(now);
  const stamp = stampOf(unit, options, day);
  const key = cacheKey(unit.id, options);
  return { unit, day, stamp, key, built: cache.get<BuiltBoard>(key, stamp) };
}

/** RFC 9110 If-None-Match (weak comparison): does the client already hold this representation? */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  // What a screen sends back: the one ETag it was given.
  if (header === etag) return true;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

/** Why an item's "You said" is not on the board, in the order staff would put it right. */
export type HeldBackReason = 'no_summary' | 'no_consent' | 'flagged' | 'erased';

export interface BoardPreview {
  unit: { id: string; code: string; name: string };
  /** The board as the ward sees it; null while the unit's board is switched off. */
  built: BuiltBoard | null;
  /** Items answered by an action or a decision whose summary the board leaves out, newest first. */
  heldBack: { id: string; reference: string; reasons: HeldBackReason[] }[];
  /** All such items, of which `heldBack` lists the first. */
  heldBackTotal: number;
}

const heldBackShown = 100;

const reasonsOf = (row: HeldBackRow): HeldBackReason[] =>
  (
    [
      ['no_summary', row.noSummary],
      ['no_consent', row.noConsent],
      ['flagged', row.flagged],
      ['erased', row.erased],
    ] as const
  )
    .filter(([, holds]) => holds)
    .map(([reason]) => reason);

/**
 * What a unit's board shows (its default form: the unit alone, 20 entries), for staff whose scope
 * covers the unit, and what it leaves out and why: before anything is published, staff see what
 * a summary or a consent would add. A unit outside the scope is not found, as in the API.
 */
export async function getBoardPreview(
  db: Database,
  cache: BoardCache,
  principal: Principal,
  unitId: string,
): Promise<BoardPreview> {
  const unit = await getVisibleUnit(db, principal, unitId);
  let built: BuiltBoard | null = null;
  try {
    built = await getBoard(db, cache, { id: unit.id }, { limit: 20, includeDescendants: false, type: undefined });
  } catch (error) {
    if (!(error instanceof HttpProblem && error.kind === 'not-found')) throw error;
  }
  const rows = await listHeldBackItems(db, unit.id, heldBackShown);
  return {
    unit: { id: unit.id, code: unit.code, name: unit.name },
    built,
    heldBack: rows.map((row) => ({ id: row.id, reference: row.reference, reasons: reasonsOf(row) })),
    heldBackTotal: rows[0]?.total ?? 0,
  };
}
