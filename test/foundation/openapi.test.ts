import { validate } from '@readme/openapi-parser';
import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

const methods = ['get', 'post', 'put', 'patch', 'delete'] as const;

t.test('GET /openapi.json is a valid OpenAPI 3.1 document of every route; /docs shows it', async (t) => {
  const api = await buildTestApp(t);
  const res = await api.request({ method: 'GET', url: '/openapi.json', key: null });
  t.equal(res.statusCode, 200);
  const doc = res.json();

  await t.test('it passes a real OpenAPI validator', async (t) => {
    const result = await validate(structuredClone(doc));
    t.ok(result.valid, result.valid ? 'valid' : JSON.stringify(result.errors, null, 2));
    t.equal(result.specification, 'OpenAPI');
    t.equal(doc.openapi, '3.1.0');
    const broken = structuredClone(doc);
    broken.paths['/v1/units'].get.responses['200'].content['application/json'].schema = {
      $ref: '#/components/schemas/Nope',
    };
    t.notOk((await validate(broken)).valid, 'and the validator does catch a broken document');
  });

  await t.test('shared shapes are named component schemas', async (t) => {
    const names = Object.keys(doc.components.schemas);
    for (const name of [
      'Unit',
      'ApiKey',
      'CreatedApiKey',
      'Problem',
      'ProblemFieldError',
      'Theme',
      'AuditEvent',
      'Role',
    ]) {
      t.ok(names.includes(name), `components.schemas.${name}`);
    }
    t.same(doc.components.securitySchemes.bearerAuth, {
      type: 'http',
      scheme: 'bearer',
      description: doc.components.securitySchemes.bearerAuth.description,
    });
    const unitGet = doc.paths['/v1/units/{id}'].get.responses['200'].content['application/json'].schema;
    t.match(JSON.stringify(unitGet), /#\/components\/schemas\/Unit/, 'routes refer to components by $ref');
  });

  await t.test('every operation has an id, its security and its problem responses', async (t) => {
    const ids = new Set<string>();
    const expected: [string, string][] = [
      ['post', '/v1/api-keys'],
      ['get', '/v1/api-keys'],
      ['delete', '/v1/api-keys/{id}'],
      ['post', '/v1/units'],
      ['get', '/v1/units'],
      ['get', '/v1/units/{id}'],
      ['patch', '/v1/units/{id}'],
      ['get', '/v1/themes'],
      ['put', '/v1/themes'],
      ['get', '/v1/audit'],
      ['get', '/v1/audit/verify'],
      ['get', '/health/live'],
      ['get', '/health/ready'],
    ];
    for (const [method, path] of expected)
      t.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} is documented`);

    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      for (const method of methods) {
        const op = item[method];
        if (!op) continue;
        const where = `${method.toUpperCase()} ${path}`;
        t.type(op.operationId, 'string', `${where} has an operationId`);
        t.notOk(ids.has(op.operationId as string), `${where}: operationId is unique`);
        ids.add(op.operationId as string);
        const problem = op.responses['500']?.content?.['application/problem+json']?.schema;
        t.match(JSON.stringify(problem), /Problem/, `${where} documents its 500 as problem details`);
        if (path.startsWith('/v1/') && !['/v1/track/{reference}', '/v1/units/{id}/board'].includes(path)) {
          if (op.security?.length) {
            t.same(op.security, [{ bearerAuth: [] }], `${where} needs a key`);
            t.ok(op.responses['401'] && op.responses['403'], `${where} documents 401 and 403`);
          }
        }
      }
    }
    const protectedOps: [string, string][] = expected.filter(([, p]) => p.startsWith('/v1/'));
    for (const [method, path] of protectedOps) {
      t.same(doc.paths[path][method].security, [{ bearerAuth: [] }], `${method.toUpperCase()} ${path} needs a key`);
    }
    t.same(doc.paths['/health/live'].get.security, [], 'health is public');
    t.ok(doc.paths['/v1/units'].post.responses['400'], 'a route with a body documents 400');
    t.ok(doc.paths['/v1/units'].post.responses['415'], 'and 415');
    t.ok(doc.paths['/v1/units/{id}'].get.responses['404'], 'a route with an id documents 404');
  });

  await t.test('GET /docs shows the contract to a person', async (t) => {
    let page = await api.request({ method: 'GET', url: '/docs', key: null });
    for (let hops = 0; page.statusCode >= 300 && page.statusCode < 400 && hops < 3; hops++) {
      const location = new URL(String(page.headers.location), 'http://localhost/docs/');
      page = await api.request({ method: 'GET', url: location.pathname, key: null });
    }
    t.equal(page.statusCode, 200);
    t.match(page.headers['content-type'], /^text\/html/);
    t.match(page.body, /<html/i);
  });
});
