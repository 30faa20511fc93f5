import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { loop, recordFeedback } from '../helpers/fixtures.js';

const ratingWords = /very_good|neither_good_nor_poor|very_poor|dont_know|fftRating|collectionMode/;

t.test(
  'an FFT rating is accepted on POST /v1/feedback, alone or with text, and shown to staff and auditors only',
  async (t) => {
    const api = await buildTestApp(t);
    const { ward } = await createTree(api);
    const intake = await api.createKey('intake');
    const auditor = await api.createKey('auditor');

    const alone = await api.request({
      method: 'POST',
      url: '/v1/feedback',
      key: intake,
      payload: { unitId: ward.id, fftRating: 'good', collectionMode: 'kiosk', channel: 'fft' },
    });
    t.equal(alone.statusCode, 201, 'a rating alone is a valid response');
    t.notMatch(alone.body, ratingWords, 'the intake receipt carries no rating');

    const neither = await api.request({
      method: 'POST',
      url: '/v1/feedback',
      key: intake,
      payload: { unitId: ward.id },
    });
    t.equal(neither.statusCode, 400);
    t.match(neither.json().errors, [{ path: '/text' }], 'without a rating the text is required, named by its path');
    const bad = await api.request({
      method: 'POST',
      url: '/v1/feedback',
      key: intake,
      payload: { unitId: ward.id, text: 'Fine', fftRating: 'excellent', collectionMode: 'pigeon' },
    });
    t.equal(bad.statusCode, 400);
    t.same(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
      ['/collectionMode', '/fftRating'],
    );

    const withText = await recordFeedback(api, ward.id, { text: 'Kind nurses', fftRating: 'very_good' });
    t.match(withText, { fftRating: 'very_good' });
    const staffView = await api.request({ method: 'GET', url: `/v1/feedback/${alone.json().id}` });
    t.match(staffView.json(), { fftRating: 'good', collectionMode: 'kiosk', text: undefined });
    const auditorList = await api.request({ method: 'GET', url: `/v1/feedback?unitId=${ward.id}`, key: auditor });
    t.same(
      auditorList
        .json()
        .items.map((item: { fftRating: string }) => item.fftRating)
        .sort(),
      ['good', 'very_good'],
      'auditors read the rating',
    );

    const track = await api.request({ method: 'GET', url: `/v1/track/${alone.json().reference}`, key: null });
    t.equal(track.statusCode, 200);
    t.notMatch(track.body, ratingWords, 'the public tracking answer has no rating');
    const board = await api.request({ method: 'GET', url: `/v1/units/${ward.id}/board`, key: null });
    t.equal(board.json().stats.fft, null, 'two answers: no FFT share on the board');
  },
);

