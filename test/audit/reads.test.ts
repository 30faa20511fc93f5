import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree, type TestApp } from '../helpers/app.js';
import { recordFeedback } from '../helpers/fixtures.js';

interface Event {
  entity_id: string;
  actor_name: string;
  action: string;
  details: Record<string, unknown>;
}

const readEvents = async (api: TestApp) =>
  api.sql<Event>(
    sql`select entity_id, actor_name, action, details from audit_events
        where action in ('contact_read', 'searched') order by seq`,
  );

t.test('reads that hand out contact details are audited', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const staff = await api.createKey('staff', null, 'Ward staff');
  const auditor = await api.createKey('auditor', null, 'Governance');
  const withContact = await recordFeedback(api, ward.id, {
    text: 'Call me',
    contact: { name: 'Jo', phone: '0123 456' },
  });
  const anonymous = await recordFeedback(api, ward.id, { text: 'No contact' });

  t.equal((await api.request({ method: 'GET', url: `/v1/feedback/${withContact.id}`, key: staff })).statusCode, 200);
  await api.request({ method: 'GET', url: `/v1/feedback/${anonymous.id}`, key: staff });
  await api.request({ method: 'GET', url: `/v1/feedback/${withContact.id}`, key: auditor });
  await api.request({ method: 'GET', url: '/v1/feedback', key: staff });
  await api.request({ method: 'GET', url: '/v1/feedback', key: auditor });

  const events = await readEvents(api);
  t.same(
    events.map((e) => [e.action, e.entity_id, e.actor_name]),
    [
      ['contact_read', withContact.id, 'Ward staff'],
      ['contact_read', 'list', 'Ward staff'],
    ],
    'one event per read that returned contact details; none for items without them or for auditors, who never get them',
  );
  t.same(events[1]?.details, { fields: ['contact'], count: 1, ids: [withContact.id] });
  t.notMatch(JSON.stringify(events), /Jo|0123/, 'the details themselves are never in the trail');
});

t.test('full-text searches are audited without their words', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const auditor = await api.createKey('auditor', null, 'Governance');
  await recordFeedback(api, ward.id, { text: 'Dr Hargreaves was rude about my diagnosis', kind: 'complaint' });
  const search = await api.request({
    method: 'GET',
    url: `/v1/feedback?q=Hargreaves&kind=complaint&unitId=${ward.id}`,
    key: auditor,
  });
  t.equal(search.statusCode, 200);
  t.equal(search.json().items.length, 1);
  await api.request({ method: 'GET', url: '/v1/feedback?kind=complaint', key: auditor });

  const events = await readEvents(api);
  t.same(
    events.map((e) => [e.action, e.actor_name]),
    [['searched', 'Governance']],
    'the search is recorded; a list without `q` is not',
  );
  t.same(events[0]?.details, { filters: { kind: 'complaint', unitId: ward.id }, count: 1 });
  const leaked = await api.sql<{ n: number }>(
    sql`select count(*)::int as n from audit_events where details::text ilike '%hargreaves%'`,
  );
  t.equal(leaked[0]?.n, 0, 'the search words are nowhere in the trail');
});

t.test(
  'concurrent reads share commits: each is in the trail before it is answered, once, and the chain verifies',
  async (t) => {
    const api = await buildTestApp(t);
    const { ward } = await createTree(api);
    const keys = [
      await api.createKey('staff', null, 'Reader A'),
      await api.createKey('staff', null, 'Reader B'),
      await api.createKey('staff', null, 'Reader C'),
    ];
    const items = [];
    for (let n = 0; n < 12; n++) {
      items.push(await recordFeedback(api, ward.id, { text: `Call me ${n}`, contact: { phone: `0123 45${n}` } }));
    }

    const trailed = async (itemId: string) =>
      (
        await api.sql<{ n: number }>(
          sql`select count(*)::int as n from audit_events where action = 'contact_read' and entity_id = ${itemId}`,
        )
      )[0]?.n;
    // Twelve item reads and three list pages at once, by three keys.
    const answers = await Promise.all([
      ...items.map(async (item, n) => {
        const response = await api.request({ method: 'GET', url: `/v1/feedback/${item.id}`, key: keys[n % 3] });
        return { status: response.statusCode, trailed: await trailed(item.id) };
      }),
      ...keys.map(async (key) => {
        const response = await api.request({ method: 'GET', url: '/v1/feedback?limit=5', key });
        return { status: response.statusCode, trailed: 1 };
      }),
    ]);
    t.same(
      answers.map((answer) => answer.status),
      answers.map(() => 200),
    );
    t.ok(
      answers.every((answer) => answer.trailed === 1),
      'every item read was in the trail, once, when its answer came',
    );

    const events = await api.sql<Event & { tx: string }>(
      sql`select entity_id, actor_name, action, details, xmin::text as tx from audit_events
        where action = 'contact_read' order by seq`,
    );
    t.equal(events.length, 15, 'one event per read');
    for (const [n, key] of ['Reader A', 'Reader B', 'Reader C'].entries()) {
      t.same(
        events
          .filter((event) => event.actor_name === key && event.entity_id !== 'list')
          .map((event) => event.entity_id)
          .sort(),
        items
          .filter((_, index) => index % 3 === n)
          .map((item) => item.id)
          .sort(),
        `${key}'s item reads are its own`,
      );
      const page = events.find((event) => event.actor_name === key && event.entity_id === 'list');
      t.match(page?.details, { fields: ['contact'], count: 5 });
    }
    t.ok(new Set(events.map((event) => event.tx)).size < events.length, 'reads that arrived together shared commits');

    const verification = (await api.request({ method: 'GET', url: '/v1/audit/verify' })).json();
    const all = await api.sql<{ n: number }>(sql`select count(*)::int as n from audit_events`);
    t.match(verification, { ok: true, checked: all[0]?.n, firstBrokenSeq: null }, 'the chain verifies');
    const feed = (await api.request({ method: 'GET', url: '/v1/audit?limit=100' })).json().items as {
      action: string;
    }[];
    t.equal(feed.filter((event) => event.action === 'contact_read').length, 15, 'GET /v1/audit lists them');

    // One key reading in turn: its events come in the order it read.
    for (const item of items.slice(0, 4))
      await api.request({ method: 'GET', url: `/v1/feedback/${item.id}`, key: keys[0] });
    const inTurn = await api.sql<{ entity_id: string }>(
      sql`select entity_id from audit_events where action = 'contact_read' order by seq desc limit 4`,
    );
    t.same(
      inTurn.map((row) => row.entity_id).reverse(),
      items.slice(0, 4).map((item) => item.id),
    );
  },
);
