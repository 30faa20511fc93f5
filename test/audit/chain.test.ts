import { createHmac } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import pg from 'pg';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { type Database, type DatabaseHandle, openDatabase } from '../../src/db/client.js';
import { rowsOf } from '../../src/db/rows.js';
import { verifyAuditChain } from '../../src/modules/audit/audit.repository.js';
import { adminSecret, buildTestApp, testConfig, withHelpers } from '../helpers/app.js';
import { migrationsFolder, onServer, type TestDatabase } from '../helpers/database.js';

const serverUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || '';
const hmacKey = 'dGVzdC1hdWRpdC1obWFjLWtleS0wMTIzNDU2Nzg5YWJj';

interface Verification {
  ok: boolean;
  checked: number;
  firstBrokenSeq: number | null;
  firstKeyedSeq: number | null;
}

/** Runs a change with the audit triggers off, as a table owner or superuser could. */
async function tamper(db: Database, change: SQL) {
  await db.execute(sql`alter table audit_events disable trigger user`);
  try {
    await db.execute(change);
  } finally {
    await db.execute(sql`alter table audit_events enable trigger user`);
  }
}

/**
 * An empty database of its own (on the test server, else in-memory PGlite), opened with the key
 * given and migrated up to `lastIdx`; `url` names it on the server.
 */
