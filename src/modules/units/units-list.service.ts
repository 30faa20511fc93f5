import type { Database } from '../../db/client.js';
import { decodeCursor, toPage } from '../../http/pagination.js';
import type { Principal } from '../auth/auth.service.js';
import { listUnits } from './units.repository.js';
import { type ListUnitsQuery, unitCursorKey } from './units.schemas.js';
import { toUnit } from './units.service.js';

// Apart from units.service.ts, which most modules import for `principalSees`: the cursor key is a
// schema value, and loading units.schemas.ts that early would reorder the OpenAPI components.
/** A page of the units the principal may see, ordered by code, filtered by parent, type or subtree. */
export async function listVisibleUnits(db: Database, principal: Principal, query: ListUnitsQuery) {
  const { limit, cursor, parentId, type, within } = query;
  const after = decodeCursor(cursor, unitCursorKey)?.[0];
  const scopes = [principal.unitId, within].filter((id): id is string => Boolean(id));
  const rows = await listUnits(db, { parentId, type, within: scopes }, limit, after);
  return toPage(rows, limit, toUnit, (row) => [row.code]);
}
