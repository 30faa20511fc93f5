import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { insertActions, insertItems, parseCsv, plusDays } from './fixtures.js';

/*
 * Hand-built fixture. Period [2026-01-01, 2026-07-01), asOf 2026-06-01T00:00Z; due = received + 28 days.
 *
 *  item  unit    received    themes            history (after `received` at receipt)         at asOf 2026-06-01
 *  W1    Willow  01-10       food              actioned by COP action at +2d                 closed, 2 d, in target, co-produced
 *  W2    Willow  01-20       food, visiting    not_actioned at +4d                           closed, 4 d, in target
 *  W3    Willow  02-01       visiting          in_review +1d, actioned by INV action +10d    closed, 10 d, in target
 *  W4    Willow  02-15       —                 actioned by COP action at +30d (03-17)        closed, 30 d, LATE (due 03-15), co-produced
 *  W5    Willow  03-01       food              not_actioned +1d, reopened (in_review) +5d    open, overdue (due 03-29)
 *  W6    Willow  03-10       safety            —                                             open, overdue (due 04-07)
 *  W7    Willow  05-20       food              —                                             open, not yet due (06-17)
 *  W8    Willow  04-01       —                 in_review +1d, actioned 06-10 (after asOf)    open at asOf, overdue (due 04-29)
 *  A1    Ash     03-05       visiting          actioned by COP action at +6d                 closed, 6 d, in target, co-produced
 *  A0    Ash     2025-12-31  food              actioned +1d                                  before `from`: not counted
 *  A9    Ash     06-05       food              —                                             after asOf: not counted
 */
const asOf = '2026-06-01T00:00:00.000Z';
const period = `from=2026-01-01&to=2026-07-01&asOf=${encodeURIComponent(asOf)}`;

async function setUp(t: { teardown(fn: () => unknown): void }) {
  const api = await buildTestApp(t);
  const tree = await createTree(api);
  const { ward: willow, otherWard: ash } = tree;
  const [cop, inv] = await insertActions(api.app.db, [
    { unitId: willow.id, level: 'co_producing', completedAt: '2026-01-12T00:00:00Z' },
    { unitId: willow.id, level: 'involving', completedAt: '2026-02-11T00:00:00Z' },
  ]);
  const [copAsh] = await insertActions(api.app.db, [
    { unitId: ash.id, level: 'co_producing', completedAt: '2026-03-11T00:00:00Z' },
  ]);
  const w = (received: string) => `2026-${received}T09:00:00.000Z`;
  await insertItems(api.app.db, [
    {
      unitId: willow.id,
      receivedAt: w('01-10'),
      kind: 'compliment',
      themes: ['food'],
      history: [{ to: 'actioned', at: plusDays(w('01-10'), 2), actionId: cop }],
    },
    {
      unitId: willow.id,
      receivedAt: w('01-20'),
      kind: 'complaint',
      themes: ['food', 'visiting'],
      history: [{ to: 'not_actioned', at: plusDays(w('01-20'), 4) }],
    },
    {
      unitId: willow.id,
      receivedAt: w('02-01'),
      themes: ['visiting'],
      history: [
        { to: 'in_review', at: plusDays(w('02-01'), 1) },
        { to: 'actioned', at: plusDays(w('02-01'), 10), actionId: inv },
      ],
    },
    {
      unitId: willow.id,
      receivedAt: w('02-15'),
      history: [{ to: 'actioned', at: plusDays(w('02-15'), 30), actionId: cop }],
    },
    {
      unitId: willow.id,
      receivedAt: w('03-01'),
      themes: ['food'],
      history: [
        { to: 'not_actioned', at: plusDays(w('03-01'), 1) },
        { to: 'in_review', at: plusDays(w('03-01'), 5) },
      ],
    },
    { unitId: willow.id, receivedAt: w('03-10'), themes: ['safety'] },
    { unitId: willow.id, receivedAt: w('05-20'), themes: ['food'] },
    {
      unitId: willow.id,
      receivedAt: w('04-01'),
      history: [
        { to: 'in_review', at: plusDays(w('04-01'), 1) },
        { to: 'actioned', at: '2026-06-10T00:00:00.000Z', actionId: inv },
      ],
    },
    {
      unitId: ash.id,
      receivedAt: w('03-05'),
      kind: null,
      themes: ['visiting'],
      history: [{ to: 'actioned', at: plusDays(w('03-05'), 6), actionId: copAsh }],
    },
    {
      unitId: ash.id,
      receivedAt: '2025-12-31T09:00:00.000Z',
      themes: ['food'],
      history: [{ to: 'actioned', at: '2026-01-01T09:00:00.000Z', actionId: copAsh }],
    },
    { unitId: ash.id, receivedAt: w('06-05'), themes: ['food'] },
  ]);
  return { api, ...tree };
}

