import t from 'tap';
import { buildTestApp, createTree, type TestApp } from '../helpers/app.js';
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
 *
 * Disclosure control: counts 0–7 withheld, others rounded to the nearest 5; rates from the rounded
 * counts. So the totals show received 35, closed 25, closed within target 20.
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

const withheld = {
  received: null,
  closed: null,
  closureRate: null,
  closedWithinTargetRate: null,
  suppressed: true,
};

const ethnicGroups = [
  'asian_bangladeshi',
  'asian_chinese',
  'asian_indian',
  'asian_other',
  'asian_pakistani',
  'black_african',
  'black_caribbean',
  'black_other',
  'mixed_other',
  'mixed_white_asian',
  'mixed_white_black_african',
  'mixed_white_black_caribbean',
  'not_recorded',
  'other_any',
  'other_arab',
  'prefer_not_to_say',
  'white_british',
  'white_gypsy_irish_traveller',
  'white_irish',
  'white_other',
  'white_roma',
];

interface Group {
  key: string;
  received: number | null;
  closed: number | null;
  suppressed: boolean;
}

t.test('equity report: counts 0–7 withheld, others rounded to 5, rates from rounded counts', async (t) => {
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
  // 1 June 00:00 UTC is 01:00 in London (BST): back to that day's London midnight; `to` likewise.
  t.same(report.period, {
    from: '2026-01-01T00:00:00.000Z',
    to: '2026-06-30T23:00:00.000Z',
    asOf: '2026-05-31T23:00:00.000Z',
    unitId: null,
  });
  t.same(report.totals, {
    received: 35, // 34
    closed: 25, // 24
    closureRate: 25 / 35,
    closedWithinTargetRate: 20 / 25, // 19 → 20
    suppressed: false,
  });
  const byKey = new Map((report.groups as Group[]).map((group) => [group.key, group]));
  t.same([...byKey.keys()], ethnicGroups, 'every possible answer is listed, in key order, given or not');
  // white_british: 10 received (10), 7 closed (withheld). prefer_not_to_say: 8 received (→ 10), 6
  // closed (withheld). asian_indian 6, black_african 3, not_recorded 7: withheld; the other answers 0.
  t.same(byKey.get('white_british'), {
    key: 'white_british',
    received: 10,
    closed: null,
    closureRate: null,
    closedWithinTargetRate: null,
    suppressed: true,
  });
  t.same(byKey.get('prefer_not_to_say'), {
    key: 'prefer_not_to_say',
    received: 10,
    closed: null,
    closureRate: null,
    closedWithinTargetRate: null,
    suppressed: true,
  });
  for (const key of ethnicGroups.filter((k) => k !== 'white_british' && k !== 'prefer_not_to_say')) {
    t.same(byKey.get(key), { key, ...withheld }, `${key} is withheld`);
  }
});

t.test('equity report: rounding by sex, and CSV', async (t) => {
  const { api } = await setUp(t);
  const response = await api.request({ method: 'GET', url: `/v1/reports/equity?${query}&characteristic=sex` });
  t.equal(response.statusCode, 200);
  const { groups, totals } = response.json();
  t.match(totals, { received: 35, closed: 25, suppressed: false });
  // female 13 received, 13 closed, 13 within target → 15, 15, 15; male 5 and not_recorded 7 withheld;
  // prefer_not_to_say 9 received (→ 10) with 6 closed (withheld). Two groups are withheld in each
  // column, so no secondary suppression.
  t.same(groups, [
    { key: 'female', received: 15, closed: 15, closureRate: 1, closedWithinTargetRate: 1, suppressed: false },
    { key: 'male', ...withheld },
    { key: 'not_recorded', ...withheld },
    {
      key: 'prefer_not_to_say',
      received: 10,
      closed: null,
      closureRate: null,
      closedWithinTargetRate: null,
      suppressed: true,
    },
  ]);

  const csv = await api.request({ method: 'GET', url: `/v1/reports/equity?${query}&characteristic=sex&format=csv` });
  t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
  const rows = parseCsv(csv.body);
  t.same(rows[0], ['key', 'received', 'closed', 'closureRate', 'closedWithinTargetRate', 'suppressed']);
  t.same(rows[2], ['male', '', '', '', '', 'true'], 'withheld cells are empty');
  t.same(rows.at(-1), ['total', '35', '25', String(25 / 35), '0.8', 'false']);
});

