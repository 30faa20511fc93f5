import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree, type TestApp } from '../helpers/app.js';
import { recordFeedback } from '../helpers/fixtures.js';
import { parseCsv } from '../reports/fixtures.js';

const period = 'from=2026-10-01&to=2026-11-01';

async function report(api: TestApp, asOf: Date, extra = '') {
  const response = await api.request({
    method: 'GET',
    url: `/v1/reports/closure?${period}&asOf=${encodeURIComponent(asOf.toISOString())}${extra}`,
  });
  if (response.statusCode !== 200) throw new Error(`report: ${response.statusCode} ${response.body}`);
  return response;
}

t.test('the closure report counts the items flagged at asOf', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api);
  const first = await recordFeedback(api, ward.id, {
    text: 'I think about suicide',
    receivedAt: '2026-10-05T09:00:00Z',
  });
  await recordFeedback(api, ward.id, { text: 'He hit me', receivedAt: '2026-10-06T09:00:00Z' });
  await recordFeedback(api, otherWard.id, { text: 'Self-harm on the ward', receivedAt: '2026-10-07T09:00:00Z' });
  await recordFeedback(api, ward.id, { text: 'Cold tea', receivedAt: '2026-10-08T09:00:00Z' });
  await recordFeedback(api, ward.id, { text: 'An overdose, in September', receivedAt: '2026-09-20T09:00:00Z' });
  const [latest] = await api.sql<{ at: Date | string }>(sql`select max(at) as at from feedback_safeguarding_history`);
  // Just after the last flag was written, and before the review below.
  const beforeReview = new Date(new Date(latest!.at).getTime() + 1);

  const cleared = await api.request({
    method: 'POST',
    url: `/v1/feedback/${first.id}/safeguarding`,
    payload: { status: 'cleared' },
  });
  t.equal(cleared.statusCode, 200);
  const now = new Date(Date.now() + 1000);

  t.equal((await report(api, beforeReview)).json().totals.safeguardingFlagged, 3, 'flagged in the period at asOf');
  t.equal((await report(api, now)).json().totals.safeguardingFlagged, 2, 'a cleared item no longer counts');
  t.equal(
    (await report(api, beforeReview)).json().totals.safeguardingFlagged,
    3,
    'a review after asOf leaves a re-run unchanged',
  );
  t.equal(
    (await report(api, new Date('2026-10-31T00:00:00Z'))).json().totals.safeguardingFlagged,
    0,
    'flags are counted from when they were written: none had been by then',
  );

  const byUnit = (await report(api, now, '&groupBy=unit')).json();
  t.same(
    byUnit.groups.map((group: { unitCode: string; safeguardingFlagged: number }) => [
      group.unitCode,
      group.safeguardingFlagged,
    ]),
    [
      ['T-ASH', 1],
      ['T-WILLOW', 1],
    ],
  );
  const csv = parseCsv((await report(api, now, '&format=csv')).body);
  t.equal(csv[0]?.at(-1), 'safeguardingFlagged', 'the last CSV column');
  t.equal(csv[1]?.at(-1), '2');
});
