import { sql } from 'drizzle-orm';
import Fastify from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import t, { type Test } from 'tap';
import { z } from 'zod';
import { registerErrorHandling } from '../../src/http/error-handler.js';
import { buildTestApp } from '../helpers/app.js';

const problemType = /^application\/problem\+json/;

t.test('every kind of error is problem details with a stable type', async (t) => {
  const api = await buildTestApp(t);

  const expectProblem = (t: Test, response: Awaited<ReturnType<typeof api.request>>, status: number, kind: string) => {
    t.equal(response.statusCode, status, `status ${status}`);
    t.match(response.headers['content-type'], problemType, 'sent as application/problem+json');
    const body = response.json();
    t.equal(body.type, `urn:wedid:problem:${kind}`);
    t.equal(body.status, status);
    t.type(body.title, 'string');
    t.equal(body.requestId, response.headers['x-request-id'], 'the request id is in the body');
    return body;
  };

  await t.test('validation: 400 naming each failing field, nested ones too', async (t) => {
    const res = await api.request({
      method: 'PUT',
      url: '/v1/themes',
      payload: {
        themes: [
          { code: 'food', label: 'Food' },
          { code: 'Bad Code', label: '' },
        ],
      },
    });
    const body = expectProblem(t, res, 400, 'validation-error');
    t.same(body.errors.map((e: { in: string; path: string }) => `${e.in}${e.path}`).sort(), [
      'body/themes/1/code',
      'body/themes/1/label',
    ]);
    const unknown = await api.request({
      method: 'POST',
      url: '/v1/units',
      payload: { type: 'trust', code: 'X', name: 'X', colour: 'red' },
    });
    t.same(expectProblem(t, unknown, 400, 'validation-error').errors, [
      { in: 'body', path: '/colour', message: 'Unknown or read-only field "colour"' },
    ]);
    const query = await api.request({ method: 'GET', url: '/v1/units?limit=0' });
    t.same(
      expectProblem(t, query, 400, 'validation-error').errors.map((e: { in: string; path: string }) => [e.in, e.path]),
      [['querystring', '/limit']],
    );
    const params = await api.request({ method: 'GET', url: '/v1/units/not-a-uuid' });
    t.same(
      expectProblem(t, params, 400, 'validation-error').errors.map((e: { in: string; path: string }) => [e.in, e.path]),
      [['params', '/id']],
    );
  });

  await t.test('malformed JSON: 400', async (t) => {
    const res = await api.request({
      method: 'POST',
      url: '/v1/units',
      payload: '{"type": "trust",',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(t, res, 400, 'malformed-json');
  });

  await t.test('a body that is not JSON: 415', async (t) => {
    for (const contentType of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const res = await api.request({
        method: 'POST',
        url: '/v1/units',
        payload: 'type=trust&code=X&name=X',
        headers: { 'content-type': contentType },
      });
      const body = expectProblem(t, res, 415, 'unsupported-media-type');
      t.match(
        body.detail,
        `POST /v1/units reads application/json: send the body with Content-Type: application/json (this request sent ${contentType})`,
      );
    }
    const csv = await api.request({
      method: 'POST',
      url: '/v1/feedback/import',
      payload: '{"items":[]}',
      headers: { 'content-type': 'application/json' },
    });
    t.match(
      expectProblem(t, csv, 415, 'unsupported-media-type').detail,
      /reads text\/csv: send the body with Content-Type: text\/csv/,
    );
  });

  await t.test('a missing field says "Required", with the choices when there are some', async (t) => {
    const res = await api.request({ method: 'POST', url: '/v1/units', payload: {} });
    const errors = expectProblem(t, res, 400, 'validation-error').errors as { path: string; message: string }[];
    t.same(Object.fromEntries(errors.map((e) => [e.path, e.message])), {
      '/type': 'Required: one of "trust", "site", "ward", "service", "team"',
      '/code': 'Required',
      '/name': 'Required',
    });
    t.notMatch(res.body, /received undefined/);

    // The same words for query strings and headers, through the one error handler.
    const app = Fastify().withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    registerErrorHandling(app);
    app.get(
      '/probe',
      { schema: { querystring: z.object({ q: z.string() }), headers: z.object({ 'x-probe': z.string() }) } },
      () => ({}),
    );
    t.teardown(() => app.close());
    const noQuery = await app.inject({ method: 'GET', url: '/probe', headers: { 'x-probe': 'yes' } });
    t.same(noQuery.json().errors, [{ in: 'querystring', path: '/q', message: 'Required' }]);
    const noHeader = await app.inject({ method: 'GET', url: '/probe?q=1' });
    t.same(noHeader.json().errors, [{ in: 'headers', path: '/x-probe', message: 'Required' }]);
  });

  await t.test('a body over 1 MiB: 413', async (t) => {
    const res = await api.request({
      method: 'POST',
      url: '/v1/units',
      payload: JSON.stringify({ type: 'trust', code: 'BIG', name: 'x'.repeat(1_048_576) }),
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(t, res, 413, 'payload-too-large');
  });

  await t.test('unknown route: 404', async (t) => {
    expectProblem(t, await api.request({ method: 'GET', url: '/v1/nothing-here' }), 404, 'not-found');
    expectProblem(t, await api.request({ method: 'DELETE', url: '/v1/units', key: null }), 404, 'not-found');
  });

  await t.test('no key or an unknown key: 401 with WWW-Authenticate', async (t) => {
    for (const key of [null, 'wdk_not-a-real-key']) {
      const res = await api.request({ method: 'GET', url: '/v1/units', key });
      expectProblem(t, res, 401, 'unauthorized');
      t.equal(res.headers['www-authenticate'], 'Bearer');
    }
    const basic = await api.request({
      method: 'GET',
      url: '/v1/units',
      key: null,
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expectProblem(t, basic, 401, 'unauthorized');
  });

  await t.test('wrong role: 403', async (t) => {
    const display = await api.createKey('display');
    expectProblem(
      t,
      await api.request({
        method: 'POST',
        url: '/v1/units',
        key: display,
        payload: { type: 'trust', code: 'D', name: 'D' },
      }),
      403,
      'forbidden',
    );
  });

  await t.test('unique conflict: 409', async (t) => {
    await api.createUnit({ type: 'trust', code: 'DUP', name: 'One' });
    const res = await api.request({
      method: 'POST',
      url: '/v1/units',
      payload: { type: 'trust', code: 'DUP', name: 'Two' },
    });
    expectProblem(t, res, 409, 'conflict');
  });

  await t.test('an internal error: 500 without stack, SQL or table names', async (t) => {
    await api.app.db.execute(sql`alter table themes rename to themes_gone`);
    try {
      const res = await api.request({ method: 'GET', url: '/v1/themes' });
      const body = expectProblem(t, res, 500, 'internal-error');
      t.same(Object.keys(body).sort(), ['detail', 'instance', 'requestId', 'status', 'title', 'type']);
      t.notMatch(res.body, /themes_gone|relation|select |from "|at \S+:\d+|DrizzleQueryError|42P01/i);
    } finally {
      await api.app.db.execute(sql`alter table themes_gone rename to themes`);
    }
    t.equal((await api.request({ method: 'GET', url: '/v1/themes' })).statusCode, 200, 'and it recovers');
  });
});
