import { sql } from 'drizzle-orm';
import t from 'tap';
import { createFeedbackSchema } from '../../src/modules/feedback/feedback.schemas.js';
import { batchBodyLimit, maxBatchItems } from '../../src/modules/feedback/feedback-batch.schemas.js';
import * as reference from '../../src/modules/feedback/reference.js';
import { buildTestApp, createTree, type TestApp } from '../helpers/app.js';

const dayMs = 86_400_000;

const count = async (api: TestApp, query: ReturnType<typeof sql>) => Number((await api.sql(query))[0]?.n);

const batch = (api: TestApp, items: unknown, key?: string) =>
  api.request({ method: 'POST', url: '/v1/feedback/batch', key, payload: { items } });

interface Result {
  index: number;
  status: number;
  id?: string;
  reference?: string;
  problem?: {
    type: string;
    status: number;
    detail?: string;
    errors?: { path: string }[];
    existingId?: string;
    instance?: string;
    requestId?: string;
  };
}

t.test('a mixed batch answers a result per item, in order, and records only the good ones', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api);
  await api.request({ method: 'PATCH', url: `/v1/units/${ward.id}`, payload: { responseTargetDays: 10 } });
  const intake = await api.createKey('intake', ward.id);
  const receivedAt = '2026-01-05T10:00:00.000Z';
  const full = {
    unitId: ward.id,
    text: 'MARKER-TEXT the tea is cold by the time it reaches us',
    kind: 'concern',
    channel: 'fft',
    themes: ['food'],
    contact: { email: 'sam@example.org', wantsReply: true },
    externalRef: { system: 'fft', id: 'B-1' },
    receivedAt,
    equality: { ageBand: '25_34', religion: 'prefer_not_to_say' },
  };
  const invalid = { unitId: ward.id, colour: 'red' };
  const items = [
    full,
    invalid,
    { unitId: ward.id, text: 'Thank you to the night team', kind: 'compliment', themes: ['staff_attitude'] },
    { unitId: ward.id, text: 'Weather', themes: ['food', 'weather'] },
    { unitId: otherWard.id, text: 'Not my ward' },
    { unitId: ward.id, text: 'From the future', receivedAt: new Date(Date.now() + 10 * 60_000).toISOString() },
    { ...full, text: 'The same externalRef again' },
    'not an object',
    { unitId: ward.id, text: 'More visiting hours', kind: 'suggestion', externalRef: { system: 'fft', id: 'B-2' } },
    { unitId: ward.id, text: 'A NUL \u0000 PostgreSQL cannot store' },
    { unitId: ward.id, text: 'Received in a year PostgreSQL has no room for', receivedAt: '0000-01-01T00:00:00Z' },
    { unitId: ward.id, text: 'A name jsonb cannot hold', contact: { name: 'half a pair \ud800' } },
  ];
  const response = await batch(api, items, intake);
  t.equal(response.statusCode, 200, response.body);
  t.equal(response.headers['cache-control'], 'no-store');
  const results: Result[] = response.json().results;
  t.same(
    results.map((result) => [result.index, result.status]),
    [
      [0, 201],
      [1, 400],
      [2, 201],
      [3, 400],
      [4, 400],
      [5, 400],
      [6, 409],
      [7, 400],
      [8, 201],
      [9, 400],
      [10, 400],
      [11, 400],
    ],
  );
  for (const result of results.filter((r) => r.status === 201)) {
    t.match(result.reference, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    t.notOk(result.problem);
  }
  t.same(results[1]?.problem?.errors?.map((e) => e.path).sort(), ['/colour', '/text']);
  t.equal(results[3]?.problem?.errors?.[0]?.path, '/themes');
  t.match(results[3]?.problem?.detail, /weather/);
  t.equal(results[4]?.problem?.errors?.[0]?.path, '/unitId', 'a unit outside the key’s scope is refused per item');
  t.equal(results[5]?.problem?.errors?.[0]?.path, '/receivedAt');
  t.equal(results[6]?.problem?.type, 'urn:wedid:problem:duplicate-external-ref');
  t.equal(results[6]?.problem?.existingId, results[0]?.id, 'a repeat within the batch names the first');
  t.equal(results[7]?.problem?.errors?.[0]?.path, '', 'an item that is not an object');
  t.equal(results[9]?.problem?.errors?.[0]?.path, '/text', 'a value the database cannot hold fails its item only');
  t.equal(results[10]?.problem?.errors?.[0]?.path, '/receivedAt');
  t.equal(results[11]?.problem?.errors?.[0]?.path, '/contact/name');

  // The problems are those the single call answers for the same item.
  for (const index of [1, 3, 4, 9, 10, 11]) {
    const single = await api.request({ method: 'POST', url: '/v1/feedback', key: intake, payload: items[index] });
    const { instance: _single, requestId: _singleId, ...expected } = single.json();
    const { instance, requestId, ...problem } = results[index]?.problem ?? {};
    t.equal(results[index]?.status, single.statusCode);
    t.same(problem, expected, `item ${index} gets the problem POST /v1/feedback gives`);
    t.equal(instance, '/v1/feedback/batch');
    t.equal(requestId, response.headers['x-request-id']);
  }

  const stored = results.filter((r) => r.status === 201);
  const first = await api.request({ method: 'GET', url: `/v1/feedback/${results[0]?.id}` });
  t.equal(first.statusCode, 200);
  t.match(first.json(), {
    reference: results[0]?.reference,
    text: full.text,
    themes: ['food'],
    kind: 'concern',
    channel: 'fft',
    status: 'received',
    receivedAt,
    dueAt: new Date(Date.parse(receivedAt) + 10 * dayMs).toISOString(),
    externalRef: { system: 'fft', id: 'B-1' },
    contact: { email: 'sam@example.org', wantsReply: true },
  });
  t.same(
    await api.sql(sql`select age_band, religion, sex from feedback_equality where feedback_id = ${results[0]?.id}`),
    [{ age_band: '25_34', religion: 'prefer_not_to_say', sex: null }],
  );
  const second = await api.request({ method: 'GET', url: `/v1/feedback/${results[2]?.id}`, key: intake });
  t.equal(second.statusCode, 200, 'the intake key reads back what it created');
  t.match(second.json(), { reference: results[2]?.reference, status: 'received' });
  t.notOk('themes' in second.json() || 'kind' in second.json(), 'as a receipt, without the classification');

  t.equal(await count(api, sql`select count(*) as n from feedback_items`), 3, 'only the good items are stored');
  t.same(
    await api.sql(sql`select feedback_id, from_status, to_status from feedback_transitions order by feedback_id`),
    stored
      .map((r) => ({ feedback_id: r.id, from_status: null, to_status: 'received' }))
      .sort((a, b) => String(a.feedback_id).localeCompare(String(b.feedback_id))),
    'each stored item has its received transition',
  );
  const audit = await api.sql(
    sql`select entity_id, details->>'via' as via from audit_events where action = 'received' order by entity_id`,
  );
  t.same(
    audit,
    stored
      .map((r) => ({ entity_id: r.id, via: 'batch' }))
      .sort((a, b) => String(a.entity_id).localeCompare(String(b.entity_id))),
    'one received audit event per stored item',
  );
  t.notMatch(JSON.stringify(audit), /MARKER-TEXT|sam@example/);
  const verify = await api.request({ method: 'GET', url: '/v1/audit/verify', key: await api.createKey('auditor') });
  t.equal(verify.json().ok, true, 'the audit chain still verifies');
});

