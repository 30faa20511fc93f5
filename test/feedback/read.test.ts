import { sql } from 'drizzle-orm';
import { serializerCompiler } from 'fastify-type-provider-zod';
import t from 'tap';
import { feedbackPageSchema } from '../../src/modules/feedback/feedback.schemas.js';
import { buildTestApp, createTree } from '../helpers/app.js';
import { loop, recordFeedback } from '../helpers/fixtures.js';

type Item = Record<string, unknown> & { id: string };

t.test('reading is scoped, redacted by role, audited and never cached', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api);
  const kiosk = await api.createKey('intake', ward.id, 'kiosk');
  const survey = await api.createKey('intake', null, 'survey tool');
  const staff = await api.createKey('staff');
  const wardStaff = await api.createKey('staff', ward.id);
  const auditor = await api.createKey('auditor');
  const contact = { name: 'Jo', phone: '0123 456' };
  const mine = await recordFeedback(api, ward.id, { text: 'kiosk words', contact }, kiosk);
  const theirs = await recordFeedback(api, ward.id, { text: 'survey words', contact }, survey);
  const elsewhere = await recordFeedback(api, otherWard.id, { text: 'ash words', contact }, staff);

  const get = (id: string, key: string) => api.request({ method: 'GET', url: `/v1/feedback/${id}`, key });

  const byStaff = await get(mine.id, staff);
  t.equal(byStaff.statusCode, 200);
  t.equal(byStaff.headers.etag, '"v1"');
  t.equal(byStaff.headers['cache-control'], 'no-store');
  t.equal(byStaff.json().text, 'kiosk words');
  t.same(byStaff.json().contact, contact);
  t.same(byStaff.json().actionIds, []);
  t.equal(byStaff.json().decision, null);

  const byAuditor = await get(mine.id, auditor);
  t.equal(byAuditor.json().text, 'kiosk words', 'an auditor may read the text');
  t.notOk('contact' in byAuditor.json(), 'an auditor never sees contact details');

  const ownRead = await get(mine.id, kiosk);
  t.equal(ownRead.statusCode, 200, 'an intake key reads back what it created');
  t.notOk('contact' in ownRead.json());
  t.notOk('text' in ownRead.json(), 'but not the private text');
  t.equal((await get(theirs.id, kiosk)).statusCode, 404, 'not what another key created');
  t.equal((await get(elsewhere.id, wardStaff)).statusCode, 404, 'a ward-scoped key sees only its ward');
  t.equal((await get(mine.id, wardStaff)).statusCode, 200);
  t.equal((await get(mine.id, await api.createKey('display'))).statusCode, 403);
  t.equal((await get('00000000-0000-4000-8000-000000000000', staff)).statusCode, 404);

  const list = (query: string, key: string) => api.request({ method: 'GET', url: `/v1/feedback${query}`, key });
  const kioskList = await list('', kiosk);
  t.same(
    kioskList.json().items.map((item: Item) => item.id),
    [mine.id],
  );
  t.equal(kioskList.headers['cache-control'], 'no-store');
  t.equal((await list('?include=text', kiosk)).statusCode, 403, 'an intake key cannot list private text');
  t.same(
    (await list('', wardStaff)).json().items.map((item: Item) => item.id),
    [theirs.id, mine.id],
  );
  const staffList = (await list('', staff)).json().items as Item[];
  t.equal(staffList.length, 3);
  t.ok(
    staffList.every((item) => !('text' in item) && item.contact),
    'lists carry contact for staff, no text by default',
  );
  const auditorList = (await list('?include=text', auditor)).json().items as Item[];
  t.ok(
    auditorList.every((item) => typeof item.text === 'string' && !('contact' in item)),
    'include=text for an auditor: text, never contact',
  );

  const textReads = await api.sql(
    sql`select entity_id, actor_name, details from audit_events where action = 'text_read' order by seq`,
  );
  t.same(
    textReads.map((row) => [row.entity_id, row.actor_name]),
    [
      [mine.id, 'staff key'],
      [mine.id, 'auditor key'],
      [mine.id, 'staff key'],
      ['list', 'auditor key'],
    ],
    'each read of private text is one audit event; reads without text are not',
  );
  t.match(textReads[3]?.details, { count: 3, ids: [elsewhere.id, theirs.id, mine.id] });
});

