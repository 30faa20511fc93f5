import { backupDataDir } from '../src/db/data-dir-backup.js';
import { auditSummary, dataDirCommand } from './data-dir-command.js';

/** `npm run backup -- <file>`: a gzipped tarball of the embedded database in DATA_DIR, taken while the service is stopped. */
await dataDirCommand('npm run backup -- <file>   (with the service stopped)', false, async ({ file, dataDir }) => {
  const backup = await backupDataDir(dataDir, file);
  return `backed up DATA_DIR ${dataDir} to ${file} (${(backup.bytes / 1_000_000).toFixed(1)} MB, ${auditSummary(backup)})`;
});
