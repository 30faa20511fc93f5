import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t, { type Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { rowsOf } from '../../src/db/rows.js';
import { loggerOptions } from '../../src/http/logging.js';
import { adminSecret, type TestApp, testConfig, withHelpers } from '../helpers/app.js';
import type { Schemas } from '../helpers/bodies.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

type ApiKeyItem = Schemas['ApiKey'];

const otherSecret = 'a-new-admin-secret-after-rotation-42';

/** Starts the service on `database` with ADMIN_API_KEY set to `secret` (unset when null); keeps its warnings. */
async function start(t: Test, database: TestDatabase, secret: string | null) {
  const lines: string[] = [];
  const app = await buildApp(
    testConfig({
      ADMIN_API_KEY: secret ?? '',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      // So the only warnings are the bootstrap key's (without it the public form warns of running without its proof-of-work).
      ALTCHA_HMAC_KEY: 'bootstrap-test-altcha-key-0123456789abcdef',
      // Nor of panel sign-ins that would end with the process.
      SESSION_SECRET: 'bootstrap-test-session-key-0123456789abcdef',
    }),
    {
      database: database.handle,
      logger: loggerOptions('warn', { write: (line: string) => lines.push(line) }),
    },
  );
  t.teardown(() => app.close());
  const api = withHelpers(app, database);
  const warnings = () => lines.map((line) => JSON.parse(line) as { level: number; msg: string }).map((l) => l.msg);
  return { api, warnings, stop: () => app.close() };
}

const status = async (api: TestApp, key: string) =>
  (await api.request({ method: 'GET', url: '/v1/units', key })).statusCode;

async function keys(api: TestApp, key: string) {
  return (await api.request({ method: 'GET', url: '/v1/api-keys?limit=100', key })).json().items as ApiKeyItem[];
}

t.test('the bootstrap key shows a tag from the hash, never the start of ADMIN_API_KEY', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const first = await start(t, database, adminSecret);
  const [bootstrap] = (await keys(first.api, adminSecret)).filter((key) => key.name.startsWith('Bootstrap'));
  const tag = `env_${createHash('sha256').update(adminSecret).digest('hex').slice(0, 8)}`;
  t.equal(bootstrap?.prefix, tag, 'env_ and the first 8 hex digits of the SHA-256 hash');
  t.notOk(adminSecret.includes(bootstrap!.prefix.slice(4)), 'no part of the secret is shown');
  await first.stop();

  // A row written by an earlier version, with the secret's first characters as its prefix.
  await database.handle.db.execute(
    `update api_keys set prefix = '${adminSecret.slice(0, 10)}' where bootstrap` as never,
  );
  const again = await start(t, database, adminSecret);
  t.equal(
    (await keys(again.api, adminSecret)).find((key) => key.name.startsWith('Bootstrap'))?.prefix,
    tag,
    'start-up replaces an old prefix with the tag',
  );
});

