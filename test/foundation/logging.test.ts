import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { loggerOptions } from '../../src/http/logging.js';
import { adminSecret, testConfig, withHelpers } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  status?: number;
  path?: string;
  [key: string]: unknown;
}

t.test('pino writes one line per request with its id, and never secrets or feedback text', async (t) => {
  const database = await createTestDatabase();
  const output: string[] = [];
  const app = await buildApp(testConfig(), {
    database: database.handle,
    logger: loggerOptions('info', { write: (line: string) => output.push(line) }),
  });
  t.teardown(async () => {
    await app.close();
    await database.drop();
  });
  const api = withHelpers(app, database);
  const lines = () => output.map((line) => JSON.parse(line) as LogLine);
  const requestLines = (id: string) => lines().filter((l) => l.reqId === id && l.msg === 'request');

  await t.test('an incoming X-Request-Id is honoured, echoed and logged once', async (t) => {
    const res = await api.request({
      method: 'GET',
      url: '/v1/units?limit=5',
      headers: { 'x-request-id': 'trace-abc.123' },
    });
    t.equal(res.statusCode, 200);
    t.equal(res.headers['x-request-id'], 'trace-abc.123');
    const logged = requestLines('trace-abc.123');
    t.equal(logged.length, 1, 'one line for the request');
    t.match(logged[0], { status: 200, method: 'GET', path: '/v1/units', route: '/v1/units' });
    t.notMatch(JSON.stringify(logged[0]), /limit=5/, 'the query string is not logged');
  });

  await t.test('without one, or with an unsafe one, the service makes its own', async (t) => {
    const plain = await api.request({ method: 'GET', url: '/health/live', key: null });
    t.match(plain.headers['x-request-id'], /^[0-9a-f-]{36}$/);
    t.equal(requestLines(String(plain.headers['x-request-id'])).length, 1);

    const unsafe = 'bad id\twith "quotes" <script>';
    const res = await api.request({
      method: 'GET',
      url: '/health/live',
      key: null,
      headers: { 'x-request-id': unsafe },
    });
    t.not(res.headers['x-request-id'], unsafe);
    t.match(res.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'replaced by a fresh id');
    t.equal(requestLines(String(res.headers['x-request-id'])).length, 1);
    const long = 'x'.repeat(200);
    const tooLong = await api.request({
      method: 'GET',
      url: '/health/live',
      key: null,
      headers: { 'x-request-id': long },
    });
    t.not(tooLong.headers['x-request-id'], long);

    const error = await api.request({ method: 'GET', url: '/v1/nowhere', headers: { 'x-request-id': 'err-1' } });
    t.equal(error.json().requestId, 'err-1', 'problem bodies carry the request id');
    t.equal(requestLines('err-1').length, 1, 'errors are logged once too');
    t.equal(requestLines('err-1')[0]?.status, 404);
  });

  await t.test('authorization headers, feedback text and contact details stay out of the logs', async (t) => {
    const trust = await api.createUnit({ type: 'trust', code: 'LOG-T', name: 'Trust' });
    const ward = await api.createUnit({ type: 'ward', code: 'LOG-W', name: 'Ward', parentId: trust.id });
    const privateText = 'PRIVATE-WORDS nobody may read in a log 4711';
    const email = 'person-4711@example.org';
    const feedback = {
      unitId: ward.id,
      text: privateText,
      kind: 'concern',
      channel: 'conversation',
      contact: { name: 'Alex Private', email, phone: '07700 900471', wantsReply: true },
    };
    await api.request({ method: 'POST', url: '/v1/feedback', payload: feedback });
    await api.request({ method: 'POST', url: '/v1/feedback', payload: { ...feedback, unknownField: true } });
    await api.request({ method: 'POST', url: '/v1/units', payload: { text: privateText, contact: { email } } });
    await api.request({ method: 'GET', url: '/v1/units', key: 'wdk_a-leaked-but-wrong-key-0815' });

    // A failing write must not log the query parameters drizzle puts in its error message.
    await app.db.execute(sql`alter table units rename to units_gone`);
    try {
      const failed = await api.request({
        method: 'POST',
        url: '/v1/units',
        payload: { type: 'trust', code: 'PRIVATE-WORDS-4711', name: privateText },
      });
      t.equal(failed.statusCode, 500);
    } finally {
      await app.db.execute(sql`alter table units_gone rename to units`);
    }
    // And anything logged by hand is redacted by path.
    app.log.info(
      { feedback: { text: privateText, contact: { email } }, headers: { authorization: 'Bearer x' } },
      'by hand',
    );

    const all = output.join('');
    t.notMatch(all, adminSecret, 'the admin secret is never logged');
    t.notMatch(all, 'wdk_a-leaked-but-wrong-key-0815', 'nor an unknown key');
    t.notMatch(all, /Bearer/i, 'nor any authorization header');
    t.notMatch(all, /PRIVATE-WORDS/, 'nor feedback text');
    t.notMatch(all, /person-4711|07700|Alex Private/, 'nor contact details');
    t.ok(
      lines().some((l) => l.msg === 'by hand'),
      'the hand-written line is there, redacted',
    );
    const failure = lines().find((l) => l.level === 50) as LogLine & { err: { message: string; code: string } };
    t.match(failure?.err, { message: /does not exist/, code: '42P01' }, 'the failure is logged usefully, as an error');
  });
});
