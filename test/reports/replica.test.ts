import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { createTree, type TestApp, testConfig, withHelpers } from '../helpers/app.js';
import { createTestDatabase, onServer } from '../helpers/database.js';
import { recordFeedback } from '../helpers/fixtures.js';

/*
 * A real streaming replica of the local cluster: pg_basebackup -R (standby.signal and
 * primary_conninfo) into a scratch folder, a second postgres on a free port, torn down after.
 * Replication needs a `host replication` line in the cluster's pg_hba.conf (.ci/run adds it).
 */
const bin = '/usr/lib/postgresql/15/bin';
const run = promisify(execFile);
const asRoot = process.getuid?.() === 0;
// postgres refuses to run as root: as root, its programs run as the postgres user.
const asPostgres = (program: string, args: string[]) =>
  asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, program), ...args]) : run(join(bin, program), args);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const onReplica = async (url: string, statement: string) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(statement)).rows;
  } finally {
    await client.end();
  }
};

/** The replica's walsender lets its slot go a moment after the replica stops. */
async function dropSlot(admin: pg.Client, slot: string) {
  await until('the replication slot to be let go', async () => {
    const { rows } = await admin.query('select active from pg_replication_slots where slot_name = $1', [slot]);
    return rows[0]?.active ? undefined : true;
  });
  await admin.query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1', [
    slot,
  ]);
}

const needsServer = !onServer && 'needs TEST_DATABASE_URL: a replica is of a PostgreSQL server';

