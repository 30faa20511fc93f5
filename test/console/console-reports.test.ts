import t from 'tap';
import { buildTestApp, createTree, type TestApp, testConfig } from '../helpers/app.js';
import { checkWithAxe, hasChromium, launchChromium, newPage } from '../helpers/browser.js';
import { mergeCookies } from '../helpers/cookies.js';
import { type ItemSpec, insertItems, plusDays } from '../reports/fixtures.js';

/** An invite link for a new person row of this role and unit: the path to open. */
async function invite(api: TestApp, role: string, unitId: string | null, email: string): Promise<string> {
  const person = (await api.request({ method: 'POST', url: '/v1/people', payload: { email, role, unitId } })).json();
  const invited = (await api.request({ method: 'POST', url: `/v1/people/${person.id}/invites` })).json();
  return new URL(invited.url).pathname;
}

/** Signs a person in through an invite link by injected requests; returns the session's Cookie header. */
async function signInByInvite(api: TestApp, path: string): Promise<string> {
  const page = await api.app.inject({ method: 'GET', url: path });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
  const cookie = mergeCookies('', page.headers['set-cookie']);
  const started = await api.app.inject({
    method: 'POST',
    url: path,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: `_csrf=${encodeURIComponent(csrf)}`,
  });
  return mergeCookies(cookie, started.headers['set-cookie']);
}

/** The rows of a page's table: the row header then each cell's text. */
function tableRows(body: string): string[][] {
  const tbody = /<tbody>([\s\S]*?)<\/tbody>/.exec(body)?.[1] ?? '';
  return [...tbody.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] as string).matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => cell[1] as string),
  );
}

/** The bars vega drew: one path per bar in the rect marks. */
const barsOf = (svg: string) =>
  (/<g class="mark-rect[^"]*"[^>]*>([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? '').match(/<path /g)?.length ?? 0;
const svgsOf = (body: string) => [...body.matchAll(/<svg role="img"[\s\S]*?<\/svg>/g)].map((match) => match[0]);
const percent = (rate: number | null, absent: string) => (rate === null ? absent : `${(rate * 100).toFixed(1)}%`);

/*
 * Willow Ward: 12 items in February 2026 (9 closed after 4 days), 10 in March (4 closed after 10
 * days), 3 in April (none closed); Ash Ward: 2 in March. Ethnic group: 15 of Willow's are
 * white_british, 3 asian_indian (withheld: 7 or fewer), the rest not recorded. And 13 FFT answers.
 */
async function setUp(t: Parameters<typeof buildTestApp>[0], config = testConfig()) {
  const api = await buildTestApp(t, { config });
  const tree = await createTree(api);
  const specs: ItemSpec[] = [];
  const add = (unitId: string, month: number, n: number, closeAfter: number | null, closed: number) => {
    for (let i = 0; i < n; i++) {
      const receivedAt = new Date(Date.UTC(2026, month, 2, i)).toISOString();
      const ethnicGroup = specs.length < 15 ? 'white_british' : specs.length < 18 ? 'asian_indian' : null;
      specs.push({
        unitId,
        receivedAt,
        themes: [i % 2 ? 'food' : 'noise'],
        ...(ethnicGroup && unitId === tree.ward.id ? { equality: { ethnicGroup } } : {}),
        history:
          closeAfter !== null && i < closed ? [{ to: 'not_actioned', at: plusDays(receivedAt, closeAfter) }] : [],
      });
    }
  };
  add(tree.ward.id, 1, 12, 4, 9);
  add(tree.ward.id, 2, 10, 10, 4);
  add(tree.ward.id, 3, 3, null, 0);
  add(tree.otherWard.id, 2, 2, 1, 2);
  await insertItems(api.app.db, specs);
  // FFT answers on Willow: 10 in March (9 very good or good), 3 in April (too few to show a share).
  const ratings = [
    ...Array.from({ length: 6 }, () => ['very_good', '2026-03-10T10:00:00Z']),
    ...Array.from({ length: 3 }, () => ['good', '2026-03-11T10:00:00Z']),
    ['poor', '2026-03-12T10:00:00Z'],
    ['good', '2026-04-10T10:00:00Z'],
    ['good', '2026-04-11T10:00:00Z'],
    ['poor', '2026-04-12T10:00:00Z'],
  ];
  const items = ratings.map(([fftRating, receivedAt]) => ({
    unitId: tree.ward.id,
    fftRating,
    channel: 'fft',
    receivedAt,
  }));
  const batch = await api.request({ method: 'POST', url: '/v1/feedback/batch', payload: { items } });
  if (batch.statusCode !== 200) throw new Error(`batch: ${batch.body}`);
  return { api, ...tree };
}

