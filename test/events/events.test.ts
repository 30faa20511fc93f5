import pg from 'pg';
import t from 'tap';
import { buildTestApp, createTree, type TestApp } from '../helpers/app.js';
import { onServer } from '../helpers/database.js';
import { loop } from '../helpers/fixtures.js';

interface FeedEvent {
  id: string;
  type: string;
  unitId: string;
  data: Record<string, unknown> & { id?: string; status?: string; previousStatus?: string };
}

/** Reads the feed as a poller would, carrying the cursor forward. */
function poller(api: TestApp, key: string, query = '') {
  let cursor: string | undefined;
  return async (extra = ''): Promise<FeedEvent[]> => {
    const params = [query, extra, cursor ? `after=${encodeURIComponent(cursor)}` : ''].filter(Boolean).join('&');
    const response = await api.request({ method: 'GET', url: `/v1/events?${params}`, key });
    if (response.statusCode !== 200) throw new Error(`events: ${response.statusCode} ${response.body}`);
    cursor = response.json().nextCursor;
    return response.json().events;
  };
}

const summary = (events: FeedEvent[]) =>
  events.filter((event) => event.type !== 'board.updated').map((event) => `${event.type} ${event.data.status}`);

t.test('every step of the loop is in the feed once, in order, with public-safe payloads', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const staff = await api.createKey('staff', ward.id);
  const flow = loop(api, staff);
  const next = poller(api, staff);
  const secret = `PRIVATE-${Math.random().toString(36).slice(2)}`;

  t.same(await next(), [], 'an empty feed');
  const item = await flow.feedback(ward.id, {
    text: `The garden is locked ${secret}`,
    youSaid: `Garden ${secret}`,
    contact: { email: `${secret}@example.org` },
    externalRef: { system: 'pals', id: 'P-1' },
  });
  const received = await next();
  t.same(summary(received), ['feedback.received received']);
  const receivedEvent = received.find((event) => event.type === 'feedback.received')!;
  t.equal(receivedEvent.data.id, item.id);
  t.equal(receivedEvent.unitId, ward.id);
  t.same(receivedEvent.data.externalRef, { system: 'pals', id: 'P-1' });
  t.same(
    received.filter((event) => event.type === 'board.updated').map((event) => event.unitId),
    [ward.id],
    'the ward’s board; the site and trust boards are outside the key’s scope',
  );

  const patched = await flow.send(
    'PATCH',
    `/v1/feedback/${item.id}`,
    { themes: ['activities'] },
    { 'if-match': `"v${item.version}"` },
  );
  t.equal(patched.statusCode, 200);
  const updated = await next();
  t.same(summary(updated), ['feedback.updated in_review']);
  t.equal(updated[0]!.data.previousStatus, 'received');

  const action = await flow.action({ unitId: ward.id, feedbackIds: [item.id] });
  t.same(summary(await next()), ['action.created planned', 'feedback.updated planned']);
  t.equal((await flow.complete(action.id)).statusCode, 200);
  const completed = await next();
  t.same(summary(completed).sort(), ['action.completed completed', 'feedback.closed actioned']);
  t.equal(completed.find((event) => event.type === 'feedback.closed')!.data.previousStatus, 'planned');

  t.equal((await flow.reopen(item.id)).statusCode, 200);
  t.same(summary(await next()), ['feedback.reopened in_review']);
  t.equal((await flow.decide(item.id)).statusCode, 200);
  t.same(summary(await next()), ['feedback.closed not_actioned']);

  const cancelled = await flow.action({ unitId: ward.id });
  t.equal((await flow.cancel(cancelled.id)).statusCode, 200);
  t.same(summary(await next()), ['action.created planned', 'action.cancelled cancelled']);

  t.equal(
    (await flow.send('POST', `/v1/feedback/${item.id}/erase`, undefined, {})).statusCode,
    403,
    'staff may not erase',
  );
  await api.request({ method: 'POST', url: `/v1/feedback/${item.id}/erase` });
  const erased = await next();
  t.same(summary(erased), ['feedback.updated not_actioned']);
  t.equal(erased[0]!.data.erased, true);

  t.same(await next(), [], 'read to the end: nothing twice');
  const all = await api.request({ method: 'GET', url: '/v1/events?limit=500', key: staff });
  t.notMatch(all.body, secret, 'no private words, summaries or contact details in any event');
  const ids = all.json().events.map((event: FeedEvent) => event.id);
  t.equal(new Set(ids).size, ids.length, 'every event has its own id');
});

t.test('a change that fails writes no event', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const flow = loop(api);
  const item = await flow.feedback(ward.id, { kind: 'compliment' });
  const next = poller(api, (await api.createKey('staff')) as string);
  await next();
  t.equal((await flow.decide(item.id)).statusCode, 409, 'a compliment cannot be declined');
  t.same(await next(), []);
});

