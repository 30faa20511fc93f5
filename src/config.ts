import { z } from 'zod';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

/**
 * Why a chosen secret is too predictable, or null. Length alone lets `aaaa…` or a repeated word
 * through, so three short rules: enough different characters, little repetition (most runs of
 * three characters are new), and not mostly a sequence such as `abcdef` or `123456`. A secret from
 * `openssl rand -base64 32` always passes them.
 */
export function weakSecretReason(secret: string): string | null {
  const chars = [...secret];
  const distinct = new Set(chars).size;
  if (distinct < 8) return `uses only ${distinct} different characters; use a random secret (openssl rand -base64 32)`;
  const triples = chars.slice(2).map((_, index) => chars.slice(index, index + 3).join(''));
  if (new Set(triples).size < triples.length * 0.75) {
    return 'repeats itself; use a random secret (openssl rand -base64 32)';
  }
  const codes = chars.map((char) => char.codePointAt(0) ?? 0);
  const stepped = codes.filter((code, index) => index > 0 && Math.abs(code - codes[index - 1]!) <= 1).length;
  if (stepped > chars.length / 2)
    return 'is mostly a run of neighbouring characters; use a random secret (openssl rand -base64 32)';
  return null;
}

/** `address@host` or `Name <address@host>`, one line: the From header of email replies. */
const mailFromPattern = /^(?:[^<>\p{Cc}]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/u;

/** The settings one by one, as the environment gives them. */
const settingsSchema = z.object({
  PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  HOST: z.preprocess(emptyAsUndefined, z.string().min(1).default('127.0.0.1')),
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  /**
   * A streaming replica of DATABASE_URL's database: reports and auditors' lists (reads that need not see
   * a write just made) go there while it is within REPLICA_MAX_LAG_MS; the rest stays on the primary.
   */
  DATABASE_REPLICA_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  /** A replica further behind the primary than this is passed over for the primary. */
  REPLICA_MAX_LAG_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).default(30_000)),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().min(1).default('./data')),
  ADMIN_API_KEY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .min(24, 'must be at least 24 characters, so it cannot be guessed')
      .superRefine((secret, context) => {
        const reason = secret.length >= 24 ? weakSecretReason(secret) : null;
        if (reason) context.addIssue({ code: 'custom', message: `is too easy to guess: it ${reason}` });
      })
      .optional(),
  ),
  /**
   * Keys the audit hash chain (HMAC-SHA256), so someone who can write to the database but does not
   * hold this cannot rewrite the trail undetected. Kept outside the database; verification needs it.
   */
  AUDIT_HMAC_KEY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9+/=_-]{32,}$/, 'must be at least 32 characters of base64 or hex (openssl rand -base64 32)')
      .optional(),
  ),
  LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(logLevels).default('info')),
  /**
   * Whose X-Forwarded-For to believe (per-address rate limits depend on it): unset trusts no proxy;
   * `true` any; else a comma-separated list of addresses or CIDRs.
   */
  TRUST_PROXY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .transform((value): boolean | string[] => {
        if (value === undefined || value === 'false') return false;
        if (value === 'true') return true;
        return value.split(',').map((part) => part.trim());
      }),
  ),
  MIGRATIONS_DIR: z.preprocess(emptyAsUndefined, z.string().min(1).default('./migrations')),
  /**
   * `false` when the service runs as a database role that may not alter tables (see README, security
   * notes): the tables' owner then applies migrations with `npm run db:migrate` before a start.
   */
  MIGRATE_ON_START: z.preprocess(
    emptyAsUndefined,
    z
      .enum(['true', 'false'])
      .default('true')
      .transform((value) => value === 'true'),
  ),
  /** PostgreSQL: how long to wait to open a connection, or for a free one of the pool's ten. */
  DATABASE_CONNECT_TIMEOUT_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(100).default(5_000)),
  /** PostgreSQL cancels a statement running longer (statement_timeout; also idle_in_transaction_session_timeout). */
  DATABASE_STATEMENT_TIMEOUT_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(100).default(30_000)),
  /**
   * The service stops waiting for any answer from PostgreSQL after this and answers 503: the limit that
   * holds when the network goes silent. Keep it above DATABASE_STATEMENT_TIMEOUT_MS.
   */
  DATABASE_QUERY_TIMEOUT_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(100).default(35_000)),
  /** Requests one API key may make per minute across /v1; generous so intake is never throttled in normal use. 0: off. */
  RATE_LIMIT_PER_KEY_PER_MINUTE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).default(1_200)),
  /**
   * Refused API keys one client address (IPv6: its /64) may send per minute before every keyed
   * request from it answers 429 until the minute is up, so secrets cannot be guessed. 0: off.
   */
  AUTH_FAILURES_PER_MINUTE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).default(20)),
  /**
   * Redis (`redis://:password@host:6379`, `rediss://…`) where every rate limit counts, so several
   * instances together allow the configured budgets. Unset: each instance counts alone. The password
   * in it is masked in the start-up log line.
   */
  REDIS_URL: z.preprocess(
    emptyAsUndefined,
    z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  ),
  /** Starts every key the service writes in Redis, so several deployments can share one. */
  REDIS_KEY_PREFIX: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[\w:.-]{1,64}$/, 'must be 1 to 64 letters, digits, or _ : . -')
      .default('wedid:'),
  ),
  /** Shed load (503 with Retry-After) while the event loop lags more than this on average. 0: off. */
  PRESSURE_MAX_EVENT_LOOP_DELAY_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).default(1_000)),
  /** Shed load while the V8 heap is above this share (in %) of its limit. 0: off. */
  PRESSURE_MAX_HEAP_USED_PERCENT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(100).default(90)),
  /** Board requests (JSON and HTML) one client address may make per minute; raise it behind a proxy that pools screens. */
  BOARD_RATE_LIMIT_PER_MINUTE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).default(600)),
  /** Built boards and rendered page parts kept in memory (least recently used go first); boards are public, so bounded. */
  BOARD_CACHE_MAX_ENTRIES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).default(1_000)),
  /** The same cache's bound in megabytes of heap, whatever the number of entries. */
  BOARD_CACHE_MAX_MB: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).default(32)),
  /** Long polls (GET /v1/events with `wait`) one API key may hold open; more answer 429 with Retry-After. */
  EVENTS_LONG_POLLS_PER_KEY: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).default(5)),
  /** Long polls one instance holds open, all keys together; more answer 503 with Retry-After. */
  EVENTS_LONG_POLLS_TOTAL: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).default(500)),
  /**
   * Change-feed queries that may run at once, of the PostgreSQL pool's ten connections: the rest stay
   * free for other work however many long polls wake together.
   */
  EVENTS_FEED_QUERIES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(9).default(3)),
  /**
   * Days the change feed (GET /v1/events) and webhook deliveries are kept; older ones are pruned at
   * start-up and hourly. A cursor from before what is kept answers 410. The audit trail is kept whole.
   */
  EVENT_RETENTION_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).default(400)),
  /**
   * Webhook URLs resolving to loopback, private, link-local or metadata addresses are refused unless
   * this is `true` (on-premises receivers, tests).
   */
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z.preprocess(
    emptyAsUndefined,
    z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),
  ),
  /** How long a receiver has to answer one webhook delivery. */
  WEBHOOK_TIMEOUT_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(100).max(60_000).default(10_000)),
  /**
   * Where people reach the service: the links in replies (`/track/{reference}`). Unset: this
   * instance's own address, http://127.0.0.1:PORT, which only suits trying it out.
   */
  PUBLIC_BASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
  ),
  /**
   * Email replies over SMTP (`smtp://user:password@host:587`, `smtps://…:465`), preferred over GOV.UK
   * Notify for email when set. The password in it is masked in the start-up log line.
   */
  SMTP_URL: z.preprocess(
    emptyAsUndefined,
    z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  ),
  /** The From of email replies: `replies@trust.nhs.uk` or `Willow Trust <replies@trust.nhs.uk>`. Needed with SMTP_URL. */
  MAIL_FROM: z.preprocess(
    emptyAsUndefined,
    z.string().regex(mailFromPattern, 'must be an address, or a name then <address>, on one line').optional(),
  ),
  /** A GOV.UK Notify API key (`name-serviceid-secret`): email (without SMTP_URL), SMS and letters. */
  NOTIFY_API_KEY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]*[0-9a-f-]{36}-[0-9a-f-]{36}$/, 'must be a GOV.UK Notify API key: name-serviceid-secret')
      .optional(),
  ),
  /** GOV.UK Notify's API; set only for a stand-in in tests. */
  NOTIFY_BASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .default('https://api.notifications.service.gov.uk'),
  ),
  /**
   * `false`: this instance sends no replies (another does, or none should be sent yet). Queued
   * replies wait for an instance that sends.
   */
  SEND_REPLIES: z.preprocess(
    emptyAsUndefined,
    z
      .enum(['true', 'false'])
      .default('true')
      .transform((value) => value === 'true'),
  ),
  /** How long an SMTP server or GOV.UK Notify has to accept one reply (each SMTP step has this long). */
  REPLY_SEND_TIMEOUT_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(100).max(120_000).default(20_000)),
  /** Feedback one client address may send per hour through the public form and POST /v1/units/{id}/public-feedback together. */
  TELL_US_RATE_LIMIT_PER_HOUR: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).default(20)),
  /**
   * The stricter hourly limit for sendings without a solved proof-of-work (no JavaScript, or an app
   * that does not solve it): the honeypot and this limit are then all that stand in a flood's way.
   */
  TELL_US_RATE_LIMIT_WITHOUT_CHALLENGE_PER_HOUR: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().int().min(1).default(6),
  ),
  /** The largest voice note, video or picture one upload may carry (bytes; 413 past it). Default 25 MB. */
  ATTACHMENT_MAX_BYTES: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().int().min(1).max(1_073_741_824).default(26_214_400),
  ),
  /** The longest text a person may send through the public form or route (characters). */
  TELL_US_MAX_TEXT_CHARS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(100).max(10_000).default(5_000)),
  /**
   * Signs the form's ALTCHA proof-of-work challenges (HMAC), so any instance verifies what another
   * issued. Unset: derived from AUDIT_HMAC_KEY; with neither, the challenge is off and every sending
   * counts against the stricter limit.
   */
  ALTCHA_HMAC_KEY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9+/=_-]{32,}$/, 'must be at least 32 characters of base64 or hex (openssl rand -base64 32)')
      .optional(),
  ),
  /**
   * Signs the session and form-token cookies of the pages people sign in to (/review/). Unset: derived
   * from AUDIT_HMAC_KEY; with neither, a random one per process, so sessions end when it restarts.
   */
  SESSION_SECRET: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9+/=_-]{32,}$/, 'must be at least 32 characters of base64 or hex (openssl rand -base64 32)')
      .optional(),
  ),
  /** A signed-in session ends after this many minutes without a request. */
  SESSION_IDLE_MINUTES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(1_440).default(30)),
  /** A signed-in session ends this many hours after sign-in, however busy. */
  SESSION_MAX_HOURS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(168).default(12)),
  /** A session's id is replaced after this many minutes (and at sign-in), so a copied cookie soon stops working. */
  SESSION_ROTATE_MINUTES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(1_440).default(15)),
  /** How long a reviewer's invite link works before it is used. */
  REVIEW_INVITE_TTL_HOURS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(720).default(72)),
  /**
   * The trust's OpenID Connect identity provider, for staff signing in to /console (Microsoft Entra
   * ID: https://login.microsoftonline.com/{tenant}/v2.0). Plain http only for a provider on this
   * machine (127.0.0.1, localhost), as in tests. Set with OIDC_CLIENT_ID and OIDC_CLIENT_SECRET.
   */
  OIDC_ISSUER: z.preprocess(
    emptyAsUndefined,
    z
      .url({ protocol: /^https?$/, error: 'must be an https:// URL' })
      .refine(
        (value) => value.startsWith('https:') || ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(value).hostname),
        'must be an https:// URL (http only for a provider on this machine)',
      )
      .optional(),
  ),
  /** The client (application) id registered with the identity provider; its redirect URI is PUBLIC_BASE_URL/console/auth/callback. */
  OIDC_CLIENT_ID: z.preprocess(emptyAsUndefined, z.string().min(1).max(500).optional()),
  /** The client secret registered with the identity provider. */
  OIDC_CLIENT_SECRET: z.preprocess(emptyAsUndefined, z.string().min(1).max(500).optional()),
  /** The GOV.UK Notify templates replies go through, each holding ((subject)) and ((body)) (see README). */
  NOTIFY_EMAIL_TEMPLATE_ID: z.preprocess(emptyAsUndefined, z.uuid().optional()),
  NOTIFY_SMS_TEMPLATE_ID: z.preprocess(emptyAsUndefined, z.uuid().optional()),
  NOTIFY_LETTER_TEMPLATE_ID: z.preprocess(emptyAsUndefined, z.uuid().optional()),
});

