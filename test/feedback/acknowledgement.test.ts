import { sql } from 'drizzle-orm';
import t from 'tap';
import { acknowledgeByFor } from '../../src/modules/feedback/working-days.js';
import { buildTestApp, createTree, type TestApp } from '../helpers/app.js';
import type { Schemas } from '../helpers/bodies.js';
import { loop, recordFeedback } from '../helpers/fixtures.js';

/** Records an item as the admin key, whose answer is the staff view. */
const record = async (api: TestApp, unitId: string, over: Record<string, unknown> = {}): Promise<Schemas['Feedback']> =>
  (await recordFeedback(api, unitId, over)) as Schemas['Feedback'];

/*
 * The working-day clock, worked out by hand on the calendar (England and Wales bank holidays):
 * acknowledgeBy is the end, London time, of the 3rd working day after the London date of receipt.
 * 23:59:59.999 GMT is …T23:59:59.999Z; in summer (BST, UTC+1) it is …T22:59:59.999Z.
 */
const handWorked = [
  {
    what: 'received Thursday 24 December 2026 → Thursday 31 December (Fri 25 Christmas, Sat 26, Sun 27, Mon 28 the substitute Boxing Day; Tue 29, Wed 30, Thu 31)',
    receivedAt: '2026-12-24T10:00:00Z',
    acknowledgeBy: '2026-12-31T23:59:59.999Z',
  },
  {
    what: 'received Thursday 25 March 2027 → Thursday 1 April (Good Friday 26 March, Easter Monday 29 March; Tue 30, Wed 31, Thu 1), in BST',
    receivedAt: '2027-03-25T10:00:00Z',
    acknowledgeBy: '2027-04-01T22:59:59.999Z',
  },
  {
    what: 'received Wednesday 24 December 2025 → Wednesday 31 December (Thu 25, Fri 26 Boxing Day; Mon 29, Tue 30, Wed 31)',
    receivedAt: '2025-12-24T16:00:00Z',
    acknowledgeBy: '2025-12-31T23:59:59.999Z',
  },
  {
    what: 'received Thursday 2 April 2026 → Thursday 9 April (Good Friday 3 April, Easter Monday 6 April; Tue 7, Wed 8, Thu 9)',
    receivedAt: '2026-04-02T09:00:00Z',
    acknowledgeBy: '2026-04-09T22:59:59.999Z',
  },
  {
    what: 'received Saturday 10 October 2026 → Wednesday 14 October (Mon 12, Tue 13, Wed 14)',
    receivedAt: '2026-10-10T10:00:00Z',
    acknowledgeBy: '2026-10-14T22:59:59.999Z',
  },
  {
    what: 'received 23:30 UTC on Thursday 9 July 2026, which is 00:30 on Friday 10 July in London → Wednesday 15 July (Mon 13, Tue 14, Wed 15)',
    receivedAt: '2026-07-09T23:30:00Z',
    acknowledgeBy: '2026-07-15T22:59:59.999Z',
  },
  {
    what: 'received 23:30 BST on Thursday 9 July 2026 (22:30 UTC) → Tuesday 14 July (Fri 10, Mon 13, Tue 14)',
    receivedAt: '2026-07-09T22:30:00Z',
    acknowledgeBy: '2026-07-14T22:59:59.999Z',
  },
  {
    what: 'received 23:30 GMT on Tuesday 16 December 2025, still that day in London → Friday 19 December (Wed 17, Thu 18, Fri 19)',
    receivedAt: '2025-12-16T23:30:00Z',
    acknowledgeBy: '2025-12-19T23:59:59.999Z',
  },
];

t.test('the working-day clock on hand-worked dates', async (t) => {
  for (const example of handWorked) {
    t.equal(acknowledgeByFor(new Date(example.receivedAt), 3).toISOString(), example.acknowledgeBy, example.what);
  }
  // One working day from Friday 27 March 2026: Monday 30 March, the day after the clocks go forward.
  t.equal(acknowledgeByFor(new Date('2026-03-27T12:00:00Z'), 1).toISOString(), '2026-03-30T22:59:59.999Z');
  // Thirty working days from Monday 7 December 2026, with 25 and 28 December and 1 January skipped: 4 + 5 + 4 in December to the 24th, 29–31 December (16), 4–8 and 11–15 January (26), then 18–21 January → Thursday 21 January 2027.
  t.equal(acknowledgeByFor(new Date('2026-12-07T12:00:00Z'), 30).toISOString(), '2027-01-21T23:59:59.999Z');
});

