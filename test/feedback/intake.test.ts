import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';

const dayMs = 86_400_000;

t.test('intake records an item with a reference, dueAt from the unit target, and an audit trail', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  await api.request({ method: 'PATCH', url: `/v1/units/${ward.id}`, payload: { responseTargetDays: 10 } });
  const intake = await api.createKey('intake', ward.id);
  const receivedAt = '2026-01-05T10:00:00.123Z';
  const created = await api.request({
    method: 'POST',
    url: '/v1/feedback',
    key: intake,
    payload: {
      unitId: ward.id,
      text: 'The food is cold at night',
      kind: 'concern',
      channel: 'kiosk',
      themes: ['food'],
      contact: { name: 'Sam', email: 'sam@example.org', wantsReply: true },
      receivedAt,
      equality: { ageBand: '25_34', ethnicGroup: 'white_roma', religion: 'prefer_not_to_say' },
    },
  });
  t.equal(created.statusCode, 201, created.body);
  const item = created.json();
  t.equal(created.headers.location, `/v1/feedback/${item.id}`);
  t.equal(created.headers['cache-control'], 'no-store');
  t.match(item.reference, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  t.equal(item.status, 'received');
  t.equal(item.version, 1);
  t.equal(item.receivedAt, receivedAt);
  t.equal(item.dueAt, new Date(Date.parse(receivedAt) + 10 * dayMs).toISOString());
  t.equal(item.submitterRole, 'not_stated');
  t.equal(item.format, 'written');
  t.equal(item.publishConsent, false);
  t.notOk('text' in item, 'the private text is not echoed');
  t.notOk('contact' in item, 'an intake key never reads contact details');
  t.notOk('equality' in item, 'equality answers are never returned');

  const staffView = await api.request({ method: 'GET', url: `/v1/feedback/${item.id}` });
  t.equal(staffView.statusCode, 200);
  t.equal(staffView.json().text, 'The food is cold at night');
  t.same(staffView.json().contact, { name: 'Sam', email: 'sam@example.org', wantsReply: true });
  t.notOk('equality' in staffView.json());

  const { rows: equality } = await api.database.handle.db.$client.query(
    'select age_band, ethnic_group, religion, sex from feedback_equality where feedback_id = $1',
    [item.id],
  );
  t.same(equality, [{ age_band: '25_34', ethnic_group: 'white_roma', religion: 'prefer_not_to_say', sex: null }]);
});
