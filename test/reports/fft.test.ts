import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree, type TestApp } from '../helpers/app.js';
import { loop } from '../helpers/fixtures.js';
import { parseCsv } from './fixtures.js';

type Rating = 'very_good' | 'good' | 'neither_good_nor_poor' | 'poor' | 'very_poor' | 'dont_know';

/** Records FFT responses (ratings alone, no text) through the batch route; answers their ids. */
async function responses(
  api: TestApp,
  unitId: string,
  ratings: Partial<Record<Rating, number>>,
  over: Record<string, unknown> = {},
): Promise<string[]> {
  const items = Object.entries(ratings).flatMap(([fftRating, n]) =>
    Array.from({ length: n ?? 0 }, () => ({
      unitId,
      fftRating,
      channel: 'fft',
      receivedAt: '2026-03-10T10:00:00Z',
      ...over,
    })),
  );
  const response = await api.request({ method: 'POST', url: '/v1/feedback/batch', payload: { items } });
  if (response.statusCode !== 200) throw new Error(`batch: ${response.statusCode} ${response.body}`);
  const results = response.json().results as { status: number; id: string }[];
  if (results.some((result) => result.status !== 201)) throw new Error(`batch: ${response.body}`);
  return results.map((result) => result.id);
}

const report = async (api: TestApp, query: string, key?: string) => {
  const response = await api.request({ method: 'GET', url: `/v1/reports/fft?${query}`, key });
  if (response.statusCode !== 200) throw new Error(`fft report: ${response.statusCode} ${response.body}`);
  return response;
};

const period = 'from=2026-01-01&to=2026-07-01';

