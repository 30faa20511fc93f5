import t from 'tap';
import { buildApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/client.js';
import { buildTestApp, createTree, testConfig } from '../helpers/app.js';
import { seed } from '../helpers/seed.js';

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

t.test('the board shows what was done, is doing and could not do, newest first, public words only', async (t) => {
  const api = await buildTestApp(t);
  const { site, ward, otherWard } = await createTree(api);
  const db = api.app.db;
  await seed(db, {
    items: [
      { unitId: ward.id, youSaid: 'The garden is locked at weekends', publishConsent: true, text: 'PRIVATE-1' },
      { unitId: ward.id, youSaid: 'Not consented summary', publishConsent: false },
      { unitId: ward.id, youSaid: 'More films please', publishConsent: true },
      { unitId: ward.id, youSaid: 'Open the kitchen at night', publishConsent: true },
      { unitId: ward.id, youSaid: 'Decision without consent', publishConsent: false },
      { unitId: otherWard.id, youSaid: 'Ash ward comment', publishConsent: true },
    ],
    actions: [
      {
        unitId: ward.id,
        title: 'Garden open at weekends',
        status: 'completed',
        outcome: 'The garden is now open 9 to 5 every day',
        items: [0, 1],
        at: minutesAgo(50),
      },
      {
        unitId: ward.id,
        title: 'Sunday film club',
        description: 'A film every Sunday afternoon, chosen by patients',
        status: 'in_progress',
        plannedFor: '2030-01-15',
        items: [2],
        at: minutesAgo(40),
      },
      { unitId: ward.id, title: 'New chairs in the lounge', status: 'planned', at: minutesAgo(30) },
      { unitId: ward.id, title: 'Cancelled idea', status: 'cancelled', at: minutesAgo(5) },
      { unitId: otherWard.id, title: 'Ash ward action', status: 'completed', outcome: 'Ash outcome', items: [5] },
    ],
    decisions: [
      { item: 3, explanation: 'The kitchen must be locked at night for safety', at: minutesAgo(20) },
      { item: 4, explanation: 'Explanation without public context', at: minutesAgo(10) },
    ],
  });

  const response = await api.request({ method: 'GET', url: `/v1/units/${ward.id}/board`, key: null });
  t.equal(response.statusCode, 200);
  const board = response.json();
  t.same(board.unit, { id: ward.id, code: ward.code, name: 'Willow Ward' });
  t.match(board.generatedAt, /^\d{4}-\d{2}-\d{2}T/);
  t.match(board.entries, [
    {
      type: 'we_couldnt',
      youSaid: ['Open the kitchen at night'],
      response: 'The kitchen must be locked at night for safety',
      date: /^\d{4}-\d{2}-\d{2}T.*Z$/,
    },
    { type: 'we_are_doing', title: 'New chairs in the lounge', youSaid: [], response: 'New chairs in the lounge' },
    {
      type: 'we_are_doing',
      title: 'Sunday film club',
      youSaid: ['More films please'],
      response: 'A film every Sunday afternoon, chosen by patients',
      date: '2030-01-15',
    },
    {
      type: 'we_did',
      title: 'Garden open at weekends',
      youSaid: ['The garden is locked at weekends'],
      response: 'The garden is now open 9 to 5 every day',
    },
  ]);
  t.notOk('title' in board.entries[0], 'a decision has no title');
  t.same(
    board.entries.map((e: { type: string }) => e.type),
    ['we_couldnt', 'we_are_doing', 'we_are_doing', 'we_did'],
    'newest first; a decision without a consented summary and a cancelled action are left out',
  );
  t.same(board.stats, { received: 5, closed: 4, actioned: 2, notActioned: 2, fft: null });
  const text = response.body;
  t.notMatch(text, /PRIVATE-1|Not consented|without public context|Cancelled idea|Ash/);

  const siteBoard = await api.request({
    method: 'GET',
    url: `/v1/units/${site.id}/board?includeDescendants=true&limit=2`,
    key: null,
  });
  t.equal(siteBoard.statusCode, 200);
  t.equal(siteBoard.json().entries.length, 2, 'limit applies');
  t.same(siteBoard.json().stats.received, 6, 'a site board with includeDescendants counts its wards');
  const siteAlone = await api.request({ method: 'GET', url: `/v1/units/${site.id}/board`, key: null });
  t.same(siteAlone.json().entries, [], 'without includeDescendants a site shows only its own entries');

  const onlyDone = await api.request({ method: 'GET', url: `/v1/units/${ward.id}/board?type=we_did`, key: null });
  t.same(
    onlyDone.json().entries.map((e: { type: string }) => e.type),
    ['we_did'],
  );
  const tooMany = await api.request({ method: 'GET', url: `/v1/units/${ward.id}/board?limit=101`, key: null });
  t.equal(tooMany.statusCode, 400);

  const display = await api.createKey('display', ward.id);
  const withKey = await api.request({ method: 'GET', url: `/v1/units/${ward.id}/board`, key: display });
  t.equal(withKey.statusCode, 200, 'a display key is accepted');
});

t.test('a board that is off answers 404 like an unknown unit', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const off = await api.request({ method: 'PATCH', url: `/v1/units/${ward.id}`, payload: { boardEnabled: false } });
  t.equal(off.statusCode, 200);
  const response = await api.request({ method: 'GET', url: `/v1/units/${ward.id}/board`, key: null });
  t.equal(response.statusCode, 404);
  t.match(response.headers['content-type'], /^application\/problem\+json/);
  const unknown = await api.request({
    method: 'GET',
    url: '/v1/units/00000000-0000-4000-8000-000000000000/board',
    key: null,
  });
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.json().detail, response.json().detail, 'the two look the same');
});