const filters = 'from=2026-01-01&to=2026-05-01&asOf=2026-06-01T00:00:00Z';

t.test('report pages show the report API’s figures, in charts and tables, within the person’s scope', async (t) => {
  const { api, ward, otherWard } = await setUp(t);
  const staff = await signInByInvite(api, await invite(api, 'staff', ward.id, 'manager@willow.nhs.uk'));
  const auditor = await signInByInvite(api, await invite(api, 'auditor', null, 'auditor@trust.nhs.uk'));
  const staffKey = await api.createKey('staff', ward.id);
  const auditorKey = await api.createKey('auditor');
  const get = (url: string, cookie: string) => api.app.inject({ method: 'GET', url, headers: { cookie } });

  t.equal(
    (await api.app.inject({ method: 'GET', url: '/console/reports' })).statusCode,
    401,
    'signed out: sign in first',
  );
  const index = await get('/console/reports', staff);
  t.equal(index.statusCode, 200);
  t.match(index.body, /href="\/console\/reports\/closure"/);
  t.notMatch(index.body, /href="\/console\/reports\/equity"/, 'staff are not offered the equity report');
  t.match((await get('/console', staff)).body, /href="\/console\/reports"/, 'the landing page links to the reports');

  await t.test('closure by month: the table and the bars are the API’s figures', async (t) => {
    const page = await get(`/console/reports/closure?${filters}&unitId=&groupBy=month`, staff);
    t.equal(page.statusCode, 200, page.body);
    t.equal(page.headers['cache-control'], 'no-store');
    t.match(page.headers['content-security-policy'], /script-src 'none'/);
    t.notMatch(page.body, /<script|style="/, 'no script and no inline style attribute');
    const api_ = (
      await api.request({ method: 'GET', url: `/v1/reports/closure?${filters}&groupBy=month`, key: staffKey })
    ).json();
    t.same(
      api_.groups.map((g: { key: string }) => g.key),
      ['2026-02', '2026-03', '2026-04'],
    );
    const rows = tableRows(page.body);
    t.same(
      rows.map((row) => row.slice(0, 4)),
      [
        ...api_.groups.map((g: { key: string; received: number; closed: number; closureRate: number }) => [
          g.key,
          String(g.received),
          String(g.closed),
          percent(g.closureRate, 'none to divide'),
        ]),
        ['All items', String(api_.totals.received), String(api_.totals.closed), percent(api_.totals.closureRate, '')],
      ],
    );
    t.same(rows[0]?.slice(0, 4), ['2026-02', '12', '9', '75.0%'], 'Willow only: Ash’s items are outside the scope');
    const [rate, time] = svgsOf(page.body);
    t.ok(rate && time, 'two charts');
    t.match(rate, /<title>Closure rate<\/title>/);
    t.equal(barsOf(rate as string), 3, 'one bar per month');
    for (const month of ['2026-02', '2026-03', '2026-04']) t.match(rate, new RegExp(`>${month}</text>`));
    t.equal(barsOf(time as string), 2, 'April has nothing closed: no bar of zero days');
    t.match(time, />none closed<\/text>/);
  });

  await t.test('themes: the rows of the API, and a line per theme', async (t) => {
    const page = await get(`/console/reports/themes?${filters}`, staff);
    t.equal(page.statusCode, 200, page.body);
    const report = (await api.request({ method: 'GET', url: `/v1/reports/themes?${filters}`, key: staffKey })).json();
    t.same(
      tableRows(page.body).map((row) => [row[0], row[1], row[2], row[3]]),
      report.rows.map((r: { theme: string; month: string; received: number; previousReceived: number }) => [
        r.theme,
        r.month,
        String(r.received),
        String(r.previousReceived),
      ]),
    );
    const [trend] = svgsOf(page.body);
    t.match(trend, />food<\/text>/, 'the legend names the themes');
    t.match(trend, /class="mark-line/);
  });

  await t.test('equity: a withheld cell shows as suppressed, never as zero', async (t) => {
    const url = `/console/reports/equity?${filters}&characteristic=ethnicGroup`;
    const refused = await get(url, staff);
    const apiRefused = await api.request({
      method: 'GET',
      url: `/v1/reports/equity?${filters}&characteristic=ethnicGroup`,
      key: staffKey,
    });
    t.equal(apiRefused.statusCode, 403);
    t.equal(refused.statusCode, 403, 'staff are refused as by the API');
    t.match(refused.body, /may not read this report/);

    const page = await get(url, auditor);
    t.equal(page.statusCode, 200, page.body);
    const report = (
      await api.request({
        method: 'GET',
        url: `/v1/reports/equity?${filters}&characteristic=ethnicGroup`,
        key: auditorKey,
      })
    ).json();
    const byKey = new Map(tableRows(page.body).map((row) => [row[0], row]));
    const indian = report.groups.find((g: { key: string }) => g.key === 'asian_indian');
    t.equal(indian.received, null, 'the API withholds 3 people');
    t.same(byKey.get('asian_indian')?.slice(1), ['suppressed', 'suppressed', 'suppressed', 'suppressed']);
    const british = report.groups.find((g: { key: string }) => g.key === 'white_british');
    t.same(byKey.get('white_british')?.slice(1, 3), [String(british.received), String(british.closed)]);
    const [chart] = svgsOf(page.body);
    const shown = report.groups.filter((g: { closureRate: number | null }) => g.closureRate !== null).length;
    t.equal(barsOf(chart as string), shown, 'bars only for the figures shown');
    t.match(chart, />suppressed<\/text>/, 'the chart says suppressed where a bar would be');
  });

  await t.test('FFT: the positive share by month, a month of 3 answers suppressed', async (t) => {
    // Ratings count from when they were written (today), so no asOf in the past here.
    const fftFilters = 'from=2026-01-01&to=2026-05-01';
    const page = await get(`/console/reports/fft?${fftFilters}`, staff);
    t.equal(page.statusCode, 200, page.body);
    const report = (
      await api.request({ method: 'GET', url: `/v1/reports/fft?${fftFilters}&groupBy=month`, key: staffKey })
    ).json();
    t.same(
      report.groups.map((g: { key: string; responses: number; positivePercent: number | null }) => [
        g.key,
        g.responses,
        g.positivePercent,
      ]),
      [
        ['2026-03', 10, 90],
        ['2026-04', 3, null],
      ],
    );
    t.same(
      tableRows(page.body).map((row) => row.slice(0, 4)),
      [
        ['2026-03', '10', '90%', '10%'],
        ['2026-04', '3', 'suppressed', 'suppressed'],
        ['All responses', '13', `${report.totals.positivePercent}%`, `${report.totals.negativePercent}%`],
      ],
    );
    const [chart] = svgsOf(page.body);
    t.equal(barsOf(chart as string), 1, 'a bar for March only');
    t.match(chart, />suppressed<\/text>/);
  });

  await t.test('the recommendations page reads its report', async (t) => {
    const page = await get(`/console/reports/recommendations?${filters}`, auditor);
    t.equal(page.statusCode, 200, page.body);
    const report = (
      await api.request({ method: 'GET', url: `/v1/reports/recommendations?${filters}&groupBy=month`, key: auditorKey })
    ).json();
    t.equal(tableRows(page.body).length, report.groups.length + 1, 'a row per group and the totals');
  });

  await t.test('a unit outside the person’s scope gets the API’s refusal', async (t) => {
    const apiAnswer = await api.request({
      method: 'GET',
      url: `/v1/reports/closure?unitId=${otherWard.id}`,
      key: staffKey,
    });
    t.equal(apiAnswer.statusCode, 404);
    const page = await get(`/console/reports/closure?unitId=${otherWard.id}`, staff);
    t.equal(page.statusCode, 404);
    t.match(page.body, /Choose a unit you may see/);
    t.equal((await get(`/console/reports/closure.csv?unitId=${otherWard.id}`, staff)).statusCode, 404);
    const bad = await get('/console/reports/closure?from=yesterday', staff);
    t.equal(bad.statusCode, 400);
    t.match(bad.body, /There is a problem[\s\S]*href="#from"/);
  });

  await t.test('each CSV download is the API’s CSV for the same filters', async (t) => {
    const cases = [
      ['closure', '&groupBy=month', staff, staffKey],
      ['themes', '', staff, staffKey],
      ['fft', '&groupBy=unit', auditor, auditorKey],
      ['recommendations', '&groupBy=month', auditor, auditorKey],
      ['equity', '&characteristic=ethnicGroup', auditor, auditorKey],
    ] as const;
    for (const [slug, extra, cookie, key] of cases) {
      const download = await get(`/console/reports/${slug}.csv?${filters}${extra}`, cookie);
      const fromApi = await api.request({
        method: 'GET',
        url: `/v1/reports/${slug}?${filters}${extra}&format=csv`,
        key,
      });
      t.equal(download.statusCode, 200, slug);
      t.equal(download.headers['content-type'], 'text/csv; charset=utf-8');
      t.equal(
        download.headers['content-disposition'],
        fromApi.headers['content-disposition'],
        `${slug}: same file name`,
      );
      t.equal(download.body, fromApi.body, `${slug}: same CSV`);
    }
    const page = await get(`/console/reports/closure?${filters}&groupBy=unit`, staff);
    t.match(
      page.body,
      /href="\/console\/reports\/closure\.csv\?from=2026-01-01&amp;to=2026-05-01&amp;asOf=[^"]+&amp;groupBy=unit"/,
    );
  });
});

t.test('the report pages pass axe in Chromium, at desktop width and at 320 px', { skip: !hasChromium() }, async (t) => {
  const port = 3100 + (process.pid % 500);
  const base = `http://127.0.0.1:${port}`;
  const { api } = await setUp(t, testConfig({ PUBLIC_BASE_URL: base }));
  await api.app.listen({ port, host: '127.0.0.1' });
  const path = await invite(api, 'auditor', null, 'auditor@trust.nhs.uk');
  const browser = await launchChromium(t);
  const problems: string[] = [];
  const page = await newPage(browser, problems);
  await page.goto(`${base}${path}`);
  await page.getByRole('button', { name: 'Start' }).click();
  await page.waitForURL(`${base}/console`);
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Reports' }).click();
  await checkWithAxe(t, page, 'console-reports');
  for (const [slug, extra] of [
    ['closure', ''],
    ['themes', ''],
    ['equity', '&characteristic=ethnicGroup'],
    ['fft', ''],
    ['recommendations', ''],
  ] as const) {
    const answer = await page.goto(`${base}/console/reports/${slug}?${filters}${extra}`);
    t.equal(answer?.status(), 200, slug);
    await checkWithAxe(t, page, `console-report-${slug}`);
  }
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto(`${base}/console/reports/closure?${filters}`);
  const scrolls = await page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth');
  t.equal(scrolls, false, 'nothing scrolls sideways at 320 px but the tables in their own box');
  await checkWithAxe(t, page, 'console-report-closure-320');
  // The filters are a plain GET form: choosing a breakdown and submitting works without script.
  await page.getByLabel('Break down by').selectOption('unit');
  await page.getByRole('button', { name: 'Show the report' }).click();
  await page.waitForURL(/groupBy=unit/);
  t.match(await page.locator('table caption').textContent(), /Closure by unit/);
  t.same(problems, [], 'no script errors or CSP violations');
});