t.test('the feed is scoped to the key’s units and filtered by type', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api);
  const flow = loop(api);
  const wardDisplay = await api.createKey('display', ward.id);
  const mine = await flow.feedback(ward.id);
  await flow.feedback(otherWard.id);

  const seen = await poller(api, wardDisplay)();
  t.ok(seen.length > 0);
  t.ok(
    seen.every((event) => event.unitId === ward.id),
    'only the ward’s own events: not the other ward’s, nor the site and trust boards',
  );
  t.same(
    seen.filter((event) => event.type === 'feedback.received').map((event) => event.data.id),
    [mine.id],
  );

  const boards = await poller(api, wardDisplay, 'types=board.updated')();
  t.ok(boards.length > 0 && boards.every((event) => event.type === 'board.updated'));

  const admin = await poller(api, (await api.createKey('admin')) as string, `unitId=${otherWard.id}`)();
  t.ok(admin.length > 0 && admin.every((event) => event.unitId === otherWard.id), 'unitId narrows an unscoped key');

  for (const role of ['intake', 'auditor']) {
    const response = await api.request({ method: 'GET', url: '/v1/events', key: await api.createKey(role) });
    t.equal(response.statusCode, 403, `${role} keys may not read the feed`);
  }
});

t.test('display keys get only what a board shows; staff and admin get the whole payload', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const flow = loop(api);
  const item = await flow.feedback(ward.id, {
    kind: 'complaint',
    channel: 'pals',
    themes: ['food'],
    externalRef: { system: 'rio', id: 'NHS-943-476-5919' },
  });
  const action = await flow.action({
    unitId: ward.id,
    feedbackIds: [item.id],
    coproduction: { level: 'co_producing', livedExperienceCount: 3 },
  });
  const flagged = await api.request({
    method: 'POST',
    url: `/v1/feedback/${item.id}/safeguarding`,
    payload: { status: 'flagged' },
  });
  t.equal(flagged.statusCode, 200, 'flagged by hand: a staff-only event');
  const ofItem = (events: FeedEvent[], type: string) =>
    events.filter(
      (event) => event.type === type && event.data.id === (type.startsWith('action.') ? action.id : item.id),
    );

  const display = await poller(api, await api.createKey('display', ward.id))('limit=500');
  const [received] = ofItem(display, 'feedback.received');
  t.same(
    Object.keys(received?.data ?? {}).sort(),
    ['erased', 'id', 'publishConsent', 'receivedAt', 'status', 'unitId', 'version'],
    'the item’s status and dates: no kind, channel, themes, due date or external reference',
  );
  t.notMatch(JSON.stringify(display), 'NHS-943-476-5919');
  const [created] = ofItem(display, 'action.created');
  t.same(Object.keys(created?.data ?? {}).sort(), ['id', 'status', 'unitId', 'version'], 'no co-production level');
  t.same(ofItem(display, 'feedback.safeguarding'), [], 'nor the safeguarding flag');

  for (const role of ['staff', 'admin']) {
    const seen = await poller(api, await api.createKey(role))('limit=500');
    t.match(
      ofItem(seen, 'feedback.received')[0]?.data,
      { kind: 'complaint', channel: 'pals', themes: ['food'], externalRef: { system: 'rio', id: 'NHS-943-476-5919' } },
      `${role} keys get it all`,
    );
    t.match(ofItem(seen, 'action.created')[0]?.data, { coproductionLevel: 'co_producing' });
    t.equal(ofItem(seen, 'feedback.safeguarding').length, 1);
  }

  await t.test('the served contract says what a display key gets', async (t) => {
    const document = api.app.swagger() as { components: { schemas: Record<string, { properties: object }> } };
    const { schemas } = document.components;
    for (const [name, event] of [
      ['DisplayFeedbackEventData', received],
      ['DisplayActionEventData', created],
    ] as const) {
      const declared = Object.keys(schemas[name]?.properties ?? {});
      t.ok(
        Object.keys(event?.data ?? {}).every((field) => declared.includes(field)),
        `${name} declares every field sent`,
      );
      t.notOk(
        ['kind', 'channel', 'themes', 'externalRef', 'coproductionLevel'].some((field) => declared.includes(field)),
        `${name} declares nothing staff-only`,
      );
    }
    const event = JSON.stringify(schemas.Event);
    for (const name of ['DisplayFeedbackEventData', 'DisplayActionEventData', 'DisplayRecommendationEventData']) {
      t.match(event, `#/components/schemas/${name}`, `an event's data may be ${name}`);
    }
  });

  await t.test('webhooks carry the whole payload: a display key cannot own a subscription', async (t) => {
    const display = await api.createKey('display', ward.id);
    const made = await api.request({
      method: 'POST',
      url: '/v1/webhooks',
      key: display,
      payload: { url: 'https://example.org/hook', eventTypes: ['feedback.received'], unitId: ward.id },
    });
    t.equal(made.statusCode, 403, 'a display key cannot make one');
    const webhook = await api.request({
      method: 'POST',
      url: '/v1/webhooks',
      payload: { url: 'https://example.org/hook', eventTypes: ['feedback.received'] },
    });
    const enabled = await api.request({
      method: 'POST',
      url: `/v1/webhooks/${webhook.json().id}/enable`,
      key: display,
    });
    t.equal(enabled.statusCode, 403, 'nor become its owner by enabling it');
  });
});