t.test('FFT report: percentages of all responses, rounded half up, withheld below 8 responses', async (t) => {
  const api = await buildTestApp(t);
  const { site, ward: willow, otherWard: ash } = await createTree(api);
  const oak = await api.createUnit({ type: 'ward', code: 'T-OAK', name: 'Oak Ward', parentId: site.id });
  const auditor = await api.createKey('auditor');

  // Willow, 8 responses: 3 very good, 2 good, 1 neither, 1 poor, 1 don't know.
  //   positive = 5 / 8 = 62.5 % (JSON 62.5, CSV 63 — an exact half rounds up);
  //   negative = 1 / 8 = 12.5 % (CSV 13). Without "don't know" in the denominator it would be 5 / 7 = 71.43 %.
  await responses(api, willow.id, { very_good: 3, good: 2, neither_good_nor_poor: 1, poor: 1, dont_know: 1 });
  // Ash, 7 responses: 4 good, 3 very poor — one under the threshold: counts shown, percentages withheld.
  await responses(api, ash.id, { good: 4, very_poor: 3 });
  // Oak, 32 responses: 1 good, 31 poor → positive 1 / 32 = 3.125 % (JSON 3.13, CSV 3), negative 96.875 % (96.88, 97).
  await responses(api, oak.id, { good: 1, poor: 31 });
  // Not FFT responses: text without a rating is no response.
  await loop(api).feedback(willow.id, { receivedAt: '2026-03-10T10:00:00Z' });

  const byUnit = (await report(api, `${period}&groupBy=unit`, auditor)).json();
  const group = (code: string) => byUnit.groups.find((g: { unitCode: string }) => g.unitCode === code);
  t.same(
    group('T-WILLOW'),
    {
      key: willow.id,
      unitCode: 'T-WILLOW',
      unitName: 'Willow Ward',
      odsCode: null,
      veryGood: 3,
      good: 2,
      neitherGoodNorPoor: 1,
      poor: 1,
      veryPoor: 0,
      dontKnow: 1,
      responses: 8,
      positivePercent: 62.5,
      negativePercent: 12.5,
      suppressed: false,
    },
    "don't know counts in the denominator: 5 of 8, not 5 of 7",
  );
  t.match(group('T-ASH'), {
    good: 4,
    veryPoor: 3,
    responses: 7,
    positivePercent: null,
    negativePercent: null,
    suppressed: true,
  });
  t.match(group('T-OAK'), { responses: 32, positivePercent: 3.13, negativePercent: 96.88, suppressed: false });
  t.same(
    byUnit.groups.map((g: { unitCode: string }) => g.unitCode),
    ['T-ASH', 'T-OAK', 'T-WILLOW'],
    'units by code; a unit with no responses is not listed',
  );
  // Totals: 3 + 6 (very good + good: 3 + 2 + 4 + 1 = 10) of 47 = 21.276… → 21.28; negative (1 + 3 + 31) / 47 = 74.468… → 74.47.
  t.match(byUnit.totals, { veryGood: 3, good: 7, responses: 47, positivePercent: 21.28, negativePercent: 74.47 });

  const csv = await report(api, `${period}&groupBy=unit&format=csv`, auditor);
  t.match(csv.headers['content-type'], /^text\/csv/);
  const rows = parseCsv(csv.body);
  t.same(rows[0], [
    'key',
    'unitCode',
    'unitName',
    'odsCode',
    'veryGood',
    'good',
    'neitherGoodNorPoor',
    'poor',
    'veryPoor',
    'dontKnow',
    'responses',
    'positivePercent',
    'negativePercent',
    'suppressed',
  ]);
  const csvRow = (code: string) => rows.find((row) => row[1] === code);
  t.same(csvRow('T-WILLOW')?.slice(10), ['8', '63', '13', 'false'], 'CSV: whole percents, 62.5 → 63 and 12.5 → 13');
  t.same(csvRow('T-ASH')?.slice(10), ['7', '', '', 'true'], 'CSV: withheld percentages are empty cells');
  t.same(csvRow('T-OAK')?.slice(10), ['32', '3', '97', 'false']);

  // One more response on Ash reaches the threshold: 5 good of 8 = 62.5 %, 3 very poor = 37.5 % → CSV 63 and 38.
  await responses(api, ash.id, { good: 1 });
  const after = (await report(api, `${period}&groupBy=unit&unitId=${ash.id}`, auditor)).json();
  t.match(after.groups, [
    { unitCode: 'T-ASH', responses: 8, positivePercent: 62.5, negativePercent: 37.5, suppressed: false },
  ]);
  const afterCsv = parseCsv((await report(api, `${period}&unitId=${ash.id}&format=csv`, auditor)).body);
  t.same(afterCsv, [
    [
      'veryGood',
      'good',
      'neitherGoodNorPoor',
      'poor',
      'veryPoor',
      'dontKnow',
      'responses',
      'positivePercent',
      'negativePercent',
      'suppressed',
    ],
    ['0', '5', '0', '0', '3', '0', '8', '63', '38', 'false'],
  ]);

  const staff = await api.createKey('staff');
  t.equal(
    (await api.request({ method: 'GET', url: `/v1/reports/fft?${period}`, key: staff })).statusCode,
    200,
    'staff read it',
  );
  const intake = await api.createKey('intake');
  t.equal((await api.request({ method: 'GET', url: `/v1/reports/fft?${period}`, key: intake })).statusCode, 403);
  const display = await api.createKey('display');
  t.equal(
    (await api.request({ method: 'GET', url: '/v1/reports/fft/return?month=2026-03', key: display })).statusCode,
    403,
  );
  t.equal(
    (await api.request({ method: 'GET', url: '/v1/reports/fft/return?month=2026-03', key: staff })).statusCode,
    403,
    'the return is for auditors',
  );
  t.equal(
    (await api.request({ method: 'GET', url: '/v1/reports/fft/return?month=2026-13', key: auditor })).statusCode,
    400,
  );
});

