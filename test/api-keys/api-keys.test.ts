import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { adminSecret, buildTestApp, createTree, testConfig, withHelpers } from '../helpers/app.js';
import type { Schemas } from '../helpers/bodies.js';
import { createTestDatabase } from '../helpers/database.js';

type ApiKeyItem = Schemas['ApiKey'];

t.test('API keys: issue once, list without secrets, revoke at once', async (t) => {
  const api = await buildTestApp(t);
  const { trust, site, ward, otherWard } = await createTree(api);

  const created = await api.request({
    method: 'POST',
    url: '/v1/api-keys',
    payload: { name: 'Kiosk on Willow', role: 'intake', unitId: ward.id },
  });
  t.equal(created.statusCode, 201);
  const issued = created.json();
  t.match(issued.key, /^wdk_[A-Za-z0-9_-]{43}$/, 'a 256-bit secret with a recognisable prefix');
  t.equal(created.headers.location, `/v1/api-keys/${issued.id}`);
  t.equal(created.headers['cache-control'], 'no-store');
  t.match(issued, { name: 'Kiosk on Willow', role: 'intake', unitId: ward.id, lastUsedAt: null, revokedAt: null });
  t.ok(issued.key.startsWith(issued.prefix), 'the prefix is the start of the secret');
  t.ok(issued.prefix.length < 16, 'and only a short part of it');

  await t.test('the list never shows a secret or its hash', async (t) => {
    const list = await api.request({ method: 'GET', url: '/v1/api-keys' });
    t.equal(list.statusCode, 200);
    t.notMatch(list.body, issued.key);
    t.notMatch(list.body, /secret|hash/i);
    const item = (list.json().items as ApiKeyItem[]).find((k) => k.id === issued.id) as ApiKeyItem;
    t.same(Object.keys(item).sort(), [
      'createdAt',
      'id',
      'lastUsedAt',
      'name',
      'prefix',
      'revokedAt',
      'revokedReason',
      'role',
      'unitId',
    ]);
    t.equal(item.prefix, issued.prefix);
    t.match(item.createdAt, /^\d{4}-\d\d-\d\dT/);
  });

  await t.test('the secret is stored only as a hash', async (t) => {
    const result = (await api.app.db.execute(sql`select * from api_keys where id = ${issued.id}`)) as {
      rows: Record<string, unknown>[];
    };
    const row = result.rows[0] as Record<string, unknown>;
    t.ok(row, 'the row exists');
    for (const [column, value] of Object.entries(row)) {
      t.notMatch(String(value), issued.key, `${column} does not hold the secret`);
    }
    t.match(row.secret_hash, /^[0-9a-f]{64}$/);
  });

  await t.test('lastUsedAt is set once the key is used', async (t) => {
    const themes = await api.request({ method: 'GET', url: '/v1/themes', key: issued.key });
    t.equal(themes.statusCode, 200);
    const list = await api.request({ method: 'GET', url: '/v1/api-keys' });
    const item = (list.json().items as ApiKeyItem[]).find((k) => k.id === issued.id) as ApiKeyItem;
    t.type(item.lastUsedAt, 'string');
  });

  await t.test('revoking stops the key at once', async (t) => {
    const revoke = await api.request({ method: 'DELETE', url: `/v1/api-keys/${issued.id}` });
    t.equal(revoke.statusCode, 204);
    const after = await api.request({ method: 'GET', url: '/v1/themes', key: issued.key });
    t.equal(after.statusCode, 401);
    t.equal(after.headers['www-authenticate'], 'Bearer');
    t.equal(after.json().type, 'urn:wedid:problem:unauthorized');
    const list = await api.request({ method: 'GET', url: '/v1/api-keys' });
    const item = (list.json().items as ApiKeyItem[]).find((k) => k.id === issued.id) as ApiKeyItem;
    t.type(item.revokedAt, 'string');
    const missing = await api.request({ method: 'DELETE', url: '/v1/api-keys/00000000-0000-4000-8000-000000000000' });
    t.equal(missing.statusCode, 404);
  });

  await t.test('unknown keys are 401, wrong roles 403, only admin manages keys', async (t) => {
    const unknown = await api.request({
      method: 'GET',
      url: '/v1/units',
      key: 'wdk_unknownunknownunknownunknownunknownunknown',
    });
    t.equal(unknown.statusCode, 401);
    t.equal(unknown.headers['www-authenticate'], 'Bearer');
    for (const role of ['staff', 'intake', 'auditor', 'display']) {
      const key = await api.createKey(role);
      const issue = await api.request({
        method: 'POST',
        url: '/v1/api-keys',
        key,
        payload: { name: 'mine', role: 'admin' },
      });
      t.equal(issue.statusCode, 403, `${role} cannot issue keys`);
      t.equal(
        (await api.request({ method: 'GET', url: '/v1/api-keys', key })).statusCode,
        403,
        `${role} cannot list keys`,
      );
    }
  });

  await t.test('request bodies are strict and roles are the five named', async (t) => {
    const badRole = await api.request({ method: 'POST', url: '/v1/api-keys', payload: { name: 'x', role: 'root' } });
    t.equal(badRole.statusCode, 400);
    t.equal(badRole.json().errors[0].path, '/role');
    const extra = await api.request({
      method: 'POST',
      url: '/v1/api-keys',
      payload: { name: 'x', role: 'staff', key: 'wdk_my-own-choice' },
    });
    t.equal(extra.statusCode, 400, 'a caller cannot choose the secret');
    t.equal(extra.json().errors[0].path, '/key');
    const noUnit = await api.request({
      method: 'POST',
      url: '/v1/api-keys',
      payload: { name: 'x', role: 'staff', unitId: '00000000-0000-4000-8000-000000000000' },
    });
    t.equal(noUnit.statusCode, 400);
    t.equal(noUnit.json().errors[0].path, '/unitId');
  });

  await t.test('a scoped key sees its subtree only and cannot issue unscoped keys', async (t) => {
    const siteAdmin = await api.createKey('admin', site.id, 'Site admin');
    const unscoped = await api.request({
      method: 'POST',
      url: '/v1/api-keys',
      key: siteAdmin,
      payload: { name: 'everything', role: 'staff' },
    });
    t.equal(unscoped.statusCode, 403);
    const outside = await api.request({
      method: 'POST',
      url: '/v1/api-keys',
      key: siteAdmin,
      payload: { name: 'elsewhere', role: 'staff', unitId: trust.id },
    });
    t.equal(outside.statusCode, 400, 'a unit above its scope is not one it can see');
    const inside = await api.request({
      method: 'POST',
      url: '/v1/api-keys',
      key: siteAdmin,
      payload: { name: 'Willow staff', role: 'staff', unitId: ward.id },
    });
    t.equal(inside.statusCode, 201);
    const wardKey = inside.json().key as string;

    const units = await api.request({ method: 'GET', url: '/v1/units', key: wardKey });
    t.same(
      (units.json().items as { id: string }[]).map((u) => u.id),
      [ward.id],
    );
    t.equal((await api.request({ method: 'GET', url: `/v1/units/${ward.id}`, key: wardKey })).statusCode, 200);
    for (const hidden of [trust, site, otherWard]) {
      const res = await api.request({ method: 'GET', url: `/v1/units/${hidden.id}`, key: wardKey });
      t.equal(res.statusCode, 404, `${hidden.code} is outside the scope`);
    }
    const within = await api.request({ method: 'GET', url: `/v1/units?within=${trust.id}`, key: wardKey });
    t.same(
      (within.json().items as { id: string }[]).map((u) => u.id),
      [ward.id],
      'asking for a wider subtree does not widen the scope',
    );
    const trustKey = await api.request({
      method: 'POST',
      url: '/v1/units',
      key: siteAdmin,
      payload: { type: 'trust', code: 'NEW-TRUST', name: 'New' },
    });
    t.equal(trustKey.statusCode, 403, 'a scoped admin cannot create a trust');

    const listed = await api.request({ method: 'GET', url: '/v1/api-keys?limit=100', key: siteAdmin });
    t.equal(listed.statusCode, 200);
    const seen = listed.json().items as ApiKeyItem[];
    t.ok(seen.length > 0, 'the scoped admin lists keys');
    t.ok(
      seen.every((key) => key.unitId === site.id || key.unitId === ward.id || key.unitId === otherWard.id),
      'only keys scoped within its site: no trust-wide or bootstrap key, none elsewhere',
    );
    t.ok(seen.some((key) => key.name === 'Willow staff'));
    const everyKey = (await api.request({ method: 'GET', url: '/v1/api-keys?limit=100' })).json().items as ApiKeyItem[];
    t.ok(everyKey.length > seen.length, 'the trust admin lists more');

    const bootstrap = everyKey.find((key) => key.name.startsWith('Bootstrap'))!;
    const revokeTrustAdmin = await api.request({
      method: 'DELETE',
      url: `/v1/api-keys/${bootstrap.id}`,
      key: siteAdmin,
    });
    t.equal(revokeTrustAdmin.statusCode, 404, 'a scoped admin cannot revoke the trust admin');
    const wardAdmin = await api.createKey('admin', ward.id, 'Willow admin');
    const wider = await api.request({
      method: 'POST',
      url: '/v1/api-keys',
      key: wardAdmin,
      payload: { name: 'Riverside staff', role: 'staff', unitId: site.id },
    });
    t.equal(wider.statusCode, 400, 'a ward admin cannot issue a key for its site, wider than its scope');
    const sibling = await api.request({
      method: 'POST',
      url: '/v1/api-keys',
      key: wardAdmin,
      payload: { name: 'Ash staff', role: 'staff', unitId: otherWard.id },
    });
    t.equal(sibling.statusCode, 400, 'nor for a ward beside it');
    const siteAdminId = everyKey.find((key) => key.name === 'Site admin')!.id;
    t.equal(
      (await api.request({ method: 'DELETE', url: `/v1/api-keys/${siteAdminId}`, key: wardAdmin })).statusCode,
      404,
      'nor revoke the key of the site above it',
    );
  });
});

