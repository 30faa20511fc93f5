import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { loggerOptions } from '../../src/http/logging.js';
import { adminSecret, createTree, testConfig, withHelpers } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';

// The import over a real listening socket, sent by curl as a user would: `inject` hands the parser a
// body that is already complete, so problems raised while a body is still arriving never show there.

interface Answer {
  status: number;
  body: string;
}

/** Runs curl; each request is `[file, extra curl arguments]`, sent on one connection (`--next`). */
function curl(url: string, requests: [file: string, args: string[]][]): Promise<Answer[]> {
  const args = requests.flatMap(([file, extra], i) => [
    ...(i > 0 ? ['--next'] : []),
    '-sS',
    '-X',
    'POST',
    '-H',
    `authorization: Bearer ${adminSecret}`,
    '-H',
    'content-type: text/csv',
    ...extra,
    '--data-binary',
    `@${file}`,
    '-w',
    '\n%{http_code}\n',
    url,
  ]);
  return new Promise((resolve, reject) => {
    const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`curl exited ${code}: ${err}`));
      const parts = out.split('\n');
      const answers: Answer[] = [];
      // Each answer is its body, then a line with the status.
      for (let i = 0; i < parts.length - 1; i += 2) answers.push({ body: parts[i]!, status: Number(parts[i + 1]) });
      resolve(answers);
    });
  });
}

const chunked = ['-H', 'transfer-encoding: chunked'];

t.test('CSV import over a real socket, sent by curl', async (t) => {
  const database = await createTestDatabase();
  const log: string[] = [];
  // Load shedding off: a loaded test machine must not turn an answer into a 503.
  const app = await buildApp(testConfig({ PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' }), {
    database: database.handle,
    logger: loggerOptions('info', { write: (line: string) => log.push(line) }),
  });
  const dir = await mkdtemp(join(tmpdir(), 'wedid-import-'));
  t.teardown(async () => {
    await app.close();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });
  const api = withHelpers(app, database);
  const { ward } = await createTree(api);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const url = `http://127.0.0.1:${port}/v1/feedback/import`;
  const file = async (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  };
  const serverErrors = () =>
    log.map((line) => JSON.parse(line)).filter((line) => line.level >= 50 || (line.status ?? 0) >= 500);

  const small = await file('small.csv', `unitId,text\n${ward.id},Fine\n`);

  await t.test('a 40-byte file and a multi-megabyte one are recorded, chunked or with a length', async (t) => {
    const rows = Array.from({ length: 2000 }, (_, i) => `${ward.id},"Row ${i}: ${'a long answer, '.repeat(150)}"`);
    const big = await file('big.csv', `unitId,text\n${rows.join('\n')}\n`);
    for (const extra of [[], chunked]) {
      const [tiny] = await curl(url, [[small, extra]]);
      t.equal(tiny?.status, 200, `40 bytes ${extra.join(' ')}`);
      t.equal(JSON.parse(tiny!.body).results[0].status, 201);
      const [large] = await curl(url, [[big, extra]]);
      t.equal(large?.status, 200, `4 MB ${extra.join(' ')}`);
      const results = JSON.parse(large!.body).results as { status: number; line: number }[];
      t.equal(results.filter((r, i) => r.status === 201 && r.line === i + 2).length, 2000);
    }
  });

  await t.test(
    'a bad header or a semicolon file answers 400 naming it, however large, and the connection goes on',
    async (t) => {
      const body = (header: string, separator: string) =>
        `${header}\n${`${ward.id}${separator}"${'x'.repeat(2000)}"${separator}5\n`.repeat(2500)}`;
      const cases: [string, string, RegExp][] = [
        ['unknown.csv', body('Unit,Comment,Rating', ','), /Unknown CSV columns: "Unit", "Comment", "Rating"/],
        ['repeated.csv', body('unitId,text,text', ','), /named twice: text/],
        ['semicolon.csv', body('unitId;text;kind', ';'), /separated by semicolons \(;\); this import expects commas/],
      ];
      for (const [name, content, detail] of cases) {
        const path = await file(name, content);
        for (const extra of [[], chunked]) {
          // Then a good file on the same connection: the refused body was read to its end.
          const [refused, next] = await curl(url, [
            [path, extra],
            [small, []],
          ]);
          t.equal(refused?.status, 400, `${name} ${extra.join(' ')}`);
          t.match(JSON.parse(refused!.body), { type: 'urn:wedid:problem:validation-error', detail });
          t.equal(next?.status, 200, 'the next request on that connection is answered');
        }
      }
      t.same(serverErrors(), [], 'no 500 and no error logged');
    },
  );

  await t.test('an upload cut off mid-body is no server error, and the next request works', async (t) => {
    const row = `${ward.id},"${'y'.repeat(1000)}"\n`;
    for (const framing of ['content-length', 'chunked'] as const) {
      const closed = new Promise<void>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(
            [
              'POST /v1/feedback/import HTTP/1.1',
              `host: 127.0.0.1:${port}`,
              `authorization: Bearer ${adminSecret}`,
              'content-type: text/csv',
              framing === 'chunked' ? 'transfer-encoding: chunked' : `content-length: ${row.length * 5000}`,
              '',
              '',
            ].join('\r\n'),
          );
          const part = `unitId,text\n${row.repeat(500)}`;
          socket.write(framing === 'chunked' ? `${part.length.toString(16)}\r\n${part}\r\n` : part, () => {
            // Gone half-way: no more bytes, no end of the body.
            setTimeout(() => socket.destroy(), 200);
          });
        });
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
      await closed;
      const [next] = await curl(url, [[small, []]]);
      t.equal(next?.status, 200, `after a cut-off ${framing} upload, the next import is recorded`);
    }
    t.same(serverErrors(), [], 'no 500 and no error logged');
    t.equal((await api.request({ method: 'GET', url: '/health/ready', key: null })).statusCode, 200);
  });
});