t.test('closure report: totals at a fixed asOf, worked out by hand', async (t) => {
  const { api } = await setUp(t);
  const auditor = await api.createKey('auditor');
  const response = await api.request({ method: 'GET', url: `/v1/reports/closure?${period}`, key: auditor });
  t.equal(response.statusCode, 200);
  const report = response.json();
  t.same(report.period, {
    from: '2026-01-01T00:00:00.000Z',
    to: '2026-07-01T00:00:00.000Z',
    asOf,
    unitId: null,
  });
  t.equal(report.groupBy, null);
  t.same(report.groups, []);
  // Days to close of the 5 closed items: 2, 4, 6, 10, 30 (odd count).
  // median = the 3rd value = 6; p90 at position 1 + 0.9 × 4 = 4.6 → 10 + 0.6 × (30 − 10) = 22.
  t.same(report.totals, {
    received: 9,
    open: 4, // W5 (reopened), W6, W7, W8 (closed only after asOf)
    overdue: 3, // W5, W6, W8; W7 is not due until 06-17
    closed: 5,
    actioned: 4,
    notActioned: 1,
    closureRate: 5 / 9,
    closedWithinTargetRate: 4 / 5, // W4 closed two days late
    medianDaysToClose: 6,
    p90DaysToClose: 22,
    coproducedShare: 3 / 4, // W1, W4, A1 of the 4 actioned; W3 closed by an `involving` action
    // Nobody asked for a reply, and these items have no acknowledgeBy (written before the clock), so no
    // rate; each first move out of `received` acknowledged: W3, W5, W8 after 1 day, W1 2, W2 4, A1 6,
    // W4 30 (W6 and W7 never): the median of 1, 1, 1, 2, 4, 6, 30 is 2.
    repliesWanted: 0,
    answersDelivered: 0,
    acknowledgedWithinTargetRate: null,
    medianDaysToAcknowledge: 2,
    followUpYes: 0,
    followUpPartly: 0,
    followUpNo: 0,
    safeguardingFlagged: 0,
  });
});

