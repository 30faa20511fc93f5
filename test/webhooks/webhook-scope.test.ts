import { sql } from 'drizzle-orm';
import t from 'tap';
import { adminSecret, buildTestApp, createTree, type TestApp, testConfig } from '../helpers/app.js';
import { bodyOf, type Schemas } from '../helpers/bodies.js';
import { loop } from '../helpers/fixtures.js';
import { startReceiver, verified } from '../helpers/webhook-receiver.js';

type WebhookItem = Schemas['Webhook'];

const subscribe = (api: TestApp, key: string, body: Record<string, unknown>) =>
  api.request({ method: 'POST', url: '/v1/webhooks', key, payload: body });

async function listed(api: TestApp, key?: string) {
  const response = await api.request({ method: 'GET', url: '/v1/webhooks', ...(key ? { key } : {}) });
  return response.json().items as WebhookItem[];
}

t.test('a unit-scoped admin key manages webhooks within its scope only', async (t) => {
  const api = await buildTestApp(t, { config: testConfig({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }) });
  const { trust, site, ward } = await createTree(api);
  const otherSite = await api.createUnit({ type: 'site', code: 'T-NORTH', name: 'Northgate', parentId: trust.id });
  const otherWard = await api.createUnit({ type: 'ward', code: 'T-OAK', name: 'Oak', parentId: otherSite.id });
  const siteAdmin = await api.createKey('admin', site.id, 'Riverside admin');
  const url = 'http://127.0.0.1:9/hook';

  const trustWide = await subscribe(api, adminSecret, { url, eventTypes: ['feedback.received'] });
  t.equal(trustWide.statusCode, 201, 'the trust admin subscribes to every unit');
  const elsewhere = await subscribe(api, adminSecret, { url, eventTypes: ['feedback.received'], unitId: otherWard.id });
  t.equal(elsewhere.statusCode, 201);

  const everyUnit = await subscribe(api, siteAdmin, { url, eventTypes: ['feedback.received'] });
  t.equal(everyUnit.statusCode, 400, 'a scoped admin cannot subscribe to every unit');
  t.equal(everyUnit.json().errors[0].path, '/unitId');
  t.match(everyUnit.json().errors[0].message, /Required for a key scoped to a unit/);
  const explicitNull = await subscribe(api, siteAdmin, { url, eventTypes: ['feedback.received'], unitId: null });
  t.equal(explicitNull.statusCode, 400, 'nor by sending null');
  for (const unit of [otherSite, otherWard, trust]) {
    const response = await subscribe(api, siteAdmin, { url, eventTypes: ['feedback.received'], unitId: unit.id });
    t.equal(response.statusCode, 400, `nor to ${unit.code}, outside its scope`);
    t.equal(response.json().errors[0].path, '/unitId');
  }
  const own = await subscribe(api, siteAdmin, { url, eventTypes: ['feedback.received'], unitId: ward.id });
  t.equal(own.statusCode, 201, 'a unit inside its scope is fine');

  t.same(
    (await listed(api, siteAdmin)).map((webhook) => webhook.id),
    [own.json().id],
    'the scoped admin lists only subscriptions about its scope',
  );
  t.equal((await listed(api)).length, 3, 'the trust admin lists all three');

  for (const hidden of [trustWide.json().id, elsewhere.json().id]) {
    for (const [method, path] of [
      ['GET', ''],
      ['GET', '/deliveries'],
      ['POST', '/enable'],
      ['POST', '/deliveries/00000000-0000-4000-8000-000000000000/resend'],
      ['DELETE', ''],
    ] as const) {
      const response = await api.request({ method, url: `/v1/webhooks/${hidden}${path}`, key: siteAdmin });
      t.equal(response.statusCode, 404, `${method} ${path || '/'} of a subscription outside the scope is not found`);
    }
  }
  t.equal((await listed(api)).length, 3, 'the trust admin’s subscriptions are still there');
  t.equal(
    (await api.request({ method: 'DELETE', url: `/v1/webhooks/${own.json().id}`, key: siteAdmin })).statusCode,
    204,
    'its own subscription it may delete',
  );
});

