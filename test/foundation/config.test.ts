import { randomBytes } from 'node:crypto';
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { runServiceToExit } from '../helpers/service-process.js';

t.test('a bad setting stops the process with one line naming the variable, exit code 1', async (t) => {
  const cases: [string, Record<string, string>][] = [
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/wedid' }],
    ['ADMIN_API_KEY', { ADMIN_API_KEY: 'too-short' }],
  ];
  const results = await Promise.all(
    cases.map(([, env]) => runServiceToExit({ DATA_DIR: '/nonexistent/never-used', ...env }, 30_000)),
  );
  cases.forEach(([variable, env], index) => {
    const { code, stdout, stderr } = results[index] as Awaited<ReturnType<typeof runServiceToExit>>;
    const label = Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    t.equal(code, 1, `${label}: exit code 1`);
    const lines = stderr.trimEnd().split('\n');
    t.equal(lines.length, 1, `${label}: one line`);
    t.match(lines[0], new RegExp(`^Invalid configuration: ${variable}: \\S`), `${label}: names ${variable}`);
    t.notMatch(stderr, /\bat \S+:\d+/, `${label}: no stack trace`);
    t.equal(stdout, '', `${label}: nothing else is printed`);
  });
});

t.test('defaults, and every variable read from the environment', async (t) => {
  const defaults = loadConfig({});
  t.match(defaults, { PORT: 3000, HOST: '127.0.0.1', DATA_DIR: './data', LOG_LEVEL: 'info' });
  t.equal(defaults.DATABASE_URL, undefined, 'no DATABASE_URL: embedded PGlite');
  t.equal(defaults.ADMIN_API_KEY, undefined);
  t.ok(Object.isFrozen(defaults), 'read once, frozen');

  const set = loadConfig({
    PORT: '8080',
    HOST: '0.0.0.0',
    DATABASE_URL: 'postgresql://wedid@db:5432/wedid',
    DATA_DIR: '/var/lib/wedid',
    ADMIN_API_KEY: 'k7-Qm2vX9pLr4Ts8Wn3Yb6Zc',
    LOG_LEVEL: 'warn',
  });
  t.match(set, {
    PORT: 8080,
    HOST: '0.0.0.0',
    DATABASE_URL: 'postgresql://wedid@db:5432/wedid',
    DATA_DIR: '/var/lib/wedid',
    ADMIN_API_KEY: 'k7-Qm2vX9pLr4Ts8Wn3Yb6Zc',
    LOG_LEVEL: 'warn',
  });
  t.equal(loadConfig({ PORT: '', DATABASE_URL: '' }).PORT, 3000, 'an empty variable counts as unset');
  t.throws(() => loadConfig({ PORT: '-1' }), { name: 'ConfigError', message: /^Invalid configuration: PORT:/ });
});

t.test('a read replica is of a PostgreSQL primary: DATABASE_REPLICA_URL only with DATABASE_URL', async (t) => {
  const replica = 'postgres://wedid@replica:5432/wedid';
  t.equal(loadConfig({}).REPLICA_MAX_LAG_MS, 30_000);
  t.match(loadConfig({ DATABASE_URL: 'postgres://wedid@db:5432/wedid', DATABASE_REPLICA_URL: replica }), {
    DATABASE_REPLICA_URL: replica,
  });
  t.throws(() => loadConfig({ DATABASE_REPLICA_URL: replica }), {
    name: 'ConfigError',
    message: /DATABASE_REPLICA_URL: needs DATABASE_URL/,
  });
  t.throws(() => loadConfig({ DATABASE_URL: 'postgres://wedid@db/wedid', DATABASE_REPLICA_URL: 'mysql://x' }), {
    message: /DATABASE_REPLICA_URL: must be a postgres/,
  });
});

t.test('ADMIN_API_KEY must be hard to guess, not only long, and the refusal says why', async (t) => {
  for (const [secret, reason] of [
    ['aaaaaaaaaaaaaaaaaaaaaaaaaaa', /uses only 1 different characters/],
    ['passwordpasswordpassword', /uses only 7 different characters/],
    ['0123456789012345678901234567', /repeats itself/],
    ['abcdefghijklmnopqrstuvwxyz', /is mostly a run of neighbouring characters/],
  ] as const) {
    t.throws(
      () => loadConfig({ ADMIN_API_KEY: secret }),
      {
        name: 'ConfigError',
        message: new RegExp(`^Invalid configuration: ADMIN_API_KEY: is too easy to guess: it ${reason.source}`),
      },
      secret,
    );
  }
  t.match(
    (() => {
      try {
        loadConfig({ ADMIN_API_KEY: 'passwordpasswordpassword' });
      } catch (error) {
        return (error as Error).message;
      }
    })(),
    /openssl rand -base64 32/,
    'the refusal says how to make a good one',
  );
  for (const secret of ['test-admin-secret-0123456789abcdef', 'change-me-to-a-long-random-secret']) {
    t.equal(loadConfig({ ADMIN_API_KEY: secret }).ADMIN_API_KEY, secret, `${secret} passes`);
  }
  for (let index = 0; index < 200; index++) {
    const secret = randomBytes(32).toString('base64');
    t.equal(loadConfig({ ADMIN_API_KEY: secret }).ADMIN_API_KEY, secret, 'a random secret passes');
  }
});
