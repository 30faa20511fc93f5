import { sql } from 'drizzle-orm';
import t, { type Test } from 'tap';
import { buildTestApp, createTree, type TestApp, testConfig } from '../helpers/app.js';
import { pgliteDatabase } from '../helpers/database.js';
import { recordFeedback } from '../helpers/fixtures.js';
import { elfFile, multipart, wavFile } from './media.js';

const upload = (api: TestApp, id: string, file: Parameters<typeof multipart>[1], key?: string) =>
  api.request({
    method: 'POST',
    url: `/v1/feedback/${id}/attachments`,
    ...multipart({}, file),
    ...(key ? { key } : {}),
  });

const voiceNote = { name: 'voice.wav', type: 'application/octet-stream', bytes: wavFile() };

async function roundTrip(t: Test, api: TestApp) {
  const { ward } = await createTree(api);
  const intake = await api.createKey('intake', ward.id, 'ward kiosk system');
  const staff = await api.createKey('staff', ward.id);
  const item = await recordFeedback(api, ward.id, {}, intake);

  // The client's header says octet-stream: the type comes from the bytes.
  const added = await upload(api, item.id, voiceNote, intake);
  t.equal(added.statusCode, 201, added.body);
  const attachment = added.json();
  t.match(attachment, { mediaType: 'audio/wav', size: voiceNote.bytes.length });

  const list = await api.request({ method: 'GET', url: `/v1/feedback/${item.id}/attachments`, key: staff });
  t.equal(list.statusCode, 200);
  t.same(list.json(), {
    items: [
      { id: attachment.id, mediaType: 'audio/wav', size: voiceNote.bytes.length, createdAt: attachment.createdAt },
    ],
    nextCursor: null,
  });

  const download = await api.request({
    method: 'GET',
    url: `/v1/feedback/${item.id}/attachments/${attachment.id}`,
    key: staff,
  });
  t.equal(download.statusCode, 200);
  t.equal(download.headers['content-type'], 'audio/wav');
  t.match(download.headers['content-disposition'], /^attachment;/);
  t.equal(download.headers['x-content-type-options'], 'nosniff');
  t.equal(download.headers['cache-control'], 'no-store');
  t.ok(download.rawPayload.equals(voiceNote.bytes), 'the same bytes come back');

  const [read] = await api.sql<{ action: string; details: Record<string, unknown> }>(
    sql`select action, details from audit_events where action = 'attachment_read'`,
  );
  t.same(read, { action: 'attachment_read', details: { fields: ['attachment'], attachmentId: attachment.id } });
  return { ward, intake, staff, item, attachment };
}

t.test('a voice note attached by the trust system, listed and downloaded by staff (PostgreSQL)', async (t) => {
  const api = await buildTestApp(t);
  const { ward, intake, staff, item, attachment } = await roundTrip(t, api);

  t.test('an intake key reads nothing back, and attaches only to what it created', async (t) => {
    const list = await api.request({ method: 'GET', url: `/v1/feedback/${item.id}/attachments`, key: intake });
    t.equal(list.statusCode, 403);
    const otherKey = await api.createKey('intake', ward.id, 'another system');
    const other = await upload(api, item.id, voiceNote, otherKey);
    t.equal(other.statusCode, 404, 'another key’s item is not found');
  });

  t.test('staff of another ward find neither the list nor the file', async (t) => {
    const { otherWard } = await api
      .sql<{ id: string }>(sql`select id from units where code = 'T-ASH'`)
      .then(([row]) => ({
        otherWard: row!,
      }));
    const elsewhere = await api.createKey('staff', otherWard.id, 'Ash staff');
    const list = await api.request({ method: 'GET', url: `/v1/feedback/${item.id}/attachments`, key: elsewhere });
    t.equal(list.statusCode, 404);
    const file = await api.request({
      method: 'GET',
      url: `/v1/feedback/${item.id}/attachments/${attachment.id}`,
      key: elsewhere,
    });
    t.equal(file.statusCode, 404);
  });

  t.test('a program named voice.mp3 and sent as audio/mpeg is refused by its bytes', async (t) => {
    const elf = await upload(api, item.id, { name: 'voice.mp3', type: 'audio/mpeg', bytes: elfFile() }, intake);
    t.equal(elf.statusCode, 415);
    t.equal(elf.json().type, 'urn:wedid:problem:unsupported-media-type');
    const mz = Buffer.alloc(256);
    mz.write('MZ', 0);
    const exe = await upload(api, item.id, { name: 'voice.mp3', type: 'audio/mpeg', bytes: mz }, intake);
    t.equal(exe.statusCode, 415);
    const text = await upload(
      api,
      item.id,
      { name: 'note.wav', type: 'audio/wav', bytes: Buffer.from('hello') },
      intake,
    );
    t.equal(text.statusCode, 415, 'bytes of no known type are refused');
  });

  t.test('never on a public surface: board and tracking say nothing of it', async (t) => {
    const board = await api.request({ method: 'GET', url: `/v1/units/${ward.id}/board`, key: null });
    t.notMatch(board.body, attachment.id);
    t.notMatch(board.body, /attachment/i);
    const track = await api.request({ method: 'GET', url: `/v1/track/${item.reference}`, key: null });
    t.notMatch(track.body, attachment.id);
    t.notMatch(track.body, /attachment|audio\/wav/i);
    const page = await api.request({ method: 'GET', url: `/track/${item.reference}`, key: null });
    t.notMatch(page.body, /attachment|audio\/wav/i);
  });

  t.test('erasure removes the files', async (t) => {
    const erased = await api.request({ method: 'POST', url: `/v1/feedback/${item.id}/erase` });
    t.equal(erased.statusCode, 200);
    const rows = await api.sql(sql`select id from attachments where feedback_id = ${item.id}`);
    t.same(rows, []);
    const list = await api.request({ method: 'GET', url: `/v1/feedback/${item.id}/attachments`, key: staff });
    t.same(list.json().items, []);
    const again = await upload(api, item.id, voiceNote, intake);
    t.equal(again.statusCode, 404, 'an erased item takes no new file');
  });
});

t.test('the database keeps an item saying something: text, an FFT rating or a file', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const words = await recordFeedback(api, ward.id);
  await t.rejects(api.sql(sql`update feedback_items set text = null where id = ${words.id}`), {
    cause: { code: '23514' },
  });
  const voice = await recordFeedback(api, ward.id);
  t.equal((await upload(api, voice.id, voiceNote)).statusCode, 201);
  await api.sql(sql`update feedback_items set text = null where id = ${voice.id}`);
  t.pass('with a file, the words may go');
});

t.test('past ATTACHMENT_MAX_BYTES: 413, nothing stored', async (t) => {
  const api = await buildTestApp(t, { config: testConfig({ ATTACHMENT_MAX_BYTES: '1000' }) });
  const { ward } = await createTree(api);
  const item = await recordFeedback(api, ward.id);
  const big = await upload(api, item.id, { name: 'long.wav', type: 'audio/wav', bytes: wavFile(1) });
  t.equal(big.statusCode, 413);
  t.equal(big.json().type, 'urn:wedid:problem:payload-too-large');
  t.same(await api.sql(sql`select id from attachments`), []);
  const small = await upload(api, item.id, { name: 'short.wav', type: 'audio/wav', bytes: wavFile(0.05) });
  t.equal(small.statusCode, 201, 'under the limit is stored');
});

t.test('the same round trip on the embedded database (PGlite)', async (t) => {
  const database = await pgliteDatabase();
  t.teardown(() => database.drop());
  const api = await buildTestApp(t, { database });
  await roundTrip(t, api);
});