t.test('reports and auditors’ lists read a streaming replica while it keeps up', { skip: needsServer }, async (t) => {
  // Undone last made first, each step whatever became of the others.
  const undo: (() => Promise<unknown>)[] = [];
  t.teardown(async () => {
    for (const step of undo.reverse()) await step().catch((error: unknown) => t.comment(`teardown: ${error}`));
  });
  // Made before the base backup, so the replica starts with it, migrated.
  const database = await createTestDatabase();
  undo.push(() => database.drop());
  const primaryUrl = new URL(database.url as string);
  const admin = new pg.Client({ connectionString: `postgres://${primaryUrl.username}@${primaryUrl.host}/postgres` });
  await admin.connect();
  undo.push(() => admin.end());
  // A slot keeps the WAL the replica still needs; one left by a run that was killed is dropped.
  await admin.query(
    `select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name like 'wedid_test_replica_%' and not active`,
  );
  const slot = `wedid_test_replica_${process.pid}`;

  const scratch = await mkdtemp(join(tmpdir(), 'wedid-replica-'));
  const dataDir = join(scratch, 'data');
  undo.push(() => rm(scratch, { recursive: true, force: true }));
  if (asRoot) await run('chown', ['postgres:postgres', scratch]);
  // Registered first, so it is undone after the replica stops; a slot never made is no matter.
  undo.push(() => dropSlot(admin, slot));
  try {
    await asPostgres('pg_basebackup', [
      `--dbname=host=${primaryUrl.hostname} port=${primaryUrl.port || 5432} user=${primaryUrl.username}`,
      `--pgdata=${dataDir}`,
      '--write-recovery-conf',
      '--wal-method=stream',
      '--checkpoint=fast',
      '--create-slot',
      `--slot=${slot}`,
    ]);
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? error).trim();
    t.skip(
      `pg_basebackup failed, so no replica to test against (the cluster's pg_hba.conf needs "host replication all 127.0.0.1/32 trust", which .ci/run adds): ${stderr}`,
      () => {},
    );
    return;
  }
  // Debian keeps postgresql.conf and pg_hba.conf outside the data directory, so the copy has none.
  await writeFile(join(dataDir, 'postgresql.conf'), 'hot_standby = on\n');
  await writeFile(join(dataDir, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 trust\n');
  await writeFile(join(dataDir, 'pg_ident.conf'), '');
  if (asRoot) await run('chown', ['-R', 'postgres:postgres', dataDir]);
  const port = await freePort();
  await asPostgres('pg_ctl', [
    '-D',
    dataDir,
    '-l',
    join(scratch, 'replica.log'),
    '-o',
    `-p ${port} -c listen_addresses=127.0.0.1 -k ${scratch}`,
    '-w',
    'start',
  ]);
  let replicaRunning = true;
  const stopReplica = async () => {
    if (!replicaRunning) return;
    replicaRunning = false;
    await asPostgres('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
  };
  undo.push(stopReplica);

  const replicaUrl = new URL(primaryUrl);
  replicaUrl.port = String(port);
  const withLagAllowance = async (maxLagMs: number): Promise<TestApp> => {
    const config = testConfig({
      DATABASE_URL: primaryUrl.toString(),
      DATABASE_REPLICA_URL: replicaUrl.toString(),
      REPLICA_MAX_LAG_MS: String(maxLagMs),
    });
    const app = await buildApp(config, { database: database.handle, logger: false });
    undo.push(() => app.close());
    return withHelpers(app, database);
  };
  // Two instances on the same primary and replica, one strict about lag and one not.
  const strict = await withLagAllowance(500);
  const lenient = await withLagAllowance(3_600_000);
  const { ward } = await createTree(strict);
  const auditorKey = await strict.createKey('auditor');
  const staffKey = await strict.createKey('staff');

  const closure = async (api: TestApp) => {
    const response = await api.request({ method: 'GET', url: `/v1/reports/closure?unitId=${ward.id}` });
    return { status: response.statusCode, header: response.headers['data-as-of'], body: response.json() };
  };
  const board = async (api: TestApp) =>
    (await api.request({ method: 'GET', url: `/v1/units/${ward.id}/board`, key: null })).json().stats
      .received as number;
  const health = async (api: TestApp) => (await api.request({ method: 'GET', url: '/health/ready', key: null })).json();

  const firstWrittenAt = Date.now();
  await recordFeedback(strict, ward.id);

  await t.test('a report shows a write once the replica has replayed it, saying how fresh it is', async (t) => {
    const report = await until('the replica to replay the write', async () => {
      const answer = await closure(lenient);
      const fresh = answer.body.totals.received === 1 && Date.parse(answer.body.dataAsOf) >= firstWrittenAt;
      return fresh ? answer : undefined;
    });
    t.equal(report.status, 200, 'the report answers');
    t.equal(report.header, report.body.dataAsOf, 'Data-As-Of says the same as dataAsOf');
    const csv = await lenient.request({ method: 'GET', url: `/v1/reports/closure?unitId=${ward.id}&format=csv` });
    t.equal(csv.statusCode, 200, 'its CSV answers');
    t.match(csv.headers['data-as-of'], /^\d{4}-\d\d-\d\dT/, 'the CSV says how fresh it is');
    const auditorList = await lenient.request({ method: 'GET', url: '/v1/feedback', key: auditorKey });
    t.equal(auditorList.json().items.length, 1, 'an auditor’s list shows the item');
    t.match(auditorList.headers['data-as-of'], /^\d{4}-\d\d-\d\dT/, 'an auditor’s list says how fresh it is');
    const staffList = await lenient.request({ method: 'GET', url: '/v1/feedback', key: staffKey });
    t.equal(staffList.headers['data-as-of'], undefined, 'a staff list reads the primary and says nothing');
    const trail = await lenient.request({ method: 'GET', url: '/v1/audit', key: auditorKey });
    t.equal(trail.statusCode, 200, 'the audit listing answers');
    t.match(trail.headers['data-as-of'], /^\d{4}-\d\d-\d\dT/, 'the audit listing says how fresh it is');
    t.equal((await health(lenient)).replica, 'ok', 'readiness says the replica is used');
  });

  await t.test('with replay paused, the lag allowance decides where a report comes from', async (t) => {
    await onReplica(replicaUrl.toString(), 'select pg_wal_replay_pause()');
    await until('replay to pause', async () => {
      const [row] = await onReplica(replicaUrl.toString(), 'select pg_get_wal_replay_pause_state() as state');
      return row.state === 'paused' ? true : undefined;
    });
    const writtenAt = Date.now();
    await recordFeedback(strict, ward.id);
    t.equal(await board(strict), 2, 'a board shows the committed write at once: boards read the primary');
    t.equal(await board(lenient), 2, 'on every instance');

    const fromPrimary = await until('the strict instance to pass the replica over', async () => {
      const answer = await closure(strict);
      return answer.body.totals.received === 2 ? answer : undefined;
    });
    t.ok(Date.parse(fromPrimary.body.dataAsOf) >= writtenAt, 'from the primary, dataAsOf is when the read began');
    t.equal((await health(strict)).replica, 'lagging', 'readiness says the replica is too far behind');

    const fromReplica = await closure(lenient);
    t.equal(fromReplica.body.totals.received, 1, 'the lenient instance reads the paused replica');
    t.ok(Date.parse(fromReplica.body.dataAsOf) < writtenAt, 'and says its data is older than the write');
    const auditorList = await lenient.request({ method: 'GET', url: '/v1/feedback', key: auditorKey });
    t.equal(auditorList.json().items.length, 1, 'an auditor’s list too');
    const staffList = await lenient.request({ method: 'GET', url: '/v1/feedback', key: staffKey });
    t.equal(staffList.json().items.length, 2, 'a staff list reads the primary');
    await onReplica(replicaUrl.toString(), 'select pg_wal_replay_resume()');
  });

  await t.test('a replica that stops is passed over: reports still answer from the primary', async (t) => {
    await stopReplica();
    const writtenAt = Date.now();
    await recordFeedback(strict, ward.id);
    for (const api of [lenient, strict]) {
      const report = await closure(api);
      t.equal(report.status, 200, 'the report answers');
      t.equal(report.body.totals.received, 3, 'from the primary');
      t.ok(Date.parse(report.body.dataAsOf) >= writtenAt, 'as fresh as the primary');
    }
    const trail = await lenient.request({ method: 'GET', url: '/v1/audit', key: auditorKey });
    t.equal(trail.statusCode, 200, 'the audit listing answers from the primary');
    const ready = await lenient.request({ method: 'GET', url: '/health/ready', key: null });
    t.equal(ready.statusCode, 200, 'the instance stays ready');
    t.equal(ready.json().replica, 'unreachable', 'and says the replica does not answer');
  });
});