t.test('ETag and 304: the tag changes exactly when the content changes', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api);
  const url = `/v1/units/${ward.id}/board`;
  const first = await api.request({ method: 'GET', url, key: null });
  const etag = first.headers.etag as string;
  t.match(etag, /^"[A-Za-z0-9_-]+"$/, 'a strong ETag');
  t.match(first.headers['cache-control'], /public, max-age=5/);

  const again = await api.request({ method: 'GET', url, key: null, headers: { 'if-none-match': etag } });
  t.equal(again.statusCode, 304);
  t.equal(again.body, '', '304 has no body');
  t.notOk(again.headers['content-length'], 'and announces none');
  t.equal(again.headers.etag, etag);

  // A change on another ward bumps versions elsewhere but not this board's content.
  await seed(api.app.db, { items: [{ unitId: otherWard.id, youSaid: 'Elsewhere', publishConsent: true }] });
  const unrelated = await api.request({ method: 'GET', url, key: null, headers: { 'if-none-match': etag } });
  t.equal(unrelated.statusCode, 304, 'unchanged content keeps its tag');

  // Feedback that is not yet answered changes the figures, so the tag.
  await seed(api.app.db, { items: [{ unitId: ward.id }] });
  const changed = await api.request({ method: 'GET', url, key: null, headers: { 'if-none-match': etag } });
  t.equal(changed.statusCode, 200);
  t.not(changed.headers.etag, etag);
  t.equal(changed.json().stats.received, 1);

  const otherOptions = await api.request({ method: 'GET', url: `${url}?limit=5`, key: null });
  t.equal(otherOptions.headers.etag, changed.headers.etag, 'same content, same tag, whatever the options');
});

