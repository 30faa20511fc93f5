import fc from 'fast-check';
import t from 'tap';
import { buildTestApp, createTree, testConfig } from '../helpers/app.js';
import { consoleSession, csrfOf } from '../helpers/console.js';
import { PanelClient, csrfOf as panelCsrfOf, pathOf } from '../panel/panel-client.js';
import { type JsonSchema, operations } from './openapi-document.js';

// A lone UTF-16 surrogate ("\ud800" in JSON) cannot be stored as it is: PostgreSQL's jsonb refuses
// it, and text would keep U+FFFD instead of what was sent. Every string of every JSON request body
// of the served document gets one, so a field added later is covered without an edit here: the
// answer must be a 400 naming that field, never a silent replacement.

const lone = 'a\ud800b';

type Document = Parameters<typeof operations>[0] & { components: { schemas: Record<string, JsonSchema> } };

/** One string of a request body, and a body that is valid around it with `value` in its place. */
interface Leaf {
  pointer: string;
  schema: JsonSchema;
  build(value: string): unknown;
}

const sample = <T>(arbitrary: fc.Arbitrary<T>) => fc.sample(arbitrary, { numRuns: 1, seed: 1 })[0] as T;

function walker(document: Document) {
  const resolve = (schema: JsonSchema): JsonSchema => {
    let current = schema;
    while (current.$ref) {
      const { $ref, ...siblings } = current;
      current = { ...document.components.schemas[$ref.replace('#/components/schemas/', '')], ...siblings };
    }
    return current;
  };
  const types = (schema: JsonSchema) => [schema.type ?? []].flat();

  /** A value the schema accepts, as small as can be: what the fields around the tested one hold. */
  function minimal(given: JsonSchema): unknown {
    const schema = resolve(given);
    if (schema.const !== undefined) return schema.const;
    if (schema.enum) return schema.enum[0];
    const branch = schema.anyOf ?? schema.oneOf;
    if (branch) return minimal(branch.find((option) => !types(resolve(option)).includes('null')) ?? branch[0]!);
    const [type] = types(schema).filter((name) => name !== 'null');
    if (type === 'object') return minimalObject(schema, '');
    if (type === 'array') return Array.from({ length: schema.minItems ?? 0 }, () => minimal(schema.items ?? {}));
    if (type === 'boolean') return false;
    if (type === 'integer' || type === 'number') return schema.minimum ?? schema.exclusiveMinimum ?? 0;
    if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000001';
    if (schema.format === 'date-time') return new Date().toISOString();
    if (schema.format === 'date') return new Date().toISOString().slice(0, 10);
    if (schema.format === 'email') return 'someone@example.org';
    if (schema.pattern) return sample(fc.stringMatching(new RegExp(schema.pattern)));
    return 'x'.repeat(Math.max(schema.minLength ?? 1, 1));
  }

  function minimalObject(schema: JsonSchema, except: string): Record<string, unknown> {
    return Object.fromEntries(
      (schema.required ?? [])
        .filter((name) => name !== except)
        .map((name) => [name, minimal(schema.properties?.[name] ?? {})]),
    );
  }

  /** Every string the schema can hold, through each branch of a union, with a body built around it. */
  function leaves(given: JsonSchema): Leaf[] {
    const schema = resolve(given);
    const branch = schema.anyOf ?? schema.oneOf;
    if (branch) return branch.flatMap(leaves);
    if (schema.const !== undefined || schema.enum) return [];
    const kinds = types(schema);
    if (kinds.includes('string')) return [{ pointer: '', schema, build: (value) => value }];
    if (kinds.includes('array') && schema.items) {
      return leaves(schema.items).map((leaf) => ({
        ...leaf,
        pointer: `/0${leaf.pointer}`,
        build: (value) => [leaf.build(value)],
      }));
    }
    if (kinds.includes('object')) {
      const named = Object.entries(schema.properties ?? {}).flatMap(([name, property]) =>
        leaves(property).map((leaf) => ({
          ...leaf,
          pointer: `/${name}${leaf.pointer}`,
          build: (value: string) => ({ ...minimalObject(schema, name), [name]: leaf.build(value) }),
        })),
      );
      const extra = typeof schema.additionalProperties === 'object' ? leaves(schema.additionalProperties) : [];
      return [
        ...named,
        ...extra.map((leaf) => ({
          ...leaf,
          pointer: `/field${leaf.pointer}`,
          build: (value: string) => ({ field: leaf.build(value) }),
        })),
      ];
    }
    return [];
  }
  return { leaves };
}