t.test('bad feed queries are problem details', async (t) => {
  const api = await buildTestApp(t);
  for (const query of ['after=not-a-cursor', 'wait=31', 'limit=0', 'types=feedback.deleted', 'unitId=ward']) {
    const response = await api.request({ method: 'GET', url: `/v1/events?${query}` });
    t.equal(response.statusCode, 400, query);
    t.match(response.headers['content-type'], 'application/problem+json');
  }
});

t.test('a long poll answers when an event arrives', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const staff = await api.createKey('staff');
  const next = poller(api, staff);
  await next();
  const waiting = next('wait=20&types=feedback.received');
  await new Promise((resolve) => setTimeout(resolve, 200));
  const item = await loop(api).feedback(ward.id);
  const events = await waiting;
  t.same(
    events.map((event) => event.data.id),
    [item.id],
    'the waiting request returned the new item',
  );
});

t.test(
  'an event whose transaction commits late comes after what committed first, and is not skipped',
  { skip: onServer ? false : 'needs a second connection: PostgreSQL only' },
  async (t) => {
    const api = await buildTestApp(t);
    const { ward } = await createTree(api);
    const elsewhere = await createTree(api, 'U');
    const staff = await api.createKey('staff');
    const next = poller(api, staff);
    await next();

    // An older transaction writes an event (about another trust, so no row locks meet) and stays
    // open while a newer one commits.
    const older = new pg.Client({ connectionString: api.database.url! });
    await older.connect();
    t.teardown(() => older.end());
    await older.query('begin');
    await older.query('update units set board_version = board_version + 1 where id = $1', [elsewhere.ward.id]);
    const item = await loop(api).feedback(ward.id);

    const first = await next();
    t.ok(
      first.some((event) => event.type === 'feedback.received' && event.data.id === item.id),
      'what committed is readable at once, whatever else is still running',
    );
    t.notOk(
      first.some((event) => event.unitId === elsewhere.ward.id),
      'the open transaction’s event is not',
    );
    await older.query('commit');
    const late = await next();
    t.same(
      late.map((event) => `${event.type} ${event.unitId}`),
      [elsewhere.trust, elsewhere.site, elsewhere.ward].map((unit) => `board.updated ${unit.id}`),
      'after its commit, the late event is read next: the cursor did not pass it by',
    );
  },
);

t.test('renaming or moving a unit announces its boards', async (t) => {
  const api = await buildTestApp(t);
  const { trust, site, ward } = await createTree(api);
  const otherSite = await api.createUnit({ type: 'site', code: 'T-HILL', name: 'Hillside', parentId: trust.id });
  const next = poller(api, (await api.createKey('display')) as string, 'types=board.updated');
  await next();
  const boards = async () => (await next()).map((event) => event.unitId).sort();

  await api.request({ method: 'PATCH', url: `/v1/units/${ward.id}`, payload: { name: 'Willow Ward (new)' } });
  t.same(await boards(), [trust.id, site.id, ward.id].sort(), 'the ward and the boards that include it');
  await api.request({ method: 'PATCH', url: `/v1/units/${ward.id}`, payload: { parentId: otherSite.id } });
  t.same(await boards(), [trust.id, site.id, otherSite.id, ward.id].sort(), 'old and new ancestors');
});

t.test('paging through one large commit with a small limit reads every event once', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api);
  const staff = await api.createKey('staff');
  const next = poller(api, staff, 'limit=3');
  await next();
  const batch = await api.request({
    method: 'POST',
    url: '/v1/feedback/batch',
    payload: { items: [1, 2, 3, 4, 5].map((n) => ({ unitId: n % 2 ? ward.id : otherWard.id, text: `Item ${n}` })) },
  });
  t.equal(batch.statusCode, 200);
  const seen: FeedEvent[] = [];
  for (let page = 0; page < 10; page++) {
    const events = await next();
    if (events.length === 0) break;
    seen.push(...events);
  }
  const ids = seen.map((event) => event.id);
  t.equal(new Set(ids).size, ids.length, 'no event twice');
  t.same(
    seen.filter((event) => event.type === 'feedback.received').length,
    5,
    'every item’s event, across pages that end inside the commit',
  );
  t.equal(seen.filter((event) => event.type === 'board.updated').length, 4, 'each board once: two wards, site, trust');
});
