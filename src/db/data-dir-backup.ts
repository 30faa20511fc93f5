import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { lockDataDir, lockFiles } from './client.js';

/** A backup or restore refused or failed; its message is the one line the command prints. */
export class BackupError extends Error {
  override name = 'BackupError';
}

/** What a backup holds, for the line the commands print. */
export interface BackupSummary {
  auditEvents: number;
  /** Whether events are keyed with AUDIT_HMAC_KEY: verification then needs the same key. */
  keyed: boolean;
}

async function summarise(client: PGlite, what: string): Promise<BackupSummary> {
  const result = await client
    .query<BackupSummary>(
      'select count(*)::int as "auditEvents", coalesce(bool_or(chain_version = 3), false) as keyed from audit_events',
    )
    .catch(() => {
      throw new BackupError(`${what} holds a database without WeDid's audit trail: not a WeDid database`);
    });
  return result.rows[0] as BackupSummary;
}

/**
 * Writes a gzipped tarball of the PGlite data in `dataDir` to `file`. It takes the directory's lock
 * first, so it refuses while the service runs (a copy of files being written is no backup), and
 * checkpoints before dumping, so the data files are current and the copy has next to no WAL to
 * replay when it opens. The tarball is written beside `file` and renamed onto it, so a backup cut
 * short never stands under the name of a good one.
 */
export async function backupDataDir(dataDir: string, file: string): Promise<BackupSummary & { bytes: number }> {
  // Checked before locking: the lock (and PGlite) would create a directory that is not there.
  if (!existsSync(join(dataDir, 'PG_VERSION')))
    throw new BackupError(`DATA_DIR ${dataDir} holds no database to back up`);
  const unlock = await lockDataDir(dataDir, 'stop the service first, then back up');
  try {
    const client = new PGlite(dataDir);
    let tarball: Buffer;
    let summary: BackupSummary;
    try {
      await client.waitReady;
      summary = await summarise(client, `DATA_DIR ${dataDir}`);
      await client.query('checkpoint');
      tarball = Buffer.from(await (await client.dumpDataDir('gzip')).arrayBuffer());
    } finally {
      await client.close();
    }
    const partial = `${file}.partial-${process.pid}`;
    try {
      await writeFile(partial, tarball);
      await rename(partial, file);
    } catch (error) {
      await rm(partial, { force: true });
      throw new BackupError(`cannot write ${file}: ${(error as Error).message}`);
    }
    return { ...summary, bytes: tarball.length };
  } finally {
    await unlock();
  }
}

/**
 * The backup's tar, unzipped here rather than by PGlite: its gunzip of a damaged file leaves a
 * rejection unhandled, which ends the process before the half-restored folder can be removed.
 */
async function readBackup(file: string): Promise<Buffer> {
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new BackupError(`cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  try {
    return gunzipSync(bytes);
  } catch {
    throw new BackupError(`${file} is not a WeDid backup: not a whole gzip file (damaged, cut short, or another file)`);
  }
}

/** Whether the directory is missing or empty; a file there is refused. */
async function isEmptyOrMissing(dataDir: string): Promise<boolean> {
  try {
    return (await readdir(dataDir)).length === 0;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return true;
    if (code === 'ENOTDIR') throw new BackupError(`DATA_DIR ${dataDir} is a file, not a directory`);
    throw error;
  }
}

/**
 * Restores a backup of `backupDataDir` into `dataDir`, which must be missing or empty unless `force`
 * (then it must not be in use: its lock is taken). The backup is loaded into a folder beside
 * `dataDir` (the same file system, so the rename is atomic) and opened there as a WeDid database;
 * only then is it renamed into place, so a bad file or a failure leaves `dataDir` as it was and
 * nothing behind.
 */
export async function restoreDataDir(file: string, dataDir: string, force: boolean): Promise<BackupSummary> {
  const tar = await readBackup(file);
  const target = resolve(dataDir);
  const replacing = !(await isEmptyOrMissing(target));
  if (replacing && !force) {
    throw new BackupError(
      `DATA_DIR ${dataDir} is not empty: restore into an empty or new directory, or pass --force to replace what it holds`,
    );
  }
  const unlock = replacing ? await lockDataDir(target, 'stop the service first, then restore') : undefined;
  const staging = join(dirname(target), `.${basename(target)}.restoring-${process.pid}`);
  try {
    let summary: BackupSummary;
    try {
      await mkdir(dirname(target), { recursive: true });
      summary = await loadInto(staging, tar, file);
      // The backup was taken under the lock; a copy of it would read as held by that long-gone process.
      for (const name of Object.values(lockFiles)) await rm(join(staging, name), { recursive: true, force: true });
    } finally {
      // Released before the swap: the lock lives inside the directory that is replaced.
      await unlock?.();
    }
    await swapIntoPlace(staging, target, replacing).catch((error: Error) => {
      throw new BackupError(
        `cannot rename the restored copy onto DATA_DIR ${dataDir} (${error.message}): restoring renames folders in its parent, so DATA_DIR must not be a mount point`,
      );
    });
    return summary;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

async function swapIntoPlace(staging: string, target: string, replacing: boolean): Promise<void> {
  if (!replacing) return rename(staging, target);
  const replaced = join(dirname(target), `.${basename(target)}.replaced-${process.pid}`);
  await rename(target, replaced);
  await rename(staging, target).catch(async (error: unknown) => {
    await rename(replaced, target);
    throw error;
  });
  await rm(replaced, { recursive: true, force: true });
}

async function loadInto(staging: string, tar: Buffer, file: string): Promise<BackupSummary> {
  const client = new PGlite({ dataDir: staging, loadDataDir: new Blob([tar]) });
  try {
    await client.waitReady.catch(() => {
      throw new BackupError(`${file} is not a WeDid backup: it holds no database PGlite can open`);
    });
    return await summarise(client, file);
  } finally {
    if (!client.closed) await client.close().catch(() => {});
  }
}
