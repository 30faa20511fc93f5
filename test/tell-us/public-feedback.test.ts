import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree, type TestApp, testConfig } from '../helpers/app.js';

const form = 'application/x-www-form-urlencoded';
const post = (api: TestApp, url: string, payload: Record<string, string>, address = '127.0.0.1') =>
  api.request({
    method: 'POST',
    url,
    key: null,
    remoteAddress: address,
    headers: { 'content-type': form },
    payload: new URLSearchParams(payload).toString(),
  });
const items = (api: TestApp) =>
  api.sql<{
    reference: string;
    text: string | null;
    channel: string;
    format: string;
    status: string;
    you_said: string | null;
    themes: string[];
    created_by_key_id: string | null;
    publish_consent: boolean;
    submitter_role: string;
    contact: Record<string, unknown> | null;
    fft_rating: string | null;
    collection_mode: string | null;
  }>(sql`select * from feedback_items order by received_at`);

/** A solved proof-of-work, as the widget would send it. */
async function solved(api: TestApp): Promise<string> {
  const response = await api.request({ method: 'GET', url: '/v1/public-feedback/challenge', key: null });
  const challenge = response.json();
  const solution = await solveChallenge({ challenge, deriveKey });
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
}

t.test('POST /v1/units/{id}/public-feedback: a person’s fields only, recorded as the public form', async (t) => {
  const api = await buildTestApp(t, { config: testConfig({ PUBLIC_BASE_URL: 'https://wedid.example.nhs.uk' }) });
  const { ward, otherWard } = await createTree(api);
  const url = `/v1/units/${ward.id}/public-feedback`;

  const sent = await api.request({
    method: 'POST',
    url,
    key: null,
    payload: {
      text: 'The night staff were kind',
      kind: 'compliment',
      fftRating: 'very_good',
      submitterRole: 'carer',
      publishConsent: true,
      contact: { email: 'sam@example.com' },
      equality: { ageBand: '25_34' },
    },
  });
  t.equal(sent.statusCode, 201);
  const receipt = sent.json();
  t.match(receipt.reference, /^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  t.equal(receipt.trackUrl, `https://wedid.example.nhs.uk/track/${receipt.reference}`);
  t.same(Object.keys(receipt).sort(), ['dueAt', 'receivedAt', 'reference', 'trackUrl'], 'only the receipt');
  const [item] = await items(api);
  t.match(item, {
    reference: receipt.reference,
    channel: 'online',
    format: 'written',
    status: 'received',
    you_said: null,
    themes: [],
    created_by_key_id: null,
    publish_consent: true,
    submitter_role: 'carer',
    fft_rating: 'very_good',
    collection_mode: 'online',
  });
  const [audit] = await api.sql<{ actor_name: string; actor_key_id: string | null }>(
    sql`select actor_name, actor_key_id from audit_events where action = 'received'`,
  );
  t.same(audit, { actor_name: 'public: tell us form', actor_key_id: null }, 'audited as the public form');

  for (const [field, value] of [
    ['youSaid', 'We fixed it'],
    ['status', 'actioned'],
    ['themes', ['food']],
    ['externalRef', { system: 'x', id: '1' }],
    ['channel', 'pals'],
  ] as const) {
    const refused = await api.request({ method: 'POST', url, key: null, payload: { text: 'Hello', [field]: value } });
    t.equal(refused.statusCode, 400, `${field} cannot be set by a person`);
    t.equal(refused.headers['content-type'], 'application/problem+json');
    t.equal(refused.json().errors[0].path, `/${field}`);
  }
  const badEmail = await api.request({
    method: 'POST',
    url,
    key: null,
    payload: { text: 'Hi', contact: { email: 'nope' } },
  });
  t.equal(badEmail.statusCode, 400);
  t.equal(badEmail.json().errors[0].path, '/contact/email');
  const empty = await api.request({ method: 'POST', url, key: null, payload: {} });
  t.equal(empty.statusCode, 400);
  t.equal(empty.json().errors[0].path, '/text');
  const long = await api.request({ method: 'POST', url, key: null, payload: { text: 'x'.repeat(5_001) } });
  t.equal(long.statusCode, 400, 'longer than TELL_US_MAX_TEXT_CHARS');
  t.equal(long.json().errors[0].path, '/text');

  const unknown = await api.request({
    method: 'POST',
    url: '/v1/units/00000000-0000-4000-8000-000000000000/public-feedback',
    key: null,
    payload: { text: 'Hi' },
  });
  t.equal(unknown.statusCode, 404);
  await api.request({ method: 'PATCH', url: `/v1/units/${otherWard.id}`, payload: { boardEnabled: false } });
  const off = await api.request({
    method: 'POST',
    url: `/v1/units/${otherWard.id}/public-feedback`,
    key: null,
    payload: { text: 'Hi' },
  });
  t.equal(off.statusCode, 404, 'a unit whose board is off takes no public feedback');
  const offForm = await api.request({ method: 'GET', url: `/tell-us/${otherWard.code}`, key: null });
  t.equal(offForm.statusCode, 404);
  t.match(offForm.headers['content-type'], /text\/html/);
  t.equal((await api.request({ method: 'GET', url: '/tell-us/NO-SUCH-WARD', key: null })).statusCode, 404);

  // An identical sending from the same address soon after is recorded once, with the same reference.
  const again = await api.request({ method: 'POST', url, key: null, payload: { text: 'Same words twice' } });
  const twice = await api.request({ method: 'POST', url, key: null, payload: { text: 'Same words twice' } });
  t.equal(twice.json().reference, again.json().reference);
  const fromElsewhere = await api.request({
    method: 'POST',
    url,
    key: null,
    remoteAddress: '192.0.2.9',
    payload: { text: 'Same words twice' },
  });
  t.not(fromElsewhere.json().reference, again.json().reference, 'another address is another person');
  t.equal((await items(api)).length, 3);
});

t.test('the form posts form-encoded: the item, kiosk channel, Easy Read steps, errors and the honeypot', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);

  const page = await api.request({ method: 'GET', url: `/tell-us/${ward.code}`, key: null });
  t.equal(page.statusCode, 200);
  t.match(page.headers['cache-control'], /no-store/);
  t.notMatch(page.body, /<altcha-widget/, 'no proof-of-work without a key to sign it');

  const errors = await post(api, `/tell-us/${ward.code}`, {
    step: 'main',
    action: 'send',
    wantsReply: 'yes',
    replyBy: 'sms',
  });
  t.equal(errors.statusCode, 400);
  t.match(errors.body, /<title>Error: /);
  t.match(errors.body, /class="error-summary" role="alert"/);
  t.match(errors.body, /href="#text">Tell us what you would like to say/);
  t.match(errors.body, /href="#phone">/);
  t.match(errors.body, /aria-describedby="text-hint text-error"/);

  const kiosk = await post(api, `/tell-us/${ward.code}?kiosk=1`, {
    step: 'main',
    action: 'send',
    text: 'The TV in the lounge is broken',
    kind: 'concern',
    wantsReply: 'no',
    email: 'left@behind.example',
  });
  t.equal(kiosk.statusCode, 201);
  const reference = /class="reference">([^<]+)</.exec(kiosk.body)?.[1];
  t.ok(reference, 'the reference, large');
  t.match(kiosk.body, /Start again/);
  const [kioskItem] = await items(api);
  t.equal(kioskItem?.channel, 'kiosk');
  t.same(kioskItem?.contact, { wantsReply: false }, 'no contact details kept when no answer is wanted');

  // Easy Read: one question a screen; earlier answers travel as hidden fields.
  const easy = `/tell-us/${ward.code}?easyRead=1`;
  const second = await post(api, easy, { step: 'kind', action: 'next', kind: 'suggestion' });
  t.equal(second.statusCode, 200);
  t.match(second.body, /name="step" value="text"/);
  t.match(second.body, /<input type="hidden" name="kind" value="suggestion">/);
  const onward = await post(api, easy, { step: 'text', action: 'next', kind: 'suggestion' });
  t.equal(onward.statusCode, 200, 'the words may wait: a voice note or a picture can come on the last screen');
  const nothing = await post(api, easy, { step: 'attachment', action: 'send', kind: 'suggestion' });
  t.equal(nothing.statusCode, 400, 'but something must be said');
  t.match(nothing.body, /name="step" value="text"/, 'the words screen again, with the error');
  t.match(nothing.body, /Tell us what you would like to say/);
  const back = await post(api, easy, { step: 'text', action: 'back', kind: 'suggestion' });
  t.match(back.body, /name="step" value="kind"/);
  t.match(back.body, /value="suggestion" checked/);
  const done = await post(api, easy, {
    step: 'reply',
    action: 'send',
    kind: 'suggestion',
    text: 'More walks please',
    submitterRole: 'patient',
    wantsReply: 'no',
  });
  t.equal(done.statusCode, 201);
  const equality = await post(api, easy, { step: 'reply', action: 'equality', text: 'Another thought' });
  t.match(equality.body, /Questions about you/);
  t.match(equality.body, /<select id="ethnicGroup" name="ethnicGroup">/);

  const honeypot = await post(api, `/tell-us/${ward.code}`, {
    step: 'main',
    action: 'send',
    text: 'Buy now',
    website: 'http://spam',
  });
  t.equal(honeypot.statusCode, 400, 'a filled honeypot is refused');
  t.equal((await items(api)).length, 2, 'and nothing recorded');
  const [, easyItem] = await items(api);
  t.match(easyItem, { channel: 'online', text: 'More walks please', submitter_role: 'patient' });
});

