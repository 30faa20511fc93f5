import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { loop } from '../helpers/fixtures.js';

// Markers that only the private parts of an item carry: none may appear in any answer to a reviewer.
const privateMarkers = ['PRIVATE-TEXT-7Q', 'contact-7q@example.org', 'Contact Sevenq', '07700900777', '25_34'];

t.test('a reviewer reads only consented, unflagged summaries in its scope, and nothing private', async (t) => {
  const api = await buildTestApp(t);
  const { site, ward, otherWard } = await createTree(api, 'R');
  const reviewer = await api.createKey('reviewer', ward.id, 'Panel member');
  const l = loop(api);
  const privateParts = {
    text: 'PRIVATE-TEXT-7Q about the night staff',
    contact: { name: 'Contact Sevenq', email: 'contact-7q@example.org', phone: '07700900777', wantsReply: true },
    equality: { ageBand: '25_34' },
    kind: 'suggestion',
    themes: ['food'],
  };
  const published = await l.feedback(ward.id, {
    ...privateParts,
    youSaid: 'More fruit at breakfast',
    publishConsent: true,
  });
  const forPanel = await l.feedback(ward.id, { ...privateParts, youSaid: 'Quieter nights', reviewConsent: true });
  const noConsent = await l.feedback(ward.id, { ...privateParts, youSaid: 'Hidden summary NOCONSENT' });
  const noSummary = await l.feedback(ward.id, { ...privateParts, reviewConsent: true });
  const flagged = await l.feedback(ward.id, {
    ...privateParts,
    text: 'PRIVATE-TEXT-7Q they hit me',
    youSaid: 'Flagged summary FLAGGED',
    publishConsent: true,
  });
  const elsewhere = await l.feedback(otherWard.id, {
    ...privateParts,
    youSaid: 'Other ward OTHERWARD',
    reviewConsent: true,
  });
  t.equal((flagged as { safeguarding?: string }).safeguarding, 'flagged', 'the screen flagged one item');

  const answer = await l.action({ unitId: ward.id, title: 'Fruit bowl in the lounge', feedbackIds: [published.id] });
  await l.complete(answer.id, 'A fruit bowl is filled every morning');

  const list = await api.request({ method: 'GET', url: '/v1/review/feedback', key: reviewer });
  t.equal(list.statusCode, 200);
  const items = list.json().items as { id: string; youSaid: string; answer: unknown }[];
  t.same(
    items.map((item) => item.id).sort(),
    [published.id, forPanel.id].sort(),
    'only the consented, summarised, unflagged items of its ward',
  );
  const shown = items.find((item) => item.id === published.id)!;
  t.match(shown, {
    youSaid: 'More fruit at breakfast',
    kind: 'suggestion',
    themes: ['food'],
    unitName: 'Willow Ward',
    status: 'actioned',
    answer: {
      type: 'we_did',
      actions: [{ title: 'Fruit bowl in the lounge', outcome: 'A fruit bowl is filled every morning' }],
    },
  });
  t.same(
    Object.keys(shown).sort(),
    [
      'answer',
      'channel',
      'closedAt',
      'dueAt',
      'id',
      'kind',
      'receivedAt',
      'status',
      'themes',
      'unitId',
      'unitName',
      'youSaid',
    ],
    'only the de-identified fields',
  );
  for (const marker of [...privateMarkers, 'NOCONSENT', 'FLAGGED', 'OTHERWARD', published.reference]) {
    t.notOk(list.body.includes(marker), `the list never carries ${marker}`);
  }

  // One by id: a hidden item is exactly as unknown as one that does not exist.
  const missing = await api.request({
    method: 'GET',
    url: '/v1/review/feedback/00000000-0000-4000-8000-000000000000',
    key: reviewer,
  });
  for (const hidden of [noConsent, noSummary, flagged, elsewhere]) {
    const response = await api.request({ method: 'GET', url: `/v1/review/feedback/${hidden.id}`, key: reviewer });
    t.equal(response.statusCode, 404);
    t.same(
      { ...response.json(), instance: undefined, requestId: undefined },
      { ...missing.json(), instance: undefined, requestId: undefined },
      'the same answer as for an id nobody has',
    );
  }
  const one = await api.request({ method: 'GET', url: `/v1/review/feedback/${forPanel.id}`, key: reviewer });
  t.equal(one.statusCode, 200);
  t.equal(one.json().youSaid, 'Quieter nights');
  for (const marker of privateMarkers) t.notOk(one.body.includes(marker), `the item never carries ${marker}`);

  // Cleared by staff, the flagged item joins the list; erased, an item leaves it.
  const cleared = await l.send('POST', `/v1/feedback/${flagged.id}/safeguarding`, { status: 'cleared' });
  t.equal(cleared.statusCode, 200, cleared.body);
  await l.send('POST', `/v1/feedback/${forPanel.id}/erase`);
  const after = await api.request({ method: 'GET', url: '/v1/review/feedback', key: reviewer });
  t.same(
    (after.json().items as { id: string }[]).map((item) => item.id).sort(),
    [published.id, flagged.id].sort(),
    'cleared joins, erased leaves',
  );

  // Filters and cursor pages, as on the staff list.
  const bySite = await api.request({
    method: 'GET',
    url: `/v1/review/feedback?unitId=${site.id}&limit=1`,
    key: reviewer,
  });
  t.equal(bySite.json().items.length, 1);
  const next = await api.request({
    method: 'GET',
    url: `/v1/review/feedback?unitId=${site.id}&limit=1&cursor=${bySite.json().nextCursor}`,
    key: reviewer,
  });
  t.equal(next.json().items.length, 1);
  t.equal(next.json().nextCursor, null, 'two items in two pages, within the reviewer’s own ward');
  const actioned = await api.request({ method: 'GET', url: '/v1/review/feedback?status=actioned', key: reviewer });
  t.same(
    (actioned.json().items as { id: string }[]).map((item) => item.id),
    [published.id],
  );
  const wholeTrust = await api.request({ method: 'GET', url: '/v1/review/feedback' });
  t.ok(
    (wholeTrust.json().items as { id: string }[]).some((item) => item.id === elsewhere.id),
    'an unscoped key (admin) reads every ward’s consented items',
  );

  // Consent given later, by PATCH, brings an item in.
  const patched = await l.send('PATCH', `/v1/feedback/${noConsent.id}`, { reviewConsent: true }, { 'if-match': '*' });
  t.equal(patched.statusCode, 200);
  t.equal(patched.json().reviewConsent, true);
  const withPatched = await api.request({ method: 'GET', url: `/v1/review/feedback/${noConsent.id}`, key: reviewer });
  t.equal(withPatched.statusCode, 200);
  const [stored] = await api.sql<{ review_consent: boolean }>(
    sql`select review_consent from feedback_items where id = ${noConsent.id}`,
  );
  t.equal(stored?.review_consent, true);
});

