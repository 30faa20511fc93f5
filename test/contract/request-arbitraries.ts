import fc from 'fast-check';
import { type JsonSchema, type Operation, openApiDocument, resolveSchema } from './openapi-document.js';

/**
 * Requests generated from the OpenAPI document, valid and invalid, for property tests. Ids of
 * things the service has created are only known while the test runs, so a generated request names
 * them by pool and index (`PoolRef`) and `Pools.resolve` fills them in when the request is sent.
 */

/** A value to take from a pool of things the service has answered with so far. */
export class PoolRef {
  constructor(
    readonly pool: string,
    readonly index: number,
    /** References are accepted in any case and without the hyphen: send them that way too. */
    readonly variant: 'as-is' | 'compact-lower' = 'as-is',
  ) {}

  [fc.toStringMethod](): string {
    return `<${this.pool}#${this.index}${this.variant === 'as-is' ? '' : ` ${this.variant}`}>`;
  }
}

/** Text sent exactly as it is, not percent-encoded: a malformed path segment or query string. */
export class RawText {
  constructor(readonly text: string) {}

  [fc.toStringMethod](): string {
    return `raw(${JSON.stringify(this.text)})`;
  }
}

/** What the service has created or sent so far, by pool name (`units`, `feedback`, `etags`…). */
export class Pools {
  private readonly values = new Map<string, string[]>();
  private readonly excluded = new Set<string>();

  /** Values never to hand out (the role keys' own ids, so a generated revoke cannot lock the test out). */
  exclude(value: string): void {
    this.excluded.add(value);
    for (const [pool, values] of this.values) {
      this.values.set(
        pool,
        values.filter((candidate) => candidate !== value),
      );
    }
  }

  add(pool: string, value: unknown): void {
    if (typeof value !== 'string' || value === '' || this.excluded.has(value)) return;
    const values = this.values.get(pool) ?? [];
    if (!values.includes(value)) values.push(value);
    this.values.set(pool, values);
  }

  /**
   * Replaces every PoolRef in a generated value. An empty pool gives a well-formed id nobody has,
   * or, for cursors, undefined: the parameter is left out rather than sent as something never issued.
   */
  resolve(value: unknown): unknown {
    if (value instanceof PoolRef) {
      const candidates = value.pool === 'any' ? [...this.values.values()].flat() : (this.values.get(value.pool) ?? []);
      const picked = candidates[value.index % Math.max(candidates.length, 1)];
      if (picked === undefined && value.pool.startsWith('cursors')) return undefined;
      const resolved = picked ?? `00000000-0000-4000-8000-${String(value.index).padStart(12, '0').slice(-12)}`;
      return value.variant === 'compact-lower' ? resolved.replaceAll('-', '').toLowerCase() : resolved;
    }
    if (value instanceof RawText) return value;
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolve(item)]));
    }
    return value;
  }

  /** Remembers what a response names: ids under the path's collection, references, ETags, cursors. */
  collect(path: string, status: number, headers: Record<string, unknown>, body: string): void {
    if (status >= 300) return;
    this.add('etags', headers.etag);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return;
    }
    const collection = collectionOf(path);
    const remember = (entity: unknown) => {
      if (!entity || typeof entity !== 'object') return;
      const fields = entity as Record<string, unknown>;
      this.add(collection, fields.id);
      this.add('references', fields.reference);
      if (collection === 'themes') this.add('themes', fields.code);
      if (collection === 'units') this.add('unitCodes', fields.code);
    };
    if (Array.isArray(parsed)) parsed.forEach(remember);
    else if (parsed && typeof parsed === 'object') {
      const page = parsed as Record<string, unknown>;
      remember(page);
      for (const list of Object.values(page)) if (Array.isArray(list)) list.forEach(remember);
      this.add('cursors', page.nextCursor);
      this.add(`cursors ${path}`, page.nextCursor);
    }
  }
}

/** `/v1/actions/{id}/complete` → `actions`: the collection a path's resource belongs to. */
export const collectionOf = (path: string) => path.split('/').filter(Boolean)[1] ?? 'any';