t.test('closure report: grouped by unit, on an even count, with unit codes, names and ODS codes', async (t) => {
  const { api, ward, otherWard } = await setUp(t);
  const response = await api.request({ method: 'GET', url: `/v1/reports/closure?${period}&groupBy=unit` });
  t.equal(response.statusCode, 200);
  const { groups, totals } = response.json();
  t.equal(totals.received, 9, 'totals do not change with grouping');
  t.same(
    groups.map((g: { unitCode: string }) => g.unitCode),
    ['T-ASH', 'T-WILLOW'],
    'ordered by unit code',
  );
  // Willow: days 2, 4, 10, 30 (even count): median = (4 + 10) / 2 = 7;
  // p90 at position 1 + 0.9 × 3 = 3.7 → 10 + 0.7 × (30 − 10) = 24.
  t.same(groups[1], {
    key: ward.id,
    unitCode: 'T-WILLOW',
    unitName: 'Willow Ward',
    odsCode: null,
    received: 8,
    open: 4,
    overdue: 3,
    closed: 4,
    actioned: 3,
    notActioned: 1,
    closureRate: 4 / 8,
    closedWithinTargetRate: 3 / 4,
    medianDaysToClose: 7,
    p90DaysToClose: 24,
    coproducedShare: 2 / 3,
    repliesWanted: 0,
    answersDelivered: 0,
    acknowledgedWithinTargetRate: null,
    medianDaysToAcknowledge: 1.5, // 1, 1, 1, 2, 4, 30
    followUpYes: 0,
    followUpPartly: 0,
    followUpNo: 0,
    safeguardingFlagged: 0,
  });
  t.same(groups[0], {
    key: otherWard.id,
    unitCode: 'T-ASH',
    unitName: 'Ash Ward',
    odsCode: null,
    received: 1,
    open: 0,
    overdue: 0,
    closed: 1,
    actioned: 1,
    notActioned: 0,
    closureRate: 1,
    closedWithinTargetRate: 1,
    medianDaysToClose: 6,
    p90DaysToClose: 6,
    coproducedShare: 1,
    repliesWanted: 0,
    answersDelivered: 0,
    acknowledgedWithinTargetRate: null,
    medianDaysToAcknowledge: 6,
    followUpYes: 0,
    followUpPartly: 0,
    followUpNo: 0,
    safeguardingFlagged: 0,
  });
});

t.test('closure report: asOf rebuilds the past from the status history', async (t) => {
  const { api } = await setUp(t);
  // asOf 2026-02-05: W1, W2, W3 received; W3 closes only on 02-11, so it is open (and not yet due).
  const early = await api.request({
    method: 'GET',
    url: '/v1/reports/closure?from=2026-01-01&to=2026-07-01&asOf=2026-02-05T00:00:00Z',
  });
  t.equal(early.statusCode, 200);
  t.match(early.json().totals, {
    received: 3,
    open: 1,
    overdue: 0,
    closed: 2,
    actioned: 1,
    notActioned: 1,
    medianDaysToClose: 3, // (2 + 4) / 2
    p90DaysToClose: 3.8, // 2 + 0.9 × (4 − 2)
    coproducedShare: 1,
  });

  // asOf 2026-03-04: W5 was closed (not actioned) on 03-02 and only reopened on 03-06, so it counts as
  // closed; W4 (closed 03-17) is open and not yet overdue (due 03-15); A1 (received 03-05) is not in yet.
  const beforeReopen = await api.request({
    method: 'GET',
    url: '/v1/reports/closure?from=2026-01-01&to=2026-07-01&asOf=2026-03-04T00:00:00Z',
  });
  // Days: 2, 4, 10 and W5's 1 → sorted 1, 2, 4, 10: median 3; p90 at 3.7 → 4 + 0.7 × 6 = 8.2.
  t.match(beforeReopen.json().totals, {
    received: 5,
    open: 1,
    overdue: 0,
    closed: 4,
    actioned: 2,
    notActioned: 2,
    closureRate: 4 / 5,
    medianDaysToClose: 3,
    p90DaysToClose: 8.2,
  });

  // The same question asked again gives the same answer: the report does not read today's status.
  const again = await api.request({
    method: 'GET',
    url: '/v1/reports/closure?from=2026-01-01&to=2026-07-01&asOf=2026-03-04T00:00:00Z',
  });
  // All but how fresh the data is, which moves with every request.
  t.same({ ...again.json(), dataAsOf: null }, { ...beforeReopen.json(), dataAsOf: null });
});