t.test('re-sending a batch answers 409 with the existing id for each item', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const items = ['A', 'B', 'C'].map((id) => ({
    unitId: ward.id,
    text: `Survey answer ${id}`,
    externalRef: { system: 'survey', id },
  }));
  const first: Result[] = (await batch(api, items)).json().results;
  t.same(
    first.map((r) => r.status),
    [201, 201, 201],
  );
  const again = await batch(api, [...items, { ...items[0], text: 'and once more within the batch' }]);
  t.equal(again.statusCode, 200);
  const results: Result[] = again.json().results;
  t.same(
    results.map((r) => [r.status, r.problem?.type, r.problem?.existingId]),
    [...first, first[0]].map((r) => [409, 'urn:wedid:problem:duplicate-external-ref', r?.id]),
  );
  t.equal(await count(api, sql`select count(*) as n from feedback_items`), 3, 'nothing stored twice');
  t.equal(await count(api, sql`select count(*) as n from audit_events where action = 'received'`), 3);
});

t.test('a batch re-sending items outside the key’s reach is told they exist, not which they are', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api);
  const ashItem = { unitId: otherWard.id, text: 'Ash ward answer', externalRef: { system: 'survey', id: 'NHS-1' } };
  const willowItem = { unitId: ward.id, text: 'Willow answer', externalRef: { system: 'survey', id: 'NHS-2' } };
  const [ash, willow] = (await batch(api, [ashItem, willowItem])).json().results as Result[];
  const willowStaff = await api.createKey('staff', ward.id);
  const results: Result[] = (
    await batch(
      api,
      [
        { ...ashItem, unitId: ward.id },
        { ...willowItem, text: 'again' },
      ],
      willowStaff,
    )
  ).json().results;
  t.same(
    results.map((r) => [r.status, r.problem?.type]),
    [
      [409, 'urn:wedid:problem:duplicate-external-ref'],
      [409, 'urn:wedid:problem:duplicate-external-ref'],
    ],
  );
  t.notOk('existingId' in (results[0]?.problem ?? {}), 'no id of an item in another ward');
  t.equal(results[1]?.problem?.existingId, willow?.id, 'the id of one the key may read');
  t.not(results[0]?.problem?.detail?.includes(ash?.id ?? '-'), true);

  const kiosk = await api.createKey('intake', ward.id);
  const byKiosk: Result[] = (await batch(api, [willowItem], kiosk)).json().results;
  t.equal(byKiosk[0]?.status, 409);
  t.notOk('existingId' in (byKiosk[0]?.problem ?? {}), 'nor to an intake key, of an item it did not create');
});

