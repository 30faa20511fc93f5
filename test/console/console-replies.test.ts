import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree, type TestApp } from '../helpers/app.js';
import { consoleSession, csrfOf } from '../helpers/console.js';
import { recordFeedback } from '../helpers/fixtures.js';

const inPerson = (name: string) => ({ name, phone: '0113 496 0000', wantsReply: true, replyBy: 'in_person' });

/** The item's acknowledgement, which an in-person reply leaves queued for staff. */
async function acknowledgementOf(api: TestApp, feedbackId: string) {
  const replies = (await api.request({ method: 'GET', url: `/v1/feedback/${feedbackId}/replies` })).json().items;
  return replies.find((reply: { kind: string }) => reply.kind === 'acknowledgement') as { id: string; status: string };
}

t.test('replies waiting for staff: the list of the person’s units, the slip, handed over', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api);
  const mine = await recordFeedback(api, ward.id, {
    text: 'PRIVATE-WORDS the food was cold',
    contact: { ...inPerson('Sam Private'), communicationNeeds: ['large_print'] },
  });
  const theirs = await recordFeedback(api, otherWard.id, { text: 'Ash words', contact: inPerson('Ash Person') });
  const myReply = await acknowledgementOf(api, mine.id);
  const theirReply = await acknowledgementOf(api, theirs.id);
  t.equal(myReply.status, 'queued');
  const staff = await consoleSession(api, 'willow@trust.nhs.uk', 'staff', ward.id);

  const list = await staff.get('/console/replies');
  t.equal(list.statusCode, 200, list.body);
  t.equal(list.headers['cache-control'], 'no-store');
  t.match(list.body, mine.reference, 'the waiting slip of my unit is listed');
  t.match(list.body, 'Willow Ward');
  t.match(list.body, /In person: print the large-print reply slip/);
  t.match(list.body, `href="/console/replies/${myReply.id}/slip"`);
  t.notMatch(list.body, theirs.reference, 'another unit’s is not');
  for (const secret of ['PRIVATE-WORDS', 'Sam Private', '0113']) t.notMatch(list.body, secret, `no ${secret}`);

  await t.test('the slip prints for a reply in scope, and is not found outside it', async (t) => {
    const slip = await staff.get(`/console/replies/${myReply.id}/slip`);
    t.equal(slip.statusCode, 200, slip.body);
    t.match(slip.body, `Your reference: <strong>${mine.reference}</strong>`);
    t.match(slip.body, 'Use your browser’s Print');
    t.match(slip.body, '@page{size:A4 portrait', 'large print prints on A4');
    t.match(slip.body, 'href="/console/replies"', 'the way back to record the hand-over');
    t.notMatch(slip.body, 'PRIVATE-WORDS');
    t.match(
      (await staff.get(`/console/replies/${myReply.id}/slip?paper=a5`)).body,
      '@page{size:A5 portrait',
      'paper=a5 asks for A5',
    );
    const outside = await staff.get(`/console/replies/${theirReply.id}/slip`);
    t.equal(outside.statusCode, 404);
    t.notMatch(outside.body, theirs.reference);
    t.equal((await staff.get(`/console/replies/${crypto.randomUUID()}/slip`)).statusCode, 404);
    t.equal(
      (await staff.post(`/console/replies/${theirReply.id}/handed-over`, { _csrf: csrfOf(list.body) })).statusCode,
      404,
    );
  });

  await t.test('the API’s slip route still works', async (t) => {
    const apiSlip = await api.request({ method: 'GET', url: `/v1/feedback/${mine.id}/replies/${myReply.id}/slip` });
    t.equal(apiSlip.statusCode, 200);
    t.match(apiSlip.body, mine.reference);
    t.match(apiSlip.body, `POST /v1/feedback/${mine.id}/replies/${myReply.id}/handed-over`);
  });

  await t.test('an auditor may not use the list', async (t) => {
    const auditor = await consoleSession(api, 'audit@trust.nhs.uk', 'auditor', ward.id);
    const refused = await auditor.get('/console/replies');
    t.equal(refused.statusCode, 403);
    t.notMatch(refused.body, mine.reference);
  });

  await t.test('handed over: removed from the list, audited as the person; twice is refused', async (t) => {
    const csrf = csrfOf(list.body);
    const noToken = await staff.post(`/console/replies/${myReply.id}/handed-over`, {});
    t.equal(noToken.statusCode, 403, 'no form token, nothing done');
    t.equal((await acknowledgementOf(api, mine.id)).status, 'queued');

    const done = await staff.post(`/console/replies/${myReply.id}/handed-over`, { _csrf: csrf });
    t.equal(done.statusCode, 303, done.body);
    t.equal(done.headers.location, '/console/replies?handedOver=1');
    t.equal((await acknowledgementOf(api, mine.id)).status, 'handed_over');
    const after = await staff.get('/console/replies?handedOver=1');
    t.match(after.body, 'Recorded as handed over');
    t.notMatch(after.body, mine.reference, 'no longer waiting');
    const [audit] = await api.sql<{ actor_name: string }>(
      sql`select actor_name from audit_events where entity_id = ${myReply.id} and action = 'handed_over'`,
    );
    t.match(audit?.actor_name, /willow@trust\.nhs\.uk.*session of person/, 'audited as the signed-in person');

    const again = await staff.post(`/console/replies/${myReply.id}/handed-over`, { _csrf: csrf });
    t.equal(again.statusCode, 409);
    t.match(again.body, /There is a problem/);
    t.match(again.body, /already handed over/);
  });
});
