import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree, type TestApp } from '../helpers/app.js';
import { loop } from '../helpers/fixtures.js';

const commentMarker = 'PRIVATE-COMMENT-9XK the nurse on nights was rude';

/** Each part of the test from its own address, so they do not spend each other's guess budget. */
const followUp = (api: TestApp, reference: string, body: unknown, remoteAddress = '192.0.2.1') =>
  api.request({
    method: 'POST',
    url: `/v1/track/${reference}/follow-up`,
    payload: body as object,
    key: null,
    remoteAddress,
  });

t.test('"Did this answer you?": once per answer, only while closed, again after a new close', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const staff = await api.createKey('staff');
  const l = loop(api, staff);
  const item = await l.feedback(ward.id, { contact: { email: 'sam@example.org', wantsReply: true } });

  const open = await followUp(api, item.reference, { answer: 'yes' });
  t.equal(open.statusCode, 409, 'an open item has not been answered yet');
  t.equal(open.json().type, 'urn:wedid:problem:illegal-transition');
  t.match(open.json().detail, /still open/);

  await l.closeWithAction(ward.id, [item.id]);
  const yes = await followUp(api, item.reference.toLowerCase().replace('-', ''), { answer: 'yes' });
  t.equal(yes.statusCode, 201, yes.body);
  t.equal(yes.headers['cache-control'], 'no-store');
  t.same(
    { ...yes.json(), answeredAt: undefined },
    { reference: item.reference, answer: 'yes', status: 'actioned', reopened: false, answeredAt: undefined },
    'any case, hyphen optional',
  );
  const twice = await followUp(api, item.reference, { answer: 'no' });
  t.equal(twice.statusCode, 409, 'one answer per answer');
  t.equal(twice.json().type, 'urn:wedid:problem:conflict');
  t.equal(await l.status(item.id), 'actioned', 'the second answer changed nothing');

  t.equal((await l.reopen(item.id)).statusCode, 200);
  t.equal((await followUp(api, item.reference, { answer: 'partly' })).statusCode, 409, 'reopened: open again');
  t.equal((await l.decide(item.id)).statusCode, 200);
  const partly = await followUp(api, item.reference, { answer: 'partly', comment: '  ' });
  t.equal(partly.statusCode, 201, 'a new close, a new answer');
  t.equal(partly.json().status, 'not_actioned');

  const listed = await api.request({ method: 'GET', url: `/v1/feedback/${item.id}/follow-ups`, key: staff });
  t.equal(listed.statusCode, 200);
  const replies = (await api.request({ method: 'GET', url: `/v1/feedback/${item.id}/replies`, key: staff })).json()
    .items as { id: string; kind: string }[];
  const answers = replies.filter((reply) => reply.kind === 'answer').map((reply) => reply.id);
  t.same(
    listed
      .json()
      .items.map((entry: { answer: string; comment: string | null; replyId: string }) => [
        entry.answer,
        entry.comment,
        entry.replyId,
      ]),
    [
      ['yes', null, answers[0]],
      ['partly', null, answers[1]],
    ],
    'one per close, each with the answer reply it is about; a blank comment is no comment',
  );
  t.equal(
    (
      await api.request({
        method: 'GET',
        url: `/v1/feedback/${item.id}/follow-ups`,
        key: await api.createKey('auditor'),
      })
    ).statusCode,
    403,
  );
});

t.test('a wrong reference and a malformed one look the same; bad answers are 400s naming the field', async (t) => {
  const api = await buildTestApp(t);
  const unknown = await followUp(api, 'ZZZZ-ZZZZ', { answer: 'yes' });
  const malformed = await followUp(api, 'not-a-reference!', { answer: 'yes' });
  t.equal(unknown.statusCode, 404);
  t.equal(malformed.statusCode, 404);
  const comparable = (body: Record<string, unknown>) => ({ ...body, instance: undefined, requestId: undefined });
  t.same(comparable(unknown.json()), comparable(malformed.json()), 'nothing tells them apart');

  const { ward } = await createTree(api);
  const l = loop(api, await api.createKey('staff'));
  const item = await l.feedback(ward.id);
  await l.closeWithAction(ward.id, [item.id]);
  const named = async (body: unknown, path: string) => {
    const response = await followUp(api, item.reference, body);
    t.equal(response.statusCode, 400, JSON.stringify(body).slice(0, 60));
    t.ok(
      response.json().errors?.some((error: { path: string }) => error.path === path),
      `${path}: ${response.body.slice(0, 200)}`,
    );
  };
  await named({}, '/answer');
  await named({ answer: 'maybe' }, '/answer');
  await named({ answer: 'no', comment: 'x'.repeat(2001) }, '/comment');
  await named({ answer: 'no', comment: 'nul \u0000 here' }, '/comment');
  await named({ answer: 'no', extra: true }, '/extra');
  t.equal(await l.status(item.id), 'actioned', 'nothing was recorded');
});