t.test('closure report: an empty period has null rates, not 0', async (t) => {
  const { api } = await setUp(t);
  const response = await api.request({
    method: 'GET',
    url: '/v1/reports/closure?from=2020-01-01&to=2020-02-01&asOf=2026-06-01T00:00:00Z&groupBy=month',
  });
  t.equal(response.statusCode, 200);
  t.same(response.json().totals, {
    received: 0,
    open: 0,
    overdue: 0,
    closed: 0,
    actioned: 0,
    notActioned: 0,
    closureRate: null,
    closedWithinTargetRate: null,
    medianDaysToClose: null,
    p90DaysToClose: null,
    coproducedShare: null,
    repliesWanted: 0,
    answersDelivered: 0,
    acknowledgedWithinTargetRate: null,
    medianDaysToAcknowledge: null,
    followUpYes: 0,
    followUpPartly: 0,
    followUpNo: 0,
    safeguardingFlagged: 0,
  });
  t.same(response.json().groups, []);

  const backwards = await api.request({ method: 'GET', url: '/v1/reports/closure?from=2026-02-01&to=2026-01-01' });
  t.equal(backwards.statusCode, 400);
  t.equal(backwards.json().errors[0].path, '/from');
});

t.test('closure report: grouped by month and by theme, and filtered', async (t) => {
  const { api } = await setUp(t);
  const byMonth = await api.request({ method: 'GET', url: `/v1/reports/closure?${period}&groupBy=month` });
  t.same(
    byMonth
      .json()
      .groups.map((g: { key: string; received: number; closed: number; overdue: number }) => [
        g.key,
        g.received,
        g.closed,
        g.overdue,
      ]),
    [
      ['2026-01', 2, 2, 0],
      ['2026-02', 2, 2, 0],
      ['2026-03', 3, 1, 2],
      ['2026-04', 1, 0, 1],
      ['2026-05', 1, 0, 0],
    ],
  );

  const byTheme = await api.request({ method: 'GET', url: `/v1/reports/closure?${period}&groupBy=theme` });
  const themeGroups = byTheme.json().groups;
  // An item counts in each of its themes: W2 is in both food and visiting, so the groups add up to 10.
  t.same(
    themeGroups.map((g: { key: string; received: number; closed: number }) => [g.key, g.received, g.closed]),
    [
      ['food', 4, 2],
      ['not_recorded', 2, 1],
      ['safety', 1, 0],
      ['visiting', 3, 3],
    ],
  );
  t.equal(byTheme.json().totals.received, 9, 'totals count each item once');
  t.equal(themeGroups[3].medianDaysToClose, 6, 'visiting: 4, 6, 10 days');

  const food = await api.request({ method: 'GET', url: `/v1/reports/closure?${period}&theme=food` });
  t.match(food.json().totals, { received: 4, closed: 2, open: 2, overdue: 1 });

  const byKind = await api.request({ method: 'GET', url: `/v1/reports/closure?${period}&groupBy=kind` });
  t.same(
    byKind.json().groups.map((g: { key: string; received: number }) => [g.key, g.received]),
    [
      ['complaint', 1],
      ['compliment', 1],
      ['not_recorded', 1],
      ['suggestion', 6],
    ],
  );
  const compliments = await api.request({ method: 'GET', url: `/v1/reports/closure?${period}&kind=compliment` });
  t.match(compliments.json().totals, { received: 1, actioned: 1, coproducedShare: 1 });
});

