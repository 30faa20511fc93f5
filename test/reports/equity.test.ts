import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { type ItemSpec, insertItems, parseCsv, plusDays } from './fixtures.js';

/*
 * 34 items on one ward, received from 2026-02-01 (one an hour), due 28 days later; closed items are
 * closed "not actioned" after the days shown. Equality answers (ethnic group, sex):
 *
 *  block  n  ethnicGroup          sex                  closed                    within target
 *  G1     7  white_british        female               yes, after 3 days         yes
 *  G2     3  white_british        male                 no
 *  G3     3  asian_indian         female               yes, after 5 days         yes
 *  G4     3  asian_indian         prefer_not_to_say    no
 *  G5     3  black_african        female               yes, after 7 days         yes
 *  G6     6  prefer_not_to_say    prefer_not_to_say    yes, after 2 days         yes
 *  G7     2  prefer_not_to_say    male                 no
 *  G8     7  (no answers at all)  (none)               5 yes after 40 days, 2 no no (late)
 *
 * Totals: received 34, closed 7 + 3 + 3 + 6 + 5 = 24, closed within target 19.
 */
async function setUp(t: { teardown(fn: () => unknown): void }) {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const specs: ItemSpec[] = [];
  let hour = 0;
  const block = (
    n: number,
    equality: Record<string, string> | null,
    closeAfterDays: number | null,
    closedCount = n,
  ) => {
    for (let i = 0; i < n; i++) {
      const receivedAt = new Date(Date.UTC(2026, 1, 1, hour++)).toISOString();
      const closes = closeAfterDays !== null && i < closedCount;
      specs.push({
        unitId: ward.id,
        receivedAt,
        ...(equality ? { equality } : {}),
        history: closes ? [{ to: 'not_actioned', at: plusDays(receivedAt, closeAfterDays) }] : [],
      });
    }
  };
  block(7, { ethnicGroup: 'white_british', sex: 'female' }, 3);
  block(3, { ethnicGroup: 'white_british', sex: 'male' }, null);
  block(3, { ethnicGroup: 'asian_indian', sex: 'female' }, 5);
  block(3, { ethnicGroup: 'asian_indian', sex: 'prefer_not_to_say' }, null);
  block(3, { ethnicGroup: 'black_african', sex: 'female' }, 7);
  block(6, { ethnicGroup: 'prefer_not_to_say', sex: 'prefer_not_to_say' }, 2);
  block(2, { ethnicGroup: 'prefer_not_to_say', sex: 'male' }, null);
  block(7, null, 40, 5);
  await insertItems(api.app.db, specs);
  return { api, ward };
}

const query = 'from=2026-01-01&to=2026-07-01&asOf=2026-06-01T00:00:00Z';

t.test('equity report: primary and secondary suppression of received', async (t) => {
  const { api } = await setUp(t);
  const auditor = await api.createKey('auditor');
  const response = await api.request({
    method: 'GET',
    url: `/v1/reports/equity?${query}&characteristic=ethnicGroup`,
    key: auditor,
  });
  t.equal(response.statusCode, 200);
  const report = response.json();
  t.equal(report.characteristic, 'ethnicGroup');
  t.same(report.totals, {
    received: 34,
    closed: 24,
    closureRate: 24 / 34,
    closedWithinTargetRate: 19 / 24,
    medianDaysToClose: 3, // 24 values: 6 × 2, 7 × 3, 3 × 5, 3 × 7, 5 × 40 → the 12th and 13th are both 3
    suppressed: false,
  });
  const withheld = {
    received: null,
    closed: null,
    closureRate: null,
    closedWithinTargetRate: null,
    medianDaysToClose: null,
    suppressed: true,
  };
  t.same(report.groups, [
    // 6 received, so shown on its own, but it is the smallest group beside black_african's 3: were it
    // shown, 34 − 10 − 8 − 7 − 6 would give black_african's 3 away. Secondary suppression withholds it.
    { key: 'asian_indian', ...withheld },
    { key: 'black_african', ...withheld }, // 3 people: primary suppression
    {
      key: 'not_recorded',
      received: 7,
      closed: 5,
      closureRate: 5 / 7,
      closedWithinTargetRate: null,
      medianDaysToClose: 40,
      suppressed: true,
    }, // none closed within target (0 < 5)
    {
      key: 'prefer_not_to_say',
      received: 8,
      closed: 6,
      closureRate: 6 / 8,
      closedWithinTargetRate: 1,
      medianDaysToClose: 2,
      suppressed: false,
    },
    {
      key: 'white_british',
      received: 10,
      closed: 7,
      closureRate: 7 / 10,
      closedWithinTargetRate: 1,
      medianDaysToClose: 3,
      suppressed: false,
    },
  ]);
});