async function freshDatabase(
  t: { teardown(fn: () => unknown): void },
  options: { auditHmacKey?: string; lastIdx?: number } = {},
): Promise<TestDatabase> {
  let handle: DatabaseHandle;
  let url: string | null = null;
  let drop = async () => {};
  if (onServer) {
    const name = `wedid_chain_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const target = new URL(serverUrl);
    target.pathname = `/${name}`;
    url = target.toString();
    handle = await openDatabase({ url, auditHmacKey: options.auditHmacKey });
    drop = async () => {
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    };
  } else {
    handle = await openDatabase({ pglite: new PGlite(), auditHmacKey: options.auditHmacKey });
  }
  if (options.lastIdx === undefined) {
    await handle.migrate(migrationsFolder);
  } else {
    const partial = await mkdtemp(join(tmpdir(), 'wedid-migrations-'));
    await cp(migrationsFolder, partial, { recursive: true });
    const journalPath = join(partial, 'meta', '_journal.json');
    const journal = JSON.parse(await readFile(journalPath, 'utf8'));
    journal.entries = journal.entries.filter((entry: { idx: number }) => entry.idx <= (options.lastIdx as number));
    await writeFile(journalPath, JSON.stringify(journal));
    await handle.migrate(partial);
    await rm(partial, { recursive: true });
  }
  const database: TestDatabase = {
    handle,
    kind: onServer ? 'postgres' : 'pglite',
    url,
    async drop() {
      await handle.close();
      await drop();
    },
  };
  t.teardown(() => database.drop());
  return database;
}

const verify = async (request: (o: { method: 'GET'; url: string }) => Promise<{ json(): unknown }>) =>
  (await request({ method: 'GET', url: '/v1/audit/verify' })).json() as Verification;

t.test('fields are length-prefixed: moving a `|` between two fields breaks the chain', async (t) => {
  const api = await buildTestApp(t);
  const key = await api.createKey('admin', null, 'Ward admin|api_key');
  const unit = await api.request({
    method: 'POST',
    url: '/v1/units',
    key,
    payload: { type: 'trust', code: 'P', name: 'P' },
  });
  t.equal(unit.statusCode, 201);
  const [event] = await rowsOf<{ seq: number; chain_version: number }>(
    api.app.db,
    sql`select seq, chain_version from audit_events where actor_name = 'Ward admin|api_key'`,
  );
  t.equal(event?.chain_version, 2, 'new events are chain version 2');

  // The forgery: ('Ward admin|api_key', 'unit') becomes ('Ward admin', 'api_key|unit').
  const [alike] = await rowsOf<{ v1: boolean; v2: boolean }>(
    api.app.db,
    sql`select
      audit_event_hash(prev_hash, seq, occurred_at, actor_key_id, 'Ward admin', 'api_key|unit', entity_id, action, details)
        = audit_event_hash(prev_hash, seq, occurred_at, actor_key_id, actor_name, entity_type, entity_id, action, details) as v1,
      audit_event_link(2::smallint, prev_hash, seq, occurred_at, actor_key_id, 'Ward admin', 'api_key|unit', entity_id, action, details)
        = audit_event_link(2::smallint, prev_hash, seq, occurred_at, actor_key_id, actor_name, entity_type, entity_id, action, details) as v2
    from audit_events where seq = ${event?.seq}`,
  );
  t.same(alike, { v1: true, v2: false }, 'version 1 hashed both alike; version 2 tells them apart');

  t.match(await verify(api.request), { ok: true });
  await tamper(
    api.app.db,
    sql`update audit_events set actor_name = 'Ward admin', entity_type = 'api_key|unit' where seq = ${event?.seq}`,
  );
  t.match(await verify(api.request), { ok: false, firstBrokenSeq: event?.seq });
});

t.test('events written before migration 0011 keep verifying beside new ones', async (t) => {
  const database = await freshDatabase(t, { lastIdx: 10 });
  const db = database.handle.db;
  // Two events the way the service wrote them before: the version 1 trigger sets seq and hashes.
  await db.execute(sql`insert into audit_events (actor_name, entity_type, entity_id, action, details)
    values ('system', 'themes', 'vocabulary', 'replaced', '{"count": 3}'), ('Old key', 'unit', 'u-1', 'created', '{}')`);
  await database.handle.migrate(migrationsFolder);

  const app = await buildApp(testConfig(), { database: database.handle, logger: false });
  t.teardown(() => app.close());
  const api = withHelpers(app, database);
  await api.createUnit({ type: 'trust', code: 'NEW', name: 'New trust' });
  const events = (await api.request({ method: 'GET', url: '/v1/audit?limit=100' })).json().items as {
    seq: number;
    chainVersion: number;
  }[];
  const versions = events.map((e) => e.chainVersion).reverse();
  t.same(versions.slice(0, 2), [1, 1], 'the old events stay version 1');
  t.ok(versions.length > 2 && versions.slice(2).every((v) => v === 2), 'everything after is version 2');
  t.same(await verify(api.request), { ok: true, checked: events.length, firstBrokenSeq: null, firstKeyedSeq: null });

  await tamper(db, sql`update audit_events set details = '{"count": 4}' where seq = 1`);
  t.match(await verify(api.request), { ok: false, firstBrokenSeq: 1 }, 'an old event is still checked');
});

t.test('AUDIT_HMAC_KEY keys the chain; without the key it cannot be rewritten undetected', async (t) => {
  const database = await freshDatabase(t, { auditHmacKey: hmacKey });
  const app = await buildApp(testConfig({ AUDIT_HMAC_KEY: hmacKey }), { database: database.handle, logger: false });
  t.teardown(() => app.close());
  const api = withHelpers(app, database);
  await api.createUnit({ type: 'trust', code: 'K', name: 'Keyed trust' });
  await api.createUnit({ type: 'trust', code: 'K2', name: 'Keyed trust 2' });
  const db = database.handle.db;

  const events = await rowsOf<{ seq: number; chain_version: number; hash: string; message: string }>(
    db,
    sql`select seq, chain_version, hash, encode(audit_event_message(chain_version, prev_hash, seq, occurred_at,
      actor_key_id, actor_name, entity_type, entity_id, action, details), 'hex') as message
    from audit_events order by seq`,
  );
  t.ok(events.length >= 3);
  t.ok(
    events.every((e) => e.chain_version === 3),
    'every event is keyed',
  );
  for (const event of events) {
    const expected = createHmac('sha256', hmacKey).update(Buffer.from(event.message, 'hex')).digest('hex');
    t.equal(event.hash, expected, `event ${event.seq}: standard HMAC-SHA256, checkable outside the service`);
  }
  const last = events.at(-1)?.seq as number;
  t.same(await verify(api.request), { ok: true, checked: events.length, firstBrokenSeq: null, firstKeyedSeq: 1 });
  const stored = await rowsOf<{ n: number }>(
    db,
    sql`select count(*)::int as n from audit_events where details::text like ${`%${hmacKey}%`}`,
  );
  t.equal(stored[0]?.n, 0, 'the key is nowhere in the trail');

  // PGlite has one session: a second one, without the key, needs a server.
  if (database.url) {
    const unkeyed = await openDatabase({ url: database.url });
    t.teardown(() => unkeyed.close());
    await t.rejects(
      buildApp(testConfig(), { database: unkeyed, logger: false }),
      /AUDIT_HMAC_KEY: the audit trail is keyed/,
      'a service without the key refuses to start on a keyed trail',
    );
    t.match(
      await verifyAuditChain(unkeyed.db),
      { firstBrokenSeq: 1, firstKeyedSeq: 1 },
      'and a session without the key cannot vouch for keyed events',
    );
    // A writer without the key (another session) appends an unkeyed event after keyed ones.
    await unkeyed.db.execute(sql`insert into audit_events (actor_name, entity_type, entity_id, action)
    values ('intruder', 'unit', 'x', 'created')`);
    const [appended] = await rowsOf<{ seq: number; chain_version: number }>(
      db,
      sql`select seq, chain_version from audit_events where actor_name = 'intruder'`,
    );
    t.equal(appended?.chain_version, 2);
    t.match(
      await verify(api.request),
      { ok: false, firstBrokenSeq: appended?.seq },
      'an unkeyed event after keyed ones breaks the chain',
    );
  }
  // A forger with write access but without the key edits the last event and recomputes its link:
  // unkeyed (version 2), the version goes down; keyed with a guess, the HMAC does not match.
  await tamper(
    db,
    sql`update audit_events set action = 'deleted', chain_version = 2,
      hash = audit_event_link(2::smallint, prev_hash, seq, occurred_at, actor_key_id, actor_name, entity_type, entity_id, 'deleted', details)
      where seq = ${last}`,
  );
  t.match(await verify(api.request), { ok: false, firstBrokenSeq: last }, 'an unkeyed rewrite is caught');
  await tamper(
    db,
    sql`update audit_events set chain_version = 3,
      hash = encode(audit_hmac(convert_to('a-guessed-key-a-guessed-key-0000', 'UTF8'), audit_event_message(3::smallint,
        prev_hash, seq, occurred_at, actor_key_id, actor_name, entity_type, entity_id, action, details)), 'hex')
      where seq = ${last}`,
  );
  t.match(await verify(api.request), { ok: false, firstBrokenSeq: last }, 'a rewrite under another key is caught');
});

t.test(
  'a database role that may read and append audit events but not change them',
  { skip: !onServer && 'needs a PostgreSQL server (roles)' },
  async (t) => {
    const database = await freshDatabase(t);
    const role = `wedid_service_${process.pid}`;
    const owner = new pg.Client({ connectionString: database.url as string });
    await owner.connect();
    await owner.query(`create role ${role} login`);
    await owner.query(`select wedid_grant_service_role($1)`, [role]);
    await owner.end();
    t.teardown(async () => {
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop role if exists ${role}`);
      await cleanup.end();
    });
    const asService = new URL(database.url as string);
    asService.username = role;
    asService.password = '';

    // The service starts as that role (migrations left to the owner) and works as usual.
    const app = await buildApp(testConfig({ DATABASE_URL: asService.toString(), MIGRATE_ON_START: 'false' }), {
      logger: false,
    });
    t.teardown(async () => {
      await app.close();
      const cleanup = new pg.Client({ connectionString: database.url as string });
      await cleanup.connect();
      await cleanup.query(`drop owned by ${role}`);
      await cleanup.end();
    });
    const api = withHelpers(app, database);
    const unit = await api.request({
      method: 'POST',
      url: '/v1/units',
      key: adminSecret,
      payload: { type: 'trust', code: 'R', name: 'R' },
    });
    t.equal(unit.statusCode, 201, 'appending audit events works');
    t.match(await verify(api.request), { ok: true });

    const client = new pg.Client({ connectionString: asService.toString() });
    await client.connect();
    t.teardown(() => client.end());
    const refusal = async (statement: string) => {
      try {
        await client.query(statement);
        return 'allowed';
      } catch (error) {
        return (error as Error).message;
      }
    };
    t.equal((await client.query('select count(*)::int as n from audit_events')).rows[0].n > 0, true, 'reads work');
    t.match(await refusal(`update audit_events set actor_name = 'x'`), /permission denied/);
    t.match(await refusal('delete from audit_events'), /permission denied/);
    t.match(await refusal('truncate audit_events'), /permission denied/);
    t.match(await refusal('alter table audit_events disable trigger user'), /must be owner/);
    t.match(await refusal('alter table audit_events drop column details'), /must be owner/);
    t.match(await refusal('drop trigger audit_events_append_only on audit_events'), /must be owner/);
    t.match(
      await refusal(
        'create trigger t before insert on audit_events for each row execute function audit_events_chain()',
      ),
      /permission denied/,
    );
    t.match(await refusal('set session_replication_role = replica'), /permission denied/);
    t.match(
      await refusal(
        `create or replace function audit_events_chain() returns trigger language plpgsql as $$ begin return new; end $$`,
      ),
      /must be owner|permission denied/,
    );
  },
);