t.test('a change made through a second instance is seen at once by the first', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const url = `/v1/units/${ward.id}/board`;
  const before = await api.request({ method: 'GET', url, key: null });
  const etag = before.headers.etag as string;
  t.equal((await api.request({ method: 'GET', url, key: null, headers: { 'if-none-match': etag } })).statusCode, 304);

  if (!api.database.url) {
    t.comment('embedded PGlite runs one instance: the second-instance check needs PostgreSQL');
    await seed(api.app.db, { actions: [{ unitId: ward.id, title: 'One instance', status: 'planned' }] });
  } else {
    const handle = await openDatabase({ url: api.database.url });
    const second = await buildApp(testConfig(), { database: handle, logger: false });
    t.teardown(async () => {
      await second.close();
      await handle.close();
    });
    const viaSecond = await second.inject({ method: 'GET', url });
    t.equal(viaSecond.headers.etag, etag, 'both instances derive the same tag from the database');
    await seed(second.db, { actions: [{ unitId: ward.id, title: 'From the other instance', status: 'planned' }] });
  }
  const after = await api.request({ method: 'GET', url, key: null, headers: { 'if-none-match': etag } });
  t.equal(after.statusCode, 200, 'the first instance does not serve its cached copy');
  t.not(after.headers.etag, etag);
  t.equal(after.json().entries.length, 1);
});

t.test('board requests are rate limited per client address with problem details', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const url = `/v1/units/${ward.id}/board`;
  let last = await api.request({ method: 'GET', url, key: null, remoteAddress: '203.0.113.9' });
  for (let i = 0; i < 600 && last.statusCode !== 429; i++) {
    last = await api.request({ method: 'GET', url, key: null, remoteAddress: '203.0.113.9' });
  }
  t.equal(last.statusCode, 429);
  t.match(last.headers['content-type'], /^application\/problem\+json/);
  t.equal(last.json().type, 'urn:wedid:problem:rate-limited');
  t.ok(Number(last.headers['retry-after']) > 0, 'Retry-After is sent');
  const other = await api.request({ method: 'GET', url, key: null, remoteAddress: '203.0.113.10' });
  t.equal(other.statusCode, 200, 'another address is not affected');
});

t.test('a board answered early (already built) is the answer the route builds, byte for byte', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  await seed(api.app.db, {
    items: [{ unitId: ward.id, youSaid: 'More films please', publishConsent: true }],
    actions: [
      { unitId: ward.id, title: 'Sunday film club', status: 'completed', outcome: 'Films on Sundays', items: [0] },
    ],
  });
  const url = `/v1/units/${ward.id}/board?limit=20&includeDescendants=false`;
  const comparable = (headers: Record<string, unknown>) => {
    const { date: _date, 'x-request-id': _id, ...rest } = headers;
    return rest;
  };
  // The first request builds the board on the ordinary path; the next is answered from the cache.
  const built = await api.request({ method: 'GET', url, key: null });
  const early = await api.request({ method: 'GET', url, key: null });
  t.equal(early.statusCode, 200);
  t.same(comparable(early.headers), comparable(built.headers), 'the same headers, security headers included');
  t.equal(early.headers['x-content-type-options'], 'nosniff');
  t.equal(early.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'");
  t.same(early.json().entries, built.json().entries);
  t.equal(early.json().generatedAt, built.json().generatedAt, 'the very board built, not a rebuild');
  // A display key takes the ordinary path (its key is read), with the same answer.
  const display = await api.createKey('display', ward.id);
  const withKey = await api.request({ method: 'GET', url, key: display });
  t.same(comparable(withKey.headers), comparable(built.headers));
  t.equal(withKey.body, built.body);

  const notModified = await api.request({
    method: 'GET',
    url,
    key: null,
    headers: { 'if-none-match': String(built.headers.etag) },
  });
  t.equal(notModified.statusCode, 304);
  t.equal(notModified.headers.etag, built.headers.etag);
  t.equal(notModified.headers['cache-control'], built.headers['cache-control']);
  t.notOk(notModified.headers['content-length'], 'a 304 announces no body');

  // What the schemas refuse is still refused as problem details, whatever is cached.
  const badQuery = await api.request({ method: 'GET', url: `/v1/units/${ward.id}/board?limit=0`, key: null });
  t.equal(badQuery.statusCode, 400);
  t.match(badQuery.headers['content-type'], /^application\/problem\+json/);
  const badId = await api.request({ method: 'GET', url: `/v1/units/${ward.id.toUpperCase()}x/board`, key: null });
  t.equal(badId.statusCode, 400);
  t.match(badId.headers['content-type'], /^application\/problem\+json/);
});
