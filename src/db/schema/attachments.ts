import { sql } from 'drizzle-orm';
import { check, customType, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { apiKeys } from './api-keys.js';
import { feedbackItems } from './feedback.js';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * Voice notes, videos and pictures attached to an item (migration 0020): what the file is; its bytes
 * are in `attachment_chunks` (0021), so the embedded mode needs nothing else. Private, like the text;
 * erasure deletes them (a trigger), and the row claims a whole file (a trigger checks the chunks).
 */
export const attachments = pgTable(
  'attachments',
  {
    id: uuid().primaryKey().defaultRandom(),
    feedbackId: uuid()
      .notNull()
      .references(() => feedbackItems.id),
    /** What the bytes say they are (sniffed at upload), never the name or the client's header. */
    mediaType: text().notNull(),
    byteSize: integer().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** The key that attached it; null for the public form. */
    createdByKeyId: uuid().references(() => apiKeys.id),
  },
  (table) => [
    index('attachments_feedback_idx').on(table.feedbackId, table.createdAt, table.id),
    check('attachments_media_type_check', sql`media_type ~ '^(audio|video|image)/[a-z0-9.+-]+$'`),
    check('attachments_byte_size_check', sql`byte_size > 0`),
  ],
);

/**
 * A file's bytes in order, at most 256 KB a row, written while the upload streams in (migration
 * 0021). Chunks whose `attachmentId` no attachment row claims yet are staged: invisible, deleted when
 * their upload fails, swept when left behind.
 */
export const attachmentChunks = pgTable(
  'attachment_chunks',
  {
    attachmentId: uuid().notNull(),
    seq: integer().notNull(),
    bytes: bytea().notNull(),
    stagedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ name: 'attachment_chunks_pkey', columns: [table.attachmentId, table.seq] }),
    index('attachment_chunks_staged_idx').on(table.stagedAt),
    check('attachment_chunks_seq_check', sql`seq >= 0`),
    check('attachment_chunks_size_check', sql`octet_length(bytes) BETWEEN 1 AND 262144`),
  ],
);
