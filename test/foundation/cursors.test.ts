import t from 'tap';
import { buildTestApp, testConfig } from '../helpers/app.js';

const forge = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
const someId = '00000000-0000-4000-8000-000000000000';

// Each was a 500 before cursors were checked against the exact sort key their list issues.
const forgeries: [string, unknown][] = [
  ['a number where a timestamp belongs', ['1', someId]],
  ['words where a timestamp and an id belong', ['x', 'y']],
  ['a fractional sequence', [1.5]],
  ['a negative sequence', [-1]],
  ['year 0', ['0000-01-01T00:00:00.000Z', someId]],
  ['a huge number', [1e300, 1]],
  ['the wrong arity', [1, 2, 3]],
  ['not base64url JSON', '%%%'],
];

t.test('a forged cursor on any paged route answers 400 naming the parameter, never 500', async (t) => {
  const api = await buildTestApp(t, { config: testConfig({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }) });
  const trust = await api.createUnit({ type: 'trust', code: 'CUR', name: 'Cursor Trust' });
  const subscribed = await api.request({
    method: 'POST',
    url: '/v1/webhooks',
    payload: { url: 'http://127.0.0.1:9/hook', eventTypes: ['board.updated'], unitId: trust.id },
  });
  t.equal(subscribed.statusCode, 201);
  const webhookId = subscribed.json().id as string;

  const pagedRoutes: [string, string][] = [
    ['/v1/feedback', 'cursor'],
    ['/v1/actions', 'cursor'],
    ['/v1/api-keys', 'cursor'],
    ['/v1/units', 'cursor'],
    ['/v1/audit', 'cursor'],
    ['/v1/events', 'after'],
    [`/v1/webhooks/${webhookId}/deliveries`, 'cursor'],
  ];
  for (const [url, parameter] of pagedRoutes) {
    for (const [what, key] of forgeries) {
      const cursor = typeof key === 'string' ? key : forge(key);
      const response = await api.request({ method: 'GET', url: `${url}?${parameter}=${cursor}` });
      t.equal(response.statusCode, 400, `${url}: ${what}`);
      t.match(response.headers['content-type'], /^application\/problem\+json/);
      t.match(response.json(), { errors: [{ in: 'querystring', path: `/${parameter}` }] }, `${url} names ${parameter}`);
    }
  }

  // A cursor the service did issue still pages.
  for (const code of ['CUR-A', 'CUR-B']) await api.createUnit({ type: 'site', code, name: code, parentId: trust.id });
  const first = (await api.request({ method: 'GET', url: '/v1/units?limit=1' })).json();
  const second = await api.request({ method: 'GET', url: `/v1/units?limit=1&cursor=${first.nextCursor}` });
  t.equal(second.statusCode, 200);
  t.not(second.json().items[0].code, first.items[0].code, 'the next page moves on');
});
