import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';

// Inputs the property test (properties.test.ts) found answered with a 500 or with Fastify's own
// JSON instead of problem details; pinned here so they cannot come back unnoticed.

t.test('awkward input gets problem details, never a 500', async (t) => {
  const api = await buildTestApp(t);
  const { site, ward } = await createTree(api);
  const expectProblem = async (
    request: Parameters<typeof api.request>[0],
    status: number,
    type: string,
    what: string,
    detail: RegExp = /./,
  ) => {
    const response = await api.request(request);
    t.equal(response.statusCode, status, `${what}: ${status}`);
    t.match(response.headers['content-type'], /^application\/problem\+json/, `${what}: problem details`);
    t.match(response.json(), { type: `urn:wedid:problem:${type}`, status, detail }, what);
  };

  await t.test('NUL (U+0000), which PostgreSQL text cannot hold, in filters and fields', async () => {
    for (const url of [
      '/v1/audit?entityType=%00',
      '/v1/audit?entityId=a%00b',
      '/v1/feedback?q=a%00b',
      '/v1/feedback?theme=a%00b',
      '/v1/reports/closure?theme=a%00b',
    ]) {
      await expectProblem({ method: 'GET', url }, 400, 'validation-error', `GET ${url}`, /NUL/);
    }
    const bodies: [string, string, object][] = [
      ['POST', '/v1/api-keys', { name: 'Kiosk\u0000', role: 'intake' }],
      ['POST', '/v1/units', { type: 'ward', code: 'NUL-WARD', name: 'Oak\u0000Ward', parentId: site.id }],
      ['PUT', '/v1/themes', { themes: [{ code: 'food', label: 'Food\u0000' }] }],
      ['POST', '/v1/feedback', { unitId: ward.id, text: 'The\u0000garden' }],
    ];
    for (const [method, url, payload] of bodies) {
      await expectProblem(
        { method: method as 'POST', url, payload },
        400,
        'validation-error',
        `${method} ${url} with NUL`,
        /NUL/,
      );
    }
    const units = await api.request({ method: 'GET', url: '/v1/units?type=ward' });
    t.notOk(
      units.json().items.some((unit: { code: string }) => unit.code === 'NUL-WARD'),
      'nothing was half-written',
    );
  });

  await t.test('a key name with a lone surrogate, which the audit trail’s jsonb cannot hold', async () => {
    await expectProblem(
      {
        method: 'POST',
        url: '/v1/api-keys',
        payload: '{"name":"Kiosk \\ud800","role":"intake"}',
        headers: { 'content-type': 'application/json' },
      },
      400,
      'validation-error',
      'POST /v1/api-keys with a lone surrogate',
      /surrogate/,
    );
    const paired = await api.request({
      method: 'POST',
      url: '/v1/api-keys',
      payload: '{"name":"Kiosk \\ud83c\\udf33","role":"intake"}',
      headers: { 'content-type': 'application/json' },
    });
    t.equal(paired.statusCode, 201, 'a surrogate pair is a character like any other');
    t.equal(paired.json().name, 'Kiosk 🌳');
  });

  await t.test('a path the router cannot read', async () => {
    await expectProblem(
      { method: 'GET', url: '/v1/feedback/%' },
      400,
      'validation-error',
      'malformed percent-encoding',
    );
    await expectProblem(
      { method: 'GET', url: '/v1/units/%E0%A4%A' },
      400,
      'validation-error',
      'a broken UTF-8 sequence',
    );
    await expectProblem(
      { method: 'GET', url: `/v1/units/${'x'.repeat(300)}` },
      414,
      'uri-too-long',
      'a path parameter over 100 characters',
    );
  });
});
