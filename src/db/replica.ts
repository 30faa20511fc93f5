import { sql } from 'drizzle-orm';
import type { Database, DatabaseHandle } from './client.js';
import { isConnectionLost, isDatabaseUnavailable } from './errors.js';
import { rowsOf } from './rows.js';

/** How a configured replica stands: used, too far behind, or not answering (or not a standby). */
export type ReplicaState = 'ok' | 'lagging' | 'unreachable';

/** A read's answer with how fresh its data is: every change committed on the primary before `dataAsOf` is in it. */
export interface AsOf<Value> {
  value: Value;
  dataAsOf: Date;
}

/**
 * Where reads go. Services take this: writes, and reads that must see what was just written, use
 * `primary`; reads that may lag a little (reports, auditors' lists) go through `fromReplica`.
 */
export interface Reads {
  readonly primary: Database;
  /**
   * Runs `read` on the replica when one is configured and no more than REPLICA_MAX_LAG_MS behind,
   * else on the primary; a read that fails on the replica runs again on the primary. On the
   * primary `dataAsOf` is the moment the read began.
   */
  fromReplica<Value>(read: (db: Database) => Promise<Value>): Promise<AsOf<Value>>;
  /** The replica's state for /health/ready, or undefined without one. */
  replicaState(): Promise<ReplicaState | undefined>;
}

/** `read` on the primary: its data is as of the moment the read began. */
async function onPrimary<Value>(primary: Database, read: (db: Database) => Promise<Value>): Promise<AsOf<Value>> {
  const dataAsOf = new Date();
  return { value: await read(primary), dataAsOf };
}

/** Reads with no replica: everything on the primary (embedded PGlite, or no DATABASE_REPLICA_URL). */
export function primaryReads(primary: Database): Reads {
  return {
    primary,
    fromReplica: (read) => onPrimary(primary, read),
    replicaState: async () => undefined,
  };
}

interface Check {
  state: ReplicaState;
  /** What the replica holds: its clock when it has replayed all it received, else its last replayed commit. */
  dataAsOf: Date | null;
  at: number;
}

interface Warner {
  warn(details: object, message: string): void;
}

export interface ReplicaOptions {
  maxLagMs: number;
  log: Warner;
  /** How long one check of the replica's lag serves requests. */
  checkTtlMs?: number;
  /** A check not answered within this counts as unreachable, so a silent network costs a request little. */
  checkTimeoutMs?: number;
}

/**
 * Reads through a streaming replica. Its lag is checked in one query, kept for `checkTtlMs` (one
 * second) so requests do not each pay a round trip. The lag is `now() - pg_last_xact_replay_timestamp()`,
 * except that a replica that has replayed everything it received is caught up (lag 0): on an idle
 * primary the last replayed commit grows old though nothing is missing. A replica that is down,
 * times out, is not a standby (promoted) or fails a read is passed over, with a warning when its
 * state changes, so reports keep answering from the primary.
 */
export function replicaReads(primary: Database, replica: DatabaseHandle, options: ReplicaOptions): Reads {
  const ttlMs = options.checkTtlMs ?? 1_000;
  const timeoutMs = options.checkTimeoutMs ?? 2_000;
  let last: Check | undefined;
  let pending: Promise<Check> | undefined;

  const settle = (check: Check, details: object = {}) => {
    if (check.state !== last?.state && check.state !== 'ok') {
      options.log.warn({ ...details, replica: check.state }, 'reads the replica would serve go to the primary');
    }
    last = check;
    return check;
  };

  const measure = async (): Promise<Check> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`replica lag check timed out after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const [row] = await Promise.race([
        rowsOf<{ standby: boolean; caughtUp: boolean | null; now: Date; replayedAt: Date | null }>(
          replica.db,
          sql`select pg_is_in_recovery() as "standby",
            pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() as "caughtUp",
            now() as "now", pg_last_xact_replay_timestamp() as "replayedAt"`,
        ),
        timeout,
      ]);
      const at = Date.now();
      if (!row?.standby) return settle({ state: 'unreachable', dataAsOf: null, at }, { reason: 'not a standby' });
      const dataAsOf = row.caughtUp ? new Date(row.now) : row.replayedAt && new Date(row.replayedAt);
      const lagMs = dataAsOf ? new Date(row.now).getTime() - dataAsOf.getTime() : Number.POSITIVE_INFINITY;
      return settle({ state: lagMs <= options.maxLagMs ? 'ok' : 'lagging', dataAsOf, at }, { lagMs });
    } catch (err) {
      return settle({ state: 'unreachable', dataAsOf: null, at: Date.now() }, { err });
    } finally {
      clearTimeout(timer);
    }
  };

  const check = (): Promise<Check> => {
    if (last && Date.now() - last.at < ttlMs) return Promise.resolve(last);
    pending ??= measure().finally(() => {
      pending = undefined;
    });
    return pending;
  };

  return {
    primary,
    async fromReplica(read) {
      const { state, dataAsOf } = await check();
      if (state !== 'ok' || !dataAsOf) return onPrimary(primary, read);
      try {
        return { value: await read(replica.db), dataAsOf };
      } catch (err) {
        // The primary is the source of truth: a read it fails too answers as it would without a
        // replica. A replica not yet at a migration the primary has is one such failure.
        if (isDatabaseUnavailable(err) || isConnectionLost(err)) {
          settle({ state: 'unreachable', dataAsOf: null, at: Date.now() }, { err });
        } else options.log.warn({ err }, 'a read failed on the replica; running it on the primary');
        return onPrimary(primary, read);
      }
    },
    replicaState: async () => (await check()).state,
  };
}