t.test('the configured ADMIN_API_KEY always works; a key an admin revoked is never revived', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());

  const first = await start(t, database, adminSecret);
  t.equal(await status(first.api, adminSecret), 200);
  const webhook = await first.api.request({
    method: 'POST',
    url: '/v1/webhooks',
    payload: { url: 'http://127.0.0.1:9/hook', eventTypes: ['board.updated'] },
  });
  const webhookId: string = webhook.json().id;
  t.same(first.warnings(), [], 'nothing to warn about');
  await first.stop();

  const unset = await start(t, database, null);
  t.equal(await status(unset.api, adminSecret), 401, 'while ADMIN_API_KEY is unset, its secret does not work');
  t.same(
    unset.warnings(),
    [
      'ADMIN_API_KEY is not set: the bootstrap admin key is revoked until that secret is configured again',
      'No admin key without a unit scope exists, so no one can manage keys or the trust: set ADMIN_API_KEY and restart',
    ],
    'the revocation and the missing admin are each one warning line',
  );
  const stopped = await rowsOf<{ status: string; disabled_reason: string }>(
    database.handle.db,
    sql`select status, disabled_reason from webhooks where id = ${webhookId}`,
  );
  t.same(stopped, [{ status: 'disabled', disabled_reason: 'creator_revoked' }], 'its subscription stops with it');
  await unset.stop();

  const back = await start(t, database, adminSecret);
  t.equal(await status(back.api, adminSecret), 200, 'configured again, the same secret works again');
  t.same(back.warnings(), []);
  const [bootstrap] = (await keys(back.api, adminSecret)).filter((key) => key.name.startsWith('Bootstrap'));
  t.match(bootstrap, { revokedAt: null, revokedReason: null });
  const resumed = await back.api.request({ method: 'GET', url: `/v1/webhooks/${webhookId}` });
  t.match(resumed.json(), { status: 'enabled', disabledReason: null }, 'its subscription runs again');
  await back.stop();

  const rotated = await start(t, database, otherSecret);
  t.equal(await status(rotated.api, adminSecret), 401, 'a replaced secret stops working');
  t.equal(await status(rotated.api, otherSecret), 200);
  t.same(rotated.warnings(), ['ADMIN_API_KEY has changed: the bootstrap admin key of the previous secret is revoked']);
  const audit = await rotated.api.request({
    method: 'GET',
    url: `/v1/audit?entityType=api_key&entityId=${bootstrap!.id}`,
    key: otherSecret,
  });
  t.match(
    audit.json().items,
    [
      { action: 'revoked', actorName: 'system', details: { bootstrap: true, reason: 'replaced' } },
      { action: 'revived', actorName: 'system' },
      { action: 'revoked', actorName: 'system', details: { bootstrap: true, reason: 'unset' } },
      { action: 'created', actorName: 'system' },
    ],
    'every revocation and revival is audited, newest first',
  );
  // A durable admin key, issued as the README shows, then the bootstrap key revoked on purpose.
  const issued = await rotated.api.request({
    method: 'POST',
    url: '/v1/api-keys',
    key: otherSecret,
    payload: { name: 'Trust admin', role: 'admin' },
  });
  const durable: string = issued.json().key;
  await rotated.stop();

  const restored = await start(t, database, adminSecret);
  t.equal(await status(restored.api, adminSecret), 200, 'the first secret, configured again, works again');
  t.equal(await status(restored.api, otherSecret), 401);
  const first1 = (await keys(restored.api, durable)).find((key) => key.prefix === bootstrap!.prefix)!;
  t.equal(
    (await restored.api.request({ method: 'DELETE', url: `/v1/api-keys/${first1.id}`, key: durable })).statusCode,
    204,
  );
  t.equal(await status(restored.api, adminSecret), 401, 'revoked by an admin, at once');
  await restored.stop();

  const refused = await start(t, database, adminSecret);
  t.equal(await status(refused.api, adminSecret), 401, 'a key an admin revoked is not revived by a restart');
  t.same(refused.warnings(), [
    'ADMIN_API_KEY names a key an admin revoked: it stays revoked; configure a new secret or use another admin key',
  ]);
  t.match(
    (await keys(refused.api, durable)).find((key) => key.id === first1.id),
    {
      revokedReason: 'admin',
    },
  );
  t.equal(await status(refused.api, durable), 200, 'the durable admin key carries on');
});

t.test('the database refuses revocation and subscription states the rules do not allow', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const { api } = await start(t, database, adminSecret);
  await api.createKey('staff', null, 'Staff');
  const staffId = (await keys(api, adminSecret)).find((key) => key.name === 'Staff')!.id;
  const refused = async (statement: string, label: string) => {
    const error = await database.handle.db.execute(statement as never).then(
      () => undefined,
      (caught: { cause?: { code?: string } }) => caught,
    );
    t.equal(error?.cause?.code, '23514', label);
  };
  await refused(`update api_keys set revoked_at = now() where id = '${staffId}'`, 'a revocation needs its reason');
  await refused(
    `update api_keys set revoked_at = now(), revoked_reason = 'bootstrap' where id = '${staffId}'`,
    'only a bootstrap key can be revoked by start-up, and so be revived',
  );
  await refused(
    `insert into webhooks (url, event_types, secret, status) values ('http://127.0.0.1:9/', '{board.updated}', 's', 'disabled')`,
    'a disabled subscription says why',
  );
  await refused(
    `insert into webhooks (url, event_types, secret, disabled_reason) values ('http://127.0.0.1:9/', '{board.updated}', 's', 'bored')`,
    'with one of the known reasons',
  );
});