t.test('closure report: CSV by Accept header or format=csv, parsed back', async (t) => {
  const { api, otherWard } = await setUp(t);
  await api.request({
    method: 'PATCH',
    url: `/v1/units/${otherWard.id}`,
    payload: { name: 'Ash, "North" Ward', odsCode: 'RXX02' },
  });
  const response = await api.request({
    method: 'GET',
    url: `/v1/reports/closure?${period}&groupBy=unit`,
    headers: { accept: 'text/csv' },
  });
  t.equal(response.statusCode, 200);
  t.equal(response.headers['content-type'], 'text/csv; charset=utf-8');
  t.match(response.headers['content-disposition'], /^attachment; filename="closure-report-2026-06-01\.csv"$/);
  t.match(response.body, /"Ash, ""North"" Ward"/, 'a comma and quotes are quoted the RFC 4180 way');
  const rows = parseCsv(response.body);
  t.same(rows[0], [
    'key',
    'unitCode',
    'unitName',
    'odsCode',
    'received',
    'open',
    'overdue',
    'closed',
    'actioned',
    'notActioned',
    'closureRate',
    'closedWithinTargetRate',
    'medianDaysToClose',
    'p90DaysToClose',
    'coproducedShare',
    'repliesWanted',
    'answersDelivered',
    'acknowledgedWithinTargetRate',
    'medianDaysToAcknowledge',
    'followUpYes',
    'followUpPartly',
    'followUpNo',
    'safeguardingFlagged',
  ]);
  t.equal(rows.length, 3, 'a header and one row per group');
  t.same(rows[1], [
    otherWard.id,
    'T-ASH',
    'Ash, "North" Ward',
    'RXX02',
    '1',
    '0',
    '0',
    '1',
    '1',
    '0',
    '1',
    '1',
    '6',
    '6',
    '1',
    '0',
    '0',
    '',
    '6',
    '0',
    '0',
    '0',
    '0',
  ]);
  t.same(rows[2]?.slice(1, 15), [
    'T-WILLOW',
    'Willow Ward',
    '',
    '8',
    '4',
    '3',
    '4',
    '3',
    '1',
    '0.5',
    '0.75',
    '7',
    '24',
    String(2 / 3),
  ]);

  const totalsOnly = await api.request({
    method: 'GET',
    url: '/v1/reports/closure?from=2020-01-01&to=2020-02-01&format=csv',
  });
  t.equal(totalsOnly.statusCode, 200);
  t.same(parseCsv(totalsOnly.body), [
    [
      'received',
      'open',
      'overdue',
      'closed',
      'actioned',
      'notActioned',
      'closureRate',
      'closedWithinTargetRate',
      'medianDaysToClose',
      'p90DaysToClose',
      'coproducedShare',
      'repliesWanted',
      'answersDelivered',
      'acknowledgedWithinTargetRate',
      'medianDaysToAcknowledge',
      'followUpYes',
      'followUpPartly',
      'followUpNo',
      'safeguardingFlagged',
    ],
    ['0', '0', '0', '0', '0', '0', '', '', '', '', '', '0', '0', '', '', '0', '0', '0', '0'],
  ]);

  const json = await api.request({
    method: 'GET',
    url: `/v1/reports/closure?${period}&format=json`,
    headers: { accept: 'text/csv' },
  });
  t.match(json.headers['content-type'], /^application\/json/, 'format=json wins over Accept');
});

t.test('closure report: roles and unit scope', async (t) => {
  const { api, trust, site, ward, otherWard } = await setUp(t);
  for (const role of ['intake', 'display']) {
    const key = await api.createKey(role);
    const response = await api.request({ method: 'GET', url: `/v1/reports/closure?${period}`, key });
    t.equal(response.statusCode, 403, `${role} may not read reports`);
  }
  const staff = await api.createKey('staff');
  t.equal((await api.request({ method: 'GET', url: `/v1/reports/closure?${period}`, key: staff })).statusCode, 200);
  t.equal((await api.request({ method: 'GET', url: `/v1/reports/closure?${period}`, key: null })).statusCode, 401);

  const auditor = await api.createKey('auditor');
  for (const unit of [trust, site]) {
    const response = await api.request({
      method: 'GET',
      url: `/v1/reports/closure?${period}&unitId=${unit.id}`,
      key: auditor,
    });
    t.equal(response.json().totals.received, 9, 'a unit counts its whole subtree');
  }
  const willowOnly = await api.request({ method: 'GET', url: `/v1/reports/closure?${period}&unitId=${ward.id}` });
  t.equal(willowOnly.json().totals.received, 8);
  t.equal(willowOnly.json().period.unitId, ward.id);

  const ashAuditor = await api.createKey('auditor', otherWard.id);
  const scoped = await api.request({
    method: 'GET',
    url: `/v1/reports/closure?${period}&groupBy=unit`,
    key: ashAuditor,
  });
  t.equal(scoped.statusCode, 200);
  t.equal(scoped.json().totals.received, 1, 'a scoped key sees its own subtree by default');
  t.equal(scoped.json().period.unitId, otherWard.id);
  t.same(
    scoped.json().groups.map((g: { unitCode: string }) => g.unitCode),
    ['T-ASH'],
  );
  const outside = await api.request({
    method: 'GET',
    url: `/v1/reports/closure?${period}&unitId=${ward.id}`,
    key: ashAuditor,
  });
  t.equal(outside.statusCode, 404, 'a unit outside the key’s scope is not found');
  const above = await api.request({
    method: 'GET',
    url: `/v1/reports/closure?${period}&unitId=${trust.id}`,
    key: ashAuditor,
  });
  t.equal(above.statusCode, 404, 'nor is an ancestor of the key’s unit');
});

