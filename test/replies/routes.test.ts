import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree, type TestApp } from '../helpers/app.js';
import { loop } from '../helpers/fixtures.js';

interface ReplyBody {
  id: string;
  kind: string;
  channel: string;
  status: string;
  attempts: number;
  handedOverAt: string | null;
  supportNeeded: string | null;
  lastError: string | null;
}

const repliesOf = async (api: TestApp, key: string, feedbackId: string): Promise<ReplyBody[]> => {
  const response = await api.request({ method: 'GET', url: `/v1/feedback/${feedbackId}/replies`, key });
  if (response.statusCode !== 200) throw new Error(`replies: ${response.statusCode} ${response.body}`);
  return response.json().items;
};

/** Holds a reply where a test wants it: out of the sender's reach (not due for a day). */
const setReply = (api: TestApp, id: string, status: string, extra = sql``) =>
  api.sql(
    sql`update replies set status = ${status}, next_attempt_at = now() + interval '1 day', sent_at = ${
      status === 'sent' ? sql`now()` : null
    } ${extra} where id = ${id}`,
  );

t.test('staff list an item’s replies in their scope, with status and attempts, a page at a time', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api);
  const staff = await api.createKey('staff');
  const l = loop(api, staff);
  const item = await l.feedback(ward.id, {
    contact: { email: 'sam@example.org', wantsReply: true, communicationNeeds: ['bsl'] },
  });
  await l.closeWithAction(ward.id, [item.id]);

  const listed = await api.request({ method: 'GET', url: `/v1/feedback/${item.id}/replies`, key: staff });
  t.equal(listed.statusCode, 200);
  t.equal(listed.headers['cache-control'], 'no-store');
  const body = listed.json();
  t.equal(body.nextCursor, null);
  t.same(
    body.items.map((reply: ReplyBody) => [
      reply.kind,
      reply.channel,
      reply.status,
      reply.attempts,
      reply.supportNeeded,
    ]),
    [
      ['acknowledgement', 'in_person', 'queued', 0, 'British Sign Language (BSL)'],
      ['answer', 'in_person', 'queued', 0, 'British Sign Language (BSL)'],
    ],
    'the acknowledgement, then the answer; in person, saying why',
  );
  t.notOk('address' in body.items[0] || 'text' in body.items[0], 'no address or words on a reply');

  const first = await api.request({ method: 'GET', url: `/v1/feedback/${item.id}/replies?limit=1`, key: staff });
  t.equal(first.json().items.length, 1);
  t.type(first.json().nextCursor, 'string');
  const second = await api.request({
    method: 'GET',
    url: `/v1/feedback/${item.id}/replies?limit=1&cursor=${first.json().nextCursor}`,
    key: staff,
  });
  t.same(
    second.json().items.map((reply: ReplyBody) => reply.kind),
    ['answer'],
  );
  t.equal(second.json().nextCursor, null);
  const forged = await api.request({ method: 'GET', url: `/v1/feedback/${item.id}/replies?cursor=abc`, key: staff });
  t.equal(forged.statusCode, 400);

  const elsewhere = await api.createKey('staff', otherWard.id);
  const outside = await api.request({ method: 'GET', url: `/v1/feedback/${item.id}/replies`, key: elsewhere });
  t.equal(outside.statusCode, 404, 'an item outside the key’s scope is not found');
  const missing = await api.request({
    method: 'GET',
    url: '/v1/feedback/00000000-0000-4000-8000-000000000000/replies',
    key: staff,
  });
  t.equal(missing.statusCode, 404);
  t.equal(outside.json().detail, missing.json().detail, 'outside the scope looks like no item at all');
  for (const role of ['auditor', 'intake', 'display']) {
    const refused = await api.request({
      method: 'GET',
      url: `/v1/feedback/${item.id}/replies`,
      key: await api.createKey(role),
    });
    t.equal(refused.statusCode, 403, `${role} may not read replies`);
  }
});