t.test(
  'equity report: a small count in the totals is withheld too, and only auditors and admins may read it',
  async (t) => {
    const { api, ward } = await setUp(t);
    // 2 February (London) holds the last 10 items: 1 of G6 (closed), G7's 2, G8's 7 (5 closed).
    const few = await api.request({
      method: 'GET',
      url: '/v1/reports/equity?from=2026-02-02&to=2026-02-03&asOf=2026-06-01&characteristic=sex',
    });
    t.equal(few.statusCode, 200);
    t.same(few.json().totals, {
      received: 10,
      closed: null, // 6
      closureRate: null,
      closedWithinTargetRate: null,
      suppressed: true,
    });
    t.ok(
      few.json().groups.every((g: Group) => g.suppressed && g.received === null),
      'every group counts 0 to 7 people',
    );

    for (const role of ['staff', 'intake', 'display']) {
      const key = await api.createKey(role);
      const response = await api.request({ method: 'GET', url: `/v1/reports/equity?${query}&characteristic=sex`, key });
      t.equal(response.statusCode, 403, `${role} may not read the equity report`);
    }
    const scoped = await api.createKey('auditor', ward.id);
    const ok = await api.request({ method: 'GET', url: `/v1/reports/equity?${query}&characteristic=sex`, key: scoped });
    t.equal(ok.statusCode, 200);
    t.equal(ok.json().totals.received, 35);

    const unknown = await api.request({ method: 'GET', url: `/v1/reports/equity?${query}&characteristic=shoeSize` });
    t.equal(unknown.statusCode, 400);
  },
);

t.test('equity report: periods are whole London days, asOf never past today', async (t) => {
  const { api } = await setUp(t);
  const summer = await api.request({
    method: 'GET',
    url: '/v1/reports/equity?from=2026-06-10T12:34:56.789Z&to=2026-06-20T00:30:00%2B01:00&asOf=2099-01-01&characteristic=sex',
  });
  t.equal(summer.statusCode, 200);
  const { period } = summer.json();
  t.equal(period.from, '2026-06-09T23:00:00.000Z', '13:34 BST on 10 June → 00:00 BST that day');
  t.equal(period.to, '2026-06-19T23:00:00.000Z', '00:30 BST on 20 June → 00:00 BST that day');
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
  const startOfToday = new Date(`${today}T00:00:00Z`);
  t.ok(
    [startOfToday.getTime(), startOfToday.getTime() - 3_600_000].includes(Date.parse(period.asOf)),
    'a future asOf is the start of today in London',
  );
  const sameDay = await api.request({
    method: 'GET',
    url: '/v1/reports/equity?from=2026-02-01T00:00:00Z&to=2026-02-01T03:00:00Z&characteristic=sex',
  });
  t.equal(sameDay.statusCode, 400, 'a period inside one London day is refused');
  t.equal(sameDay.json().errors[0].path, '/to');
});

/** `n` items with these answers, one a day from `firstDay` at `time` (UTC; March 2026 is GMT). */
function daily(unitId: string, n: number, equality: Record<string, string>, firstDay: number, time: string) {
  return Array.from({ length: n }, (_, i) => ({
    unitId,
    receivedAt: `2026-03-${String(firstDay + i).padStart(2, '0')}T${time}Z`,
    equality,
  }));
}

async function equity(api: TestApp, params: string) {
  const response = await api.request({ method: 'GET', url: `/v1/reports/equity?${params}&asOf=2026-06-01` });
  if (response.statusCode !== 200) throw new Error(`equity: ${response.statusCode} ${response.body}`);
  return response.json() as { period: { to: string }; totals: unknown; groups: Group[] };
}

