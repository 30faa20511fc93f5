import { z } from 'zod';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

/** The service's whole configuration: one schema, read once from the environment. */
export const configSchema = z.object({
  PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  HOST: z.preprocess(emptyAsUndefined, z.string().min(1).default('127.0.0.1')),
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().min(1).default('./data')),
  ADMIN_API_KEY: z.preprocess(
    emptyAsUndefined,
    z.string().min(24, 'must be at least 24 characters, so it cannot be guessed').optional(),
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
});

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

export class ConfigError extends Error {
  override name = 'ConfigError';
}