t.test('every item received gets acknowledgeBy from POST /v1/feedback', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  // Only receipts in the past can be recorded (receivedAt must not be in the future).
  for (const example of handWorked.filter((example) => Date.parse(example.receivedAt) < Date.now())) {
    const item = await record(api, ward.id, { receivedAt: example.receivedAt });
    t.equal(item.acknowledgeBy, example.acknowledgeBy, example.what);
    t.equal(item.acknowledgedAt, null, 'not acknowledged yet');
  }
});

t.test('the unit target: inherited from the nearest ancestor that sets it, on every intake path', async (t) => {
  const api = await buildTestApp(t);
  const { trust, site, ward, otherWard } = await createTree(api);
  const admin = loop(api);

  const read = async (id: string) => (await admin.send('GET', `/v1/units/${id}`)).json();
  t.match(await read(ward.id), { acknowledgementTargetWorkingDays: 3, acknowledgementTargetInherited: true });

  const onSite = await admin.send('PATCH', `/v1/units/${site.id}`, { acknowledgementTargetWorkingDays: 5 });
  t.equal(onSite.statusCode, 200);
  t.match(onSite.json(), { acknowledgementTargetWorkingDays: 5, acknowledgementTargetInherited: false });
  t.match(await read(ward.id), { acknowledgementTargetWorkingDays: 5, acknowledgementTargetInherited: true });
  t.match(await read(trust.id), { acknowledgementTargetWorkingDays: 3, acknowledgementTargetInherited: true });
  // A setting below a unit never reaches it or its other branches (nor does a response target).
  await admin.send('PATCH', `/v1/units/${ward.id}`, { responseTargetDays: 7 });
  t.match(await read(otherWard.id), { responseTargetDays: 28, acknowledgementTargetWorkingDays: 5 });
  t.match(await read(trust.id), { responseTargetDays: 28 });

  // Monday 1 June 2026 + 5 working days: Tue 2, Wed 3, Thu 4, Fri 5, Mon 8 (BST).
  const receivedAt = '2026-06-01T10:00:00Z';
  const fiveDays = '2026-06-08T22:59:59.999Z';
  const single = await record(api, ward.id, { receivedAt });
  t.equal(single.acknowledgeBy, fiveDays, 'single intake: the site’s 5 working days');

  const batch = await admin.send('POST', '/v1/feedback/batch', {
    items: [
      { unitId: ward.id, text: 'Batch words', receivedAt },
      { unitId: trust.id, text: 'Trust words', receivedAt },
    ],
  });
  t.equal(batch.statusCode, 200);
  const [inWard, atTrust] = batch.json().results as { id: string }[];
  t.equal((await admin.item(inWard!.id)).acknowledgeBy, fiveDays, 'batch intake');
  // The trust sets nothing: the default 3: Tue 2, Wed 3, Thu 4.
  t.equal((await admin.item(atTrust!.id)).acknowledgeBy, '2026-06-04T22:59:59.999Z', 'the default above the site');

  const imported = await api.request({
    method: 'POST',
    url: '/v1/feedback/import',
    headers: { 'content-type': 'text/csv' },
    payload: `unitId,text,receivedAt\n${ward.id},Imported words,${receivedAt}\n`,
  });
  t.equal(imported.statusCode, 200);
  t.equal((await admin.item(imported.json().results[0].id)).acknowledgeBy, fiveDays, 'CSV import');

  // The ward's own setting wins over the site's; null inherits again.
  const own = await admin.send('PATCH', `/v1/units/${otherWard.id}`, { acknowledgementTargetWorkingDays: 1 });
  t.match(own.json(), { acknowledgementTargetWorkingDays: 1, acknowledgementTargetInherited: false });
  t.equal(
    (await record(api, otherWard.id, { receivedAt })).acknowledgeBy,
    '2026-06-02T22:59:59.999Z',
    'one working day: Tuesday 2 June',
  );
  const back = await admin.send('PATCH', `/v1/units/${otherWard.id}`, { acknowledgementTargetWorkingDays: null });
  t.match(back.json(), { acknowledgementTargetWorkingDays: 5, acknowledgementTargetInherited: true });

  const created = await api.createUnit({
    type: 'ward',
    code: 'T-OAK',
    name: 'Oak Ward',
    parentId: site.id,
    acknowledgementTargetWorkingDays: 10,
  });
  t.match(created, { acknowledgementTargetWorkingDays: 10, acknowledgementTargetInherited: false });
});

