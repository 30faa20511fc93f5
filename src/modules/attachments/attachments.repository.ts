import { and, asc, eq, gt, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import { attachmentChunks, attachments } from '../../db/schema/index.js';

export type NewAttachment = Pick<
  typeof attachments.$inferInsert,
  'id' | 'feedbackId' | 'mediaType' | 'byteSize' | 'createdByKeyId'
>;

const listed = {
  id: attachments.id,
  mediaType: attachments.mediaType,
  byteSize: attachments.byteSize,
  createdAt: attachments.createdAt,
};
export type AttachmentRow = { id: string; mediaType: string; byteSize: number; createdAt: Date };

/** Stages one chunk of an upload (its own statement, outside any item's transaction). */
export async function insertChunk(
  db: Queryable,
  chunk: Pick<typeof attachmentChunks.$inferInsert, 'attachmentId' | 'seq' | 'bytes'>,
): Promise<void> {
  await db.insert(attachmentChunks).values(chunk);
}

/** Deletes an upload's chunks if no attachment has claimed them (a claimed file's are kept). */
export async function deleteStagedChunks(db: Queryable, attachmentId: string): Promise<number> {
  const deleted = await db
    .delete(attachmentChunks)
    .where(
      and(
        eq(attachmentChunks.attachmentId, attachmentId),
        sql`not exists (select 1 from ${attachments} where ${attachments.id} = ${attachmentId})`,
      ),
    )
    .returning({ seq: attachmentChunks.seq });
  return deleted.length;
}

/**
 * Deletes at most `limit` chunks of uploads no attachment claimed and none of whose chunks was staged
 * since `before` (an upload still streaming keeps writing newer ones): what a crash left behind.
 */
export async function sweepStagedChunkRows(db: Queryable, before: Date, limit: number): Promise<number> {
  const cutoff = before.toISOString();
  const deleted = await rowsOf<{ seq: number }>(
    db,
    sql`
    delete from attachment_chunks
    where (attachment_id, seq) in (
      select s.attachment_id, s.seq from attachment_chunks s
      where s.staged_at < ${cutoff}
        and not exists (select 1 from attachments a where a.id = s.attachment_id)
        and not exists (
          select 1 from attachment_chunks n where n.attachment_id = s.attachment_id and n.staged_at >= ${cutoff}
        )
      limit ${limit}
    )
    returning seq`,
  );
  return deleted.length;
}

/** Claims staged chunks as an item's attachment (a trigger checks they make up the whole file). */
export async function insertAttachment(tx: Queryable, values: NewAttachment): Promise<AttachmentRow> {
  const [row] = await tx.insert(attachments).values(values).returning(listed);
  return row!;
}

/** One page of an item's attachments, oldest first; `limit + 1` rows so the caller knows if there is more. */
export function listAttachmentRows(
  db: Queryable,
  feedbackId: string,
  limit: number,
  after?: { createdAt: Date; id: string },
): Promise<AttachmentRow[]> {
  return db
    .select(listed)
    .from(attachments)
    .where(
      and(
        eq(attachments.feedbackId, feedbackId),
        after
          ? or(
              gt(attachments.createdAt, after.createdAt),
              and(eq(attachments.createdAt, after.createdAt), gt(attachments.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(asc(attachments.createdAt), asc(attachments.id))
    .limit(limit + 1);
}

export async function findAttachment(
  db: Queryable,
  feedbackId: string,
  id: string,
): Promise<AttachmentRow | undefined> {
  const [row] = await db
    .select(listed)
    .from(attachments)
    .where(and(eq(attachments.feedbackId, feedbackId), eq(attachments.id, id)));
  return row;
}

/** One chunk of a stored file's bytes, by its place in the file. */
export async function findChunk(db: Queryable, attachmentId: string, seq: number): Promise<Buffer | undefined> {
  const [row] = await db
    .select({ bytes: attachmentChunks.bytes })
    .from(attachmentChunks)
    .where(and(eq(attachmentChunks.attachmentId, attachmentId), eq(attachmentChunks.seq, seq)));
  return row?.bytes;
}
