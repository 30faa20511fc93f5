import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { seed } from '../helpers/seed.js';

const marker = 'ZQX-PRIVATE-MARKER-7731';

t.test('private text, contact and equality answers never reach a board or the tracking page', async (t) => {
  const api = await buildTestApp(t);
  const { site, ward } = await createTree(api);
  const { items } = await seed(api.app.db, {
    items: [
      {
        unitId: ward.id,
        text: `My private words ${marker}`,
        youSaid: 'The lounge is too cold',
        publishConsent: true,
        contact: { name: `Name ${marker}`, email: 'zqx-marker@example.org', phone: '07700 900 731', wantsReply: true },
        equality: { ethnicGroup: `Ethnic ${marker}`, religion: `Religion ${marker}` },
      },
      {
        unitId: ward.id,
        text: `Other private words ${marker}`,
        youSaid: `Not for publication ${marker}`,
        publishConsent: false,
      },
    ],
    actions: [
      { unitId: ward.id, title: 'Heating fixed', status: 'completed', outcome: 'The lounge is warm again', items: [0] },
    ],
    decisions: [{ item: 1, explanation: 'We cannot change that' }],
  });
  const [published, unpublished] = items;
  if (!published || !unpublished) throw new Error('seed failed');

  const surfaces = [
    `/v1/units/${ward.id}/board`,
    `/v1/units/${site.id}/board?includeDescendants=true`,
    `/boards/${ward.code}`,
    `/boards/${ward.code}?easyRead=1`,
    `/boards/${site.code}?includeDescendants=true`,
    `/track/${published.reference}`,
    `/track/${unpublished.reference}`,
  ];
  for (const url of surfaces) {
    const response = await api.request({ method: 'GET', url, key: null });
    t.equal(response.statusCode, 200, url);
    t.notMatch(response.body, new RegExp(`${marker}|zqx-marker|07700`), `${url} shows nothing private`);
    t.notMatch(response.body, new RegExp(`${published.id}|${unpublished.id}`), `${url} shows no item ids`);
    t.notMatch(response.body, /test-admin|display key/, `${url} shows no key names`);
  }

  const page = await api.request({ method: 'GET', url: `/track/${published.reference}`, key: null });
  t.match(page.headers['content-type'], /^text\/html/);
  t.match(page.body, /<html lang="en-GB">/);
  t.match(page.body, /We did something about it/);
  t.match(page.body, /Heating fixed/);
  t.match(page.body, /The lounge is warm again/);
  t.match(page.body, /The lounge is too cold/, 'the consented summary');
  t.match(page.headers['content-security-policy'], /default-src 'none'/);
  t.equal(page.headers['referrer-policy'], 'no-referrer', 'the reference never leaks in a Referer');
  t.equal(page.headers['cache-control'], 'no-store');

  const lower = await api.request({
    method: 'GET',
    url: `/track/${published.reference.replace('-', '').toLowerCase()}`,
    key: null,
  });
  t.equal(lower.statusCode, 200, 'any case, with or without the hyphen');

  const couldnt = await api.request({ method: 'GET', url: `/track/${unpublished.reference}`, key: null });
  t.match(couldnt.body, /We couldn’t, because/);
  t.match(couldnt.body, /We cannot change that/);
});

t.test('unknown and malformed references look the same; the form redirects; escaping', async (t) => {
  const api = await buildTestApp(t);
  const unknown = await api.request({ method: 'GET', url: '/track/ZZZZ-ZZZZ', key: null });
  const malformed = await api.request({ method: 'GET', url: '/track/not-a-ref', key: null });
  t.equal(unknown.statusCode, 404);
  t.equal(malformed.statusCode, 404);
  t.match(unknown.headers['content-type'], /^text\/html/);
  const strip = (body: string) => body.replace(/value="[^"]*"/, '');
  t.equal(strip(unknown.body), strip(malformed.body), 'the same page apart from what was typed');

  const xss = await api.request({
    method: 'GET',
    url: `/track/${encodeURIComponent('"><script>x</script>')}`,
    key: null,
  });
  t.equal(xss.statusCode, 404);
  t.notMatch(xss.body, /<script>x/);

  const form = await api.request({ method: 'GET', url: '/track', key: null });
  t.equal(form.statusCode, 200);
  t.match(form.body, /<label for="reference">/);
  const submitted = await api.request({ method: 'GET', url: '/track?reference=k7mq3xrd', key: null });
  t.equal(submitted.statusCode, 303);
  t.equal(submitted.headers.location, '/track/K7MQ-3XRD');
});

t.test('tracking pages are rate limited per client address', async (t) => {
  const api = await buildTestApp(t);
  let last = await api.request({ method: 'GET', url: '/track/AAAA-AAAA', key: null, remoteAddress: '198.51.100.7' });
  for (let i = 0; i < 40 && last.statusCode !== 429; i++) {
    last = await api.request({ method: 'GET', url: '/track/AAAA-AAAA', key: null, remoteAddress: '198.51.100.7' });
  }
  t.equal(last.statusCode, 429, 'guessing references is stopped');
  t.match(last.headers['content-type'], /^application\/problem\+json/);
  t.ok(Number(last.headers['retry-after']) > 0);
  let json = await api.request({ method: 'GET', url: '/v1/track/AAAA-AAAA', key: null, remoteAddress: '198.51.100.8' });
  for (let i = 0; i < 40 && json.statusCode !== 429; i++) {
    json = await api.request({ method: 'GET', url: '/v1/track/AAAA-AAAA', key: null, remoteAddress: '198.51.100.8' });
  }
  t.equal(json.statusCode, 429, 'the JSON tracking endpoint too');
  t.equal(json.json().type, 'urn:wedid:problem:rate-limited');
});