/** The pool an id-valued field or parameter draws from, judged by its name. */
function poolForName(name: string | undefined, path?: string): string {
  if (!name) return 'any';
  if (name === 'id' && path) return collectionOf(path);
  const stem = name.replace(/Ids?$/, '').toLowerCase();
  const known: Record<string, string> = {
    unit: 'units',
    unitcode: 'unitCodes',
    parent: 'units',
    within: 'units',
    feedback: 'feedback',
    action: 'actions',
    actorkey: 'api-keys',
    webhook: 'webhooks',
    entity: 'any',
  };
  return known[stem] ?? 'any';
}

const pooled = (pool: string, variant?: PoolRef['variant']) =>
  fc.nat({ max: 1_000 }).map((index) => new PoolRef(pool, index, variant));

/** Characters that have broken text handling somewhere: NUL, controls, separators, a lone surrogate, quoting. */
const awkwardCharacter = fc.constantFrom(
  '\u0000',
  '\u0001',
  '\u007f',
  '\u2028',
  '\ufeff',
  '\ud800',
  '\n',
  '\t',
  ' ',
  'é',
  '😀',
  '"',
  "'",
  '\\',
  '%',
  '<',
  ';',
  ',',
);

/** Strings of many kinds: plain ASCII, any Unicode text, arbitrary code points, and awkward characters. */
function text(minLength = 0, maxLength = 60): fc.Arbitrary<string> {
  const constraints = { minLength, maxLength: Math.max(minLength, Math.min(maxLength, 60)) };
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ ...constraints, unit: 'grapheme-ascii' }) },
    { weight: 2, arbitrary: fc.string({ ...constraints, unit: 'grapheme' }) },
    { weight: 1, arbitrary: fc.string({ ...constraints, unit: 'binary' }) },
    {
      weight: 1,
      arbitrary: fc.string({ ...constraints, unit: fc.oneof(fc.constantFrom('a', 'b', 'z'), awkwardCharacter) }),
    },
  );
}

/** Printable ASCII, as an HTTP client would put in a header. */
const headerText = (maxLength: number) =>
  fc.string({ maxLength, unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)) });

const isoDate = fc
  .date({ min: new Date('2015-01-01T00:00:00Z'), max: new Date(Date.now() + 30 * 86_400_000), noInvalidDate: true })
  .map((date) => date.toISOString());

/** Webhook receivers: private ones are refused, `.invalid` names never resolve (RFC 6761): no call leaves the machine. */
const urls = fc.oneof(
  fc.constantFrom(
    'https://receiver.invalid/hooks/wedid',
    'http://127.0.0.1:9/hook',
    'http://10.0.0.1/hook',
    'http://[::1]/hook',
    'http://169.254.169.254/latest/meta-data',
    'ftp://receiver.invalid/',
    'not a url',
  ),
  fc.webPath().map((path) => `https://receiver.invalid${path}`),
);

/** The change feed's event types, when the document has them: `types` takes a comma-separated list. */
const eventTypes = (() => {
  const event = openApiDocument.components.schemas.Event;
  const variants = event ? (event.oneOf ?? event.anyOf ?? [event]).map((variant) => resolveSchema(variant)) : [];
  return variants.flatMap((variant) => {
    const type = variant.properties?.type && resolveSchema(variant.properties.type);
    return (type ? ('const' in type ? [type.const] : (type.enum ?? [])) : []) as string[];
  });
})();

function stringFor(schema: JsonSchema, name: string | undefined, path: string | undefined): fc.Arbitrary<unknown> {
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? 200;
  if (schema.format === 'uuid') {
    return fc.oneof({ weight: 4, arbitrary: pooled(poolForName(name, path)) }, { weight: 1, arbitrary: fc.uuid() });
  }
  if (name === 'url') return urls;
  if (name === 'types' && eventTypes.length > 0) {
    return fc.subarray(eventTypes, { minLength: 1 }).map((types) => types.join(','));
  }
  if (name === 'themes' || name === 'theme') return fc.oneof(pooled('themes'), text(minLength, maxLength));
  if (schema.format === 'date-time') return isoDate;
  if (schema.format === 'date') return isoDate.map((iso) => iso.slice(0, 10));
  if (schema.format === 'email') {
    return fc
      .tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,15}$/), fc.constantFrom('example.org', 'nhs.net'))
      .map(([local, domain]) => `${local}@${domain}`);
  }
  if (schema.pattern) {
    return fc
      .stringMatching(new RegExp(schema.pattern))
      .filter((value) => value.length >= minLength && value.length <= maxLength);
  }
  return fc.oneof(
    { weight: 8, arbitrary: text(minLength, maxLength) },
    { weight: 1, arbitrary: fc.constant('a'.repeat(Math.min(maxLength, 20_000))) },
  );
}

