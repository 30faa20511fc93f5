import { randomUUID } from 'node:crypto';
import pg from 'pg';
import t from 'tap';
import { createTestDatabase, onServer } from '../helpers/database.js';
import { callService, serviceStarter } from '../helpers/service-process.js';

const adminKey = 'intake-crash-admin-secret-0123456789';
const clients = 12;

interface Sent {
  client: number;
  key: string;
  body: { unitId: string; text: string };
  /** The status the client saw, or undefined when the connection died first. */
  status?: number;
  id?: string;
}

// POST /v1/feedback from concurrent clients shares commits (group commit) and claims the
// Idempotency-Key in the same transaction. The service is killed (SIGKILL) while requests are in
// flight; after a restart every 201 a client saw is there exactly once, a retry with the same key
// answers with the same item, the audit chain verifies and the feed holds each item once, in the
// order the clients saw their answers.
t.test(
  'intake killed mid-load: every 201 exactly once, retries replay, audit and feed intact',
  { skip: onServer ? false : 'runs the service as a separate process on a shared PostgreSQL database' },
  async (t) => {
    const database = await createTestDatabase();
    t.teardown(() => database.drop());
    const start = serviceStarter(t, {
      DATABASE_URL: database.url!,
      ADMIN_API_KEY: adminKey,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_KEY_PER_MINUTE: '1000000',
    });

    const first = await start();
    const admin = (method: string, path: string, body?: unknown) =>
      callService<{ id: string; key: string }>(first, adminKey, method, path, body);
    const trust = await admin('POST', '/v1/units', { type: 'trust', code: 'CRASH', name: 'Trust' });
    const intakeKey = (await admin('POST', '/v1/api-keys', { name: 'kiosk', role: 'intake' })).key;
    const staffKey = (await admin('POST', '/v1/api-keys', { name: 'staff', role: 'staff' })).key;
    const auditorKey = (await admin('POST', '/v1/api-keys', { name: 'auditor', role: 'auditor' })).key;

    const post = (base: string, sent: Sent) =>
      fetch(`${base}/v1/feedback`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${intakeKey}`,
          'content-type': 'application/json',
          'idempotency-key': sent.key,
        },
        body: JSON.stringify(sent.body),
      });
    const sent: Sent[] = [];
    let killed = false;
    const client = async (index: number) => {
      while (!killed) {
        const request: Sent = {
          client: index,
          key: randomUUID(),
          body: { unitId: trust.id, text: `Crash item ${randomUUID()}` },
        };
        sent.push(request);
        try {
          const response = await post(first.base, request);
          const answer = (await response.json()) as { id?: string };
          request.status = response.status;
          request.id = answer.id;
        } catch {
          // The service died under this request: whether it was recorded is what the retry finds out.
          return;
        }
      }
    };
    const load = Promise.all(Array.from({ length: clients }, (_, index) => client(index)));
    while (sent.filter((request) => request.status === 201).length < 150) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.child.kill('SIGKILL');
    killed = true;
    await first.exited;
    await load;

    const created = sent.filter((request) => request.status === 201);
    const cut = sent.filter((request) => request.status === undefined);
    t.equal(
      sent.filter((request) => request.status !== undefined && request.status !== 201).length,
      0,
      'no answer other than 201 before the kill',
    );
    t.ok(cut.length > 0, `requests were in flight at the kill (${cut.length})`);

    const db = new pg.Client({ connectionString: database.url! });
    await db.connect();
    t.teardown(() => db.end());
    const counts = async (requests: Sent[]) => {
      const { rows } = await db.query<{ text: string; n: number }>(
        'select text, count(*)::int as n from feedback_items where text = any($1) group by text',
        [requests.map((request) => request.body.text)],
      );
      return new Map(rows.map((row) => [row.text, row.n]));
    };
    const stored = await counts(created);
    t.ok(
      created.every((request) => stored.get(request.body.text) === 1),
      `each of the ${created.length} items answered 201 is stored exactly once`,
    );
    const cutStored = await counts(cut);
    t.ok(
      cut.every((request) => (cutStored.get(request.body.text) ?? 0) <= 1),
      'a request cut off is stored at most once',
    );

    const second = await start();
    // Retrying with the same key: the same item, not a second one, whether it was answered or cut off.
    for (const request of [...created.slice(0, 20), ...cut]) {
      const response = await post(second.base, request);
      t.equal(response.status, 201, 'the retry is answered 201');
      const { id } = (await response.json()) as { id: string };
      if (request.id) {
        t.equal(id, request.id, 'a retry of an answered request names the same item');
        t.equal(response.headers.get('idempotent-replayed'), 'true');
      }
      request.id = id;
    }
    const afterRetry = await counts([...created, ...cut]);
    t.ok(
      [...created, ...cut].every((request) => afterRetry.get(request.body.text) === 1),
      'after the retries every item is stored exactly once',
    );

    const verify = await callService<{ ok: boolean; checked: number }>(second, auditorKey, 'GET', '/v1/audit/verify');
    t.equal(verify.ok, true, `the audit chain verifies (${verify.checked} events)`);

    const feed: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await callService<{ events: { data: { id: string } }[]; nextCursor: string }>(
        second,
        staffKey,
        'GET',
        `/v1/events?types=feedback.received&limit=500${after ? `&after=${encodeURIComponent(after)}` : ''}`,
      );
      feed.push(...page.events.map((event) => event.data.id));
      if (page.events.length === 0) break;
      after = page.nextCursor;
    }
    t.equal(new Set(feed).size, feed.length, 'no event twice in the feed');
    const position = new Map(feed.map((id, index) => [id, index]));
    const items = [...created, ...cut];
    t.ok(
      items.every((request) => position.has(request.id!)),
      'every recorded item has its feedback.received event',
    );
    // A client sends its next request only after the answer to the one before, so that one had
    // committed first: the feed, in commit order, has each client's items in the order it sent them.
    const inOrder = Array.from({ length: clients }, (_, index) =>
      created
        .filter((request) => request.client === index)
        .map((request) => position.get(request.id!)!)
        .every((at, k, all) => k === 0 || all[k - 1]! < at),
    );
    t.ok(inOrder.every(Boolean), 'each client’s items are in the feed in the order their answers came back');
  },
);