t.test('months are Europe/London months, in the report and in the return', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const auditor = await api.createKey('auditor');
  // British Summer Time began on 29 March 2026: 23:30 UTC on 31 March is 00:30 on 1 April in London.
  await responses(api, ward.id, { good: 1 }, { receivedAt: '2026-03-31T22:59:59Z' }); // 23:59:59 BST, March
  await responses(api, ward.id, { poor: 1 }, { receivedAt: '2026-03-31T23:30:00Z' }); // 00:30 BST, April
  // In winter London is on UTC: 23:30 UTC on 31 January is still January.
  await responses(api, ward.id, { very_good: 1 }, { receivedAt: '2026-01-31T23:30:00Z' });

  const byMonth = (await report(api, `${period}&groupBy=month`, auditor)).json();
  t.same(
    byMonth.groups.map((g: { key: string; responses: number; good: number; poor: number }) => [
      g.key,
      g.responses,
      g.good,
      g.poor,
    ]),
    [
      ['2026-01', 1, 0, 0],
      ['2026-03', 1, 1, 0],
      ['2026-04', 1, 0, 1],
    ],
  );
  // A bare date is London midnight: from=2026-04-01 starts at 23:00 UTC on 31 March.
  const april = (await report(api, 'from=2026-04-01&to=2026-05-01', auditor)).json();
  t.equal(april.period.from, '2026-03-31T23:00:00.000Z');
  t.equal(april.totals.responses, 1);

  const march = await api.request({ method: 'GET', url: '/v1/reports/fft/return?month=2026-03', key: auditor });
  t.equal(march.statusCode, 200);
  t.match(march.headers['content-type'], /^text\/csv/);
  t.match(march.headers['content-disposition'], /fft-return-2026-03\.csv/);
  t.same(parseCsv(march.body).slice(1), [
    ['2026-03', '', 'T-TRUST', 'Test Trust', 'not_recorded', '0', '1', '0', '0', '0', '0', '1'],
  ]);
  const aprilReturn = parseCsv(
    (await api.request({ method: 'GET', url: '/v1/reports/fft/return?month=2026-04', key: auditor })).body,
  );
  t.same(
    aprilReturn.slice(1).map((row) => [row[0], row[8], row[11]]),
    [['2026-04', '1', '1']],
    'the 23:30 UTC response is in April',
  );
  const empty = await api.request({ method: 'GET', url: '/v1/reports/fft/return?month=2026-02', key: auditor });
  t.equal(
    empty.body,
    'month,odsCode,unitCode,unitName,collectionMode,veryGood,good,neitherGoodNorPoor,poor,veryPoor,dontKnow,total\r\n',
    'a month with no responses: the header row alone',
  );
});

t.test(
  'the monthly return counts per ODS code and collection mode, rolling up to the nearest ancestor with a code',
  async (t) => {
    const api = await buildTestApp(t);
    const { trust, site, ward: willow, otherWard: ash } = await createTree(api);
    const site2 = await api.createUnit({ type: 'site', code: 'T-HILL', name: 'Hillside', parentId: trust.id });
    const oak = await api.createUnit({ type: 'ward', code: 'T-OAK', name: 'Oak Ward', parentId: site2.id });
    const auditor = await api.createKey('auditor');
    const patch = (id: string, odsCode: string | null) =>
      api.request({ method: 'PATCH', url: `/v1/units/${id}`, payload: { odsCode } });
    t.equal((await patch(trust.id, 'rxx')).json().odsCode, 'RXX', 'stored in capitals');
    const served = (await api.request({ method: 'GET', url: '/openapi.json', key: null })).json();
    const documented = served.components.schemas.UpdateUnitInput.properties.odsCode.anyOf[0].pattern;
    t.ok(
      new RegExp(documented).test('rxx') && !new RegExp(documented).test('R-1'),
      'the OpenAPI pattern takes the lower case the service takes',
    );
    t.equal((await patch(site.id, 'RXX01')).statusCode, 200);
    t.equal((await patch(willow.id, 'RXX0W')).statusCode, 200);
    t.match((await patch(ash.id, 'RXX01')).json(), { type: /conflict/, status: 409 }, 'one unit per code');
    t.equal((await patch(ash.id, 'R-1')).statusCode, 400, 'not an ODS-shaped code');
    t.equal((await patch(ash.id, 'RXXABCD')).statusCode, 400, 'too long');

    await responses(api, willow.id, { very_good: 2, dont_know: 1 }, { collectionMode: 'sms' }); // own code RXX0W
    await responses(api, willow.id, { good: 1 }, { collectionMode: 'paper' });
    await responses(api, ash.id, { poor: 1, good: 1 }, { collectionMode: 'sms' }); // no code: its site's RXX01
    await responses(api, oak.id, { very_poor: 1 }, { collectionMode: 'kiosk' }); // no code, nor Hillside: the trust's RXX
    await responses(api, oak.id, { neither_good_nor_poor: 1 }); // no collection mode
    const csv = parseCsv(
      (await api.request({ method: 'GET', url: '/v1/reports/fft/return?month=2026-03', key: auditor })).body,
    );
    t.same(csv, [
      [
        'month',
        'odsCode',
        'unitCode',
        'unitName',
        'collectionMode',
        'veryGood',
        'good',
        'neitherGoodNorPoor',
        'poor',
        'veryPoor',
        'dontKnow',
        'total',
      ],
      ['2026-03', 'RXX', 'T-TRUST', 'Test Trust', 'kiosk', '0', '0', '0', '0', '1', '0', '1'],
      ['2026-03', 'RXX', 'T-TRUST', 'Test Trust', 'not_recorded', '0', '0', '1', '0', '0', '0', '1'],
      ['2026-03', 'RXX01', 'T-SITE', 'Riverside', 'sms', '0', '1', '0', '1', '0', '0', '2'],
      ['2026-03', 'RXX0W', 'T-WILLOW', 'Willow Ward', 'sms', '2', '0', '0', '0', '0', '1', '3'],
      ['2026-03', 'RXX0W', 'T-WILLOW', 'Willow Ward', 'paper', '0', '1', '0', '0', '0', '0', '1'],
    ]);
    const byUnit = (await report(api, `${period}&groupBy=unit&unitId=${site.id}`, auditor)).json();
    t.same(
      byUnit.groups.map((g: { unitCode: string; odsCode: string | null }) => [g.unitCode, g.odsCode]),
      [
        ['T-ASH', null],
        ['T-WILLOW', 'RXX0W'],
      ],
      'the FFT report names each unit’s own ODS code',
    );
    const scoped = await api.createKey('auditor', site.id);
    const scopedCsv = parseCsv(
      (await api.request({ method: 'GET', url: '/v1/reports/fft/return?month=2026-03', key: scoped })).body,
    );
    t.same(
      scopedCsv.slice(1).map((row) => row[1]),
      ['RXX01', 'RXX0W', 'RXX0W'],
      'a scoped key returns its own subtree',
    );
  },
);

