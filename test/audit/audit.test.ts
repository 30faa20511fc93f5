import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { bodyOf, type Schemas } from '../helpers/bodies.js';

type AuditItem = Schemas['AuditEvent'];

t.test('the audit trail records key, unit and theme changes in a verifiable hash chain', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  await api.createKey('staff', null, 'Ward staff');
  const auditorKey = await api.createKey('auditor', null, 'Governance');
  const keys = bodyOf<'listApiKeys', 200>(await api.request({ method: 'GET', url: '/v1/api-keys' })).items;
  const staffKeyId = keys.find((k) => k.name === 'Ward staff')?.id as string;
  const adminKeyId = keys.find((k) => k.name.startsWith('Bootstrap'))?.id as string;
  await api.request({ method: 'DELETE', url: `/v1/api-keys/${staffKeyId}` });
  await api.request({ method: 'PATCH', url: `/v1/units/${ward.id}`, payload: { name: 'Willow (new)' } });
  const themes = await api.request({
    method: 'PUT',
    url: '/v1/themes',
    payload: { themes: [{ code: 'food', label: 'Food and drink' }] },
  });
  t.equal(themes.statusCode, 200);

  await t.test('events exist for every kind of change, newest first, with actor and hashes', async (t) => {
    const res = await api.request({ method: 'GET', url: '/v1/audit?limit=200', key: auditorKey });
    t.equal(res.statusCode, 200);
    const items = bodyOf<'listAuditEvents', 200>(res).items;
    const seqs = items.map((e) => e.seq);
    t.same(
      seqs,
      [...seqs].sort((a, b) => b - a),
      'newest first',
    );
    t.equal(seqs.at(-1), 1, 'the chain starts at 1');
    t.equal(items.at(-1)?.prevHash, '0'.repeat(64));
    for (let i = 0; i < items.length - 1; i++) {
      t.equal(items[i]?.prevHash, items[i + 1]?.hash, `event ${items[i]?.seq} links to the one before`);
    }
    const has = (entityType: string, action: string, entityId?: string) =>
      items.some((e) => e.entityType === entityType && e.action === action && (!entityId || e.entityId === entityId));
    t.ok(has('api_key', 'created'), 'key created');
    t.ok(has('api_key', 'revoked', staffKeyId), 'key revoked');
    t.ok(has('unit', 'created', ward.id), 'unit created');
    t.ok(has('unit', 'updated', ward.id), 'unit updated');
    t.ok(has('themes', 'replaced'), 'themes replaced');
    const unitUpdate = items.find((e) => e.entityType === 'unit' && e.action === 'updated') as AuditItem;
    t.equal(unitUpdate.actorKeyId, adminKeyId, 'the actor is the key that made the change');
    t.equal(unitUpdate.actorName, 'Bootstrap admin (ADMIN_API_KEY)');
    t.same(unitUpdate.details, { fields: ['name'] }, 'field names, not values');
    t.match(unitUpdate.occurredAt, /^\d{4}-\d\d-\d\dT/);
    t.match(unitUpdate.hash, /^[0-9a-f]{64}$/);
  });

  await t.test('filters and cursor paging', async (t) => {
    const byEntity = await api.request({ method: 'GET', url: `/v1/audit?entityType=unit&entityId=${ward.id}` });
    t.same(
      bodyOf<'listAuditEvents', 200>(byEntity).items.map((e) => e.action),
      ['updated', 'created'],
    );
    const byActor = await api.request({ method: 'GET', url: `/v1/audit?actorKeyId=${adminKeyId}&limit=200` });
    t.ok(bodyOf<'listAuditEvents', 200>(byActor).items.every((e) => e.actorKeyId === adminKeyId));
    t.ok(byActor.json().items.length >= 7);

    const all = bodyOf<'listAuditEvents', 200>(await api.request({ method: 'GET', url: '/v1/audit?limit=200' })).items;
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await api.request({
        method: 'GET',
        url: `/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      });
      t.equal(page.statusCode, 200);
      seen.push(...bodyOf<'listAuditEvents', 200>(page).items.map((e) => e.seq));
      cursor = page.json().nextCursor;
    } while (cursor);
    t.same(
      seen,
      all.map((e) => e.seq),
      'pages join up without gaps or repeats',
    );

    const middle = all[Math.floor(all.length / 2)] as AuditItem;
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const from = await api.request({ method: 'GET', url: `/v1/audit?limit=200&from=${encodeURIComponent(future)}` });
    t.same(from.json().items, [], 'nothing after a future time');
    const to = await api.request({
      method: 'GET',
      url: `/v1/audit?limit=200&to=${encodeURIComponent(middle.occurredAt)}`,
    });
    t.ok(
      bodyOf<'listAuditEvents', 200>(to).items.every((e) => e.occurredAt < middle.occurredAt),
      '`to` is exclusive',
    );
    const badCursor = await api.request({ method: 'GET', url: '/v1/audit?cursor=abc' });
    t.equal(badCursor.statusCode, 400);
    const badTime = await api.request({ method: 'GET', url: '/v1/audit?from=yesterday' });
    t.equal(badTime.statusCode, 400);
    t.equal(badTime.json().errors[0].path, '/from');
  });

  await t.test('only auditors and admins read the trail', async (t) => {
    const staff = await api.createKey('staff');
    const res = await api.request({ method: 'GET', url: '/v1/audit', key: staff });
    t.equal(res.statusCode, 403);
    const verify = await api.request({ method: 'GET', url: '/v1/audit/verify', key: staff });
    t.equal(verify.statusCode, 403);
    const none = await api.request({ method: 'GET', url: '/v1/audit', key: null });
    t.equal(none.statusCode, 401);
    const scoped = await api.createKey('auditor', ward.id);
    const narrow = await api.request({ method: 'GET', url: '/v1/audit', key: scoped });
    t.equal(narrow.statusCode, 403, 'a unit-scoped key cannot read events of the whole service');
  });

  await t.test('the database refuses UPDATE, DELETE and TRUNCATE on audit events', async (t) => {
    await t.rejects(api.app.db.execute(sql`update audit_events set actor_name = 'someone else' where seq = 2`));
    await t.rejects(api.app.db.execute(sql`delete from audit_events where seq = 2`));
    await t.rejects(api.app.db.execute(sql`truncate audit_events`));
    const verify = await api.request({ method: 'GET', url: '/v1/audit/verify', key: auditorKey });
    t.same(verify.json().ok, true, 'nothing changed');
  });

  await t.test('verify recomputes the chain and finds the first tampered event', async (t) => {
    const before = await api.request({ method: 'GET', url: '/v1/audit/verify', key: auditorKey });
    t.equal(before.statusCode, 200);
    const total = (await api.request({ method: 'GET', url: '/v1/audit?limit=200' })).json().items.length;
    t.same(before.json(), { ok: true, checked: total, firstBrokenSeq: null, firstKeyedSeq: null });

    // A superuser with the triggers off rewrites history without fixing the hash.
    await tamper(api.app.db, sql`update audit_events set details = '{"fields":["code"]}' where seq = 4`);
    const edited = await api.request({ method: 'GET', url: '/v1/audit/verify', key: auditorKey });
    t.same(edited.json(), { ok: false, checked: total, firstBrokenSeq: 4, firstKeyedSeq: null });
  });
});

t.test('verify catches a recomputed hash and a deleted event', async (t) => {
  const api = await buildTestApp(t);
  await createTree(api);
  const total = (await api.request({ method: 'GET', url: '/v1/audit?limit=200' })).json().items.length;
  t.ok(total >= 5);

  // The forger recomputes the tampered event's own hash: the next event's link then breaks.
  await tamper(
    api.app.db,
    sql`update audit_events set action = 'renamed',
      hash = audit_event_link(chain_version, prev_hash, seq, occurred_at, actor_key_id, actor_name, entity_type, entity_id, 'renamed', details)
      where seq = 2`,
  );
  const relinked = await api.request({ method: 'GET', url: '/v1/audit/verify' });
  t.same(relinked.json(), { ok: false, checked: total, firstBrokenSeq: 3, firstKeyedSeq: null });

  await tamper(
    api.app.db,
    sql`update audit_events set action = 'created',
      hash = audit_event_link(chain_version, prev_hash, seq, occurred_at, actor_key_id, actor_name, entity_type, entity_id, 'created', details)
      where seq = 2`,
  );
  const restored = await api.request({ method: 'GET', url: '/v1/audit/verify' });
  t.same(restored.json().ok, true, 'restoring the original content restores the chain');

  await tamper(api.app.db, sql`delete from audit_events where seq = ${total - 1}`);
  const gap = await api.request({ method: 'GET', url: '/v1/audit/verify' });
  t.same(gap.json(), { ok: false, checked: total - 1, firstBrokenSeq: total, firstKeyedSeq: null });
});

t.test('concurrent writers extend one gapless chain', async (t) => {
  const api = await buildTestApp(t);
  const trust = await api.createUnit({ type: 'trust', code: 'C-TRUST', name: 'Trust' });
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      api.request({
        method: 'POST',
        url: '/v1/units',
        payload: { type: 'site', code: `C-SITE-${i}`, name: `Site ${i}`, parentId: trust.id },
      }),
    ),
  );
  t.same(
    results.map((r) => r.statusCode),
    results.map(() => 201),
  );
  const items = bodyOf<'listAuditEvents', 200>(await api.request({ method: 'GET', url: '/v1/audit?limit=200' })).items;
  t.same(
    items.map((e) => e.seq),
    Array.from({ length: items.length }, (_, i) => items.length - i),
    'seq runs 1..n without gaps or repeats',
  );
  t.same((await api.request({ method: 'GET', url: '/v1/audit/verify' })).json(), {
    ok: true,
    checked: items.length,
    firstBrokenSeq: null,
    firstKeyedSeq: null,
  });
});

async function tamper(
  db: { execute(query: ReturnType<typeof sql>): Promise<unknown> },
  change: ReturnType<typeof sql>,
) {
  await db.execute(sql`alter table audit_events disable trigger user`);
  try {
    await db.execute(change);
  } finally {
    await db.execute(sql`alter table audit_events enable trigger user`);
  }
}
