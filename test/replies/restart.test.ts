import { sql } from 'drizzle-orm';
import t from 'tap';
import { rowsOf } from '../../src/db/rows.js';
import { createTestDatabase, onServer } from '../helpers/database.js';
import { type RunningService, startService } from '../helpers/service-process.js';
import { startSmtpCatcher } from '../helpers/smtp-catcher.js';
import { until } from './reply-helpers.js';

const adminKey = 'restart-test-admin-secret-0123456789';

// The service is killed (SIGKILL: no goodbye) with replies queued and one mid-send; after a restart
// every reply reaches its person, and the only repeats are sends the kill cut off.
t.test(
  'a service killed with replies queued loses none and sends none twice beyond at-least-once',
  { skip: onServer ? false : 'runs the service as a separate process on a shared PostgreSQL database' },
  async (t) => {
    const database = await createTestDatabase();
    t.teardown(() => database.drop());
    const smtp = await startSmtpCatcher({ delayMs: 100 });
    t.teardown(smtp.close);
    const services: RunningService[] = [];
    t.teardown(() => {
      for (const service of services) if (service.child.exitCode === null) service.child.kill('SIGKILL');
    });
    const start = async () => {
      const service = await startService({
        DATABASE_URL: database.url ?? '',
        ADMIN_API_KEY: adminKey,
        LOG_LEVEL: 'warn',
        SMTP_URL: smtp.url,
        MAIL_FROM: 'replies@example.nhs.uk',
        PUBLIC_BASE_URL: 'https://feedback.example.nhs.uk',
        // A short lease, so the reply cut off by the kill is free again in seconds.
        REPLY_SEND_TIMEOUT_MS: '1000',
      });
      services.push(service);
      return service;
    };
    const call = async (base: string, path: string, body: unknown): Promise<{ id: string }> => {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await response.json()) as { id: string };
      if (response.status >= 300) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    };

    const first = await start();
    const trust = await call(first.base, '/v1/units', { type: 'trust', code: 'RESTART', name: 'Riverside' });
    const held = smtp.holdMessage(3);
    const count = 12;
    for (let index = 0; index < count; index++) {
      await call(first.base, '/v1/feedback', {
        unitId: trust.id,
        text: `Item ${index}`,
        contact: { email: `person${index}@example.org`, wantsReply: true },
      });
    }
    await held;
    first.child.kill('SIGKILL');
    await first.exited;
    const before = smtp.mails.length;
    t.ok(before < count, `killed mid-queue (${before} of ${count} sent)`);

    await start();
    await until(
      async () => {
        const rows = await rowsOf<{ status: string; n: number }>(
          database.handle.db,
          sql`select status, count(*)::int as n from replies group by status`,
        );
        return rows.length === 1 && rows[0]?.status === 'sent' && rows[0].n === count;
      },
      'every reply sent',
      60_000,
    );

    const recipients = smtp.mails.map((mail) => mail.rcptTo.join());
    t.equal(new Set(recipients).size, count, 'every person got their acknowledgement');
    const repeats = recipients.filter((to, index) => recipients.indexOf(to) !== index);
    // Two lanes send side by side: at most the two sends in flight at the kill can be made again.
    t.ok(repeats.length <= 2, `repeats only of sends cut off (${repeats.length})`);
    const ids = smtp.mails.map((mail) => mail.parsed.messageId);
    t.equal(new Set(ids).size, count, 'a repeat carries the same Message-ID as the first send');
  },
);