t.test('a correction by PATCH changes the report; asOf before it still gives the old figures', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const auditor = await api.createKey('auditor');
  const staff = await api.createKey('staff');
  await responses(api, ward.id, { very_good: 7 });
  const [wrong] = await responses(api, ward.id, { very_good: 1 });
  const before = new Date().toISOString();
  const first = (await report(api, period, auditor)).json();
  t.match(first.totals, { veryGood: 8, veryPoor: 0, positivePercent: 100, negativePercent: 0 });

  const item = await api.request({ method: 'GET', url: `/v1/feedback/${wrong}`, key: staff });
  t.equal(item.json().fftRating, 'very_good');
  const patched = await api.request({
    method: 'PATCH',
    url: `/v1/feedback/${wrong}`,
    key: staff,
    headers: { 'if-match': item.headers.etag as string },
    payload: { fftRating: 'very_poor', collectionMode: 'paper' },
  });
  t.equal(patched.statusCode, 200, patched.body);
  t.match(patched.json(), { fftRating: 'very_poor', collectionMode: 'paper' });

  // Now 7 of 8 positive = 87.5 %, 1 of 8 negative = 12.5 %.
  const now = (await report(api, period, auditor)).json();
  t.match(now.totals, { veryGood: 7, veryPoor: 1, positivePercent: 87.5, negativePercent: 12.5 });
  const then = (await report(api, `${period}&asOf=${encodeURIComponent(before)}`, auditor)).json();
  t.same(then.totals, first.totals, 'asOf before the correction reproduces the first run exactly');

  const audit = await api.request({
    method: 'GET',
    url: `/v1/audit?entityType=feedback&entityId=${wrong}`,
    key: auditor,
  });
  const updated = audit.json().items.find((event: { action: string }) => event.action === 'updated');
  t.match(updated?.details, {
    fields: ['collectionMode', 'fftRating'],
    fftRating: { from: 'very_good', to: 'very_poor' },
    collectionMode: { from: null, to: 'paper' },
  });

  const cleared = await api.request({
    method: 'PATCH',
    url: `/v1/feedback/${wrong}`,
    key: staff,
    headers: { 'if-match': patched.headers.etag as string },
    payload: { fftRating: null },
  });
  t.equal(cleared.statusCode, 400, 'a rating-only response keeps a rating');
  t.match(cleared.json().errors, [{ path: '/fftRating' }]);

  // The database holds the rules whatever code writes: the history is never rewritten, and an item
  // needs its text or a rating.
  const history = await api.sql<{ fft_rating: string; collection_mode: string | null }>(
    sql`select fft_rating, collection_mode from feedback_fft_history where feedback_id = ${wrong} order by id`,
  );
  t.same(history, [
    { fft_rating: 'very_good', collection_mode: null },
    { fft_rating: 'very_poor', collection_mode: 'paper' },
  ]);
  await t.rejects(api.sql(sql`update feedback_fft_history set fft_rating = 'good' where feedback_id = ${wrong}`));
  await t.rejects(api.sql(sql`delete from feedback_fft_history where feedback_id = ${wrong}`));
  await t.rejects(
    api.sql(sql`update feedback_items set fft_rating = null where id = ${wrong}`),
    'a rating alone cannot be cleared in the database either',
  );
});