t.test('concurrent batches with the same externalRefs record each item once', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const items = Array.from({ length: 40 }, (_, i) => ({
    unitId: ward.id,
    text: `Kiosk answer ${i}`,
    externalRef: { system: 'kiosk', id: `K-${i}` },
  }));
  // The same items in opposite orders, sent at once.
  const [forward, backward] = await Promise.all([batch(api, items), batch(api, [...items].reverse())]);
  t.equal(forward.statusCode, 200, forward.body);
  t.equal(backward.statusCode, 200, backward.body);
  const a: Result[] = forward.json().results;
  const b: Result[] = [...backward.json().results].reverse();
  for (const [i, mine] of a.entries()) {
    const theirs = b[i]!;
    const winner = mine.status === 201 ? mine : theirs;
    const loser = mine.status === 201 ? theirs : mine;
    t.same([winner.status, loser.status], [201, 409], `item ${i}: one records it, the other is told`);
    t.equal(loser.problem?.existingId, winner.id);
  }
  t.equal(await count(api, sql`select count(*) as n from feedback_items`), 40);
});

t.test('the envelope: at most 1,000 items in { items: [...] }, for intake and staff keys', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const item = { unitId: ward.id, text: 'Fine' };
  const tooMany = await batch(
    api,
    Array.from({ length: maxBatchItems + 1 }, () => item),
  );
  t.equal(tooMany.statusCode, 400);
  t.match(tooMany.headers['content-type'], /application\/problem\+json/);
  t.equal(tooMany.json().errors[0].path, '/items');
  for (const payload of [[item], { items: item }, { items: [item], extra: 1 }, {}]) {
    const response = await api.request({ method: 'POST', url: '/v1/feedback/batch', payload });
    t.equal(response.statusCode, 400, JSON.stringify(payload));
    t.equal(response.json().type, 'urn:wedid:problem:validation-error');
  }
  t.same((await batch(api, [])).json(), { results: [] }, 'an empty batch is answered, not refused');
  t.equal(await count(api, sql`select count(*) as n from feedback_items`), 0);

  t.equal((await batch(api, [item], await api.createKey('staff'))).json().results[0].status, 201);
  t.equal((await batch(api, [item], await api.createKey('display'))).statusCode, 403);
  t.equal((await batch(api, [item], await api.createKey('auditor'))).statusCode, 403);
  t.equal((await batch(api, [item], null as unknown as string)).statusCode, 401);

  const oversized = await api.request({
    method: 'POST',
    url: '/v1/feedback/batch',
    headers: { 'content-type': 'application/json' },
    payload: `{"items":[${'"x",'.repeat(batchBodyLimit / 4)}"x"]}`,
  });
  t.equal(oversized.statusCode, 413);
  t.equal(oversized.json().type, 'urn:wedid:problem:payload-too-large');
});

