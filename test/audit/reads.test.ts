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