t.test(
  'a month of FFT responses imported from CSV, spelled as survey tools write them, through to the reports and the board',
  async (t) => {
    const api = await buildTestApp(t);
    const { site, ward } = await createTree(api);
    await api.request({ method: 'PATCH', url: `/v1/units/${site.id}`, payload: { odsCode: 'RXX01' } });
    const intake = await api.createKey('intake');
    const auditor = await api.createKey('auditor');
    const staff = await api.createKey('staff');
    const csv = [
      'unitCode,receivedAt,fftRating,collectionMode,text,externalRef.system,externalRef.id',
      `${ward.code},2026-04-01T09:00:00+01:00,Very good,SMS,,fft-tool,1`,
      `${ward.code},2026-04-02T09:00:00+01:00,GOOD,sms,,fft-tool,2`,
      `${ward.code},2026-04-03T09:00:00+01:00,  very  good ,Face to face,"The tea was cold, but the staff were kind",fft-tool,3`,
      `${ward.code},2026-04-04T09:00:00+01:00,Neither good nor poor,Face-to-face,,fft-tool,4`,
      `${ward.code},2026-04-05T09:00:00+01:00,Poor,Paper,Visiting is too short,fft-tool,5`,
      `${ward.code},2026-04-06T09:00:00+01:00,Very Poor,paper,,fft-tool,6`,
      `${ward.code},2026-04-07T09:00:00+01:00,Don’t know,Telephone,,fft-tool,7`,
      `${ward.code},2026-04-08T09:00:00+01:00,Don't Know,Online,,fft-tool,8`,
      `${ward.code},2026-04-09T09:00:00+01:00,very_good,kiosk,,fft-tool,9`,
      `${ward.code},2026-04-10T09:00:00+01:00,Excellent,SMS,,fft-tool,10`,
      `${ward.code},2026-04-11T09:00:00+01:00,,SMS,,fft-tool,11`,
    ].join('\r\n');
    const imported = await api.request({
      method: 'POST',
      url: '/v1/feedback/import',
      key: intake,
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    });
    t.equal(imported.statusCode, 200, imported.body);
    const results = imported.json().results as {
      line: number;
      status: number;
      id?: string;
      problem?: { errors: { path: string }[] };
    }[];
    t.same(
      results.map((r) => r.status),
      [201, 201, 201, 201, 201, 201, 201, 201, 201, 400, 400],
    );
    t.match(
      results[9],
      { line: 11, problem: { errors: [{ path: '/fftRating' }] } },
      'an answer not on the FFT scale is named',
    );
    t.match(results[10], { line: 12, problem: { errors: [{ path: '/text' }] } }, 'a row with neither rating nor text');

    const items = (
      await api.request({ method: 'GET', url: `/v1/feedback?unitId=${ward.id}&limit=100`, key: auditor })
    ).json().items as { id: string; fftRating: string; collectionMode: string; receivedAt: string }[];
    const byDay = items.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
    t.same(
      byDay.map((item) => [item.fftRating, item.collectionMode]),
      [
        ['very_good', 'sms'],
        ['good', 'sms'],
        ['very_good', 'face_to_face'],
        ['neither_good_nor_poor', 'face_to_face'],
        ['poor', 'paper'],
        ['very_poor', 'paper'],
        ['dont_know', 'telephone'],
        ['dont_know', 'online'],
        ['very_good', 'kiosk'],
      ],
    );

    // 9 responses: 3 very good + 1 good = 4 positive → 44.44 %; 1 poor + 1 very poor = 2 → 22.22 %.
    const report = (
      await api.request({ method: 'GET', url: '/v1/reports/fft?from=2026-04-01&to=2026-05-01', key: auditor })
    ).json();
    t.match(report.totals, {
      veryGood: 3,
      good: 1,
      neitherGoodNorPoor: 1,
      poor: 1,
      veryPoor: 1,
      dontKnow: 2,
      responses: 9,
      positivePercent: 44.44,
      negativePercent: 22.22,
    });
    const ret = await api.request({ method: 'GET', url: '/v1/reports/fft/return?month=2026-04', key: auditor });
    t.same(ret.body.split('\r\n').slice(1, -1), [
      '2026-04,RXX01,T-SITE,Riverside,sms,1,1,0,0,0,0,2',
      '2026-04,RXX01,T-SITE,Riverside,kiosk,1,0,0,0,0,0,1',
      '2026-04,RXX01,T-SITE,Riverside,online,0,0,0,0,0,1,1',
      '2026-04,RXX01,T-SITE,Riverside,paper,0,0,0,1,1,0,2',
      '2026-04,RXX01,T-SITE,Riverside,telephone,0,0,0,0,0,1,1',
      '2026-04,RXX01,T-SITE,Riverside,face_to_face,1,0,1,0,0,0,2',
    ]);

    // The same items flow through "You said – We did".
    const staffLoop = loop(api, staff);
    const [, , tea, , visiting] = byDay.map((item) => item.id);
    const triage = await staffLoop.send('GET', `/v1/feedback/${visiting}`);
    await staffLoop.send(
      'PATCH',
      `/v1/feedback/${visiting}`,
      { youSaid: 'Visiting times are too short', publishConsent: true },
      { 'if-match': triage.headers.etag },
    );
    await staffLoop.closeWithAction(ward.id, [visiting!, tea!]);
    t.equal(await staffLoop.status(visiting!), 'actioned');
    t.equal(await staffLoop.status(tea!), 'actioned');
  },
);