t.test('revoking the key that made a subscription stops it; an admin who sees it can enable it', async (t) => {
  const api = await buildTestApp(t, { config: testConfig({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }) });
  const receiver = await startReceiver();
  t.teardown(receiver.close);
  const { trust, site, ward } = await createTree(api);
  const otherSite = await api.createUnit({ type: 'site', code: 'T-NORTH', name: 'Northgate', parentId: trust.id });
  const creator = await api.createKey('admin', site.id, 'Riverside admin');
  const otherSiteAdmin = await api.createKey('admin', otherSite.id, 'Northgate admin');
  const created = await subscribe(api, creator, {
    url: receiver.url,
    eventTypes: ['feedback.received'],
    unitId: ward.id,
  });
  t.equal(created.statusCode, 201);
  const webhook = bodyOf<'createWebhook', 201>(created);
  const flow = loop(api);
  const first = await flow.feedback(ward.id);
  await receiver.received(1);
  // Revoke once the first delivery is on record, so the test sees no at-least-once repeat of it.
  for (let tries = 0; tries < 200; tries++) {
    const response = await api.request({ method: 'GET', url: `/v1/webhooks/${webhook.id}/deliveries` });
    if (response.json().items[0]?.status === 'delivered') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const keys = (await api.request({ method: 'GET', url: '/v1/api-keys' })).json().items as {
    id: string;
    name: string;
  }[];
  const creatorId = keys.find((key) => key.name === 'Riverside admin')!.id;
  t.equal((await api.request({ method: 'DELETE', url: `/v1/api-keys/${creatorId}` })).statusCode, 204);

  const [stopped] = (await listed(api)).filter((item) => item.id === webhook.id);
  t.match(stopped, { status: 'disabled', disabledReason: 'creator_revoked' }, 'the subscription stops, and says why');
  const audit = await api.request({ method: 'GET', url: `/v1/audit?entityType=webhook&entityId=${webhook.id}` });
  t.match(
    audit.json().items,
    [{ action: 'disabled', details: { reason: 'creator_revoked', keyId: creatorId } }, { action: 'created' }],
    'the stop is audited with its reason (newest first)',
  );

  const second = await flow.feedback(ward.id);
  // Nothing is delivered while it is stopped: the worker picks up enabled subscriptions only.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  t.equal(receiver.messages.length, 1, 'no event reaches the receiver after the creator is revoked');

  const outsider = await api.request({ method: 'POST', url: `/v1/webhooks/${webhook.id}/enable`, key: otherSiteAdmin });
  t.equal(outsider.statusCode, 404, 'an admin who cannot see it cannot enable it');

  const siteAdmin = await api.createKey('admin', site.id, 'New Riverside admin');
  const enabled = await api.request({ method: 'POST', url: `/v1/webhooks/${webhook.id}/enable`, key: siteAdmin });
  t.equal(enabled.statusCode, 200);
  t.match(enabled.json(), { status: 'enabled', disabledReason: null });
  await receiver.received(2);
  t.same(
    receiver.messages.map((message) => verified(webhook.secret, message).data.id),
    [first.id, second.id],
    'delivery resumes where it stopped, nothing lost',
  );

  const newOwnerId = (
    (await api.request({ method: 'GET', url: '/v1/api-keys' })).json().items as { id: string; name: string }[]
  ).find((key) => key.name === 'New Riverside admin')!.id;
  t.equal((await api.request({ method: 'DELETE', url: `/v1/api-keys/${newOwnerId}` })).statusCode, 204);
  t.match(
    (await listed(api)).find((item) => item.id === webhook.id),
    { status: 'disabled', disabledReason: 'creator_revoked' },
    'enabling made that key the owner: revoking it stops the subscription again',
  );
});

t.test(
  'a private target is refused naming WEBHOOK_ALLOW_PRIVATE_TARGETS, when subscribing and delivering',
  async (t) => {
    const api = await buildTestApp(t);
    const subscribed = await subscribe(api, adminSecret, {
      url: 'http://10.1.2.3/hook',
      eventTypes: ['feedback.received'],
    });
    t.equal(subscribed.statusCode, 400);
    t.match(subscribed.json().errors[0].message, /WEBHOOK_ALLOW_PRIVATE_TARGETS=true/, 'the 400 names the setting');

    // An address literal that was accepted earlier (the setting was on then) is refused on delivery.
    const { ward } = await createTree(api);
    const [row] = await api.sql<{ id: string }>(
      sql.raw(
        `insert into webhooks (url, event_types, secret) values ('http://127.0.0.1:9/hook',
        '{feedback.received}', 'whsec_${Buffer.alloc(32, 1).toString('base64')}') returning id`,
      ),
    );
    await loop(api).feedback(ward.id);
    const deadline = Date.now() + 20_000;
    let error: string | null | undefined;
    while (!error && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const response = await api.request({ method: 'GET', url: `/v1/webhooks/${row!.id}/deliveries` });
      error = response.json().items[0]?.attempts[0]?.error;
    }
    t.match(
      error,
      /127\.0\.0\.1 is a loopback.*WEBHOOK_ALLOW_PRIVATE_TARGETS=true/,
      'the attempt’s error names the setting',
    );
  },
);
