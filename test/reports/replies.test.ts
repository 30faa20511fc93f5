import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree, type TestApp } from '../helpers/app.js';
import { loop, recordFeedback } from '../helpers/fixtures.js';
import { parseCsv } from './fixtures.js';

/*
 * Replies to the person in the closure report, worked out by hand. Willow Ward keeps the default
 * target of 3 working days; the period is October 2026 (from 2026-10-01 to 2026-11-01). Items are
 * recorded through the API, whose trigger writes an acknowledgement reply for each person who wants
 * one; the reply worker is not part of this test, so its records (sent, handed over) and the time the
 * acknowledgement was written (as at receipt) are set by hand, as are follow-up answers.
 *
 *  item  received (UTC)      themes          reply?  acknowledgeBy (BST)      acknowledged          days
 *  A     Mon 5 Oct 09:00     food            yes     Thu 8 Oct, end of day    sent Tue 6 Oct 09:00  1     in target
 *  B     Mon 5 Oct 09:00     food, visiting  yes     Thu 8 Oct                sent Mon 12 Oct 21:00 7.5   late
 *  C     Wed 7 Oct 09:00     visiting        no      Mon 12 Oct               never                       late once past
 *  D     Fri 30 Oct 09:00    —               yes     Wed 4 Nov (GMT)          sent Tue 3 Nov 12:00  4.125 in target
 *  E     Thu 1 Oct 09:00     food            no (wantsReply false)  Tue 6 Oct  never                     late once past
 *  F     Wed 30 Sep 09:00    food            yes     outside the period: never counted
 *
 * Then (now, in the test's real time) A and B are closed by a decision; A's answer is sent and B's
 * handed over at `closedAt`, A's person answers "yes" and B's "partly" to "Did this answer you?".
 */
const period = 'from=2026-10-01&to=2026-11-01';
const replyFigures = [
  'repliesWanted',
  'answersDelivered',
  'acknowledgedWithinTargetRate',
  'medianDaysToAcknowledge',
  'followUpYes',
  'followUpPartly',
  'followUpNo',
] as const;

async function report(api: TestApp, asOf: Date | string, extra = '') {
  const response = await api.request({
    method: 'GET',
    url: `/v1/reports/closure?${period}&asOf=${encodeURIComponent(new Date(asOf).toISOString())}${extra}`,
  });
  if (response.statusCode !== 200) throw new Error(`report: ${response.statusCode} ${response.body}`);
  // How fresh the data is changes with every request; the figures are what is compared.
  const { dataAsOf: _fresh, ...figures } = response.json();
  return figures;
}

const repliesOf = (figures: Record<string, unknown>) =>
  Object.fromEntries(replyFigures.map((name) => [name, figures[name]]));

async function setUp(t: { teardown(fn: () => unknown): void }) {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const wants = { email: 'person@example.org', wantsReply: true };
  const item = async (receivedAt: string, themes: string[], contact?: Record<string, unknown>) =>
    (await recordFeedback(api, ward.id, { receivedAt, themes, ...(contact ? { contact } : {}) })).id;
  const a = await item('2026-10-05T09:00:00Z', ['food'], wants);
  const b = await item('2026-10-05T09:00:00Z', ['food', 'visiting'], wants);
  const c = await item('2026-10-07T09:00:00Z', ['visiting']);
  const d = await item('2026-10-30T09:00:00Z', [], wants);
  const e = await item('2026-10-01T09:00:00Z', ['food'], { email: 'no-reply@example.org', wantsReply: false });
  const f = await item('2026-09-30T09:00:00Z', ['food'], wants);

  // Written at intake, as a live intake at the time of receipt would have done.
  await api.sql(sql`update replies r set created_at = f.received_at from feedback_items f where f.id = r.feedback_id`);
  const acknowledgementSent = async (id: string, at: string) =>
    api.sql(sql`update replies set status = 'sent', sent_at = ${at}::timestamptz
      where feedback_id = ${id} and kind = 'acknowledgement'`);
  await acknowledgementSent(a, '2026-10-06T09:00:00Z');
  await acknowledgementSent(b, '2026-10-12T21:00:00Z');
  await acknowledgementSent(d, '2026-11-03T12:00:00Z');
  await acknowledgementSent(f, '2026-10-01T09:00:00Z');

  const staff = loop(api);
  const beforeClosing = new Date();
  for (const id of [a, b]) {
    const decided = await staff.decide(id);
    if (decided.statusCode !== 200 && decided.statusCode !== 201) throw new Error(`decide: ${decided.body}`);
  }
  const closedAt = new Date(Date.now() + 1000).toISOString();
  await api.sql(sql`update replies set status = 'sent', sent_at = ${closedAt}::timestamptz
    where feedback_id = ${a} and kind = 'answer'`);
  await api.sql(sql`update replies set status = 'handed_over', handed_over_at = ${closedAt}::timestamptz
    where feedback_id = ${b} and kind = 'answer'`);
  await api.sql(sql`insert into follow_ups (feedback_id, closing_transition_id, answer, comment, answered_at)
    select feedback_id, transition_id, case feedback_id when ${a}::uuid then 'yes' else 'partly' end,
      'Private words of the person', ${closedAt}::timestamptz
    from replies where kind = 'answer' and feedback_id in (${a}::uuid, ${b}::uuid)`);
  return { api, ids: { a, b, c, d, e, f }, beforeClosing, closedAt };
}

