import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import t, { type Test } from 'tap';
import { buildTestApp, createTree, type TestApp } from '../helpers/app.js';
import { onServer } from '../helpers/database.js';

const skip = onServer ? false : 'needs a second connection: PostgreSQL only';

/**
 * Runs `call` into a deadlock with another session: that session holds the item's unit (which the
 * call's transaction writes for the board) and, once the call holds the item's row and waits for
 * the unit, asks for the item. PostgreSQL ends one of the two; the other session waits a minute
 * before it checks, so the loser is the service's transaction. The other session then holds the
 * item, which the service's transaction could only have let go by ending: the call's answer is
 * what its second attempt did.
 */
async function throughDeadlock(
  t: Test,
  api: TestApp,
  item: { id: string; unitId: string },
  call: () => Promise<LightMyRequestResponse>,
): Promise<LightMyRequestResponse> {
  const other = new pg.Client({ connectionString: api.database.url! });
  await other.connect();
  t.teardown(() => other.end());
  await other.query(`set deadlock_timeout = '60s'`);
  await other.query('begin');
  await other.query('select id from units where id = $1 for update', [item.unitId]);
  const answer = call();
  const waiting = async () =>
    (
      await other.query(`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`)
    ).rows[0].n > 0;
  for (const deadline = Date.now() + 20_000; !(await waiting()); await sleep(20)) {
    if (Date.now() > deadline) throw new Error('the service never waited for the unit');
  }
  await other.query('select id from feedback_items where id = $1 for update', [item.id]);
  await other.query('commit');
  return answer;
}

async function post(api: TestApp, unitId: string) {
  const response = await api.request({
    method: 'POST',
    url: '/v1/feedback',
    payload: { unitId, text: 'The night staff were wonderful', contact: { email: 'pat@example.org' } },
  });
  if (response.statusCode !== 201) throw new Error(response.body);
  return response.json() as { id: string; unitId: string };
}

t.test('a triage edit chosen as a deadlock victim is run again and succeeds', { skip }, async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const item = await post(api, ward.id);

  const edited = await throughDeadlock(t, api, item, () =>
    api.request({
      method: 'PATCH',
      url: `/v1/feedback/${item.id}`,
      payload: { youSaid: 'You told us the night staff were wonderful' },
      headers: { 'if-match': '"v1"' },
    }),
  );
  t.equal(edited.statusCode, 200, edited.body);
  t.equal(edited.json().version, 2, 'the edit is applied once');
  t.equal(edited.json().youSaid, 'You told us the night staff were wonderful');
  const audit = await api.sql(sql`select 1 from audit_events where entity_id = ${item.id} and action = 'updated'`);
  t.equal(audit.length, 1, 'and audited once');
});

t.test('an erasure chosen as a deadlock victim is run again and succeeds', { skip }, async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const item = await post(api, ward.id);

  const erased = await throughDeadlock(t, api, item, () =>
    api.request({ method: 'POST', url: `/v1/feedback/${item.id}/erase` }),
  );
  t.equal(erased.statusCode, 200, erased.body);
  t.equal(erased.json().erased, true);
  t.equal(erased.json().contact, null, 'the private data is gone');
  const audit = await api.sql(sql`select 1 from audit_events where entity_id = ${item.id} and action = 'erased'`);
  t.equal(audit.length, 1, 'and the erasure audited once');
});