t.test('equity report: secondary suppression of closed', async (t) => {
  const { api } = await setUp(t);
  const response = await api.request({ method: 'GET', url: `/v1/reports/equity?${query}&characteristic=sex` });
  t.equal(response.statusCode, 200);
  const { groups, totals } = response.json();
  t.match(totals, { received: 34, closed: 24, suppressed: false });
  // Every group has 5 or more people, so every `received` is shown. Male has 5 received and 0 closed:
  // its closed cell is withheld; the smallest other closed cell (not_recorded, 5) is withheld too,
  // otherwise 24 − 13 − 6 − 5 would give male's 0 away.
  t.same(groups, [
    {
      key: 'female',
      received: 13,
      closed: 13,
      closureRate: 1,
      closedWithinTargetRate: 1,
      medianDaysToClose: 3,
      suppressed: false,
    },
    {
      key: 'male',
      received: 5,
      closed: null,
      closureRate: null,
      closedWithinTargetRate: null,
      medianDaysToClose: null,
      suppressed: true,
    },
    {
      key: 'not_recorded',
      received: 7,
      closed: null,
      closureRate: null,
      closedWithinTargetRate: null,
      medianDaysToClose: null,
      suppressed: true,
    },
    {
      key: 'prefer_not_to_say',
      received: 9,
      closed: 6,
      closureRate: 6 / 9,
      closedWithinTargetRate: 1,
      medianDaysToClose: 2,
      suppressed: false,
    },
  ]);
  // female: 7 × 3 days, 3 × 5, 3 × 7 → the 7th of 13 is 3.

  const csv = await api.request({ method: 'GET', url: `/v1/reports/equity?${query}&characteristic=sex&format=csv` });
  t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
  const rows = parseCsv(csv.body);
  t.same(rows[0], [
    'key',
    'received',
    'closed',
    'closureRate',
    'closedWithinTargetRate',
    'medianDaysToClose',
    'suppressed',
  ]);
  t.same(rows[2], ['male', '5', '', '', '', '', 'true'], 'withheld cells are empty');
  t.same(rows.at(-1), ['total', '34', '24', String(24 / 34), String(19 / 24), '3', 'false']);
});

t.test('equity report: a small total is withheld too, and only auditors and admins may read it', async (t) => {
  const { api, ward } = await setUp(t);
  const few = await api.request({
    method: 'GET',
    url: `/v1/reports/equity?from=2026-02-01T00:00:00Z&to=2026-02-01T03:00:00Z&asOf=2026-06-01T00:00:00Z&characteristic=sex`,
  });
  t.equal(few.statusCode, 200);
  t.same(few.json().totals, {
    received: null,
    closed: null,
    closureRate: null,
    closedWithinTargetRate: null,
    medianDaysToClose: null,
    suppressed: true,
  });
  t.same(
    few.json().groups.map((g: { key: string; suppressed: boolean }) => [g.key, g.suppressed]),
    [['female', true]],
  );

  for (const role of ['staff', 'intake', 'display']) {
    const key = await api.createKey(role);
    const response = await api.request({ method: 'GET', url: `/v1/reports/equity?${query}&characteristic=sex`, key });
    t.equal(response.statusCode, 403, `${role} may not read the equity report`);
  }
  const scoped = await api.createKey('auditor', ward.id);
  const ok = await api.request({ method: 'GET', url: `/v1/reports/equity?${query}&characteristic=sex`, key: scoped });
  t.equal(ok.statusCode, 200);
  t.equal(ok.json().totals.received, 34);

  const unknown = await api.request({ method: 'GET', url: `/v1/reports/equity?${query}&characteristic=shoeSize` });
  t.equal(unknown.statusCode, 400);
});