t.test('closure report: replies, acknowledgements and follow-ups, worked out by hand, at each asOf', async (t) => {
  const { api, ids, beforeClosing, closedAt } = await setUp(t);

  const replied = await api.sql<{ feedback_id: string; kind: string; status: string }>(
    sql`select feedback_id, kind, status from replies order by feedback_id, kind`,
  );
  t.equal(replied.filter((row) => row.kind === 'acknowledgement').length, 4, 'A, B, D and F asked for a reply');

  // 6 October 00:00: A, B, E received. A and B want a reply. Nobody acknowledged yet and every
  // deadline (A, B 8 October; E 6 October 23:59:59.999 BST) is still ahead: no rate yet.
  t.same(repliesOf((await report(api, '2026-10-06T00:00:00Z')).totals), {
    repliesWanted: 2,
    answersDelivered: 0,
    acknowledgedWithinTargetRate: null,
    medianDaysToAcknowledge: null,
    followUpYes: 0,
    followUpPartly: 0,
    followUpNo: 0,
  });

  // 1 November 00:00: A–E received; A, B, D want a reply. Acknowledged: A (1 day, in target), B (7.5
  // days, late). Settled: A, B, and C and E past their deadlines unacknowledged; D's deadline (4
  // November) is ahead and it is not acknowledged yet. Rate 1 ÷ 4; median of 1 and 7.5 is 4.25.
  const november = await report(api, '2026-11-01T00:00:00Z');
  t.equal(november.totals.received, 5);
  t.same(repliesOf(november.totals), {
    repliesWanted: 3,
    answersDelivered: 0,
    acknowledgedWithinTargetRate: 1 / 4,
    medianDaysToAcknowledge: 4.25,
    followUpYes: 0,
    followUpPartly: 0,
    followUpNo: 0,
  });

  // Just before A and B were closed: D is acknowledged now (4.125 days, in target): 2 ÷ 5; the median
  // of 1, 4.125 and 7.5 is 4.125, rounded to 2 decimals 4.13. No answer yet.
  t.same(repliesOf((await report(api, beforeClosing)).totals), {
    repliesWanted: 3,
    answersDelivered: 0,
    acknowledgedWithinTargetRate: 2 / 5,
    medianDaysToAcknowledge: 4.13,
    followUpYes: 0,
    followUpPartly: 0,
    followUpNo: 0,
  });

  // After the answers: A's sent, B's handed over; A answered yes, B partly.
  const now = await report(api, closedAt);
  t.same(repliesOf(now.totals), {
    repliesWanted: 3,
    answersDelivered: 2,
    acknowledgedWithinTargetRate: 2 / 5,
    medianDaysToAcknowledge: 4.13,
    followUpYes: 1,
    followUpPartly: 1,
    followUpNo: 0,
  });
  t.equal(now.totals.closed, 2);

  // By theme: food is A, B, E (E settled late); visiting B, C; D has none.
  const byTheme = await report(api, closedAt, '&groupBy=theme');
  t.same(
    byTheme.groups.map((group: Record<string, unknown>) => ({ key: group.key, ...repliesOf(group) })),
    [
      {
        key: 'food',
        repliesWanted: 2,
        answersDelivered: 2,
        acknowledgedWithinTargetRate: 1 / 3,
        medianDaysToAcknowledge: 4.25,
        followUpYes: 1,
        followUpPartly: 1,
        followUpNo: 0,
      },
      {
        key: 'not_recorded',
        repliesWanted: 1,
        answersDelivered: 0,
        acknowledgedWithinTargetRate: 1,
        medianDaysToAcknowledge: 4.13,
        followUpYes: 0,
        followUpPartly: 0,
        followUpNo: 0,
      },
      {
        key: 'visiting',
        repliesWanted: 1,
        answersDelivered: 1,
        acknowledgedWithinTargetRate: 0,
        medianDaysToAcknowledge: 7.5,
        followUpYes: 0,
        followUpPartly: 1,
        followUpNo: 0,
      },
    ],
  );

  // The CSV carries the same figures after the closure figures.
  const csv = await api.request({
    method: 'GET',
    url: `/v1/reports/closure?${period}&asOf=${encodeURIComponent(closedAt)}&format=csv`,
  });
  const [header, totals] = parseCsv(csv.body);
  t.same(header?.slice(-8, -1), [...replyFigures]);
  t.same(totals?.slice(-8, -1), ['3', '2', '0.4', '4.13', '1', '1', '0']);

  // Erasing A removes its contact and the follow-up comment, not what happened: the figures stay.
  const erased = await api.request({ method: 'POST', url: `/v1/feedback/${ids.a}/erase` });
  t.equal(erased.statusCode, 200, 'A is erased');
  const [comment] = await api.sql<{ comment: string | null }>(
    sql`select comment from follow_ups where feedback_id = ${ids.a}`,
  );
  t.equal(comment?.comment, null, 'the private comment is gone');
  t.same(await report(api, closedAt), now, 'the same figures after erasure');
  t.same(await report(api, '2026-11-01T00:00:00Z'), november, 'and the past is rebuilt the same');
});
