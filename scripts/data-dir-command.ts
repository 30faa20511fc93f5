import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/config.js';
import { DataDirLockedError } from '../src/db/client.js';
import { BackupError, type BackupSummary } from '../src/db/data-dir-backup.js';

interface Invocation {
  file: string;
  dataDir: string;
  force: boolean;
}

/** `57 audit events`, and the key they need when they are keyed. */
export function auditSummary(summary: BackupSummary): string {
  const events = `${summary.auditEvents} audit event${summary.auditEvents === 1 ? '' : 's'}`;
  return summary.keyed ? `${events}, keyed: verification needs the same AUDIT_HMAC_KEY` : events;
}

/**
 * The shell of `npm run backup` and `npm run restore`: one file argument (and `--force` where
 * allowed), the embedded database's DATA_DIR, one line printed on success, one line on stderr and
 * exit status 1 on refusal.
 */
export async function dataDirCommand(
  usage: string,
  allowForce: boolean,
  run: (invocation: Invocation) => Promise<string>,
): Promise<void> {
  try {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: allowForce ? { force: { type: 'boolean', default: false } } : {},
    });
    const [file, ...extra] = positionals;
    if (!file || extra.length > 0) throw new BackupError(`usage: ${usage}`);
    const config = loadConfig();
    if (config.DATABASE_URL) {
      throw new BackupError(
        'DATABASE_URL is set: this command copies the embedded database in DATA_DIR; for PostgreSQL use pg_dump -Fc and pg_restore (README, Backups)',
      );
    }
    console.log(await run({ file, dataDir: config.DATA_DIR, force: values.force === true }));
  } catch (error) {
    const known =
      error instanceof BackupError ||
      error instanceof ConfigError ||
      error instanceof DataDirLockedError ||
      // parseArgs: an unknown option, or a value given to --force.
      (error instanceof TypeError && String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS'));
    console.error(known ? (error as Error).message : error);
    process.exit(1);
  }
}
