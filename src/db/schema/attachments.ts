import { sql } from 'drizzle-orm';
import { check, customType, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { apiKeys } from './api-keys.js';
import { feedbackItems } from './feedback.js';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * Voice notes, videos and pictures attached to an item (migration 0020): the bytes in PostgreSQL, so
 * the embedded mode needs nothing else. Private, like the text; erasure deletes them (a trigger).
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
    bytes: bytea().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** The key that attached it; null for the public form. */
    createdByKeyId: uuid().references(() => apiKeys.id),
  },
  (table) => [
    index('attachments_feedback_idx').on(table.feedbackId, table.createdAt, table.id),
    check('attachments_media_type_check', sql`media_type ~ '^(audio|video|image)/[a-z0-9.+-]+$'`),
    check('attachments_byte_size_check', sql`byte_size > 0 AND byte_size = octet_length(bytes)`),
  ],
);