/**
 * A value valid for a schema (as far as JSON Schema says: business rules may still refuse it),
 * for the subset of JSON Schema the document uses. `name` is the property or parameter the value
 * is for, so ids come from the right pool.
 */
export function valueFor(schema: JsonSchema, name?: string, path?: string, depth = 0): fc.Arbitrary<unknown> {
  const resolved = resolveSchema(schema);
  if (depth > 8) return fc.constant(null);
  if ('const' in resolved) return fc.constant(resolved.const);
  if (resolved.enum) return fc.constantFrom(...resolved.enum);
  const alternatives = resolved.anyOf ?? resolved.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((option) => valueFor(option, name, path, depth + 1)));
  if (resolved.allOf) {
    const merged = Object.assign({}, ...resolved.allOf.map((part) => resolveSchema(part)));
    return valueFor(merged, name, path, depth + 1);
  }
  if (Array.isArray(resolved.type)) {
    return fc.oneof(...resolved.type.map((type) => valueFor({ ...resolved, type }, name, path, depth + 1)));
  }
  if (resolved.nullable) {
    return fc.option(valueFor({ ...resolved, nullable: false }, name, path, depth + 1), { nil: null });
  }
  switch (resolved.type) {
    case 'string':
      return stringFor(resolved, name, path);
    case 'integer':
      return fc.integer({ min: resolved.minimum ?? -1_000_000, max: resolved.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({
        min: resolved.minimum ?? -1e6,
        max: resolved.maximum ?? 1e6,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = resolved.minItems ?? 0;
      return fc.array(valueFor(resolved.items ?? {}, name, path, depth + 1), {
        minLength,
        maxLength: Math.max(minLength, Math.min(resolved.maxItems ?? 5, 5)),
      });
    }
    default:
      if (resolved.type === 'object' || resolved.properties) {
        const properties = resolved.properties ?? {};
        if (Object.keys(properties).length === 0 && typeof resolved.additionalProperties === 'object') {
          return fc.dictionary(text(1, 20), valueFor(resolved.additionalProperties, undefined, path, depth + 1), {
            maxKeys: 3,
          });
        }
        return fc.record(
          Object.fromEntries(
            Object.entries(properties).map(([key, property]) => [key, valueFor(property, key, path, depth + 1)]),
          ),
          { requiredKeys: (resolved.required ?? []).filter((key) => key in properties) },
        );
      }
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Anything JSON, usually of the wrong type for whatever it replaces. */
const anyJson = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  text(),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(text(1, 10), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

/** Query values no schema allows: wrong types, out of range, odd encodings, far too long. */
const garbageQueryValue = fc.oneof(
  fc.constantFrom('', ' ', 'abc', '-1', '0', '1.5', '1e309', '99999999999999999999', 'null', 'true', '[]', '{}'),
  fc.constantFrom('2024-02-30T00:00:00Z', '2024-13-01', 'yesterday', 'x'.repeat(600), '\u0000', '%', '😀'),
  text(1, 40),
);

/**
 * Cursors this service never issued but that decode: JSON sort keys of the wrong arity, types or
 * range (`["1", uuid]`, `["x","y"]`, `[1.5]`), so every paged route must refuse them with a 400.
 */
const forgedCursor = fc
  .oneof(
    fc.constantFrom<unknown[]>(
      ['1', '00000000-0000-4000-8000-000000000000'],
      ['x', 'y'],
      [1.5],
      [-1],
      [0, -1],
      ['0000-01-01T00:00:00.000Z', '00000000-0000-4000-8000-000000000000'],
      [1e300, 1],
      [],
      [null],
    ),
    fc.array(fc.oneof(fc.integer(), fc.double(), text(0, 30), fc.constant(null), fc.boolean()), { maxLength: 3 }),
  )
  .map((key) => Buffer.from(JSON.stringify(key)).toString('base64url'));

/** Either only what the schema allows, or anything at all: the two kinds of request generated. */
export type Mode = 'well-formed' | 'hostile';

function queryValueFor(schema: JsonSchema, name: string, path: string, mode: Mode): fc.Arbitrary<unknown> {
  // Long polling holds the request open up to `wait` seconds: keep the run fast.
  if (name === 'wait') {
    return fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) });
  }
  const resolved = resolveSchema(schema);
  const isCursor = name === 'cursor' || name === 'after';
  if (mode === 'well-formed') return isCursor ? pooled(`cursors ${path}`) : valueFor(resolved, name, path);
  const outOfRange =
    resolved.type === 'integer' && resolved.minimum !== undefined && resolved.maximum !== undefined
      ? [
          fc.integer({ min: -1_000_000, max: resolved.minimum - 1 }),
          fc.integer({ min: resolved.maximum + 1, max: 1_000_000_000 }),
        ]
      : [];
  return fc.oneof(
    { weight: 3, arbitrary: isCursor ? pooled('cursors') : valueFor(resolved, name, path) },
    ...(isCursor ? [{ weight: 2, arbitrary: forgedCursor }] : []),
    garbageQueryValue,
    ...outOfRange,
  );
}

/** How a generated request authenticates: a role's key, a unit-scoped staff key, none, or rubbish. */
export type Caller = { as: KeyedCaller } | { as: 'nobody' } | { as: 'garbage'; authorization: string };

/** The keys of the run: one per role (the reviewer's scoped to a ward, as panel keys are), and a scoped staff key. */
type KeyedCaller = 'admin' | 'staff' | 'scoped-staff' | 'intake' | 'auditor' | 'display' | 'reviewer';

const roles = (weights: Record<KeyedCaller, number>) =>
  Object.entries(weights).map(([as, weight]) => ({ weight, arbitrary: fc.constant({ as } as Caller) }));

const callers: Record<Mode, fc.Arbitrary<Caller>> = {
  'well-formed': fc.oneof(
    ...roles({ admin: 6, staff: 4, 'scoped-staff': 1, intake: 1, auditor: 1, display: 1, reviewer: 1 }),
  ),
  hostile: fc.oneof(
    ...roles({ admin: 2, staff: 2, 'scoped-staff': 1, intake: 2, auditor: 2, display: 2, reviewer: 2 }),
    { weight: 1, arbitrary: fc.constant({ as: 'nobody' as const }) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'bearer  x y', 'Token abc'),
          headerText(80).map((value) => `Bearer ${value}`),
          headerText(80),
        )
        .map((authorization) => ({ as: 'garbage' as const, authorization })),
    },
  ),
};

