import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { importBodyLimit, maxImportRows } from '../../src/modules/feedback/feedback-batch.schemas.js';
import { buildTestApp, createTree, type TestApp, testConfig } from '../helpers/app.js';

const countItems = async (api: TestApp) => Number((await api.sql(sql`select count(*) as n from feedback_items`))[0]?.n);

const importCsv = (api: TestApp, csv: string, options: { key?: string; type?: string } = {}) =>
  api.request({
    method: 'POST',
    url: '/v1/feedback/import',
    key: options.key,
    headers: { 'content-type': options.type ?? 'text/csv' },
    payload: csv,
  });

interface Result {
  index: number;
  line: number;
  status: number;
  id?: string;
  reference?: string;
  problem?: { type: string; detail?: string; errors?: { path: string }[]; existingId?: string };
}

t.test('a survey export is recorded row by row, each result naming its CSV line', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const intake = await api.createKey('intake', ward.id);
  // A spreadsheet's export: byte order mark, CRLF line ends, quoted commas, quotes and line breaks.
  const csv = [
    '\uFEFFunitId,text,kind,channel,themes,publishConsent,youSaid,receivedAt,externalRef.system,externalRef.id,contact.email,contact.wantsReply,equality.ageBand',
    `${ward.id},"The tea is cold, and the toast ""soggy""",concern,fft,food; environment,TRUE,Breakfast is cold,2026-01-05T10:00:00Z,fft,R-1,sam@example.org,true,25_34`,
    `${ward.id},"Visiting ends too early.\r\nMy dad works until six.",suggestion,fft,visiting,false,,2026-01-05T11:00:00Z,fft,R-2,,,`,
    '',
    `${ward.id},Shouting at night,rant,fft,,,,,fft,R-3,,,`,
    `${ward.id},Lovely garden,compliment,fft,weather,,,,fft,R-4,,,`,
    `${ward.id},Thank you all,compliment,fft,,yes,,,fft,R-5,,,`,
    '',
  ].join('\r\n');
  const response = await importCsv(api, csv, { key: intake });
  t.equal(response.statusCode, 200, response.body);
  const results: Result[] = response.json().results;
  t.same(
    results.map((r) => [r.index, r.line, r.status]),
    [
      [0, 2, 201],
      [1, 3, 201],
      [2, 6, 400],
      [3, 7, 400],
      [4, 8, 400],
    ],
    'rows in order, each with the line it starts on (a quoted line break and a blank line counted)',
  );
  t.equal(results[2]?.problem?.errors?.[0]?.path, '/kind');
  t.equal(results[3]?.problem?.errors?.[0]?.path, '/themes');
  t.equal(results[4]?.problem?.errors?.[0]?.path, '/publishConsent', 'booleans are true or false');

  const first = (await api.request({ method: 'GET', url: `/v1/feedback/${results[0]?.id}` })).json();
  t.match(first, {
    reference: results[0]?.reference,
    text: 'The tea is cold, and the toast "soggy"',
    kind: 'concern',
    channel: 'fft',
    themes: ['food', 'environment'],
    publishConsent: true,
    youSaid: 'Breakfast is cold',
    receivedAt: '2026-01-05T10:00:00.000Z',
    externalRef: { system: 'fft', id: 'R-1' },
    contact: { email: 'sam@example.org', wantsReply: true },
  });
  const second = (await api.request({ method: 'GET', url: `/v1/feedback/${results[1]?.id}` })).json();
  t.equal(second.text, 'Visiting ends too early.\nMy dad works until six.', 'a quoted line break is kept');
  t.equal(second.youSaid, null, 'an empty cell leaves the field out');
  t.same(second.contact, null);
  t.same(await api.sql(sql`select feedback_id, age_band from feedback_equality`), [
    { feedback_id: results[0]?.id, age_band: '25_34' },
  ]);
  t.same(
    (
      await api.sql(
        sql`select details->>'via' as via, count(*)::int as n from audit_events where action = 'received' group by 1`,
      )
    ).map((row) => [row.via, Number(row.n)]),
    [['import', 2]],
  );

  const again = await importCsv(api, csv, { key: intake });
  t.same(
    again
      .json()
      .results.slice(0, 2)
      .map((r: Result) => [r.status, r.problem?.existingId]),
    [
      [409, results[0]?.id],
      [409, results[1]?.id],
    ],
    'importing the same file again records nothing twice',
  );
  const byOtherKey = await importCsv(api, csv, { key: await api.createKey('intake', ward.id) });
  t.same(
    byOtherKey
      .json()
      .results.slice(0, 2)
      .map((r: Result) => [r.status, r.problem?.type, 'existingId' in (r.problem ?? {})]),
    [
      [409, 'urn:wedid:problem:duplicate-external-ref', false],
      [409, 'urn:wedid:problem:duplicate-external-ref', false],
    ],
    'another intake key is told the rows exist, not which items they are (an externalRef can name a patient)',
  );
  t.equal(await countItems(api), 2);
});