t.test('the unit target is checked: whole working days from 1 to 30, set by an admin', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  for (const value of [0, 31, 2.5, '3']) {
    const response = await api.request({
      method: 'PATCH',
      url: `/v1/units/${ward.id}`,
      payload: { acknowledgementTargetWorkingDays: value },
    });
    t.equal(response.statusCode, 400, `${JSON.stringify(value)} is refused`);
    t.equal(response.json().errors[0].path, '/acknowledgementTargetWorkingDays');
  }
  const created = await api.request({
    method: 'POST',
    url: '/v1/units',
    payload: { type: 'ward', code: 'T-ELM', name: 'Elm', parentId: ward.id, acknowledgementTargetWorkingDays: 0 },
  });
  t.equal(created.statusCode, 400);
  const staff = await api.createKey('staff');
  const byStaff = await api.request({
    method: 'PATCH',
    url: `/v1/units/${ward.id}`,
    key: staff,
    payload: { acknowledgementTargetWorkingDays: 5 },
  });
  t.equal(byStaff.statusCode, 403, 'staff may not change targets');
});

t.test('overdueAcknowledgement finds items past acknowledgeBy; triage and a sent reply acknowledge them', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const staff = loop(api, await api.createKey('staff'));
  const longAgo = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const late = await record(api, ward.id, { text: 'Late one', receivedAt: longAgo });
  const patched = await record(api, ward.id, { text: 'Patched one', receivedAt: longAgo });
  const linked = await record(api, ward.id, { text: 'Linked one', receivedAt: longAgo });
  const replied = await record(api, ward.id, {
    text: 'Replied one',
    receivedAt: longAgo,
    contact: { email: 'sam@example.org', wantsReply: true },
  });
  const fresh = await record(api, ward.id, { text: 'Just in' });
  // Recorded before the clock existed: no deadline, so never overdue.
  const old = await record(api, ward.id, { text: 'Before the clock', receivedAt: longAgo });
  await api.sql(sql`update feedback_items set acknowledge_by = null where id = ${old.id}`);

  const ids = async (query: string) => {
    const response = await staff.send('GET', `/v1/feedback?${query}`);
    t.equal(response.statusCode, 200);
    return (response.json().items as { id: string }[]).map((item) => item.id).sort();
  };
  const sorted = (...list: { id: string }[]) => list.map((item) => item.id).sort();
  t.same(await ids('overdueAcknowledgement=true'), sorted(late, patched, linked, replied));
  t.same(await ids('overdueAcknowledgement=false'), sorted(fresh, old));
  t.equal((await api.request({ method: 'GET', url: '/v1/feedback?overdueAcknowledgement=yes' })).statusCode, 400);

  // Triage by PATCH: the first move out of received acknowledges the item.
  const edit = await staff.send('PATCH', `/v1/feedback/${patched.id}`, { kind: 'concern' }, { 'if-match': '"v1"' });
  t.equal(edit.statusCode, 200);
  t.equal(edit.json().status, 'in_review');
  t.ok(edit.json().acknowledgedAt, 'acknowledgedAt is set by the first triage');
  // Linking to an action moves it to in_progress: acknowledged too.
  const action = await staff.action({ unitId: ward.id, feedbackIds: [linked.id] });
  t.ok(action.id);
  t.ok((await staff.item(linked.id)).acknowledgedAt, 'linking to an action acknowledges');
  // The acknowledgement reply sent (the reply worker's record of it, written here by hand).
  const sentAt = new Date(Date.now() - 60_000).toISOString();
  await api.sql(
    sql`update replies set status = 'sent', sent_at = ${sentAt}::timestamptz where feedback_id = ${replied.id}`,
  );
  t.equal((await staff.item(replied.id)).acknowledgedAt, sentAt, 'the reply sent is the acknowledgement');

  t.same(await ids('overdueAcknowledgement=true'), sorted(late), 'acknowledged items drop out');
  t.same(await ids('overdueAcknowledgement=false'), sorted(patched, linked, replied, fresh, old));
  t.same(await ids(`overdueAcknowledgement=true&unitId=${ward.id}&kind=concern`), []);
});