t.test('a reviewer key is refused by staff and admin routes', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api, 'S');
  const reviewer = await api.createKey('reviewer', ward.id);
  const item = await loop(api).feedback(ward.id, { youSaid: 'Summary', reviewConsent: true });
  for (const [method, url] of [
    ['GET', '/v1/feedback'],
    ['GET', `/v1/feedback/${item.id}`],
    ['GET', '/v1/actions'],
    ['GET', '/v1/api-keys'],
    ['GET', '/v1/reports/closure'],
    ['GET', '/v1/audit'],
    ['GET', '/v1/events'],
  ] as const) {
    const response = await api.request({ method, url, key: reviewer });
    t.equal(response.statusCode, 403, `${method} ${url}`);
    t.notOk(response.body.includes('Private words'), 'and says nothing of the item');
  }
  const units = await api.request({ method: 'GET', url: '/v1/units', key: reviewer });
  t.equal(units.statusCode, 200, 'the unit tree (names and codes) is for every role');
});

t.test('reviewConsent is taken on every intake path', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api, 'C');
  const batch = await api.request({
    method: 'POST',
    url: '/v1/feedback/batch',
    payload: {
      items: [
        { unitId: ward.id, text: 'One', reviewConsent: true },
        { unitId: ward.id, text: 'Two' },
      ],
    },
  });
  t.equal(batch.statusCode, 200, batch.body);
  const csv = await api.request({
    method: 'POST',
    url: '/v1/feedback/import',
    headers: { 'content-type': 'text/csv' },
    payload: `unitId,text,reviewConsent\r\n${ward.id},Three,true\r\n${ward.id},Four,false\r\n`,
  });
  t.equal(csv.statusCode, 200, csv.body);
  const app = await api.request({
    method: 'POST',
    url: `/v1/units/${ward.id}/public-feedback`,
    key: null,
    payload: { text: 'Five', reviewConsent: true },
  });
  t.equal(app.statusCode, 201, app.body);
  const rows = await api.sql<{ text: string; review_consent: boolean }>(
    sql`select text, review_consent from feedback_items order by text`,
  );
  t.same(
    rows.map((row) => [row.text, row.review_consent]),
    [
      ['Five', true],
      ['Four', false],
      ['One', true],
      ['Three', true],
      ['Two', false],
    ],
  );
});