t.test('an unknown or repeated column, malformed CSV or too many rows refuse the whole file', async (t) => {
  // Load shedding off: the 36 MiB bodies below lag the event loop on a busy machine, and a 503 is not under test.
  const api = await buildTestApp(t, { config: testConfig({ PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' }) });
  const { ward } = await createTree(api);
  const problem = async (csv: string, status = 400) => {
    const response = await importCsv(api, csv);
    t.equal(response.statusCode, status, csv.slice(0, 60));
    t.match(response.headers['content-type'], /application\/problem\+json/);
    return String(response.json().detail);
  };

  t.match(await problem(`unitId,text,colour,Mood\n${ward.id},Hi,red,ok\n`), /"colour", "Mood"/);
  t.match(await problem(`unitId,text,text\n${ward.id},Hi,Hello\n`), /named twice: text/);
  t.match(await problem(`unitId,text\n${ward.id},Fine\n${ward.id},"Never closed\n`), /line 3/);
  t.match(
    await problem(`unitId,text\n${ward.id},Fine\n${ward.id},One,Two\n`),
    /line 3/,
    'a row with a column too many',
  );
  t.match(await problem(''), /empty/);
  const tooMany = `unitId,text\n${`${ward.id},Fine\n`.repeat(maxImportRows + 1)}`;
  t.match(await problem(tooMany, 413), /10000 rows/);
  t.equal(await countItems(api), 0, 'nothing was recorded');

  // Over the byte limit, announced (Content-Length) or found while streaming (chunked).
  const row = `${ward.id},"${'x'.repeat(100_000)}"\n`;
  const rowsOverLimit = Math.ceil(importBodyLimit / row.length) + 1;
  t.match(await problem(`unitId,text\n${row.repeat(rowsOverLimit)}`, 413), /larger than/);
  const streamed = await api.request({
    method: 'POST',
    url: '/v1/feedback/import',
    headers: { 'content-type': 'text/csv' },
    payload: Readable.from(
      (function* () {
        yield 'unitId,text\n';
        for (let i = 0; i < rowsOverLimit; i++) yield row;
      })(),
    ),
  });
  t.equal(streamed.statusCode, 413);
  t.match(streamed.json().detail, /larger than/);
  t.equal(await countItems(api), 0);

  const headerOnly = await importCsv(api, 'unitId,text\r\n');
  t.same(headerOnly.json(), { results: [] });
  const withCharset = await importCsv(api, `unitId,text\n${ward.id},Fine\n`, { type: 'text/csv; charset=utf-8' });
  t.equal(withCharset.json().results[0].status, 201);
});

t.test('the import reads text/csv only, for intake and staff keys', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const csv = `unitId,text\n${ward.id},Fine\n`;
  for (const type of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
    const response = await importCsv(api, type === 'application/json' ? JSON.stringify({ items: [] }) : csv, { type });
    t.equal(response.statusCode, 415, type);
    t.equal(response.json().type, 'urn:wedid:problem:unsupported-media-type');
  }
  const noBody = await api.request({ method: 'POST', url: '/v1/feedback/import' });
  t.equal(noBody.statusCode, 400);
  t.equal(noBody.json().type, 'urn:wedid:problem:validation-error');

  t.equal((await importCsv(api, csv, { key: await api.createKey('staff') })).statusCode, 200);
  t.equal((await importCsv(api, csv, { key: await api.createKey('display') })).statusCode, 403);
  t.equal((await importCsv(api, csv, { key: await api.createKey('auditor') })).statusCode, 403);
  t.equal((await importCsv(api, csv, { key: null as unknown as string })).statusCode, 401);
});

t.test('a file of more than 1,000 rows is written in sets of 1,000, indexes and lines running on', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const csv = [
    'unitId,text,channel,externalRef.system,externalRef.id',
    ...Array.from({ length: 1000 }, (_, i) => `${ward.id},Answer ${i},fft,fft,F-${i}`),
    // Repeats the first row's externalRef, after the first set is stored.
    `${ward.id},Answer 0 again,fft,fft,F-0`,
  ].join('\n');
  const response = await importCsv(api, csv);
  t.equal(response.statusCode, 200);
  const results: Result[] = response.json().results;
  t.equal(results.length, 1001);
  t.equal(results.filter((r, i) => r.status === 201 && r.index === i && r.line === i + 2).length, 1000);
  t.match(results[1000], { index: 1000, line: 1002, status: 409, problem: { existingId: results[0]?.id } });
  t.equal(await countItems(api), 1000);
});

t.test('units named by unitCode, in any case, resolved in the import', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api);
  const csv = [
    'unitCode,text,externalRef.system,externalRef.id',
    `${ward.code},Named exactly,fft,C-1`,
    `${otherWard.code.toLowerCase()},Named in lower case,fft,C-2`,
    'NO-SUCH-WARD,Nowhere,fft,C-3',
    ',No unit at all,fft,C-4',
  ].join('\n');
  const response = await importCsv(api, csv);
  t.equal(response.statusCode, 200, response.body);
  const results: Result[] = response.json().results;
  t.same(
    results.map((r) => [r.line, r.status, r.problem?.errors?.[0]?.path]),
    [
      [2, 201, undefined],
      [3, 201, undefined],
      [4, 400, '/unitCode'],
      [5, 400, '/unitCode'],
    ],
  );
  t.match(results[2]?.problem?.detail, /No unit has the code "NO-SUCH-WARD"/);
  t.match(results[3]?.problem?.detail, /Required/);
  const units = await api.sql(sql`select external_id, unit_id from feedback_items order by external_id`);
  t.same(units, [
    { external_id: 'C-1', unit_id: ward.id },
    { external_id: 'C-2', unit_id: otherWard.id },
  ]);

  // A key scoped to one ward cannot file into another by naming its code.
  const scoped = await api.createKey('intake', ward.id);
  const elsewhere = await importCsv(api, `unitCode,text\n${otherWard.code},Sneaky\n`, { key: scoped });
  t.match(elsewhere.json().results[0], {
    status: 400,
    problem: { detail: `No unit has the code "${otherWard.code}"` },
  });

  for (const [header, detail] of [
    ['unitId,unitCode,text', /not both/],
    ['text,kind', /no unit column: add unitCode/],
  ] as const) {
    const refused = await importCsv(api, `${header}\nHello\n`);
    t.equal(refused.statusCode, 400, header);
    t.match(refused.json().detail, detail);
  }
});

