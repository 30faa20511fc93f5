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
    ADMIN_API_KEY: 'x'.repeat(24),
    LOG_LEVEL: 'warn',
  });
  t.match(set, {
    PORT: 8080,
    HOST: '0.0.0.0',
    DATABASE_URL: 'postgresql://wedid@db:5432/wedid',
    DATA_DIR: '/var/lib/wedid',
    ADMIN_API_KEY: 'x'.repeat(24),
    LOG_LEVEL: 'warn',
  });
  t.equal(loadConfig({ PORT: '', DATABASE_URL: '' }).PORT, 3000, 'an empty variable counts as unset');
  t.throws(() => loadConfig({ PORT: '-1' }), { name: 'ConfigError', message: /^Invalid configuration: PORT:/ });
});
