import { and, asc, eq, gt, or } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { attachments } from '../../db/schema/index.js';

export type NewAttachment = Pick<
  typeof attachments.$inferInsert,
  'feedbackId' | 'mediaType' | 'byteSize' | 'bytes' | 'createdByKeyId'
>;

const listed = {
  id: attachments.id,
  mediaType: attachments.mediaType,
  byteSize: attachments.byteSize,
  createdAt: attachments.createdAt,
};
export type AttachmentRow = { id: string; mediaType: string; byteSize: number; createdAt: Date };

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

export async function findAttachmentBytes(
  db: Queryable,
  feedbackId: string,
  id: string,
): Promise<(AttachmentRow & { bytes: Buffer }) | undefined> {
  const [row] = await db
    .select({ ...listed, bytes: attachments.bytes })
    .from(attachments)
    .where(and(eq(attachments.feedbackId, feedbackId), eq(attachments.id, id)));
  return row;
}