t.test('a list page is written exactly as its schema would write it, for every role', async (t) => {
  // The list route writes its page with JSON.stringify (feedback.routes.ts): the same bytes as the
  // schema's own serializer means no field is missing, extra, mistyped or out of order.
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const kiosk = await api.createKey('intake', ward.id, 'kiosk');
  const staff = await api.createKey('staff');
  const auditor = await api.createKey('auditor');
  const contact = { wantsReply: true, phone: '07700 900123', name: 'Jo', email: 'jo@example.org', language: 'pl' };
  const full = await recordFeedback(
    api,
    ward.id,
    {
      text: 'kiosk words',
      youSaid: 'More films',
      themes: ['activities'],
      kind: 'suggestion',
      contact,
      externalRef: { system: 'datix', id: 'D-1' },
    },
    kiosk,
  );
  const decided = await recordFeedback(api, ward.id, { text: 'a second lounge', fftRating: 'good' }, kiosk);
  const steps = loop(api, staff);
  t.equal((await steps.decide(decided.id)).statusCode, 200);
  await steps.action({ unitId: ward.id, feedbackIds: [full.id] });
  await recordFeedback(api, ward.id, { text: 'staff words' }, staff);
  const schemaWrites = serializerCompiler({ schema: feedbackPageSchema, method: 'GET', url: '/v1/feedback' });
  for (const [who, key, query] of [
    ['staff', staff, ''],
    ['staff with text', staff, '?include=text&limit=2'],
    ['auditor with text', auditor, '?include=text'],
    ['intake', kiosk, ''],
  ] as const) {
    const page = await api.request({ method: 'GET', url: `/v1/feedback${query}`, key });
    t.equal(page.statusCode, 200);
    t.ok(page.json().items.length > 0, `${who}: a page with items`);
    t.equal(page.body, schemaWrites(page.json()), `${who}: the bytes the schema writes`);
  }
});

t.test('a leaked intake key reads no words: receipts only, and no full-text search', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const kiosk = await api.createKey('intake', ward.id, 'kiosk');
  const secret = 'Alleged assault by night-shift nurse (do not publish)';
  const sent = await api.request({
    method: 'POST',
    url: '/v1/feedback',
    key: kiosk,
    payload: {
      unitId: ward.id,
      text: 'A nurse on nights hurt my mother',
      youSaid: secret,
      kind: 'complaint',
      themes: ['safety'],
      externalRef: { system: 'kiosk', id: 'NHS-943 476 5919' },
    },
  });
  t.equal(sent.statusCode, 201);
  const receipt = ['closedAt', 'dueAt', 'id', 'receivedAt', 'reference', 'status', 'unitId', 'version'];
  t.same(Object.keys(sent.json()).sort(), receipt, 'the 201 is a receipt');
  const id = sent.json().id;

  const read = await api.request({ method: 'GET', url: `/v1/feedback/${id}`, key: kiosk });
  t.equal(read.statusCode, 200);
  t.same(Object.keys(read.json()).sort(), receipt, 'reading back: the same receipt');
  const listed = await api.request({ method: 'GET', url: '/v1/feedback', key: kiosk });
  t.same(Object.keys(listed.json().items[0]).sort(), receipt, 'listing: receipts');
  for (const response of [sent, read, listed]) {
    t.notOk(response.body.includes('night-shift'), 'no youSaid, even an unconsented one');
    t.notOk(response.body.includes('NHS-943'), 'no externalRef');
  }

  const search = await api.request({ method: 'GET', url: '/v1/feedback?q=nurse', key: kiosk });
  t.equal(search.statusCode, 403, 'a search over private text is a way to read it');
  t.equal(search.json().type, 'urn:wedid:problem:forbidden');
  t.match(search.json().detail, /intake role may not search private text.*staff, auditor, admin/);
  t.match(
    (await api.request({ method: 'GET', url: '/v1/feedback?include=text', key: kiosk })).json().detail,
    /staff, auditor, admin/,
    'include=text names the roles that may too',
  );

  const byAuditor = await api.request({
    method: 'GET',
    url: '/v1/feedback?q=nurse',
    key: await api.createKey('auditor'),
  });
  t.equal(byAuditor.statusCode, 200, 'an auditor reads text, so may search it');
  t.same(
    byAuditor.json().items.map((item: Item) => item.id),
    [id],
  );
  t.equal(byAuditor.json().items[0].youSaid, secret);
});

