import type { Database, Transaction } from '../../db/client.js';
import { inTransaction } from '../../db/transaction.js';
import { cursorKeys, decodeCursor, toPage } from '../../http/pagination.js';
import { notFound } from '../../http/problems.js';
import { type Actor, appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import { findFeedback } from '../feedback/feedback.repository.js';
import { principalSeesItem } from '../feedback/feedback-access.js';
import {
  type AttachmentRow,
  findAttachmentBytes,
  insertAttachment,
  listAttachmentRows,
} from './attachments.repository.js';
import type { Attachment, ListAttachmentsQuery } from './attachments.schemas.js';
import type { Upload } from './attachments.upload.js';

const toAttachment = (row: AttachmentRow): Attachment => ({
  id: row.id,
  mediaType: row.mediaType,
  size: row.byteSize,
  createdAt: row.createdAt.toISOString(),
});

/** An item the principal may see, or the 404 every other item answers. */
async function seenItem(db: Database, principal: Principal, feedbackId: string) {
  const row = await findFeedback(db, feedbackId);
  if (!row || !principalSeesItem(principal, row)) throw notFound('Feedback');
  return row;
}

/** Stores a file in the caller's transaction with its audit entry: intake through the public form uses this. */
export async function storeAttachment(
  tx: Transaction,
  actor: Actor,
  feedbackId: string,
  upload: Upload,
  createdByKeyId: string | null,
): Promise<Attachment> {
  const row = await insertAttachment(tx, {
    feedbackId,
    mediaType: upload.mediaType,
    byteSize: upload.bytes.length,
    bytes: upload.bytes,
    createdByKeyId,
  });
  await appendAudit(tx, actor, {
    entityType: 'feedback',
    entityId: feedbackId,
    action: 'attachment_added',
    details: { attachmentId: row.id, mediaType: row.mediaType, size: row.byteSize },
  });
  return toAttachment(row);
}

/** POST /v1/feedback/{id}/attachments: staff, or the intake key that created the item. */
export async function attachToFeedback(
  db: Database,
  principal: Principal,
  feedbackId: string,
  upload: Upload,
): Promise<Attachment> {
  const item = await seenItem(db, principal, feedbackId);
  if (item.erasedAt !== null) throw notFound('Feedback');
  return inTransaction(db, (tx) => storeAttachment(tx, actorOf(principal), feedbackId, upload, principal.keyId));
}

/** GET /v1/feedback/{id}/attachments: what is attached, never the bytes. */
export async function listAttachments(
  db: Database,
  principal: Principal,
  feedbackId: string,
  query: ListAttachmentsQuery,
): Promise<{ items: Attachment[]; nextCursor: string | null }> {
  await seenItem(db, principal, feedbackId);
  const key = decodeCursor(query.cursor, cursorKeys.timeAndId);
  const rows = await listAttachmentRows(
    db,
    feedbackId,
    query.limit,
    key && { createdAt: new Date(key[0]), id: key[1] },
  );
  return toPage(rows, query.limit, toAttachment, (row) => [row.createdAt.toISOString(), row.id]);
}

/** GET /v1/feedback/{id}/attachments/{attachmentId}: the bytes, the download audited like a text read. */
export async function downloadAttachment(
  db: Database,
  principal: Principal,
  feedbackId: string,
  attachmentId: string,
): Promise<{ mediaType: string; bytes: Buffer }> {
  await seenItem(db, principal, feedbackId);
  const row = await findAttachmentBytes(db, feedbackId, attachmentId);
  if (!row) throw notFound('Attachment');
  await inTransaction(db, (tx) =>
    appendAudit(tx, actorOf(principal), {
      entityType: 'feedback',
      entityId: feedbackId,
      action: 'attachment_read',
      details: { fields: ['attachment'], attachmentId },
    }),
  );
  return { mediaType: row.mediaType, bytes: row.bytes };
}