/** A request body: JSON to serialise, or raw text or bytes sent as they are. */
export type Body =
  | { kind: 'json'; value: unknown; how: string }
  | { kind: 'csv'; value: CsvTable; how: string }
  | { kind: 'raw'; text: string | Uint8Array; how: string }
  | { kind: 'none' };

const oneMegabyteAndABit = 1_048_576 + 1_000;

function jsonMutations(schema: JsonSchema, path: string): fc.Arbitrary<Body> {
  const resolved = resolveSchema(schema);
  const properties = Object.keys(resolved.properties ?? {});
  const required = resolved.required ?? [];
  const valid = valueFor(resolved, undefined, path);
  const asObject = (value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
  const mutations: fc.Arbitrary<Body>[] = [
    fc.tuple(valid, text(1, 20), anyJson).map(([value, key, extra]) => ({
      kind: 'json' as const,
      value: { ...asObject(value), [key]: extra },
      how: 'an extra field',
    })),
    fc
      .tuple(valid, fc.constantFrom('id', 'status', 'version', 'reference', 'closedAt', 'createdAt'), anyJson)
      .map(([value, key, extra]) => ({
        kind: 'json' as const,
        value: { ...asObject(value), [key]: extra },
        how: 'a read-only field',
      })),
    anyJson.map((value) => ({ kind: 'json' as const, value, how: 'random JSON' })),
    fc.jsonValue().map((value) => ({ kind: 'json' as const, value, how: 'random JSON' })),
  ];
  if (required.length > 0) {
    mutations.push(
      fc.tuple(valid, fc.constantFrom(...required)).map(([value, key]) => {
        const body = asObject(value);
        delete body[key];
        return { kind: 'json' as const, value: body, how: `without required ${key}` };
      }),
    );
  }
  if (properties.length > 0) {
    mutations.push(
      fc.tuple(valid, fc.constantFrom(...properties), anyJson).map(([value, key, wrong]) => ({
        kind: 'json' as const,
        value: { ...asObject(value), [key]: wrong },
        how: `${key} of another type`,
      })),
      fc.tuple(valid, fc.constantFrom(...properties), fc.integer({ min: 1, max: 20_001 })).map(([value, key, n]) => ({
        kind: 'json' as const,
        value: { ...asObject(value), [key]: 'x'.repeat(n) },
        how: `${key} a long string`,
      })),
    );
  }
  return fc.oneof(...mutations);
}

const invalidJson: fc.Arbitrary<Body> = fc.oneof(
  fc
    .constantFrom('{', '{"a":', '[1,2', 'nul', '{"unitId": undefined}', "{'a': 1}", '{"a":1}}', '\u0000', '')
    .map((text) => ({ kind: 'raw' as const, text, how: 'invalid JSON' })),
  text(1, 40).map((text) => ({ kind: 'raw' as const, text, how: 'random text' })),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => ({ kind: 'raw' as const, text: bytes, how: 'bytes' })),
);