t.test('themes report: per theme and month against the month before', async (t) => {
  const { api } = await setUp(t);
  const response = await api.request({
    method: 'GET',
    url: `/v1/reports/themes?from=2026-02-01&to=2026-06-01&asOf=${encodeURIComponent(asOf)}`,
  });
  t.equal(response.statusCode, 200);
  // January is read only for February's comparison (food: W1, W2; visiting: W2).
  t.same(
    response
      .json()
      .rows.map((r: Record<string, unknown>) => [
        r.month,
        r.theme,
        r.received,
        r.closed,
        r.closedShare,
        r.previousReceived,
        r.change,
        r.changeRatio,
      ]),
    [
      ['2026-02', 'visiting', 1, 1, 1, 1, 0, 1], // W3
      ['2026-02', 'food', 0, 0, null, 2, -2, 0], // none after W1, W2 in January
      ['2026-03', 'food', 1, 0, 0, 0, 1, null], // W5, reopened
      ['2026-03', 'safety', 1, 0, 0, 0, 1, null], // W6
      ['2026-03', 'visiting', 1, 1, 1, 1, 0, 1], // A1
      ['2026-04', 'food', 0, 0, null, 1, -1, 0],
      ['2026-04', 'safety', 0, 0, null, 1, -1, 0],
      ['2026-04', 'visiting', 0, 0, null, 1, -1, 0],
      ['2026-05', 'food', 1, 0, 0, 0, 1, null], // W7
    ],
  );
  const csv = await api.request({
    method: 'GET',
    url: `/v1/reports/themes?from=2026-02-01&to=2026-06-01&asOf=${encodeURIComponent(asOf)}&format=csv`,
  });
  const rows = parseCsv(csv.body);
  t.same(rows[0], ['theme', 'month', 'received', 'closed', 'closedShare', 'previousReceived', 'change', 'changeRatio']);
  t.same(rows[2], ['food', '2026-02', '0', '0', '', '2', '-2', '0']);
  t.equal(rows.length, 10);
});

t.test('the OpenAPI document carries the definitions and the CSV answer', async (t) => {
  const api = await buildTestApp(t);
  const doc = (await api.request({ method: 'GET', url: '/openapi.json', key: null })).json();
  const closure = doc.paths['/v1/reports/closure'].get;
  t.match(closure.description, /percentile_cont/);
  t.ok(closure.responses['200'].content['text/csv'], 'CSV is documented');
  t.ok(closure.responses['200'].content['application/json'], 'JSON is documented');
  t.match(doc.paths['/v1/reports/equity'].get.description, /Secondary suppression/);
});

t.test('closure report: Accept is negotiated with its weights and wildcards', async (t) => {
  const { api } = await setUp(t);
  const typeFor = async (accept: string) =>
    (await api.request({ method: 'GET', url: `/v1/reports/closure?${period}`, headers: { accept } })).headers[
      'content-type'
    ];
  t.match(await typeFor('application/json, text/csv;q=0.5'), /^application\/json/, 'JSON preferred');
  t.match(await typeFor('application/json;q=0.2, text/csv'), /^text\/csv/, 'CSV preferred');
  t.match(await typeFor('text/*'), /^text\/csv/);
  t.match(await typeFor('*/*'), /^application\/json/);
  t.match(await typeFor('text/csv;q=0, application/json'), /^application\/json/, 'q=0 means not acceptable');
});
