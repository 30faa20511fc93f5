import { Readable } from 'node:stream';
import type { Database, Transaction } from '../../db/client.js';
import { inTransaction } from '../../db/transaction.js';
import { cursorKeys, decodeCursor, timeAndIdPage } from '../../http/pagination.js';
import { notFound } from '../../http/problems.js';
import { type Actor, appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import { findFeedback } from '../feedback/feedback.repository.js';
import { principalSeesItem } from '../feedback/feedback-access.js';
import { flagUnscreenedFile } from '../feedback/feedback-safeguarding.service.js';
import {
  type AttachmentRow,
  deleteStagedChunks,
  findAttachment,
  findChunk,
  insertAttachment,
  listAttachmentRows,
  sweepStagedChunkRows,
} from './attachments.repository.js';
import type { Attachment, ListAttachmentsQuery } from './attachments.schemas.js';
import type { StagedUpload } from './attachments.upload.js';

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

/**
 * Claims a staged upload as the item's attachment in the caller's (short) write transaction, with its
 * audit entry: intake through the public form uses this. Nothing of the file is visible before.
 */
export async function storeAttachment(
  tx: Transaction,
  actor: Actor,
  feedbackId: string,
  upload: StagedUpload,
  createdByKeyId: string | null,
): Promise<Attachment> {
  const row = await insertAttachment(tx, {
    id: upload.id,
    feedbackId,
    mediaType: upload.mediaType,
    byteSize: upload.size,
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

/** Deletes what an upload staged unless it was claimed: call it once the upload's request is done with. */
export async function discardUpload(db: Database, upload: StagedUpload | undefined): Promise<void> {
  if (upload) await deleteStagedChunks(db, upload.id);
}

/** Staged chunks untouched for this long belong to an upload that will never finish (a crash, a kill). */
const stagedLifetimeMs = 60 * 60 * 1000;

/**
 * Removes what crashed uploads left staged, at most `limit` chunks a call (256 MB at the default),
 * so one sweep is a bounded piece of work; the hourly timer comes back for the rest.
 */
export function sweepStagedUploads(db: Database, now = new Date(), limit = 1000): Promise<number> {
  return sweepStagedChunkRows(db, new Date(now.getTime() - stagedLifetimeMs), limit);
}

/**
 * POST /v1/feedback/{id}/attachments: staff, or the intake key that created the item. The item is
 * checked before a byte is read; `stage` streams the file into staged chunks (outside any
 * transaction), which one short transaction then claims. Whatever fails, nothing staged stays.
 * Undefined when no file was sent.
 */
export async function attachToFeedback(
  db: Database,
  principal: Principal,
  feedbackId: string,
  stage: () => Promise<StagedUpload | undefined>,
): Promise<Attachment | undefined> {
  const item = await seenItem(db, principal, feedbackId);
  if (item.erasedAt !== null) throw notFound('Feedback');
  let upload: StagedUpload | undefined;
  try {
    upload = await stage();
    if (!upload) return undefined;
    const staged = upload;
    return await inTransaction(db, async (tx) => {
      const current = await findFeedback(tx, feedbackId);
      if (!current || current.erasedAt !== null) throw notFound('Feedback');
      const stored = await storeAttachment(tx, actorOf(principal), feedbackId, staged, principal.keyId);
      // The screen reads words only: a file from a trust system waits for a person (staff are one).
      if (principal.role === 'intake') await flagUnscreenedFile(tx, actorOf(principal), feedbackId);
      return stored;
    });
  } finally {
    await discardUpload(db, upload);
  }
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
  return timeAndIdPage(rows, query.limit, 'createdAt', toAttachment);
}

/** A stored file's bytes, read back one chunk at a time; it fails (rather than ends short) if erased meanwhile. */
function chunksOf(db: Database, row: AttachmentRow): Readable {
  return Readable.from(
    (async function* () {
      let sent = 0;
      for (let seq = 0; sent < row.byteSize; seq++) {
        const chunk = await findChunk(db, row.id, seq);
        if (!chunk) throw new Error(`attachment ${row.id} lost its bytes while being read`);
        sent += chunk.length;
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
}

/**
 * GET /v1/feedback/{id}/attachments/{attachmentId}: the bytes as a stream of their stored chunks, so
 * a download holds one chunk in memory; the download audited like a text read before a byte goes out.
 */
export async function downloadAttachment(
  db: Database,
  principal: Principal,
  feedbackId: string,
  attachmentId: string,
): Promise<{ mediaType: string; size: number; stream: Readable }> {
  await seenItem(db, principal, feedbackId);
  const row = await findAttachment(db, feedbackId, attachmentId);
  if (!row) throw notFound('Attachment');
  await inTransaction(db, (tx) =>
    appendAudit(tx, actorOf(principal), {
      entityType: 'feedback',
      entityId: feedbackId,
      action: 'attachment_read',
      details: { fields: ['attachment'], attachmentId },
    }),
  );
  return { mediaType: row.mediaType, size: row.byteSize, stream: chunksOf(db, row) };
}