const tooLarge: fc.Arbitrary<Body> = fc.constant({
  kind: 'raw',
  text: JSON.stringify({ text: 'x'.repeat(oneMegabyteAndABit) }),
  how: 'over the body limit',
});

const inputSchemas = Object.entries(openApiDocument.components.schemas)
  .filter(([name]) => name.endsWith('Input'))
  .map(([, schema]) => resolveSchema(schema));

/** Every property name of every input object schema: column names a hostile CSV body might use. */
const anyColumnNames = [...new Set(inputSchemas.flatMap((schema) => Object.keys(schema.properties ?? {})))].sort();

/** The schema of a CSV column named by a dot path (`contact.email`) into some input object schema. */
function columnSchema(column: string): JsonSchema | undefined {
  for (const schema of inputSchemas) {
    let current: JsonSchema | undefined = schema;
    for (const key of column.split('.')) {
      const property: JsonSchema | undefined = current?.properties?.[key];
      current = property && resolveSchema(property);
    }
    if (current) return current;
  }
  return undefined;
}

/** A cell as the column's schema allows: lists joined by `;`, as CSV imports take them. */
function cellFor(column: string): fc.Arbitrary<unknown> {
  const schema = columnSchema(column);
  if (!schema) return text(0, 30);
  return valueFor(schema, column.split('.').at(-1)).map((value) => (Array.isArray(value) ? value.join(';') : value));
}

const oddCell = fc.oneof(
  pooled('units'),
  isoDate,
  text(0, 30),
  fc.constantFrom('"quoted, with comma"', '"unterminated', 'line\nbreak', '=1+1', ''),
);

/**
 * CSV bodies. Well-formed: the columns the media type's description names in backticks (for the
 * feedback import: the fields of POST /v1/feedback as dot paths), always with the required ones
 * first, each cell as its field's schema allows. Hostile: any column names and odd cells.
 */
function csvBodies(schema: JsonSchema, mode: Mode): fc.Arbitrary<Body> {
  const described = [...(schema.description ?? '').matchAll(/`([A-Za-z][\w.]*)`/g)]
    .map((match) => match[1]!)
    .filter((column) => columnSchema(column));
  const newline = fc.constantFrom('\n', '\r\n');
  if (mode === 'well-formed' && described.length > 0) {
    const leading: string[] = described.filter((column) => column === 'unitId' || column === 'text');
    return fc
      .tuple(
        fc.shuffledSubarray(
          described.filter((column) => !leading.includes(column)),
          { maxLength: 6 },
        ),
        newline,
      )
      .chain(([optional, newline]) => {
        const header = [...leading, ...optional];
        return fc
          .array(fc.tuple(...header.map(cellFor)), { minLength: 1, maxLength: 5 })
          .map((rows) => ({ kind: 'csv' as const, value: { header, rows, newline }, how: 'csv' }));
      });
  }
  return fc
    .tuple(
      fc.shuffledSubarray(anyColumnNames, { minLength: 1, maxLength: 8 }),
      fc.array(fc.array(oddCell, { minLength: 1, maxLength: 10 }), { maxLength: 6 }),
      newline,
    )
    .map(([header, rows, newline]) => ({ kind: 'csv' as const, value: { header, rows, newline }, how: 'odd csv' }));
}

/** A generated CSV upload, its cells possibly pool references. */
export interface CsvTable {
  header: string[];
  rows: unknown[][];
  newline: string;
}