t.test('ADMIN_API_KEY is an admin key from the first request; changing it revokes the old one', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const secondSecret = 'a-new-admin-secret-after-rotation-42';

  const first = withHelpers(await buildApp(testConfig(), { database: database.handle, logger: false }), database);
  const res = await first.request({ method: 'GET', url: '/v1/api-keys' });
  t.equal(res.statusCode, 200, 'the very first request works');
  const bootstrap = (res.json().items as ApiKeyItem[]).filter((k) => k.name.startsWith('Bootstrap'));
  t.equal(bootstrap.length, 1);
  t.equal(bootstrap[0]?.role, 'admin');
  t.equal(bootstrap[0]?.unitId, null);
  await first.app.close();

  const again = withHelpers(await buildApp(testConfig(), { database: database.handle, logger: false }), database);
  const list = await again.request({ method: 'GET', url: '/v1/api-keys' });
  t.equal(
    (list.json().items as ApiKeyItem[]).filter((k) => k.name.startsWith('Bootstrap')).length,
    1,
    'a restart with the same secret makes no second key',
  );
  await again.app.close();

  const rotated = withHelpers(
    await buildApp(testConfig({ ADMIN_API_KEY: secondSecret }), { database: database.handle, logger: false }),
    database,
  );
  t.teardown(() => rotated.app.close());
  t.equal(
    (await rotated.request({ method: 'GET', url: '/v1/units', key: adminSecret })).statusCode,
    401,
    'the old secret is revoked',
  );
  t.equal(
    (await rotated.request({ method: 'GET', url: '/v1/units', key: secondSecret })).statusCode,
    200,
    'the new one works',
  );
  const audit = await rotated.request({ method: 'GET', url: '/v1/audit?entityType=api_key', key: secondSecret });
  t.same(
    (audit.json().items as { action: string; actorName: string }[]).map((e) => `${e.action} by ${e.actorName}`),
    ['created by system', 'revoked by system', 'created by system'],
    'the rotation is in the audit trail',
  );
});
