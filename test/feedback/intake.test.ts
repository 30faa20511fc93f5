import { sql } from 'drizzle-orm';
import t from 'tap';
import { generateReference, parseReference } from '../../src/modules/feedback/reference.js';
import { buildTestApp, createTree } from '../helpers/app.js';

const dayMs = 86_400_000;

t.test('references are 8 random Crockford characters, read back forgivingly', async (t) => {
  const draws = Array.from({ length: 2000 }, generateReference);
  t.same(
    draws.filter((ref) => !/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/.test(ref)),
    [],
    'every reference is XXXX-XXXX in Crockford base32',
  );
  t.equal(new Set(draws).size, 2000, 'no repeats in 2,000 draws');
  t.ok(new Set(draws.map((ref) => ref[0])).size > 20, 'the first character varies: no sequence');
  t.equal(parseReference('k7mq3xrd'), 'K7MQ-3XRD');
  t.equal(parseReference(' k7mq-3xrd '), 'K7MQ-3XRD');
  t.equal(parseReference('IL0O-abcd'), '1100-ABCD', 'I and L read as 1, O as 0');
  t.equal(parseReference('K7MQ-3XR'), undefined);
  t.equal(parseReference('K7MQ-3XRU'), undefined, 'U is not Crockford');
  t.equal(parseReference('../etc'), undefined);
});

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
      text: 'MARKER-TEXT the food is cold at night',
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
  t.same(
    Object.keys(item).sort(),
    ['closedAt', 'dueAt', 'id', 'receivedAt', 'reference', 'status', 'unitId', 'version'],
    'an intake key gets a receipt: no text, contact, classification or equality answers',
  );

  const staffView = await api.request({ method: 'GET', url: `/v1/feedback/${item.id}` });
  t.equal(staffView.statusCode, 200);
  t.match(staffView.json(), { submitterRole: 'not_stated', format: 'written', publishConsent: false, kind: 'concern' });
  t.equal(staffView.json().text, 'MARKER-TEXT the food is cold at night');
  t.same(
    staffView.json().contact,
    { name: 'Sam', email: 'sam@example.org', wantsReply: true, replyBy: 'email' },
    'stored settled: an email address means a reply by email',
  );
  t.notOk('equality' in staffView.json());

  t.same(
    await api.sql(
      sql`select age_band, ethnic_group, religion, sex from feedback_equality where feedback_id = ${item.id}`,
    ),
    [{ age_band: '25_34', ethnic_group: 'white_roma', religion: 'prefer_not_to_say', sex: null }],
  );
  t.same(await api.sql(sql`select from_status, to_status from feedback_transitions where feedback_id = ${item.id}`), [
    { from_status: null, to_status: 'received' },
  ]);
  const audit = await api.sql(
    sql`select action, details::text as details from audit_events where entity_type = 'feedback' and entity_id = ${item.id} order by seq`,
  );
  t.same(
    audit.map((row) => row.action),
    ['received', 'text_read', 'contact_read'],
    'the read back handed out text and contact details: both are audited',
  );
  const received = JSON.parse(String(audit[0]?.details));
  t.same(received.fields, [
    'channel',
    'contact',
    'equality',
    'format',
    'kind',
    'publishConsent',
    'receivedAt',
    'reviewConsent',
    'submitterRole',
    'text',
    'themes',
    'unitId',
  ]);
  for (const row of audit) {
    t.notMatch(String(row.details), /MARKER-TEXT|sam@example|white_roma/, 'audit details hold names, not values');
  }
  const board = await api.sql(sql`select board_version from units where id = ${ward.id}`);
  t.ok(Number(board[0]?.board_version) > 0, 'the board version moved');
});

