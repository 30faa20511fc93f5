import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { recordFeedback } from '../helpers/fixtures.js';

t.test('PATCH: strict triage edits with If-Match; the first edit moves received to in_review', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const staff = await api.createKey('staff');
  const { id } = await recordFeedback(api, ward.id, { text: 'The quiet room is always locked' });
  const patch = (payload: unknown, headers: Record<string, string> = {}, key = staff) =>
    api.request({ method: 'PATCH', url: `/v1/feedback/${id}`, key, payload: payload as object, headers });

  for (const field of ['status', 'closedAt', 'unitId', 'text', 'reference', 'version', 'dueAt']) {
    const refused = await patch({ [field]: 'x' });
    t.equal(refused.statusCode, 400, field);
    t.equal(refused.json().errors[0].path, `/${field}`, `${field} is named`);
  }
  t.equal((await patch({})).statusCode, 400, 'an empty edit is refused');
  t.equal((await patch({ youSaid: 'z'.repeat(281) })).json().errors[0].path, '/youSaid');
  t.equal((await patch({ themes: ['weather'] })).json().errors[0].path, '/themes');
  t.equal((await patch({ kind: 'concern' }, {}, await api.createKey('auditor'))).statusCode, 403);
  t.equal((await patch({ kind: 'concern' }, {}, await api.createKey('intake'))).statusCode, 403);

  const first = await patch(
    { youSaid: 'The quiet room is kept locked', publishConsent: true, themes: ['environment'], kind: 'concern' },
    { 'if-match': '"v1"' },
  );
  t.equal(first.statusCode, 200, first.body);
  t.equal(first.headers.etag, '"v2"');
  t.equal(first.headers['cache-control'], 'no-store');
  t.equal(first.json().status, 'in_review');
  t.equal(first.json().version, 2);
  t.equal(first.json().youSaid, 'The quiet room is kept locked');
  t.same(first.json().themes, ['environment']);

  const stale = await patch({ channel: 'pals' }, { 'if-match': '"v1"' });
  t.equal(stale.statusCode, 412);
  t.equal(stale.json().type, 'urn:wedid:problem:precondition-failed');
  t.equal((await patch({ channel: 'pals' }, { 'if-match': '2' })).statusCode, 200, 'a bare version is accepted');
  t.equal((await patch({ youSaid: null }, { 'if-match': 'W/"v3"' })).json().youSaid, null, 'null clears youSaid');
  const blind = await patch({ format: 'voice' });
  t.equal(blind.statusCode, 428, 'an edit without If-Match could overwrite a colleague’s edit');
  t.equal(blind.json().type, 'urn:wedid:problem:precondition-required');
  t.match(blind.json().detail, /If-Match/, 'the problem names the header');
  t.equal((await patch({ format: 'voice' }, { 'if-match': '*' })).json().version, 5, '`*` overwrites deliberately');
  t.equal((await patch({ format: 'voice' }, { 'if-match': 'garbage' })).statusCode, 400);

  t.same(
    await api.sql(sql`select from_status, to_status from feedback_transitions where feedback_id = ${id} order by id`),
    [
      { from_status: null, to_status: 'received' },
      { from_status: 'received', to_status: 'in_review' },
    ],
    'one triage transition, however many edits',
  );
  const updates = await api.sql(
    sql`select details from audit_events where entity_id = ${id} and action = 'updated' order by seq`,
  );
  t.equal(updates.length, 4);
  t.match(updates[0]?.details, { fields: ['kind', 'publishConsent', 'themes', 'youSaid'], status: 'in_review' });

  // Two editors holding the same version: exactly one wins.
  const race = await Promise.all([
    patch({ kind: 'complaint' }, { 'if-match': '"v5"' }),
    patch({ kind: 'question' }, { 'if-match': '"v5"' }),
  ]);
  t.same(race.map((response) => response.statusCode).sort(), [200, 412]);
});