t.test('differencing: two reports whose periods differ by one item no longer show its group', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  // Before 20 March: 6 black_african, 23 white_british. Then one black_african item on 20 March at
  // 14:02 and one white_british item on 22 March; nothing else after 13 March.
  await insertItems(api.app.db, [
    ...daily(ward.id, 6, { ethnicGroup: 'black_african' }, 2, '10:00:00'),
    ...daily(ward.id, 12, { ethnicGroup: 'white_british' }, 2, '09:00:00'),
    ...daily(ward.id, 11, { ethnicGroup: 'white_british' }, 2, '11:00:00'),
    { unitId: ward.id, receivedAt: '2026-03-20T14:02:00Z', equality: { ethnicGroup: 'black_african' } },
    { unitId: ward.id, receivedAt: '2026-03-22T10:00:00Z', equality: { ethnicGroup: 'white_british' } },
  ]);
  const shown = (report: { groups: Group[] }, key: string) => report.groups.find((g) => g.key === key)?.received;

  // The reported attack: a period ending at the item's receivedAt, to the millisecond, against one
  // ending after it. It used to read black_african 7 against 6.
  const whole = await equity(api, 'from=2026-03-01&to=2026-04-01&characteristic=ethnicGroup');
  const cut = await equity(api, 'from=2026-03-01&to=2026-03-20T14:02:00Z&characteristic=ethnicGroup');
  t.equal(cut.period.to, '2026-03-20T00:00:00.000Z', 'the cut falls back to London midnight');
  t.equal(shown(whole, 'black_african'), null, 'black_african: 7 in the month, withheld');
  t.equal(shown(whole, 'white_british'), 25, 'white_british: 24, shown as 25');
  t.same(cut.groups, whole.groups, 'the cut report reads the same: black_african 6 withheld, white_british 23 → 25');
  t.same(cut.totals, whole.totals, 'totals 29 and 31, both shown as 30');

  // Whole days around each item: the two periods differ by exactly that one item.
  for (const [day, next, who] of [
    ['2026-03-20', '2026-03-21', 'black_african (7 → 6, both withheld)'],
    ['2026-03-22', '2026-03-23', 'white_british (24 → 23, both shown as 25)'],
  ] as const) {
    const without = await equity(api, `from=2026-03-01&to=${day}&characteristic=ethnicGroup`);
    const withIt = await equity(api, `from=2026-03-01&to=${next}&characteristic=ethnicGroup`);
    t.same(withIt.groups, without.groups, `no group tells the item apart: ${who}`);
    t.same(withIt.totals, without.totals, 'nor do the totals (29 → 30, 30 → 31: all shown as 30)');
  }
});

t.test('secondary suppression: the one withheld group cannot be read off the total', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const items = (n: number, equality: Record<string, string> | undefined, closes: boolean) =>
    Array.from({ length: n }, (_, i) => {
      const receivedAt = `2026-03-${String(2 + i).padStart(2, '0')}T10:00:00Z`;
      return {
        unitId: ward.id,
        receivedAt,
        ...(equality ? { equality } : {}),
        history: closes ? [{ to: 'not_actioned' as const, at: plusDays(receivedAt, 1) }] : [],
      };
    });
  // female 10 and male 10, all closed within target; 10 with no answer, open; prefer_not_to_say 3.
  await insertItems(api.app.db, [
    ...items(10, { sex: 'female' }, true),
    ...items(10, { sex: 'male' }, true),
    ...items(10, undefined, false),
    ...items(3, { sex: 'prefer_not_to_say' }, false),
  ]);
  const report = await equity(api, 'from=2026-03-01&to=2026-04-01&characteristic=sex');
  // received 33 → 35, closed 20, within target 20.
  t.same(report.totals, {
    received: 35,
    closed: 20,
    closureRate: 20 / 35,
    closedWithinTargetRate: 1,
    suppressed: false,
  });
  // prefer_not_to_say (3) is the one withheld `received`: the smallest shown group goes too; female,
  // male and not_recorded all show 10, so the first by key, female. In `closed` three are withheld then.
  t.same(report.groups, [
    { key: 'female', ...withheld },
    { key: 'male', received: 10, closed: 10, closureRate: 1, closedWithinTargetRate: 1, suppressed: false },
    {
      key: 'not_recorded',
      received: 10,
      closed: null,
      closureRate: null,
      closedWithinTargetRate: null,
      suppressed: true,
    },
    { key: 'prefer_not_to_say', ...withheld },
  ]);
});

t.test('each equity query is in the audit trail: who, what was asked, never the figures', async (t) => {
  const { api, ward } = await setUp(t);
  const auditor = await api.createKey('auditor', null, 'Equality lead');
  await api.request({
    method: 'GET',
    url: `/v1/reports/equity?${query}&characteristic=sex&unitId=${ward.id}&kind=complaint`,
    key: auditor,
  });
  const trail = await api.request({ method: 'GET', url: '/v1/audit?entityType=report' });
  const [event] = trail.json().items;
  t.match(event, { actorName: 'Equality lead', entityId: 'equity', action: 'queried' });
  t.same(event.details, {
    characteristic: 'sex',
    from: '2026-01-01T00:00:00.000Z',
    to: '2026-06-30T23:00:00.000Z',
    asOf: '2026-05-31T23:00:00.000Z',
    unitId: ward.id,
    kind: 'complaint',
  });
});