t.test('intake bodies are strict and checked against the vocabulary, the clock and the scope', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api);
  const intake = await api.createKey('intake', ward.id);
  const base = { unitId: ward.id, text: 'Something' };
  const post = (payload: Record<string, unknown>, key: string | undefined = intake) =>
    api.request({ method: 'POST', url: '/v1/feedback', key, payload });
  const firstPath = async (payload: Record<string, unknown>) => {
    const response = await post(payload);
    t.equal(response.statusCode, 400, JSON.stringify(payload).slice(0, 80));
    t.match(response.headers['content-type'], /application\/problem\+json/);
    return response.json().errors?.[0]?.path;
  };

  t.equal(await firstPath({ ...base, status: 'actioned' }), '/status', 'a read-only field is named');
  t.equal(await firstPath({ ...base, reference: 'AAAA-AAAA' }), '/reference');
  t.equal(await firstPath({ ...base, colour: 'red' }), '/colour');
  t.equal(await firstPath({ unitId: ward.id }), '/text');
  t.equal(await firstPath({ ...base, text: 'x'.repeat(10_001) }), '/text');
  t.equal(await firstPath({ ...base, youSaid: 'y'.repeat(281) }), '/youSaid');
  t.equal(await firstPath({ ...base, youSaid: 'bell\u0007' }), '/youSaid');
  t.equal(await firstPath({ ...base, themes: ['food', 'weather'] }), '/themes');
  t.equal(await firstPath({ ...base, kind: 'rant' }), '/kind');
  t.equal(await firstPath({ ...base, equality: { sex: 'other' } }), '/equality/sex');
  t.equal(await firstPath({ ...base, equality: { shoeSize: '9' } }), '/equality/shoeSize');
  t.equal(await firstPath({ ...base, contact: { email: 'not-an-email' } }), '/contact/email');
  t.equal(
    await firstPath({ ...base, receivedAt: new Date(Date.now() + 10 * 60_000).toISOString() }),
    '/receivedAt',
    'receivedAt cannot be in the future',
  );
  t.equal(
    (await post({ ...base, receivedAt: new Date(Date.now() + 20_000).toISOString() })).statusCode,
    201,
    'a little clock skew is allowed',
  );
  t.equal(await firstPath({ ...base, unitId: otherWard.id }), '/unitId', 'a ward-scoped key cannot post elsewhere');
  t.equal((await post({ ...base, unitId: otherWard.id, text: 'fine' }, await api.createKey('staff'))).statusCode, 201);
  const display = await post(base, await api.createKey('display'));
  t.equal(display.statusCode, 403, 'display keys cannot record feedback');
  const auditor = await post(base, await api.createKey('auditor'));
  t.equal(auditor.statusCode, 403);
  t.equal((await post(base, null as unknown as string)).statusCode, 401);

  const all = await api.request({ method: 'GET', url: '/v1/feedback' });
  t.equal(all.json().items.length, 2, 'nothing refused was stored');
});

t.test('an externalRef is unique per system: a re-send answers 409 with the existing id', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api);
  const payload = { unitId: ward.id, text: 'Datix 1', externalRef: { system: 'datix', id: 'W-1' } };
  const first = await api.request({ method: 'POST', url: '/v1/feedback', payload });
  t.equal(first.statusCode, 201);
  const again = await api.request({ method: 'POST', url: '/v1/feedback', payload: { ...payload, text: 'changed' } });
  t.equal(again.statusCode, 409);
  t.equal(again.json().type, 'urn:wedid:problem:duplicate-external-ref');
  t.equal(again.json().existingId, first.json().id);
  t.same(first.json().externalRef, { system: 'datix', id: 'W-1' });
  const otherSystem = await api.request({
    method: 'POST',
    url: '/v1/feedback',
    payload: { ...payload, externalRef: { system: 'pals', id: 'W-1' } },
  });
  t.equal(otherSystem.statusCode, 201, 'the same id from another system is a different item');

  // An externalRef can be a patient identifier: the id of an item outside the key's reach stays unsaid.
  const ashStaff = await api.createKey('staff', otherWard.id);
  const outOfScope = await api.request({
    method: 'POST',
    url: '/v1/feedback',
    key: ashStaff,
    payload: { ...payload, unitId: otherWard.id },
  });
  t.equal(outOfScope.statusCode, 409, 'still a duplicate: deduplication holds across scopes');
  t.equal(outOfScope.json().type, 'urn:wedid:problem:duplicate-external-ref');
  t.notOk('existingId' in outOfScope.json(), 'no existingId for an item in another ward');
  const kiosk = await api.createKey('intake', ward.id);
  const notMine = await api.request({ method: 'POST', url: '/v1/feedback', key: kiosk, payload });
  t.equal(notMine.statusCode, 409);
  t.notOk('existingId' in notMine.json(), 'nor for an item another key created, to an intake key');
  const wardStaff = await api.createKey('staff', ward.id);
  const inScope = await api.request({ method: 'POST', url: '/v1/feedback', key: wardStaff, payload });
  t.equal(inScope.json().existingId, first.json().id, 'a key that may read the item is told which it is');

  // Racing senders: exactly one wins, the others learn its id.
  const race = await Promise.all(
    Array.from({ length: 5 }, () =>
      api.request({
        method: 'POST',
        url: '/v1/feedback',
        payload: { ...payload, externalRef: { system: 'survey', id: 'R-9' } },
      }),
    ),
  );
  const statuses = race.map((response) => response.statusCode).sort();
  t.same(statuses, [201, 409, 409, 409, 409]);
  const winner = race.find((response) => response.statusCode === 201)?.json().id;
  for (const response of race.filter((r) => r.statusCode === 409)) t.equal(response.json().existingId, winner);
});
