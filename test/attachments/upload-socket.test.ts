import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import t, { type Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { sweepStagedUploads } from '../../src/modules/attachments/attachments.service.js';
import { adminSecret, buildTestApp, createTree, testConfig, withHelpers } from '../helpers/app.js';
import { createTestDatabase, pgliteDatabase, type TestDatabase } from '../helpers/database.js';
import { recordFeedback } from '../helpers/fixtures.js';
import { elfFile, multipart, wavFile } from './media.js';

// Uploads over a real listening socket, sent by curl as a trust system would: `inject` hands the
// parser a body that is already complete, so streaming, the limit and a cut-off never show there.

const maxBytes = 4 * 1_048_576;

/** Runs curl and answers the status and the body (written to `out` when given). */
function curl(args: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', '-H', `authorization: Bearer ${adminSecret}`, '-w', '\n%{http_code}', ...args]);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    // curl may say it could not finish sending when the service answers early and closes: the answer counts.
    child.on('exit', () => {
      const at = out.lastIndexOf('\n');
      resolve({ status: Number(out.slice(at + 1)), body: out.slice(0, at) });
    });
  });
}

async function uploadsOverASocket(t: Test, database: TestDatabase) {
  const app = await buildApp(
    testConfig({ ATTACHMENT_MAX_BYTES: String(maxBytes), PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' }),
    { database: database.handle, logger: false },
  );
  const dir = await mkdtemp(join(tmpdir(), 'wedid-upload-'));
  t.teardown(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });
  const api = withHelpers(app, database);
  const { ward } = await createTree(api);
  const item = await recordFeedback(api, ward.id);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const base = `http://127.0.0.1:${port}/v1/feedback/${item.id}/attachments`;
  const file = async (name: string, bytes: Buffer) => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  };
  const counts = async () => {
    const [row] = await api.sql<{ attachments: number; chunks: number }>(
      sql`select (select count(*)::int from attachments) as attachments, (select count(*)::int from attachment_chunks) as chunks`,
    );
    return row!;
  };

  // About 3 MB of a real WAV: twelve chunks and a bit.
  const long = wavFile(100, 16_000);
  const longPath = await file('long.wav', long);

  await t.test('a multi-megabyte voice note goes in streamed and comes back byte for byte', async (t) => {
    const sent = await curl(['-F', `file=@${longPath};type=application/octet-stream`, base]);
    t.equal(sent.status, 201, sent.body);
    const attachment = JSON.parse(sent.body);
    t.match(attachment, { mediaType: 'audio/wav', size: long.length });
    const chunks = await api.sql<{ seq: number; size: number }>(
      sql`select seq, octet_length(bytes) as size from attachment_chunks where attachment_id = ${attachment.id} order by seq`,
    );
    t.equal(chunks.length, Math.ceil(long.length / 262_144), 'stored in 256 KB chunks');
    t.ok(
      chunks.slice(0, -1).every((chunk) => chunk.size === 262_144),
      'every chunk but the last is full',
    );
    const downloaded = join(dir, 'downloaded.wav');
    const got = await curl(['-D', join(dir, 'headers'), '-o', downloaded, `${base}/${attachment.id}`]);
    t.equal(got.status, 200);
    t.ok((await readFile(downloaded)).equals(long), 'the same bytes come back');
    const headers = await readFile(join(dir, 'headers'), 'utf8');
    t.match(headers, /content-disposition: attachment; filename="attachment-[0-9a-f-]+\.wav"/i);
    t.match(headers, /x-content-type-options: nosniff/i);
    t.match(headers, new RegExp(`content-length: ${long.length}`, 'i'));
    const [audit] = await api.sql<{ count: number }>(
      sql`select count(*)::int as count from audit_events where action = 'attachment_read' and details->>'attachmentId' = ${attachment.id}`,
    );
    t.equal(audit?.count, 1, 'the download is audited');
  });

  await t.test('past the limit: 413 at once, and nothing staged or stored', async (t) => {
    const before = await counts();
    const tooLong = await file('too-long.wav', wavFile(200, 16_000));
    const sent = await curl(['-F', `file=@${tooLong};type=audio/wav`, base]);
    t.equal(sent.status, 413);
    t.match(JSON.parse(sent.body), { type: 'urn:wedid:problem:payload-too-large', detail: /4 MB/ });
    t.same(await counts(), before, 'no attachment, no chunk left behind');
  });

  await t.test('a program named voice.mp3 and sent as audio/mpeg: 415 by its bytes, nothing kept', async (t) => {
    const before = await counts();
    const elf = await file('voice.mp3', Buffer.concat([elfFile(), Buffer.alloc(600_000)]));
    const sent = await curl(['-F', `file=@${elf};type=audio/mpeg`, base]);
    t.equal(sent.status, 415);
    t.match(JSON.parse(sent.body), { type: 'urn:wedid:problem:unsupported-media-type', detail: /elf/ });
    t.same(await counts(), before);
  });

  await t.test('an upload cut off mid-body leaves nothing, and the service goes on', async (t) => {
    const before = await counts();
    const { payload, headers } = multipart({}, { name: 'long.wav', type: 'audio/wav', bytes: long });
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.on('connect', resolve));
    socket.write(
      [
        `POST /v1/feedback/${item.id}/attachments HTTP/1.1`,
        `host: 127.0.0.1:${port}`,
        `authorization: Bearer ${adminSecret}`,
        `content-type: ${headers['content-type']}`,
        `content-length: ${payload.length}`,
        '',
        '',
      ].join('\r\n'),
    );
    socket.write(payload.subarray(0, 1_500_000));
    // Wait until chunks are staged, so the cut-off happens while the file is being written.
    for (let i = 0; i < 100 && (await counts()).chunks === before.chunks; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    t.ok((await counts()).chunks > before.chunks, 'chunks were being staged');
    socket.destroy();
    for (let i = 0; i < 100 && (await counts()).chunks !== before.chunks; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    t.same(await counts(), before, 'the staged chunks are gone and no attachment appeared');
    const list = await curl([base]);
    t.equal(JSON.parse(list.body).items.length, 1, 'only the first file is listed');
  });
}

t.test('streamed uploads over a socket (PostgreSQL, or what the picker gives)', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  await uploadsOverASocket(t, database);
});

