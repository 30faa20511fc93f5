import { validate } from '@readme/openapi-parser';
import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

interface Operation {
  operationId?: string;
  description?: string;
  'x-wedid-roles'?: string[];
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

  await t.test('every operation says who may call it and what it does', async (t) => {
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      for (const method of methods) {
        const op = item[method];
        if (!op) continue;
        const where = `${method.toUpperCase()} ${path}`;
        const roles = op['x-wedid-roles'] ?? [];
        t.ok(roles.length > 0, `${where} has x-wedid-roles`);
        const sentence = roles.includes('public')
          ? 'Roles: public (no API key needed).'
          : roles.includes('browser')
            ? 'Roles: browser (a person signed in, by an invite link or the identity provider: a session cookie, and the form’s CSRF token; no API key opens it).'
            : `Roles: ${roles.join(', ')}.`;
        t.ok(op.description?.endsWith(sentence), `${where}: its description ends with "${sentence}"`);
        t.ok(
          (op.description?.length ?? 0) > sentence.length + 20,
          `${where}: its description says more than who may call it`,
        );
        if (roles.includes('public') || roles.includes('browser')) t.same(op.security, [], `${where}: no key`);
        else t.same(op.security, [{ bearerAuth: [] }], `${where}: needs a key`);
      }
    }
    t.same(doc.paths['/v1/units'].post['x-wedid-roles'], ['admin'], 'an admin-only route says so');
    t.same(doc.paths['/v1/audit'].get['x-wedid-roles'], ['admin', 'auditor'], 'admin and the roles config.auth names');
    t.same(doc.paths['/v1/units/{id}/board'].get['x-wedid-roles'], ['public']);
  });

  await t.test('the public HTML pages are documented as HTML', async (t) => {
    for (const path of ['/boards/{unitCode}', '/track', '/track/{reference}']) {
      const op = doc.paths[path]?.get;
      t.ok(op, `GET ${path} is documented`);
      t.ok(op?.responses['200']?.content?.['text/html'], `GET ${path} answers text/html`);
      t.same(op?.['x-wedid-roles'], ['public'], `GET ${path} is public`);
    }
    const boardQuery = doc.paths['/boards/{unitCode}'].get.parameters
      .filter((parameter: { in: string }) => parameter.in === 'query')
      .map((parameter: { name: string }) => parameter.name)
      .sort();
    t.same(
      boardQuery,
      ['easyRead', 'includeDescendants', 'limit', 'mode', 'refresh', 'rotate'],
      'with its query parameters',
    );
    t.ok(doc.paths['/track/{reference}'].get.responses['404'].content['text/html'], 'an unknown reference is a page');
  });

  await t.test('every component schema is used by some operation', async (t) => {
    const refsIn = (node: unknown): string[] =>
      [...JSON.stringify(node).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((match) => match[1] as string);
    const reachable = new Set(refsIn(doc.paths));
    for (const name of reachable) for (const ref of refsIn(doc.components.schemas[name])) reachable.add(ref);
    const unused = Object.keys(doc.components.schemas).filter((name) => !reachable.has(name));
    t.same(unused, [], 'no component is referenced nowhere');
    t.notOk(doc.components.schemas.UnitInput, 'the unused input form of Unit is gone');
    t.ok(doc.components.schemas.CreateUnitInput, 'request bodies keep theirs');
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
