import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t from 'tap';
import {
  actions,
  recommendationActions,
  recommendations,
  recommendationTransitions,
} from '../../src/db/schema/index.js';
import { buildTestApp, createTree } from '../helpers/app.js';

type Status = 'proposed' | 'accepted' | 'declined' | 'done';

t.test('the recommendations report, worked out by hand', async (t) => {
  const api = await buildTestApp(t);
  const db = api.app.db;
  const { site, ward: willow, otherWard: ash } = await createTree(api, 'RR');
  const action = async (unitId: string, done: boolean) => {
    const id = randomUUID();
    await db.insert(actions).values({
      id,
      unitId,
      title: 'An action',
      ...(done ? { status: 'completed' as const, outcome: 'Done', completedAt: new Date('2026-03-09T00:00:00Z') } : {}),
    });
    return id;
  };
  const specs: { unitId: string; created: string; steps: [Status, string][]; actionsDone?: boolean[] }[] = [
    // R1: answered after 2 days, done on 10 March.
    {
      unitId: willow.id,
      created: '2026-03-01T00:00:00Z',
      steps: [
        ['accepted', '2026-03-03T00:00:00Z'],
        ['done', '2026-03-10T00:00:00Z'],
      ],
      actionsDone: [true],
    },
    // R2: declined after 1.5 days.
    { unitId: willow.id, created: '2026-03-05T00:00:00Z', steps: [['declined', '2026-03-06T12:00:00Z']] },
    // R3: still waiting.
    { unitId: willow.id, created: '2026-03-20T00:00:00Z', steps: [] },
    // R4: accepted after 4 days, its action still planned.
    {
      unitId: ash.id,
      created: '2026-04-02T00:00:00Z',
      steps: [['accepted', '2026-04-06T00:00:00Z']],
      actionsDone: [false],
    },
    // R5: accepted after 1 day, done on 20 April, accepted again on 25 April (a new action linked).
    {
      unitId: ash.id,
      created: '2026-04-10T00:00:00Z',
      steps: [
        ['accepted', '2026-04-11T00:00:00Z'],
        ['done', '2026-04-20T00:00:00Z'],
        ['accepted', '2026-04-25T00:00:00Z'],
      ],
      actionsDone: [true, false],
    },
    // R6: made after the period.
    { unitId: ash.id, created: '2026-06-01T00:00:00Z', steps: [] },
  ];
  // The history is the record the report reads: written here as it would have been over those months
  // (the trigger that writes a new recommendation's first row is paused while it is).
  await db.execute(sql`alter table recommendations disable trigger recommendations_history_inserted`);
  for (const spec of specs) {
    const id = randomUUID();
    const status: Status = spec.steps.at(-1)?.[0] ?? 'proposed';
    const answered = spec.steps[0]?.[1];
    const linked = await Promise.all((spec.actionsDone ?? []).map((done) => action(spec.unitId, done)));
    await db.transaction(async (tx) => {
      await tx.insert(recommendations).values({
        id,
        unitId: spec.unitId,
        title: 'A recommendation',
        text: 'Why',
        status,
        response: status === 'declined' ? 'We couldn’t, because of the contract' : null,
        createdAt: new Date(spec.created),
        respondedAt: answered ? new Date(answered) : null,
        doneAt: status === 'done' ? new Date(spec.steps.at(-1)![1]) : null,
      });
      if (linked.length > 0) {
        await tx.insert(recommendationActions).values(linked.map((actionId) => ({ recommendationId: id, actionId })));
      }
      let from: Status | null = null;
      const history: [Status, string][] = [['proposed', spec.created], ...spec.steps];
      await tx.insert(recommendationTransitions).values(
        history.map(([to, at]) => {
          const row = { recommendationId: id, fromStatus: from, toStatus: to, at: new Date(at) };
          from = to;
          return row;
        }),
      );
    });
  }
  await db.execute(sql`alter table recommendations enable trigger recommendations_history_inserted`);

  const auditor = await api.createKey('auditor');
  const report = async (query: string, key = auditor) => {
    const response = await api.request({ method: 'GET', url: `/v1/reports/recommendations?${query}`, key });
    t.equal(response.statusCode, 200, response.body);
    return response.json();
  };
  const period = 'from=2026-03-01&to=2026-05-01';

  // Now: R1 done; R2 declined; R3 open; R4 and R5 accepted. Days to a response 2, 1.5, 4 and 1:
  // the median of 1, 1.5, 2, 4 is (1.5 + 2) / 2 = 1.75. Done share 1 of the 3 accepted.
  const now = await report(period);
  t.same(now.totals, {
    made: 5,
    accepted: 3,
    declined: 1,
    done: 1,
    open: 1,
    medianDaysToResponse: 1.75,
    doneShare: 1 / 3,
  });
  // On 22 April R5 was done: 2 of 3 accepted were done.
  t.match((await report(`${period}&asOf=2026-04-22T00:00:00Z`)).totals, {
    made: 5,
    accepted: 3,
    done: 2,
    doneShare: 2 / 3,
  });
  // On 4 March only R1 had been made, answered after 2 days and not yet done.
  t.same((await report(`${period}&asOf=2026-03-04T00:00:00Z`)).totals, {
    made: 1,
    accepted: 1,
    declined: 0,
    done: 0,
    open: 0,
    medianDaysToResponse: 2,
    doneShare: 0,
  });
  // By unit: Willow has R1–R3 (median of 2 and 1.5), Ash R4 and R5 (median of 4 and 1).
  const byUnit = await report(`${period}&groupBy=unit&unitId=${site.id}`);
  t.same(
    byUnit.groups.map((g: Record<string, unknown>) => [
      g.unitName,
      g.made,
      g.accepted,
      g.declined,
      g.done,
      g.open,
      g.medianDaysToResponse,
      g.doneShare,
    ]),
    [
      ['Ash Ward', 2, 2, 0, 0, 0, 2.5, 0],
      ['Willow Ward', 3, 1, 1, 1, 1, 1.75, 1],
    ],
  );
  const byMonth = await report(`${period}&groupBy=month`);
  t.same(
    byMonth.groups.map((g: Record<string, unknown>) => [g.key, g.made, g.medianDaysToResponse]),
    [
      ['2026-03', 3, 1.75],
      ['2026-04', 2, 2.5],
    ],
  );
  t.equal((await report(`${period}&unitId=${ash.id}`)).totals.made, 2, 'one ward’s subtree');
  const scoped = await api.createKey('staff', willow.id);
  t.equal((await report(period, scoped)).totals.made, 3, 'a scoped key gets its own subtree');
  const empty = await report('from=2025-01-01&to=2025-02-01');
  t.same(empty.totals, {
    made: 0,
    accepted: 0,
    declined: 0,
    done: 0,
    open: 0,
    medianDaysToResponse: null,
    doneShare: null,
  });

  const csv = await api.request({
    method: 'GET',
    url: `/v1/reports/recommendations?${period}`,
    key: auditor,
    headers: { accept: 'text/csv' },
  });
  t.match(csv.headers['content-type'], /^text\/csv/);
  t.equal(csv.body, `made,accepted,declined,done,open,medianDaysToResponse,doneShare\r\n5,3,1,1,1,1.75,${1 / 3}\r\n`);
  const reviewer = await api.createKey('reviewer');
  const refused = await api.request({ method: 'GET', url: `/v1/reports/recommendations?${period}`, key: reviewer });
  t.equal(refused.statusCode, 403, 'not for the panel itself');
  const backwards = await api.request({
    method: 'GET',
    url: '/v1/reports/recommendations?from=2026-05-01&to=2026-03-01',
    key: auditor,
  });
  t.equal(backwards.statusCode, 400);
});
