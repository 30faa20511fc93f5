import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree, testConfig } from '../helpers/app.js';
import { pgliteDatabase } from '../helpers/database.js';
import { elfFile, multipart, pngFile, wavFile } from './media.js';

t.test('the public form takes a voice note instead of words, multipart', async (t) => {
  const api = await buildTestApp(t, {
    config: testConfig({ ATTACHMENT_MAX_BYTES: '20000', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' }),
  });
  const { ward } = await createTree(api);
  const url = `/tell-us/${ward.code}`;
  const send = (fields: Record<string, string>, file?: Parameters<typeof multipart>[1], address = '127.0.0.1') =>
    api.request({ method: 'POST', url, key: null, remoteAddress: address, ...multipart(fields, file) });

  const page = await api.request({ method: 'GET', url, key: null });
  t.match(page.body, /<form method="post" action="[^"]+" enctype="multipart\/form-data"/);
  t.match(page.body, /<label for="attachment">[^<]+<\/label>/);
  t.match(page.body, /<input type="file" id="attachment" name="attachment" accept="audio\/\*,video\/\*,image\/\*"/);

  const voice = await send(
    { step: 'main', action: 'send' },
    { field: 'attachment', name: 'note.bin', type: 'application/octet-stream', bytes: wavFile() },
  );
  t.equal(voice.statusCode, 201, 'a voice note alone is feedback');
  const reference = /class="reference"[^>]*>([0-9A-Z]{4}-[0-9A-Z]{4})</.exec(voice.body)?.[1];
  t.ok(reference, 'the sent page shows the reference');
  const [item] = await api.sql<{ id: string; text: string | null; format: string; channel: string }>(
    sql`select id, text, format, channel from feedback_items where reference = ${reference ?? ''}`,
  );
  t.match(item, { text: null, format: 'voice', channel: 'online' });
  const [stored] = await api.sql<{ media_type: string; byte_size: number; created_by_key_id: string | null }>(
    sql`select media_type, byte_size, created_by_key_id from attachments where feedback_id = ${item!.id}`,
  );
  t.same(stored, { media_type: 'audio/wav', byte_size: wavFile().length, created_by_key_id: null });

  const withWords = await send(
    { step: 'main', action: 'send', text: 'Listen to this', kind: 'compliment' },
    { field: 'attachment', name: 'x.wav', type: 'audio/wav', bytes: wavFile(0.1) },
    '10.0.0.2',
  );
  t.equal(withWords.statusCode, 201, 'words and a file together');

  const disguised = await send(
    { step: 'main', action: 'send', text: 'Hello' },
    { field: 'attachment', name: 'voice.mp3', type: 'audio/mpeg', bytes: elfFile() },
    '10.0.0.3',
  );
  t.equal(disguised.statusCode, 400, 'a program named voice.mp3: the form again, with the error');
  t.match(disguised.body, /must be a voice recording, a video or a picture/);
  t.match(disguised.body, /href="#attachment"/);

  const big = await send(
    { step: 'main', action: 'send' },
    { field: 'attachment', name: 'long.wav', type: 'audio/wav', bytes: wavFile(2) },
    '10.0.0.4',
  );
  t.equal(big.statusCode, 400);
  t.match(big.body, /must be 1 MB or smaller|or smaller/);

  const nothing = await send(
    { step: 'main', action: 'send' },
    { field: 'attachment', name: '', type: 'application/octet-stream', bytes: Buffer.alloc(0) },
    '10.0.0.5',
  );
  t.equal(nothing.statusCode, 400, 'an empty file input and no words: still asked to say something');
  t.match(nothing.body, /Tell us what you would like to say/);

  const toEquality = await send(
    { step: 'main', action: 'equality', text: 'Hello' },
    { field: 'attachment', name: 'a.wav', type: 'audio/wav', bytes: wavFile(0.05) },
    '10.0.0.6',
  );
  t.equal(toEquality.statusCode, 400, 'a file is never dropped silently on the way to the next step');
  t.match(toEquality.body, /Press Send to send your file/);

  const count = await api.sql<{ n: number }>(sql`select count(*)::int as n from attachments`);
  t.equal(count[0]!.n, 2, 'refused files are never stored');
  const [staged] = await api.sql<{ n: number }>(
    sql`select count(*)::int as n from attachment_chunks c where not exists (select 1 from attachments a where a.id = c.attachment_id)`,
  );
  t.equal(staged!.n, 0, 'nor left staged');

  const board = await api.request({ method: 'GET', url: `/boards/${ward.code}`, key: null });
  t.notMatch(board.body, /audio\/wav|attachment/i);
});

t.test('a voice note alone through the form, on the embedded database (PGlite)', async (t) => {
  const database = await pgliteDatabase();
  t.teardown(() => database.drop());
  const api = await buildTestApp(t, { database });
  const { ward } = await createTree(api);
  const sent = await api.request({
    method: 'POST',
    url: `/tell-us/${ward.code}`,
    key: null,
    ...multipart(
      { step: 'main', action: 'send' },
      { field: 'attachment', name: 'n.wav', type: 'audio/wav', bytes: wavFile() },
    ),
  });
  t.equal(sent.statusCode, 201);
  const rows = await api.sql<{ text: string | null; format: string; media_type: string }>(
    sql`select f.text, f.format, a.media_type from feedback_items f join attachments a on a.feedback_id = f.id`,
  );
  t.same(rows, [{ text: null, format: 'voice', media_type: 'audio/wav' }]);
  // Without text, rating or file, the form asks for something to say.
  const bare = await api.request({
    method: 'POST',
    url: `/tell-us/${ward.code}`,
    key: null,
    ...multipart({ step: 'main', action: 'send' }),
  });
  t.equal(bare.statusCode, 400);
});

t.test('Easy Read: the last screen takes a voice note or a picture, with Send', async (t) => {
  const api = await buildTestApp(t, { config: testConfig({ PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' }) });
  const { ward } = await createTree(api);
  const url = `/tell-us/${ward.code}?easyRead=1`;
  const toFile = await api.request({
    method: 'POST',
    url,
    key: null,
    payload: new URLSearchParams({ step: 'reply', action: 'next', kind: 'concern', wantsReply: 'no' }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  t.equal(toFile.statusCode, 200, toFile.body);
  t.match(toFile.body, /name="step" value="attachment"/);
  t.match(toFile.body, /enctype="multipart\/form-data"/, 'the screen sends files without JavaScript');
  t.match(toFile.body, /<label for="attachment">Send your voice or a picture<\/label>/);
  t.match(toFile.body, /You do not have to\. You can record your voice\./);
  t.match(toFile.body, /<svg class="pictogram"/, 'with a picture');
  t.match(toFile.body, /<button type="submit" name="action" value="send" class="big">Send<\/button>/);
  t.match(toFile.body, /src="\/tell-us\/assets\/tell-us\.js"/, 'the recorder script, served from the service');
  t.match(toFile.body, /<input type="hidden" name="kind" value="concern">/, 'the answers so far travel along');

  const picture = await api.request({
    method: 'POST',
    url,
    key: null,
    ...multipart(
      { step: 'attachment', action: 'send', kind: 'concern', wantsReply: 'no' },
      { field: 'attachment', name: 'drawing', type: 'application/octet-stream', bytes: pngFile() },
    ),
  });
  t.equal(picture.statusCode, 201, 'a drawing alone is feedback');
  const [row] = await api.sql<{ text: string | null; format: string; kind: string; media_type: string }>(
    sql`select f.text, f.format, f.kind, a.media_type from feedback_items f join attachments a on a.feedback_id = f.id`,
  );
  t.same(row, { text: null, format: 'other', kind: 'concern', media_type: 'image/png' });
});