t.test('handed over: an in-person reply, or the fallback for one that failed; 409 otherwise', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api);
  const staff = await api.createKey('staff', null, 'Ward sister');
  const l = loop(api, staff);
  const handOver = (feedbackId: string, replyId: string, key = staff) =>
    api.request({ method: 'POST', url: `/v1/feedback/${feedbackId}/replies/${replyId}/handed-over`, key });

  const inPerson = await l.feedback(ward.id, { contact: { wantsReply: true, replyBy: 'in_person' } });
  const [acknowledgement] = await repliesOf(api, staff, inPerson.id);
  t.equal(acknowledgement!.channel, 'in_person');
  t.equal((await l.item(inPerson.id)).acknowledgedAt, null, 'not acknowledged yet');

  const elsewhere = await api.createKey('staff', otherWard.id);
  t.equal((await handOver(inPerson.id, acknowledgement!.id, elsewhere)).statusCode, 404, 'outside the scope');
  t.equal((await handOver(inPerson.id, '00000000-0000-4000-8000-000000000000')).statusCode, 404, 'no such reply');
  t.equal(
    (await handOver(inPerson.id, acknowledgement!.id, await api.createKey('auditor'))).statusCode,
    403,
    'an auditor may not',
  );

  const handed = await handOver(inPerson.id, acknowledgement!.id);
  t.equal(handed.statusCode, 200, handed.body);
  t.equal(handed.json().status, 'handed_over');
  t.type(handed.json().handedOverAt, 'string');
  t.equal(
    (await l.item(inPerson.id)).acknowledgedAt,
    handed.json().handedOverAt,
    'the first reply to reach the person acknowledges the item',
  );
  const again = await handOver(inPerson.id, acknowledgement!.id);
  t.equal(again.statusCode, 409);
  t.equal(again.json().type, 'urn:wedid:problem:illegal-transition');
  t.match(again.json().detail, /already handed over/);

  const audit = await api.request({ method: 'GET', url: `/v1/audit?entityType=reply&entityId=${acknowledgement!.id}` });
  t.same(
    audit.json().items.map((event: { action: string; actorName: string }) => [event.action, event.actorName]),
    [['handed_over', 'Ward sister']],
    'audited, as the key that recorded it',
  );

  // An email the sender still owns may not be taken from it; once sending failed, staff may hand it over.
  const byEmail = await l.feedback(ward.id, { contact: { email: 'sam@example.org', wantsReply: true } });
  const [emailReply] = await repliesOf(api, staff, byEmail.id);
  await setReply(api, emailReply!.id, 'queued');
  const queued = await handOver(byEmail.id, emailReply!.id);
  t.equal(queued.statusCode, 409);
  t.match(queued.json().detail, /queued to be sent by email/);
  for (const fallback of ['failed', 'undeliverable']) {
    await setReply(api, emailReply!.id, fallback, sql`, last_error = 'No email provider is configured'`);
    await api.sql(sql`update replies set handed_over_at = null where id = ${emailReply!.id}`);
    const handedFallback = await handOver(byEmail.id, emailReply!.id);
    t.equal(handedFallback.statusCode, 200, `${fallback}: handed over instead`);
    t.equal(handedFallback.json().status, 'handed_over');
    await api.sql(sql`update replies set status = 'queued', handed_over_at = null where id = ${emailReply!.id}`);
  }
  await setReply(api, emailReply!.id, 'sent');
  const sent = await handOver(byEmail.id, emailReply!.id);
  t.equal(sent.statusCode, 409);
  t.match(sent.json().detail, /already sent/);

  // Erasure cancels what is still queued: no one to hand it to.
  const erased = await l.feedback(ward.id, { contact: { wantsReply: true, replyBy: 'in_person' } });
  const [erasedReply] = await repliesOf(api, staff, erased.id);
  t.equal((await api.request({ method: 'POST', url: `/v1/feedback/${erased.id}/erase` })).statusCode, 200);
  const cancelled = await handOver(erased.id, erasedReply!.id);
  t.equal(cancelled.statusCode, 409);
  t.match(cancelled.json().detail, /cancelled/);
});