t.test('a PATCH that changes nothing writes nothing: same version, no event, no audit entry', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const staff = await api.createKey('staff');
  const { id } = await recordFeedback(api, ward.id, {
    text: 'Visiting hours are too short',
    kind: 'concern',
    themes: ['visiting'],
  });
  const patch = (payload: object, ifMatch: string) =>
    api.request({ method: 'PATCH', url: `/v1/feedback/${id}`, key: staff, payload, headers: { 'if-match': ifMatch } });
  const feedEvents = async () =>
    (await api.request({ method: 'GET', url: '/v1/events?limit=500' }))
      .json()
      .events.filter((e: { type: string; data: { id?: string } }) => e.data.id === id)
      .map((e: { type: string }) => e.type);

  const unchanged = await patch({ kind: 'concern', themes: ['visiting', 'visiting'] }, '"v1"');
  t.equal(unchanged.statusCode, 200);
  t.equal(unchanged.headers.etag, '"v1"', 'no new version');
  t.equal(unchanged.json().status, 'received', 'an edit that changes nothing is not a triage');

  const real = await patch({ kind: 'concern', youSaid: 'Visiting hours are short' }, '"v1"');
  t.equal(real.json().version, 2);
  t.equal(real.json().status, 'in_review');
  const again = await patch({ youSaid: 'Visiting hours are short', publishConsent: false }, '"v2"');
  t.equal(again.json().version, 2, 'the same values again: still version 2');
  t.equal(
    (await patch({ youSaid: 'Visiting hours are short' }, '"v1"')).statusCode,
    412,
    'a stale If-Match still answers 412',
  );

  t.same(await feedEvents(), ['feedback.received', 'feedback.updated'], 'one feedback.updated, for the real edit');
  const updates = await api.sql(sql`select details from audit_events where entity_id = ${id} and action = 'updated'`);
  t.equal(updates.length, 1, 'one audit entry, for the real edit');
  t.match(updates[0]?.details, { fields: ['youSaid'], status: 'in_review' }, 'naming only the field that changed');
});

t.test('erasure removes private data for good and keeps what counts', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const make = async (extra: Record<string, unknown>) =>
    (
      await api.request({
        method: 'POST',
        url: '/v1/feedback',
        payload: {
          unitId: ward.id,
          text: 'ERASE-ME private words',
          youSaid: 'A public summary',
          kind: 'complaint',
          channel: 'pals',
          themes: ['safety'],
          contact: { email: 'erase-me@example.org' },
          equality: { disability: 'yes' },
          externalRef: { system: 'datix', id: `E-${Math.random()}` },
          ...extra,
        },
        headers: { 'idempotency-key': `erase-${Math.random()}` },
      })
    ).json();
  const consented = await make({ publishConsent: true });
  const private_ = await make({ publishConsent: false });
  const staff = await api.createKey('staff');

  t.equal(
    (await api.request({ method: 'POST', url: `/v1/feedback/${consented.id}/erase`, key: staff })).statusCode,
    403,
    'admin only',
  );
  const erased = await api.request({ method: 'POST', url: `/v1/feedback/${consented.id}/erase` });
  t.equal(erased.statusCode, 200);
  const item = erased.json();
  t.equal(item.erased, true);
  t.equal(item.text, undefined, 'no text in the reply');
  t.equal(item.contact, null);
  t.equal(item.youSaid, 'A public summary', 'a consented public summary stays');
  t.equal(item.externalRef, null, 'the externalRef (it can be a patient identifier) goes');
  t.match(item, { status: 'received', kind: 'complaint', channel: 'pals', themes: ['safety'], unitId: ward.id });
  const reread = (await api.request({ method: 'GET', url: `/v1/feedback/${consented.id}` })).json();
  t.equal(reread.text, null);
  const privateErased = (await api.request({ method: 'POST', url: `/v1/feedback/${private_.id}/erase` })).json();
  t.equal(privateErased.youSaid, null, 'a summary never consented to goes with the private text');

  const again = await api.request({ method: 'POST', url: `/v1/feedback/${consented.id}/erase` });
  t.equal(again.statusCode, 200, 'erasing twice is fine');
  t.equal(again.json().version, item.version, 'and changes nothing');

  const leftovers = await api.sql(
    sql`select
      (select count(*) from feedback_items where text like '%ERASE-ME%' or contact::text like '%erase-me%') as items,
      (select count(*) from feedback_equality) as equality,
      (select count(*) from idempotency_keys where response_body::text like '%erase-me%') as replies,
      (select count(*) from audit_events where details::text like '%ERASE-ME%' or details::text like '%erase-me%') as audit,
      (select count(*) from feedback_items) as total`,
  );
  t.match(leftovers[0], { items: /^0$/, equality: /^0$/, replies: /^0$/, audit: /^0$/, total: /^2$/ });
  const erasures = await api.sql(sql`select entity_id, details from audit_events where action = 'erased' order by seq`);
  t.equal(erasures.length, 2, 'each erasure is in the audit trail, once');
  t.match(erasures[1]?.details, { fields: ['text', 'contact', 'equality', 'externalRef', 'youSaid'] });
  const list = await api.request({ method: 'GET', url: '/v1/feedback?kind=complaint' });
  t.equal(list.json().items.length, 2, 'erased items still count');

  const stored = await api.sql(sql`select count(*) as n from feedback_items where external_id is not null`);
  t.match(stored[0], { n: /^0$/ }, 'no externalRef is left in the database');
  const resent = await api.request({
    method: 'POST',
    url: '/v1/feedback',
    payload: { unitId: ward.id, text: 'Sent again by the source system', externalRef: consented.externalRef },
  });
  t.equal(resent.statusCode, 201, 'an erased item no longer deduplicates: its externalRef records a new item');
  t.not(resent.json().id, consented.id);
});
