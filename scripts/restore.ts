import { restoreDataDir } from '../src/db/data-dir-backup.js';
import { auditSummary, dataDirCommand } from './data-dir-command.js';

/** `npm run restore -- <file> [--force]`: a backup of `npm run backup` into an empty or new DATA_DIR. */
await dataDirCommand(
  'npm run restore -- <file> [--force]   (into an empty or new DATA_DIR; --force replaces one that is not)',
  true,
  async ({ file, dataDir, force }) => {
    const restored = await restoreDataDir(file, dataDir, force);
    return `restored ${file} into DATA_DIR ${dataDir} (${auditSummary(restored)})`;
  },
);