t.test('streamed uploads over a socket on the embedded database (PGlite)', async (t) => {
  const database = await pgliteDatabase();
  t.teardown(() => database.drop());
  await uploadsOverASocket(t, database);
});

t.test('the database keeps a stored file whole and unchanged, and erasure takes its bytes', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const item = await recordFeedback(api, ward.id);
  const id = '00000000-0000-4000-8000-000000000001';
  await api.sql(sql`insert into attachment_chunks (attachment_id, seq, bytes) values (${id}, 0, '\\x0102'::bytea)`);
  const claim = (size: number, claimed = id) =>
    api.sql(
      sql`insert into attachments (id, feedback_id, media_type, byte_size) values (${claimed}, ${item.id}, 'audio/wav', ${size})`,
    );
  await t.rejects(claim(3), { cause: { code: '23514' } }, 'a size the chunks do not add up to is refused');
  await t.rejects(
    claim(1, '00000000-0000-4000-8000-000000000002'),
    { cause: { code: '23514' } },
    'an attachment with no chunks is refused',
  );
  await api.sql(sql`insert into attachment_chunks (attachment_id, seq, bytes) values (${id}, 2, '\\x03'::bytea)`);
  await t.rejects(claim(3), { cause: { code: '23514' } }, 'a file with a chunk missing is refused');
  await api.sql(sql`delete from attachment_chunks where attachment_id = ${id} and seq = 2`);
  await claim(2);
  await t.rejects(
    api.sql(sql`insert into attachment_chunks (attachment_id, seq, bytes) values (${id}, 1, '\\x03'::bytea)`),
    { cause: { code: '23514' } },
    'no chunk is added to a stored file',
  );
  await t.rejects(
    api.sql(sql`update attachment_chunks set bytes = '\\x0909'::bytea where attachment_id = ${id}`),
    { cause: { code: '23514' } },
    'a stored file’s bytes are not changed',
  );
  await t.rejects(
    api.sql(sql`delete from attachment_chunks where attachment_id = ${id}`),
    { cause: { code: '23514' } },
    'a stored file’s bytes are not taken out from under it',
  );
  const erased = await api.request({ method: 'POST', url: `/v1/feedback/${item.id}/erase` });
  t.equal(erased.statusCode, 200);
  t.same(
    await api.sql(sql`select seq from attachment_chunks where attachment_id = ${id}`),
    [],
    'erasure took the bytes',
  );
});

t.test('the sweep removes what crashed uploads left staged, a bounded batch at a time', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const item = await recordFeedback(api, ward.id);
  const stored = '00000000-0000-4000-8000-00000000000a';
  const abandoned = '00000000-0000-4000-8000-00000000000b';
  const streaming = '00000000-0000-4000-8000-00000000000c';
  const stage = (id: string, seq: number, hoursAgo: number) =>
    api.sql(
      sql`insert into attachment_chunks (attachment_id, seq, bytes, staged_at) values (${id}, ${seq}, '\\x01'::bytea, now() - make_interval(hours => ${hoursAgo}))`,
    );
  await stage(stored, 0, 5);
  await api.sql(
    sql`insert into attachments (id, feedback_id, media_type, byte_size) values (${stored}, ${item.id}, 'audio/wav', 1)`,
  );
  for (let seq = 0; seq < 3; seq++) await stage(abandoned, seq, 3);
  // Started long ago, still writing: its newest chunk is fresh.
  await stage(streaming, 0, 3);
  await stage(streaming, 1, 0);

  t.equal(await sweepStagedUploads(api.app.db, new Date(), 2), 2, 'one sweep does at most its batch');
  t.equal(await sweepStagedUploads(api.app.db, new Date(), 2), 1, 'the next takes the rest');
  t.equal(await sweepStagedUploads(api.app.db, new Date(), 2), 0);
  const left = await api.sql<{ attachment_id: string }>(
    sql`select distinct attachment_id from attachment_chunks order by attachment_id`,
  );
  t.same(
    left.map((row) => row.attachment_id),
    [stored, streaming],
    'a stored file and an upload still streaming are kept',
  );
});