t.test('text that is not UTF-8 is refused with its line, never stored with replacement characters', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  // A Windows-1252 export: 0x92 is its right single quote, 0xA3 its pound sign.
  const windows1252 = Buffer.concat([
    Buffer.from(`unitId,text\n${ward.id},Fine\n${ward.id},"Two\nlines"\n${ward.id},"Don`),
    Buffer.from([0x92]),
    Buffer.from('t charge '),
    Buffer.from([0xa3]),
    Buffer.from('5 for parking"\n'),
  ]);
  const refused = await importCsv(api, windows1252 as unknown as string);
  t.equal(refused.statusCode, 400);
  t.match(refused.json().detail, /not UTF-8 text: line 5 .*"CSV UTF-8"/);

  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`unitId,text\n${ward.id},Fine\n`, 'utf16le')]);
  t.match((await importCsv(api, utf16 as unknown as string)).json().detail, /UTF-16/);
  t.equal(await countItems(api), 0, 'nothing was recorded');

  // UTF-8 split anywhere by the network, even inside a character, reads back as sent.
  const text = 'Don’t charge £5 — parking 🚗';
  const bytes = Buffer.from(`unitId,text\n${ward.id},${text}\n`);
  const split = bytes.indexOf(Buffer.from('£')) + 1;
  const streamed = await api.request({
    method: 'POST',
    url: '/v1/feedback/import',
    headers: { 'content-type': 'text/csv' },
    payload: Readable.from([bytes.subarray(0, split), bytes.subarray(split, split + 3), bytes.subarray(split + 3)]),
  });
  const id = streamed.json().results[0].id;
  t.equal((await api.request({ method: 'GET', url: `/v1/feedback/${id}` })).json().text, text);
});

t.test('a header separated by semicolons or tabs says commas were expected', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  for (const [separator, name] of [
    [';', /semicolons \(;\)/],
    ['\t', /tabs/],
  ] as const) {
    const response = await importCsv(api, `unitId${separator}text\n${ward.id}${separator}Fine\n`);
    t.equal(response.statusCode, 400);
    t.match(response.json().detail, name);
    t.match(response.json().detail, /expects commas \(,\)/);
  }
});

t.test('the sample file in docs/examples imports cleanly', async (t) => {
  const api = await buildTestApp(t);
  const { site } = await createTree(api);
  // The README's walkthrough creates this ward before importing the sample.
  await api.createUnit({ type: 'ward', code: 'RXX-WILLOW', name: 'Willow Ward', parentId: site.id });
  const csv = await readFile('docs/examples/feedback-import.csv', 'utf8');
  const response = await importCsv(api, csv);
  t.equal(response.statusCode, 200, response.body);
  t.same(
    response.json().results.map((r: Result) => [r.line, r.status]),
    [
      [2, 201],
      [3, 201],
      [5, 201],
    ],
  );
});
