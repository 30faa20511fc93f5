import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { ownAddress } from '../config.js';
import { type ProblemKind, problemResponse } from './problems.js';
import { rolesOf } from './route-access.js';

declare module 'fastify' {
  interface FastifySchema {
    /** Who may call the operation (`public`, `browser`, or `admin` and the other roles): set from `config.auth` only. */
    'x-wedid-roles'?: readonly string[];
  }
}

function rolesSentence(roles: string[]): string {
  if (roles.includes('public')) return 'Roles: public (no API key needed).';
  if (roles.includes('browser')) {
    return 'Roles: browser (a person signed in, by an invite link or the identity provider: a session cookie, and the form’s CSRF token; no API key opens it).';
  }
  return `Roles: ${roles.join(', ')}.`;
}

const describe = (kinds: ProblemKind[]) => kinds.map((kind) => `\`${kind}\``).join(', ');

/** The error answers every route of a kind can give, merged into its schema in one place. */
function errorResponsesFor(route: RouteOptions): Record<number, ReturnType<typeof problemResponse>> {
  const schema = route.schema ?? {};
  const responses: Record<number, ReturnType<typeof problemResponse>> = {};
  const auth = route.config?.auth;
  const hasInput = Boolean(schema.body || schema.querystring || schema.params || schema.headers);
  if (hasInput || schema.body) {
    responses[400] = problemResponse(
      `Invalid request (${describe(['validation-error', 'malformed-json'])}); \`errors\` lists each failing field`,
    );
  }
  if (auth && auth !== 'public') {
    responses[401] = problemResponse('No API key, or an unknown or revoked one (`unauthorized`)');
    responses[403] = problemResponse('The key’s role may not do this (`forbidden`)');
  }
  if (schema.params) {
    responses[404] = problemResponse('Not found, or outside the key’s unit scope (`not-found`)');
    responses[414] = problemResponse('A path parameter over 100 characters (`uri-too-long`)');
  }
  if (schema.body) {
    responses[413] = problemResponse('Body over the size limit (`payload-too-large`)');
    responses[415] = problemResponse('Body is not `application/json` (`unsupported-media-type`)');
  }
  responses[429] = problemResponse('Rate limited (`rate-limited`); see `Retry-After`');
  responses[500] = problemResponse('Unexpected error (`internal-error`); no internals are disclosed');
  responses[503] = problemResponse('Database unavailable or overloaded (`service-unavailable`); see `Retry-After`');
  return responses;
}

const schemaRefPrefix = '#/components/schemas/';

/** The component names a piece of the document refers to by `$ref`. */
function referencedSchemas(node: unknown, found: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const item of node) referencedSchemas(item, found);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(schemaRefPrefix)) {
        found.add(value.slice(schemaRefPrefix.length));
      } else referencedSchemas(value, found);
    }
  }
  return found;
}

/**
 * Keeps only the component schemas the operations reach. The zod registry is written out twice,
 * as input (`UnitInput`, defaulted fields required) and output (`Unit`) forms, though most schemas
 * are used in one direction only; fastify-type-provider-zod 7 has no option to leave the unused
 * form out (its issue #214), so the unreachable ones are dropped here.
 */
function withReachableSchemasOnly<T extends { paths?: unknown; components?: { schemas?: Record<string, unknown> } }>(
  document: T,
): T {
  const all = document.components?.schemas ?? {};
  const reachable = referencedSchemas(document.paths, new Set());
  for (const pending = [...reachable]; pending.length > 0; ) {
    for (const name of referencedSchemas(all[pending.pop() as string], new Set())) {
      if (!reachable.has(name)) {
        reachable.add(name);
        pending.push(name);
      }
    }
  }
  const schemas = Object.fromEntries(Object.entries(all).filter(([name]) => reachable.has(name)));
  return { ...document, components: { ...document.components, schemas } };
}

/**
 * fastify-type-provider-zod's transform keeps only a response's description and content; its
 * `headers` (a header name to its JSON schema, with a description) are put back for @fastify/swagger.
 */
const withResponseHeaders: typeof jsonSchemaTransform = (input) => {
  const output = jsonSchemaTransform(input);
  const declared = (input.schema?.response ?? {}) as Record<string, { headers?: unknown }>;
  const transformed = (output.schema?.response ?? {}) as Record<string, Record<string, unknown>>;
  for (const [status, entry] of Object.entries(declared)) {
    if (entry?.headers && transformed[status]) transformed[status].headers = entry.headers;
  }
  return output;
};

/** Registers @fastify/swagger (OpenAPI 3.1 from the zod schemas), `/openapi.json` and `/docs`. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  app.addHook('onRoute', (route) => {
    if (route.schema?.hide || !route.schema) return;
    const declared = (route.schema.response ?? {}) as Record<string, unknown>;
    route.schema.response = { ...errorResponsesFor(route), ...declared };
    const auth = route.config?.auth;
    if (!auth) return;
    route.schema.security = auth === 'public' || auth === 'browser' ? [] : [{ bearerAuth: [] }];
    // Stated from the same config.auth the auth hook enforces, so the contract cannot drift from it.
    const roles = rolesOf(auth);
    route.schema['x-wedid-roles'] = roles;
    const sentence = rolesSentence(roles);
    // A GET route's HEAD twin shares its schema object: state the roles once.
    if (!route.schema.description?.endsWith(sentence)) {
      route.schema.description = [route.schema.description, sentence].filter(Boolean).join(' ');
    }
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'WeDid API',
        version: '1.0.0',
        description:
          '“You said – We did”: feedback from patients, carers and families, each item closed by an action (“We did”) or an honest, recorded reason (“We couldn’t, because”). Errors are RFC 9457 problem details (`application/problem+json`) with a stable `type`.',
      },
      // Unset, PUBLIC_BASE_URL is this instance's own address: `/` names whichever server serves
      // the document, so the committed copy is the same wherever it was generated.
      servers: [{ url: app.config.PUBLIC_BASE_URL === ownAddress(app.config.PORT) ? '/' : app.config.PUBLIC_BASE_URL }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key issued by POST /v1/api-keys' },
        },
      },
      tags: [
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'api-keys', description: 'Keys, roles and unit scope' },
        { name: 'console', description: 'The staff console’s pages: signing in with the trust’s identity provider' },
        { name: 'people', description: 'Who may sign in to the staff console, with which role and unit scope' },
        { name: 'units', description: 'The trust > site > ward / service / team tree' },
        { name: 'themes', description: 'The theme vocabulary' },
        {
          name: 'safeguarding',
          description:
            'The safeguarding screen: the phrase list intake screens against (an aid for staff, not a diagnosis)',
        },
        {
          name: 'feedback',
          description: '“You said”: intake, triage, decisions (“We couldn’t, because”), reopening, erasure',
        },
        { name: 'actions', description: '“We did” / “We will”: actions that answer feedback' },
        { name: 'boards', description: 'Public “You said – We did” boards for ward screens' },
        { name: 'tracking', description: 'Public tracking of one item by its reference' },
        { name: 'reports', description: 'Closure, themes and equity reports for auditors' },
        { name: 'audit', description: 'The append-only, hash-chained audit trail' },
        { name: 'events', description: 'The change feed, written in the same transaction as each change' },
        { name: 'webhooks', description: 'Signed (Standard Webhooks) deliveries of the change feed' },
      ],
    },
    transform: withResponseHeaders,
    transformObject: (input) => withReachableSchemasOnly(jsonSchemaTransformObject(input)),
  });

  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