t.test('the board shows the 90-day share of good and very good answers once 8 people answered', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const now = Date.now();
  const send = (fftRating: string, daysAgo = 1) =>
    recordFeedback(api, ward.id, { fftRating, receivedAt: new Date(now - daysAgo * 86_400_000).toISOString() });
  for (const rating of ['very_good', 'very_good', 'good', 'good', 'good', 'good', 'poor']) await send(rating);
  await send('very_poor', 120); // outside the 90 days
  const board = async () => (await api.request({ method: 'GET', url: `/v1/units/${ward.id}/board`, key: null })).json();
  t.equal((await board()).stats.fft, null, '7 answers in 90 days: not shown');
  const page = await api.request({ method: 'GET', url: `/boards/${ward.code}`, key: null });
  t.match(page.body, /<p class="fft" id="stat-fft" hidden><\/p>/);

  await send('dont_know');
  const shown = await board();
  // 6 of 8 good or very good = 7.5 in 10, rounded half up: 8 in 10.
  t.same(shown.stats.fft, { responses: 8, positive: 6 });
  t.notMatch(JSON.stringify(shown.entries), ratingWords, 'no rating per item on the board');
  const standard = await api.request({ method: 'GET', url: `/boards/${ward.code}`, key: null });
  t.match(
    standard.body,
    '8 in 10 people said their experience was good or very good. 8 people answered the Friends and Family Test.',
  );
  const easy = await api.request({ method: 'GET', url: `/boards/${ward.code}?easyRead=1`, key: null });
  t.match(easy.body, 'We asked 8 people how it was here. 8 in 10 people said it was good or very good.');

  for (let i = 0; i < 12; i++) await send('very_good');
  // 18 of 20 = 9 in 10.
  const nine = await api.request({ method: 'GET', url: `/boards/${ward.code}`, key: null });
  t.match(nine.body, '9 in 10 people said their experience was good or very good. 20 people answered');
});

t.test('the CSV import reads an FFT answer whatever its case, spaces, hyphens or apostrophes', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const spellings: [string, string, string, string][] = [
    ['VeryGood', 'SMS', 'very_good', 'sms'],
    ['VERY GOOD', 'Text', 'very_good', ''],
    ['Neither Good Nor Poor', 'Face-To-Face', 'neither_good_nor_poor', 'face_to_face'],
    ['NeitherGoodNorPoor', 'facetoface', 'neither_good_nor_poor', 'face_to_face'],
    ['Very-poor', ' Kiosk ', 'very_poor', 'kiosk'],
    ['DONT KNOW', 'Telephone', 'dont_know', 'telephone'],
    ['Don’t Know', 'On line', 'dont_know', 'online'],
    ['dont_know', 'face_to_face', 'dont_know', 'face_to_face'],
  ];
  const csv = [
    '\uFEFFunitCode,fftRating,collectionMode',
    ...spellings.map(([rating, mode]) => `${ward.code},${rating},${mode}`),
  ].join('\r\n');
  const imported = await api.request({
    method: 'POST',
    url: '/v1/feedback/import',
    headers: { 'content-type': 'text/csv' },
    payload: csv,
  });
  const results = imported.json().results as { status: number; id?: string; problem?: { detail: string } }[];
  t.same(
    results.map((r) => r.status),
    [201, 400, 201, 201, 201, 201, 201, 201],
  );
  t.match(results[1]?.problem?.detail, /collectionMode/, '"Text" is not a collection mode: the column is named');
  for (const [i, [rating, mode, fftRating, collectionMode]] of spellings.entries()) {
    const id = results[i]?.id;
    if (!id) continue;
    const item = (await api.request({ method: 'GET', url: `/v1/feedback/${id}` })).json();
    t.same([item.fftRating, item.collectionMode], [fftRating, collectionMode], `${rating} / ${mode}`);
  }
});

t.test('an empty free-text box sent with a rating counts as no text; without a rating it is a 400', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const staff = loop(api, await api.createKey('staff'));
  const kiosk = await staff.send('POST', '/v1/feedback', { unitId: ward.id, text: '  ', fftRating: 'good' });
  t.equal(kiosk.statusCode, 201, kiosk.body);
  t.equal((await staff.send('GET', `/v1/feedback/${kiosk.json().id}`)).json().fftRating, 'good');
  const empty = await staff.send('POST', '/v1/feedback', { unitId: ward.id, text: '' });
  t.equal(empty.statusCode, 400);
  t.same(
    empty.json().errors.map((error: { path: string }) => error.path),
    ['/text'],
  );
});