t.test('list filters, full-text search, overdue, and stable cursor paging', async (t) => {
  const api = await buildTestApp(t);
  const { site, ward, otherWard } = await createTree(api);
  const now = Date.now();
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  const a = await recordFeedback(api, ward.id, {
    text: 'The night staff were very kind',
    kind: 'compliment',
    channel: 'survey',
    themes: ['staff_attitude'],
    receivedAt: at(10),
  });
  const b = await recordFeedback(api, otherWard.id, {
    text: 'Dinner arrives cold',
    youSaid: 'Hot meals arrive cold',
    kind: 'concern',
    channel: 'kiosk',
    themes: ['food'],
    receivedAt: at(20),
  });
  const old = await recordFeedback(api, otherWard.id, {
    text: 'More visiting hours please',
    kind: 'suggestion',
    themes: ['visiting'],
    receivedAt: new Date(now - 40 * 86_400_000).toISOString(),
  });
  const ids = async (query: string) => {
    const response = await api.request({ method: 'GET', url: `/v1/feedback?${query}` });
    t.equal(response.statusCode, 200, `${query}: ${response.body.slice(0, 200)}`);
    return response.json().items.map((item: Item) => item.id);
  };
  t.same(await ids(`unitId=${ward.id}`), [a.id]);
  t.same(await ids(`unitId=${site.id}`), [a.id, b.id, old.id], 'a unit filter covers its subtree');
  t.same(await ids('kind=concern'), [b.id]);
  t.same(await ids('channel=survey'), [a.id]);
  t.same(await ids('theme=food'), [b.id]);
  t.same(await ids('status=received'), [a.id, b.id, old.id]);
  t.same(await ids('status=in_review'), []);
  t.same(await ids(`receivedFrom=${encodeURIComponent(at(15))}`), [a.id]);
  t.same(await ids(`receivedTo=${encodeURIComponent(at(15))}`), [b.id, old.id]);
  t.same(await ids('overdue=true'), [old.id], 'open and past dueAt (28 days by default)');
  t.same(await ids('overdue=false'), [a.id, b.id]);
  t.same(await ids('q=kindness'), [a.id], 'full-text search stems words');
  t.same(await ids('q=meals'), [b.id], 'youSaid is searched too');
  t.same(await ids(`q=${encodeURIComponent('"visiting hours" -dinner')}`), [old.id], 'web search syntax');
  t.same(await ids('q=kind&kind=concern'), []);

  const bad = await api.request({ method: 'GET', url: '/v1/feedback?status=closed' });
  t.equal(bad.statusCode, 400);
  const badCursor = await api.request({ method: 'GET', url: '/v1/feedback?cursor=nonsense' });
  t.equal(badCursor.statusCode, 400);
  t.equal((await api.request({ method: 'GET', url: '/v1/feedback?limit=201' })).statusCode, 400);
});

t.test('cursor paging has no duplicates or gaps, even with equal timestamps', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const sameMoment = new Date(Date.now() - 3_600_000).toISOString();
  const created: string[] = [];
  for (let i = 0; i < 25; i++) {
    const item = await recordFeedback(api, ward.id, {
      text: `item ${i}`,
      receivedAt: i % 2 === 0 ? sameMoment : new Date(Date.now() - i * 1000).toISOString(),
    });
    created.push(item.id);
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `/v1/feedback?limit=10${cursor ? `&cursor=${cursor}` : ''}`;
    const page = (await api.request({ method: 'GET', url })).json();
    seen.push(...page.items.map((item: Item) => item.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 10);
  t.equal(pages, 3);
  t.equal(seen.length, 25);
  t.equal(new Set(seen).size, 25, 'no duplicates');
  t.same([...seen].sort(), [...created].sort(), 'no gaps');
});
