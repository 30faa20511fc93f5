import { sql } from 'drizzle-orm';
import t, { type Test } from 'tap';
import { multipart, wavFile } from '../attachments/media.js';
import { buildTestApp, createTree, type TestApp, testConfig } from '../helpers/app.js';
import { pgliteDatabase } from '../helpers/database.js';
import { loop, recordFeedback } from '../helpers/fixtures.js';

// The screen reads words only. A voice note, video or picture that comes from outside staff (the
// public form, or a trust system's intake key) is flagged for a person to look at or listen to,
// with `unscreened_file` as the reason, before anything of the item can reach a public surface.

// Load shedding off: a loaded test machine must not turn an answer into a 503.
const config = testConfig({ PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' });

const voice = { field: 'attachment', name: 'note.bin', type: 'application/octet-stream', bytes: wavFile() };

const events = async (api: TestApp, key: string) => {
  const response = await api.request({ method: 'GET', url: '/v1/events?limit=500', key });
  return response.json().events as { type: string; data: Record<string, unknown> }[];
};

async function sendForm(api: TestApp, code: string, fields: Record<string, string>, address: string) {
  const sent = await api.request({
    method: 'POST',
    url: `/tell-us/${code}`,
    key: null,
    remoteAddress: address,
    ...multipart({ step: 'main', action: 'send', ...fields }, voice),
  });
  const reference = /class="reference"[^>]*>([0-9A-Z]{4}-[0-9A-Z]{4})</.exec(sent.body)?.[1];
  if (sent.statusCode !== 201 || !reference) throw new Error(`form: ${sent.statusCode} ${sent.body}`);
  const [row] = await api.sql<{ id: string }>(sql`select id from feedback_items where reference = ${reference}`);
  return { id: row!.id, reference };
}

async function formPaths(t: Test, api: TestApp) {
  const { ward } = await createTree(api);
  const staff = await api.createKey('staff', ward.id);
  const steps = loop(api, staff);

  const fileOnly = await sendForm(api, ward.code, { publishConsent: 'yes' }, '10.1.0.1');
  const item = await steps.item(fileOnly.id);
  t.match(item, { safeguarding: 'flagged', safeguardingReason: 'unscreened_file', safeguardingMatches: [] });
  const announced = (await events(api, staff)).filter(
    (event) => event.type === 'feedback.safeguarding' && event.data.id === fileOnly.id,
  );
  t.same(
    announced.map((event) => event.data),
    [{ id: fileOnly.id, unitId: ward.id, safeguarding: 'flagged' }],
    'announced like any flag, with no words and no file in the payload',
  );

  // Staff write a summary and close it; while flagged, none of it shows.
  const edited = await steps.send(
    'PATCH',
    `/v1/feedback/${fileOnly.id}`,
    { youSaid: 'SUMMARY-OF-A-VOICE-NOTE More quiet at night' },
    { 'if-match': '*' },
  );
  t.equal(edited.statusCode, 200, edited.body);
  await steps.closeWithAction(ward.id, [fileOnly.id]);
  const board = () => api.request({ method: 'GET', url: `/boards/${ward.code}`, key: null });
  const tracked = () => api.request({ method: 'GET', url: `/v1/track/${fileOnly.reference}`, key: null });
  t.notMatch((await board()).body, 'SUMMARY-OF-A-VOICE-NOTE', 'not on the board while it waits');
  t.equal((await tracked()).json().youSaid, null, 'nor on the tracking answer');
  t.equal((await tracked()).json().status, 'actioned', 'though the person can still follow it');

  const cleared = await steps.send('POST', `/v1/feedback/${fileOnly.id}/safeguarding`, {
    status: 'cleared',
    note: 'Listened to it: a request for quiet',
  });
  t.equal(cleared.statusCode, 200, cleared.body);
  t.match(cleared.json(), { safeguarding: 'cleared', safeguardingReason: 'unscreened_file' }, 'the reason is kept');
  t.match((await board()).body, 'SUMMARY-OF-A-VOICE-NOTE', 'cleared by staff: the summary may go up');

  const withWords = await sendForm(api, ward.code, { text: 'Listen to this please' }, '10.1.0.2');
  t.match(
    await steps.item(withWords.id),
    { safeguarding: 'flagged', safeguardingReason: 'unscreened_file' },
    'words the screen passed do not vouch for the file',
  );
  const withPhrase = await sendForm(api, ward.code, { text: 'A nurse hit me, listen' }, '10.1.0.3');
  t.match(
    await steps.item(withPhrase.id),
    { safeguarding: 'flagged', safeguardingReason: 'phrases', safeguardingMatches: ['hit me'] },
    'words that matched are the reason given first',
  );
  const wordsOnly = await api.request({
    method: 'POST',
    url: `/tell-us/${ward.code}`,
    key: null,
    remoteAddress: '10.1.0.4',
    ...multipart({ step: 'main', action: 'send', text: 'The garden is lovely' }),
  });
  t.equal(wordsOnly.statusCode, 201);
  const [plain] = await api.sql<{ safeguarding: string; safeguarding_reason: string | null }>(
    sql`select safeguarding, safeguarding_reason from feedback_items where text = 'The garden is lovely'`,
  );
  t.same(plain, { safeguarding: 'none', safeguarding_reason: null }, 'words alone that pass are not flagged');
}

t.test('the public form: a file the screen cannot read waits for a person', async (t) => {
  await formPaths(t, await buildTestApp(t, { config }));
});

t.test('the public form on the embedded database (PGlite)', async (t) => {
  const database = await pgliteDatabase();
  t.teardown(() => database.drop());
  await formPaths(t, await buildTestApp(t, { config, database }));
});

t.test('a file attached through the API: an intake key’s waits for a person, staff’s does not', async (t) => {
  const api = await buildTestApp(t, { config });
  const { ward } = await createTree(api);
  const intake = await api.createKey('intake', ward.id, 'ward kiosk system');
  const staff = await api.createKey('staff', ward.id);
  const steps = loop(api, staff);
  const attach = (id: string, key: string) =>
    api.request({ method: 'POST', url: `/v1/feedback/${id}/attachments`, key, ...multipart({}, voice) });

  // A rating and a voice note, no words: the file is all there is to read.
  const rated = await recordFeedback(api, ward.id, { text: undefined, fftRating: 'poor' }, intake);
  t.equal((await steps.item(rated.id)).safeguarding, 'none');
  t.equal((await attach(rated.id, intake)).statusCode, 201);
  t.match(await steps.item(rated.id), { safeguarding: 'flagged', safeguardingReason: 'unscreened_file' });
  const audit = await api.request({ method: 'GET', url: `/v1/audit?entityId=${rated.id}` });
  t.match(
    audit.json().items ?? audit.json().events,
    [{ action: 'safeguarding_changed', details: { from: 'none', to: 'flagged', reason: 'unscreened_file' } }],
    'the flag is audited with its reason',
  );

  const reviewed = await steps.send('POST', `/v1/feedback/${rated.id}/safeguarding`, { status: 'reviewed' });
  t.equal(reviewed.json().safeguarding, 'reviewed');
  t.equal((await attach(rated.id, intake)).statusCode, 201);
  t.equal((await steps.item(rated.id)).safeguarding, 'flagged', 'a new file after review waits again');
  const announced = (await events(api, staff))
    .filter((event) => event.type === 'feedback.safeguarding' && event.data.id === rated.id)
    .map((event) => event.data.safeguarding);
  t.same(announced, ['flagged', 'reviewed', 'flagged']);

  const byStaff = await recordFeedback(api, ward.id, { text: 'Notes from the ward round' }, staff);
  t.equal((await attach(byStaff.id, staff)).statusCode, 201);
  t.equal((await steps.item(byStaff.id)).safeguarding, 'none', 'staff attaching a file are the person looking');

  const byHand = await steps.send('POST', `/v1/feedback/${byStaff.id}/safeguarding`, { status: 'flagged' });
  t.match(byHand.json(), { safeguarding: 'flagged', safeguardingReason: 'staff' }, 'a hand flag says so');
});

t.test('the database holds a reason for every flag and none without one', async (t) => {
  const api = await buildTestApp(t, { config });
  const { ward } = await createTree(api);
  const item = await recordFeedback(api, ward.id);
  const refused = async (statement: ReturnType<typeof sql>) => {
    try {
      await api.sql(statement);
    } catch (error) {
      return (error as { cause?: { constraint?: string } }).cause?.constraint;
    }
    return 'accepted';
  };
  t.equal(
    await refused(sql`update feedback_items set safeguarding = 'flagged' where id = ${item.id}`),
    'feedback_safeguarding_reason_check',
    'a flag with no reason',
  );
  t.equal(
    await refused(sql`update feedback_items set safeguarding_reason = 'staff' where id = ${item.id}`),
    'feedback_safeguarding_reason_check',
    'a reason with no flag',
  );
  t.equal(
    await refused(
      sql`update feedback_items set safeguarding = 'flagged', safeguarding_reason = 'a hunch' where id = ${item.id}`,
    ),
    'feedback_safeguarding_reason_check',
    'a reason not in the list',
  );
});