t.test('a no reopens the item, audited, and is announced without the comment', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const staff = await api.createKey('staff');
  const l = loop(api, staff);
  const item = await l.feedback(ward.id, { youSaid: 'More films please', publishConsent: true });
  const other = await l.feedback(ward.id);
  await l.closeWithAction(ward.id, [item.id, other.id]);
  const before = (await l.item(item.id)).version;

  const no = await followUp(api, item.reference, { answer: 'no', comment: commentMarker });
  t.equal(no.statusCode, 201, no.body);
  t.same([no.json().status, no.json().reopened], ['in_review', true]);
  const reopened = await l.item(item.id);
  t.equal(reopened.status, 'in_review', 'reopened');
  t.equal(reopened.closedAt, null);
  t.ok(reopened.version > before, 'a new version');
  t.equal(await l.status(other.id), 'actioned', 'the other item the action answered stays closed');

  const [transition] = await api.sql<{ reason: string; from_status: string }>(
    sql`select reason, from_status from feedback_transitions where feedback_id = ${item.id} order by id desc limit 1`,
  );
  t.same(transition, { reason: 'the person said the answer did not help', from_status: 'actioned' });

  const audit = (await api.request({ method: 'GET', url: '/v1/audit?limit=200' })).json().items as {
    seq: number;
    entityType: string;
    entityId: string;
    action: string;
    actorKeyId: string | null;
    actorName: string;
    details: Record<string, unknown>;
  }[];
  const byPerson = audit
    .filter((event) => event.actorKeyId === null && event.actorName.startsWith('the person'))
    .sort((a, b) => a.seq - b.seq);
  t.same(
    byPerson.map((event) => [event.entityType, event.action, event.details.answer ?? event.details.to]),
    [
      ['follow_up', 'created', 'no'],
      ['feedback', 'reopened', 'in_review'],
    ],
    'the answer and the reopen, by the person',
  );
  t.same(byPerson[0]!.details.fields, ['answer', 'comment'], 'that there was a comment, not what it said');

  const feed = (await api.request({ method: 'GET', url: '/v1/events?limit=500', key: staff })).json().events as {
    type: string;
    data: Record<string, unknown>;
  }[];
  const announced = feed.filter((event) => event.type === 'feedback.follow_up');
  t.equal(announced.length, 1);
  t.same(Object.keys(announced[0]!.data).sort(), ['answer', 'answeredAt', 'followUpId', 'id', 'unitId']);
  t.same([announced[0]!.data.id, announced[0]!.data.answer], [item.id, 'no']);
  t.ok(
    feed.some((event) => event.type === 'feedback.reopened' && event.data.id === item.id),
    'the reopen is on the feed too',
  );

  // The comment is kept for staff and nowhere else.
  const everywhere = await api.sql<{ text: string }>(
    sql`select (select coalesce(string_agg(data::text, ' '), '') from events)
      || (select coalesce(string_agg(details::text, ' '), '') from audit_events) as text`,
  );
  t.notMatch(everywhere[0]!.text, 'PRIVATE-COMMENT', 'not in events or audit details');
  const track = await api.request({ method: 'GET', url: `/v1/track/${item.reference}`, key: null });
  t.notMatch(track.body, 'PRIVATE-COMMENT', 'not on the tracking answer');
  const page = await api.request({ method: 'GET', url: `/track/${item.reference}`, key: null });
  t.notMatch(page.body, 'PRIVATE-COMMENT', 'not on the tracking page');

  const listed = await api.request({ method: 'GET', url: `/v1/feedback/${item.id}/follow-ups`, key: staff });
  t.equal(listed.json().items[0].comment, commentMarker, 'staff read it');
  const read = (
    await api.request({ method: 'GET', url: `/v1/audit?entityType=feedback&entityId=${item.id}&limit=200` })
  ).json().items as { action: string }[];
  t.ok(
    read.some((event) => event.action === 'follow_up_comments_read'),
    'reading a comment is audited',
  );

  t.equal((await api.request({ method: 'POST', url: `/v1/feedback/${item.id}/erase` })).statusCode, 200);
  const afterErasure = await api.request({ method: 'GET', url: `/v1/feedback/${item.id}/follow-ups`, key: staff });
  t.same(
    afterErasure.json().items.map((entry: { answer: string; comment: string | null }) => [entry.answer, entry.comment]),
    [['no', null]],
    'erasure removes the comment and keeps the answer',
  );
});

t.test('rate limited with tracking: one budget per address across both', async (t) => {
  const api = await buildTestApp(t);
  const address = '198.51.100.7';
  for (let i = 0; i < 30; i++) {
    const look = await api.request({ method: 'GET', url: '/v1/track/ZZZZ-ZZZZ', key: null, remoteAddress: address });
    t.equal(look.statusCode, 404);
  }
  const limited = await followUp(api, 'ZZZZ-ZZZZ', { answer: 'yes' }, address);
  t.equal(limited.statusCode, 429, 'the follow-up draws on the tracking budget');
  t.ok(limited.headers['retry-after']);
  const page = await api.request({
    method: 'POST',
    url: '/track/ZZZZ-ZZZZ/follow-up',
    payload: 'answer=yes',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    key: null,
    remoteAddress: address,
  });
  t.equal(page.statusCode, 429, 'so does the form');
  const elsewhere = await followUp(api, 'ZZZZ-ZZZZ', { answer: 'yes' }, '198.51.100.8');
  t.equal(elsewhere.statusCode, 404, 'another address has its own budget');
});