/** What PUBLIC_BASE_URL stands for when unset: this instance's own address. */
export const ownAddress = (port: number) => `http://127.0.0.1:${port}`;

/** The service's whole configuration: one schema, read once from the environment. */
export const configSchema = settingsSchema
  .superRefine((config, context) => {
    if (config.SMTP_URL && !config.MAIL_FROM) {
      context.addIssue({
        code: 'custom',
        path: ['MAIL_FROM'],
        message: 'is needed with SMTP_URL: the From of replies',
      });
    }
  })
  .superRefine((config, context) => {
    if (config.DATABASE_REPLICA_URL && !config.DATABASE_URL) {
      context.addIssue({
        code: 'custom',
        path: ['DATABASE_REPLICA_URL'],
        message: 'needs DATABASE_URL: a replica is of a PostgreSQL primary, not of embedded PGlite',
      });
    }
  })
  .superRefine((config, context) => {
    const oidc = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;
    const set = oidc.filter((name) => config[name] !== undefined);
    if (set.length > 0 && set.length < oidc.length) {
      for (const name of oidc.filter((name) => config[name] === undefined)) {
        context.addIssue({ code: 'custom', path: [name], message: `is needed with ${set.join(' and ')}` });
      }
    }
  })
  .transform((config) => ({
    ...config,
    PUBLIC_BASE_URL: config.PUBLIC_BASE_URL ?? ownAddress(config.PORT),
  }));

export type Config = Readonly<z.output<typeof configSchema>>;

/** Parses the environment; on failure throws one line naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return Object.freeze(parsed.data);
}

// Names of settings that hold secrets (present or added later): never logged.
const secretName = /KEY|SECRET|PASSWORD|PASS$|TOKEN|HMAC|CREDENTIAL/i;

/**
 * The settings in effect, for the one start-up log line: secrets left out, and a URL's password
 * (DATABASE_URL) masked, so the line can go to any log store.
 */
export function loggableSettings(config: Config): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).flatMap(([name, value]): [string, unknown][] => {
      if (secretName.test(name) || value === undefined) return [];
      if (typeof value === 'string' && URL.canParse(value)) {
        const url = new URL(value);
        if (url.password) url.password = '***';
        return [[name, url.toString()]];
      }
      return [[name, value]];
    }),
  );
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The load shedder's event-loop limit when the environment sets it: scripts and tests that build their own config honour it. */
export function pressureFromEnvironment(): Record<string, string> {
  const delay = process.env.PRESSURE_MAX_EVENT_LOOP_DELAY_MS;
  return delay ? { PRESSURE_MAX_EVENT_LOOP_DELAY_MS: delay } : {};
}