t.test(
  'rate limits: per address per hour, stricter without a solved proof-of-work; 429 for apps and people',
  async (t) => {
    const api = await buildTestApp(t, {
      config: testConfig({
        ALTCHA_HMAC_KEY: 'k8ZpQ2vX9rT4mW7yB1nC5dF3gH6jL0sA',
        TELL_US_RATE_LIMIT_PER_HOUR: '4',
        TELL_US_RATE_LIMIT_WITHOUT_CHALLENGE_PER_HOUR: '2',
      }),
    });
    const { ward } = await createTree(api);
    const url = `/v1/units/${ward.id}/public-feedback`;
    const send = (text: string, altcha?: string) =>
      api.request({ method: 'POST', url, key: null, payload: { text, ...(altcha ? { altcha } : {}) } });

    t.match((await api.request({ method: 'GET', url: `/tell-us/${ward.code}`, key: null })).body, /<altcha-widget/);
    t.equal((await send('one')).statusCode, 201);
    t.equal((await post(api, `/tell-us/${ward.code}`, { step: 'main', text: 'two' })).statusCode, 201);
    const unproven = await send('three');
    t.equal(unproven.statusCode, 429, 'the stricter limit without a proof-of-work');
    t.ok(Number(unproven.headers['retry-after']) > 0);
    const proof = await solved(api);
    t.equal((await send('three', proof)).statusCode, 201, 'a solved challenge lifts the stricter limit');
    t.equal((await send('four', proof)).statusCode, 429, 'a solution is spent once');
    t.equal((await send('four', await solved(api))).statusCode, 201);
    const over = await send('five', await solved(api));
    t.equal(over.statusCode, 429, 'the hourly limit holds for everyone');
    t.equal(over.headers['content-type'], 'application/problem+json');
    const page = await post(api, `/tell-us/${ward.code}`, { step: 'main', text: 'six' });
    t.equal(page.statusCode, 429, 'the form shares the count');
    t.match(page.headers['content-type'], /text\/html/);
    t.match(page.body, /Please try again later/);
    t.equal((await send('seven', undefined)).statusCode, 429);
    t.equal((await items(api)).length, 4);
  },
);

t.test(
  'the safeguarding screen runs on the form and the public route; the sent page says where to get help',
  async (t) => {
    const api = await buildTestApp(t);
    const { ward } = await createTree(api);
    const sent = await post(api, `/tell-us/${ward.code}`, {
      text: 'Some nights I want to end my life',
      kind: 'concern',
    });
    t.equal(sent.statusCode, 201);
    t.match(sent.body, /999/);
    t.match(sent.body, /111/);
    const json = await api.request({
      method: 'POST',
      url: `/v1/units/${ward.id}/public-feedback`,
      key: null,
      remoteAddress: '127.0.0.2',
      payload: { text: 'A nurse HIT ME yesterday', publishConsent: true },
    });
    t.equal(json.statusCode, 201, json.body);
    const flagged = await api.sql<{ safeguarding: string }>(
      sql`select safeguarding from feedback_items order by received_at`,
    );
    t.same(
      flagged.map((row) => row.safeguarding),
      ['flagged', 'flagged'],
    );
  },
);