t.test('a lone surrogate in any string of a JSON request body is a 400 naming the field', async (t) => {
  const api = await buildTestApp(t, { config: testConfig({ PUBLIC_BASE_URL: 'https://wedid.test' }) });
  const { ward } = await createTree(api);
  const document = api.app.swagger() as unknown as Document;
  const { leaves } = walker(document);
  const keys = new Map<string, string>();
  const keyFor = async (role: string) => {
    if (!keys.has(role)) keys.set(role, await api.createKey(role, role === 'reviewer' ? ward.id : null));
    return keys.get(role) as string;
  };

  let sent = 0;
  const jsonOperations = operations(document).filter((operation) => operation.requestBody?.content['application/json']);
  for (const operation of jsonOperations) {
    // The pages' forms are checked below, signed in: a page form reaches the same API schemas.
    if (operation.roles.includes('browser')) continue;
    const url = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const parameter = operation.parameters.find((candidate) => candidate.in === 'path' && candidate.name === name);
      return parameter?.schema.format === 'uuid' ? '00000000-0000-4000-8000-000000000002' : 'ABCD-EFGH';
    });
    const key = operation.roles.includes('public')
      ? null
      : operation.roles.includes('admin')
        ? undefined
        : await keyFor(operation.roles[0] as string);
    const found = leaves(operation.requestBody?.content['application/json'] as JsonSchema);
    for (const leaf of found) {
      const response = await api.request({
        method: operation.method,
        url,
        key,
        headers: { 'content-type': 'application/json', 'idempotency-key': 'surrogates-1', 'if-match': '"v1"' },
        payload: JSON.stringify(leaf.build(lone)),
      });
      sent++;
      const what = `${operation.method} ${operation.path} ${leaf.pointer}`;
      // A batch answers item by item: the item's result is what POST /v1/feedback would have said.
      const item = response.statusCode === 200 ? response.json().results?.[0] : undefined;
      const pointer = item ? leaf.pointer.replace(/^\/items\/0/, '') : leaf.pointer;
      t.equal(item?.status ?? response.statusCode, 400, `${what}: 400`);
      if (!item) t.match(response.headers['content-type'], /^application\/problem\+json/, `${what}: problem details`);
      const errors = ((item?.problem ?? response.json()).errors ?? []) as { path: string; message: string }[];
      const named = errors.filter((error) => error.path === pointer);
      t.ok(named.length > 0, `${what}: the field is named`, { errors });
      // Free text says why; a uuid, a date or a code is refused by its own shape.
      if (!leaf.schema.format && !leaf.schema.pattern) {
        t.ok(
          named.some((error) => /surrogate|language tag/.test(error.message)),
          `${what}: the lone surrogate is the reason`,
          { errors },
        );
      }
    }
  }
  t.ok(sent > 50, `every string field was tried (${sent})`);

  await t.test('nothing was stored on the way', async (t) => {
    const units = await api.request({ method: 'GET', url: '/v1/units?limit=100' });
    t.notOk(units.body.includes('\\ufffd') || units.body.includes('\ufffd'), 'no U+FFFD stands in for it');
  });

  await t.test('a surrogate pair is a character like any other', async (t) => {
    const created = await api.request({
      method: 'POST',
      url: '/v1/feedback',
      headers: { 'content-type': 'application/json' },
      payload: `{"unitId":"${ward.id}","text":"The garden \\ud83c\\udf33","youSaid":"A tree \\ud83c\\udf33"}`,
    });
    t.equal(created.statusCode, 201);
    t.equal(created.json().youSaid, 'A tree 🌳');
  });

  await t.test('explicit cases: the names a person would notice', async (t) => {
    const cases: [string, string, string, string][] = [
      ['POST', '/v1/units', `{"type":"ward","code":"OAK","name":"Oak \\ud800","parentId":"${ward.id}"}`, '/name'],
      ['POST', '/v1/actions', `{"unitId":"${ward.id}","title":"New \\udc00 chairs"}`, '/title'],
      ['PUT', '/v1/themes', '{"themes":[{"code":"food","label":"Food \\ud800"}]}', '/themes/0/label'],
      ['POST', '/v1/webhooks', '{"url":"https://example.org/\\ud800","eventTypes":["feedback.received"]}', '/url'],
    ];
    for (const [method, url, payload, path] of cases) {
      const response = await api.request({
        method: method as 'POST',
        url,
        headers: { 'content-type': 'application/json', 'idempotency-key': 'surrogates-2' },
        payload,
      });
      t.equal(response.statusCode, 400, `${method} ${url}`);
      t.match(response.json(), {
        type: 'urn:wedid:problem:validation-error',
        errors: [{ path, message: /unpaired UTF-16 surrogate/ }],
      });
    }
  });

  await t.test('a page form is read as a browser sends it, which cannot carry a lone surrogate', async (t) => {
    const session = await consoleSession(api, 'sam@example.org', 'staff');
    const form = await session.get('/console/actions/new');
    const response = await api.app.inject({
      method: 'POST',
      url: '/console/actions',
      headers: { cookie: session.cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ _csrf: csrfOf(form.body), unitId: ward.id, title: `New ${lone} chairs` }),
    });
    t.equal(response.statusCode, 415, 'JSON is refused: only urlencoded (UTF-8, where a surrogate has no bytes)');
  });

  await t.test('the panel’s recommendation form checks its fields with the API’s schema', async (t) => {
    const invite = await api.request({ method: 'POST', url: '/v1/review/invites', payload: { unitId: ward.id } });
    const client = new PanelClient(api);
    const link = pathOf(invite.json().url);
    const started = await client.post(link, {}, { csrf: panelCsrfOf(await client.get(link)) });
    t.equal(started.statusCode, 303, 'signed in');
    const form = await client.get('/review/recommendations/new');
    // What a form can carry that the schema refuses: a control character (a bell) in the title.
    const response = await client.post(
      '/review/recommendations',
      { unitId: ward.id, title: 'Chairs\u0007', text: 'More' },
      { csrf: panelCsrfOf(form) },
    );
    t.equal(response.statusCode, 400, 'the form again, with its error');
    t.match(response.body, /without special characters/, 'in the form’s words');
    const list = await api.request({ method: 'GET', url: '/v1/recommendations' });
    t.same(list.json().items, [], 'no recommendation was created');
  });
});
