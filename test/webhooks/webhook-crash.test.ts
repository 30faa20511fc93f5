import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { createTestDatabase, onServer } from '../helpers/database.js';
import { serviceStarter } from '../helpers/service-process.js';
import { answer, startReceiver, verified } from '../helpers/webhook-receiver.js';

const adminKey = 'crash-test-admin-secret-0123456789';
// The service is killed (SIGKILL: no goodbye) while a delivery is in flight; after a restart every
// event still reaches the receiver, in order, and the only repeat is the one that was cut off.
t.test(
  'a service killed in the middle of a delivery run loses no event',
  { skip: onServer ? false : 'runs the service as a separate process on a shared PostgreSQL database' },
  async (t) => {
    const database = await createTestDatabase();
    t.teardown(() => database.drop());
    const receiver = await startReceiver(answer(204));
    t.teardown(receiver.close);
    const start = serviceStarter(t, {
      DATABASE_URL: database.url!,
      ADMIN_API_KEY: adminKey,
      LOG_LEVEL: 'warn',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_TIMEOUT_MS: '2000',
    });
    const call = async (
      base: string,
      method: string,
      path: string,
      body?: unknown,
    ): Promise<{ id: string; secret: string }> => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await response.json()) as { id: string; secret: string };
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    };

    const first = await start();
    const trust = await call(first.base, 'POST', '/v1/units', { type: 'trust', code: 'CRASH', name: 'Trust' });
    const webhook = await call(first.base, 'POST', '/v1/webhooks', {
      url: receiver.url,
      eventTypes: ['feedback.received'],
    });

    // The 4th delivery never gets an answer: the service is killed while it waits.
    let hung = false;
    receiver.respondWith((_message, index, response) => {
      if (index === 3) {
        hung = true;
        return;
      }
      response.writeHead(204).end();
    });
    const items: string[] = [];
    for (let index = 0; index < 12; index++) {
      const created = await call(first.base, 'POST', '/v1/feedback', { unitId: trust.id, text: `Item ${index}` });
      items.push(created.id);
    }
    await receiver.received(4);
    t.ok(hung, 'a delivery is in flight');
    first.child.kill('SIGKILL');
    await first.exited;

    receiver.respondWith(answer(204));
    await start();
    const deliveredIds = async () =>
      new Set(receiver.messages.map((message) => verified(webhook.secret, message).data.id as string));
    const deadline = Date.now() + 60_000;
    while ((await deliveredIds()).size < items.length && Date.now() < deadline) await sleep(200);

    const received = receiver.messages.map((message) => verified(webhook.secret, message).data.id as string);
    const firstSeen = [...new Set(received)];
    t.same(firstSeen, items, 'every event arrived, first time in order');
    t.same(
      received.filter((id, index) => received.indexOf(id) !== index),
      [items[3]],
      'only the delivery cut off by the kill was made again',
    );
  },
);