t.test('the body limit holds 1,000 items with every field at its longest', async (t) => {
  // A 3-byte UTF-8 character in every free-text field, every list full.
  const long = (n: number) => '€'.repeat(n);
  const maximal = {
    unitId: '0b7d2f7e-4a51-4c43-9a4f-3f5d1c2b8e10',
    text: long(10_000),
    youSaid: long(280),
    publishConsent: false,
    kind: 'suggestion',
    channel: 'community_meeting',
    submitterRole: 'community_organisation',
    format: 'easy_read',
    themes: Array.from({ length: 20 }, () => long(48)),
    contact: { name: long(200), email: `${'a'.repeat(308)}@example.org`, phone: '0'.repeat(40), wantsReply: true },
    externalRef: { system: long(100), id: long(200) },
    receivedAt: '2026-01-05T10:00:00.000+00:00',
    equality: {
      ageBand: 'prefer_not_to_say',
      sex: 'prefer_not_to_say',
      genderSameAsBirth: 'prefer_not_to_say',
      ethnicGroup: 'mixed_white_black_caribbean',
      religion: 'prefer_not_to_say',
      sexualOrientation: 'straight_heterosexual',
      disability: 'prefer_not_to_say',
      pregnancyMaternity: 'prefer_not_to_say',
      marriageCivilPartnership: 'prefer_not_to_say',
    },
  };
  t.ok(createFeedbackSchema.safeParse(maximal).success, 'the item is valid');
  t.ok(createFeedbackSchema.safeParse({ ...maximal, text: long(10_001) }).error, 'and no field could be longer');
  const body = JSON.stringify({ items: Array.from({ length: maxBatchItems }, () => maximal) });
  t.ok(Buffer.byteLength(body) <= batchBodyLimit, `${Buffer.byteLength(body)} bytes fit in ${batchBodyLimit}`);
});

t.test('a batch of 1,000 items is recorded in one go', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api);
  const items = Array.from({ length: maxBatchItems }, (_, i) => ({
    unitId: i % 2 ? ward.id : otherWard.id,
    text: `Friends and Family Test answer ${i}`,
    channel: 'fft',
    themes: i % 3 ? ['communication'] : [],
    externalRef: { system: 'fft', id: `F-${i}` },
    ...(i % 10 === 0 ? { equality: { sex: 'female' } } : {}),
  }));
  const response = await batch(api, items);
  t.equal(response.statusCode, 200);
  const results: Result[] = response.json().results;
  t.equal(results.filter((r, i) => r.status === 201 && r.index === i).length, maxBatchItems);
  t.equal(new Set(results.map((r) => r.reference)).size, maxBatchItems, 'every reference is different');
  t.equal(await count(api, sql`select count(*) as n from feedback_items`), maxBatchItems);
  t.equal(await count(api, sql`select count(*) as n from feedback_equality`), maxBatchItems / 10);
  t.equal(await count(api, sql`select count(*) as n from feedback_transitions where to_status = 'received'`), 1000);
  t.equal(await count(api, sql`select count(*) as n from audit_events where action = 'received'`), 1000);
  const listed = await api.request({ method: 'GET', url: `/v1/feedback?unitId=${ward.id}&limit=100` });
  t.equal(listed.json().items.length, 100);
  const verify = await api.request({ method: 'GET', url: '/v1/audit/verify', key: await api.createKey('auditor') });
  t.equal(verify.json().ok, true);
});

t.test('a tracking reference already taken is drawn again, for just the items that drew it', async (t) => {
  // References are random; these draws make the rare collisions happen on cue. (The module is named
  // by its source file, as tsx loads it.)
  const draws = ['K7MQ-3XRD', 'K7MQ-3XRD', 'AAAA-0001', 'AAAA-0001', 'AAAA-0002', 'AAAA-0003'];
  const helpers = await t.mockImport<typeof import('../helpers/app.js')>('../helpers/app.js', {
    '../../src/modules/feedback/reference.ts': { ...reference, generateReference: () => draws.shift() },
  });
  const api = await helpers.buildTestApp(t);
  const { ward } = await helpers.createTree(api);
  const single = await api.request({
    method: 'POST',
    url: '/v1/feedback',
    payload: { unitId: ward.id, text: 'First' },
  });
  t.equal(single.json().reference, 'K7MQ-3XRD');
  const response = await batch(api, [
    { unitId: ward.id, text: 'Drew a reference already stored', externalRef: { system: 'kiosk', id: 'a' } },
    { unitId: ward.id, text: 'Drew a fresh one', externalRef: { system: 'kiosk', id: 'b' } },
    { unitId: ward.id, text: 'Drew the same as the item before', externalRef: { system: 'kiosk', id: 'c' } },
  ]);
  t.same(
    response.json().results.map((r: Result) => [r.status, r.reference]),
    [
      [201, 'AAAA-0002'],
      [201, 'AAAA-0001'],
      [201, 'AAAA-0003'],
    ],
  );
  t.same(draws, [], 'one draw per item, and one more for each collision');
  t.equal(await count(api, sql`select count(*) as n from feedback_items`), 4);
  t.equal(await count(api, sql`select count(*) as n from feedback_transitions`), 4);
});