/** Turns a generated CSV table into its text, once pool references are resolved. */
export function csvText(value: CsvTable): string {
  const cell = (v: unknown) => {
    const s = String(v ?? '');
    return /[",\r\n]/.test(s) && !s.startsWith('"') ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [value.header, ...value.rows].map((row) => row.map(cell).join(',')).join(value.newline);
}

const contentTypes = fc.constantFrom(
  'text/plain',
  'text/csv',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/merge-patch+json',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'foo',
  ';',
);

/** One generated request, before pool references and keys are filled in. */
export interface RequestSpec {
  mode: Mode;
  caller: Caller;
  pathParams: Record<string, unknown>;
  query: [string, unknown][];
  /** Appended to the query string as it is: malformed percent-encoding and the like. */
  rawQuery: string;
  headers: Record<string, unknown>;
  mediaType: string | null;
  body: Body;
  remoteAddress: string;
}

const garbagePathParam = fc.oneof(
  text(1, 40),
  fc.constantFrom('null', 'undefined', '0', '-1', 'x'.repeat(300)),
  // No dot segments, bare or encoded: WHATWG URL parsers (inject, fetch, browsers) resolve `%2E` too,
  // so `/v1/units/%2E/board` would really be a request for another route.
  fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', 'a%2Fb').map((raw) => new RawText(raw)),
);

function pathParamFor(schema: JsonSchema, name: string, path: string, mode: Mode): fc.Arbitrary<unknown> {
  const pool = name === 'reference' ? 'references' : poolForName(name, path);
  const known = [
    { weight: 6, arbitrary: pooled(pool) },
    ...(pool === 'references' ? [{ weight: 2, arbitrary: pooled(pool, 'compact-lower') }] : []),
  ];
  if (mode === 'well-formed') return fc.oneof(...known, { weight: 1, arbitrary: valueFor(schema, name, path) });
  return fc.oneof(
    ...known,
    { weight: 1, arbitrary: pooled('any') },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: valueFor(schema, name, path) },
    { weight: 2, arbitrary: garbagePathParam },
  );
}

const etags = fc.oneof(
  { weight: 3, arbitrary: pooled('etags') },
  { weight: 2, arbitrary: fc.constantFrom('*', '"v1"', 'W/"v2"', '3', '"v999999999"', '"v1", "v2"', '""', 'W/') },
  { weight: 1, arbitrary: headerText(250) },
);

const commonHeaders: Record<Mode, Record<string, fc.Arbitrary<unknown>>> = {
  'well-formed': {
    accept: fc.constantFrom('application/json', '*/*', 'application/json, application/problem+json'),
    'if-match': pooled('etags'),
    'if-none-match': pooled('etags'),
    'idempotency-key': fc.uuid(),
  },
  hostile: {
    accept: fc.constantFrom(
      'application/json',
      'application/problem+json',
      'text/csv',
      'text/html',
      '*/*',
      'application/xml',
      'text/csv;q=0.5, application/json',
      'garbage',
    ),
    'if-match': etags,
    'if-none-match': etags,
    'idempotency-key': fc.oneof(headerText(40), fc.constant(''), fc.constant('k'.repeat(300)), fc.uuid()),
    'x-request-id': headerText(140),
  },
};

function queryFor(operation: Operation, mode: Mode): fc.Arbitrary<[string, unknown][]> {
  const declared = operation.parameters.filter((parameter) => parameter.in === 'query');
  const required = declared.filter((parameter) => parameter.required).map((parameter) => parameter.name);
  const values = fc.record(
    Object.fromEntries(
      declared.map((parameter) => [
        parameter.name,
        queryValueFor(parameter.schema, parameter.name, operation.path, mode),
      ]),
    ),
    { requiredKeys: required },
  );
  if (mode === 'well-formed') return values.map((record) => Object.entries(record));
  return fc
    .tuple(
      values,
      // Now and then a required parameter left out, an unknown one added, or one sent twice.
      fc.option(fc.constantFrom(...(required.length > 0 ? required : [''])), { freq: 4 }),
      fc.option(fc.tuple(text(1, 12), garbageQueryValue), { freq: 3 }),
      fc.option(fc.constantFrom(...(declared.length > 0 ? declared.map((p) => p.name) : ['x'])), { freq: 4 }),
    )
    .map(([record, dropped, unknown, repeated]) => {
      const pairs: [string, unknown][] = Object.entries(record).filter(([name]) => name !== dropped);
      if (unknown) pairs.push(unknown);
      if (repeated) pairs.push([repeated, pairs.find(([name]) => name === repeated)?.[1] ?? '1']);
      return pairs;
    });
}

function bodiesFor(operation: Operation, mode: Mode): fc.Arbitrary<[string | null, Body]> {
  const { path } = operation;
  const media = Object.entries(operation.requestBody?.content ?? {});
  const validFor = (mediaType: string, schema: JsonSchema): fc.Arbitrary<Body> =>
    mediaType.includes('json')
      ? valueFor(schema, undefined, path).map((value) => ({ kind: 'json' as const, value, how: 'valid' }))
      : csvBodies(resolveSchema(schema), 'well-formed');
  if (media.length === 0) {
    if (mode === 'well-formed') return fc.constant([null, { kind: 'none' }]);
    return fc.oneof(
      { weight: 4, arbitrary: fc.constant<[string | null, Body]>([null, { kind: 'none' }]) },
      { weight: 1, arbitrary: fc.tuple(fc.constant('application/json'), jsonMutations({}, path)) },
      { weight: 1, arbitrary: fc.tuple(contentTypes, invalidJson) },
    );
  }
  if (mode === 'well-formed') {
    return fc.oneof(
      ...media.map(([mediaType, schema]) => fc.tuple(fc.constant(mediaType), validFor(mediaType, schema))),
    );
  }
  return fc.oneof(
    ...media.flatMap(([mediaType, schema]) => {
      const valid = validFor(mediaType, schema);
      const mutated = mediaType.includes('json')
        ? jsonMutations(schema, path)
        : fc.oneof(csvBodies(resolveSchema(schema), 'hostile'), invalidJson);
      return [
        { weight: 4, arbitrary: fc.tuple(fc.constant(mediaType), mutated) },
        { weight: 1, arbitrary: fc.tuple(fc.constant(mediaType), invalidJson) },
        { weight: 1, arbitrary: fc.tuple(fc.option(contentTypes, { nil: null }), valid) },
        { weight: 1, arbitrary: fc.constant<[string | null, Body]>([mediaType, { kind: 'none' }]) },
      ];
    }),
    { weight: 1, arbitrary: fc.tuple(fc.constant('application/json'), tooLarge) },
  );
}

function requestsOfMode(operation: Operation, mode: Mode): fc.Arbitrary<RequestSpec> {
  const { path } = operation;
  const parameters = (where: 'path' | 'header') => operation.parameters.filter((p) => p.in === where);
  const pathParams = fc.record(
    Object.fromEntries(parameters('path').map((p) => [p.name, pathParamFor(p.schema, p.name, path, mode)])),
  );
  const declaredHeaders = Object.fromEntries(
    parameters('header')
      .filter((parameter) => !(parameter.name in commonHeaders[mode]))
      .map((parameter) => {
        const valid = valueFor(parameter.schema, parameter.name, path);
        return [parameter.name, mode === 'well-formed' ? valid : fc.oneof(valid, headerText(60))];
      }),
  );
  return fc
    .record({
      caller: callers[mode],
      pathParams,
      query: queryFor(operation, mode),
      rawQuery:
        mode === 'well-formed'
          ? fc.constant('')
          : fc.oneof(
              { weight: 6, arbitrary: fc.constant('') },
              {
                weight: 1,
                arbitrary: fc.constantFrom('&%', '&a=%zz', '&=x', '&limit', '&%E0%A4%A=1', '&a[b]=1', '&&&', '&q=%00'),
              },
            ),
      headers: fc.record({ ...commonHeaders[mode], ...declaredHeaders }, { requiredKeys: [] }),
      body: bodiesFor(operation, mode),
      remoteAddress: fc.ipV4(),
    })
    .map(({ body: [mediaType, body], ...rest }) => ({ mode, mediaType, body, ...rest }));
}

/**
 * Requests for one operation: well-formed ones (every value as the schema allows, a role's key;
 * business rules may still refuse them) and hostile ones (every kind of wrong input).
 */
export function requestsFor(operation: Operation): fc.Arbitrary<RequestSpec> {
  return fc.oneof(
    { weight: 3, arbitrary: requestsOfMode(operation, 'well-formed') },
    { weight: 2, arbitrary: requestsOfMode(operation, 'hostile') },
  );
}
