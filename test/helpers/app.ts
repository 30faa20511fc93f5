import type { SQL } from 'drizzle-orm';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { type Config, loadConfig, pressureFromEnvironment } from '../../src/config.js';
import { rowsOf } from '../../src/db/rows.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const adminSecret = 'test-admin-secret-0123456789abcdef';

/** The part of a tap test this helper needs, so it works with `t` from any tap version. */
interface TestContext {
  teardown(fn: () => unknown): void;
}

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  /** Sends a request, with `key` as the bearer secret when given. */
  request(options: InjectOptions & { key?: string | null }): Promise<LightMyRequestResponse>;
  /** Issues an API key through the API and returns its secret. */
  createKey(role: string, unitId?: string | null, name?: string): Promise<string>;
  /** Creates a unit through the API and returns it. */
  createUnit(body: Record<string, unknown>): Promise<{ id: string; code: string } & Record<string, unknown>>;
  /** Runs raw SQL on the app's database and returns its rows, typed by the caller. */
  sql<Row = Record<string, unknown>>(query: SQL): Promise<Row[]>;
}

/**
 * The config of a test app: replies are not sent unless a test asks (`SEND_REPLIES: 'true'`), so a
 * test that looks at a queued reply is not racing the reply worker.
 */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    ADMIN_API_KEY: adminSecret,
    LOG_LEVEL: 'silent',
    SEND_REPLIES: 'false',
    // A busy machine may lift the load shedder for a run (PRESSURE_MAX_EVENT_LOOP_DELAY_MS=0); a test's own setting wins.
    ...pressureFromEnvironment(),
    ...overrides,
  });
}

/** A fresh app on a fresh database for one test file; both are closed when the test ends. */
export async function buildTestApp(
  t: TestContext,
  options: { config?: Config; database?: TestDatabase } = {},
): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const app = await buildApp(options.config ?? testConfig(), { database: database.handle, logger: false });
  t.teardown(async () => {
    await app.close();
    if (!options.database) await database.drop();
  });
  return withHelpers(app, database);
}

export function withHelpers(app: FastifyInstance, database: TestDatabase): TestApp {
  const request: TestApp['request'] = ({ key = adminSecret, headers, ...rest }) =>
    app.inject({ ...rest, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });
  return {
    app,
    database,
    request,
    async createKey(role, unitId = null, name = `${role} key`) {
      const response = await request({ method: 'POST', url: '/v1/api-keys', payload: { name, role, unitId } });
      if (response.statusCode !== 201) throw new Error(`createKey: ${response.statusCode} ${response.body}`);
      return response.json().key as string;
    },
    async createUnit(body) {
      const response = await request({ method: 'POST', url: '/v1/units', payload: body });
      if (response.statusCode !== 201) throw new Error(`createUnit: ${response.statusCode} ${response.body}`);
      return response.json();
    },
    sql: (query) => rowsOf(database.handle.db, query),
  };
}

/** A trust with one site and two wards: the tree most tests need. */
export async function createTree(api: TestApp, prefix = 'T') {
  const trust = await api.createUnit({ type: 'trust', code: `${prefix}-TRUST`, name: 'Test Trust' });
  const site = await api.createUnit({ type: 'site', code: `${prefix}-SITE`, name: 'Riverside', parentId: trust.id });
  const ward = await api.createUnit({ type: 'ward', code: `${prefix}-WILLOW`, name: 'Willow Ward', parentId: site.id });
  const otherWard = await api.createUnit({ type: 'ward', code: `${prefix}-ASH`, name: 'Ash Ward', parentId: site.id });
  return { trust, site, ward, otherWard };
}
