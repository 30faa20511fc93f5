import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Database } from '../../db/client.js';
import { HttpProblem } from '../../http/problems.js';
import { deleteStagedChunks, insertChunk } from './attachments.repository.js';

/** A file as it arrives: a stream of chunks that multipart's `limits.fileSize` stops at the limit. */
export interface IncomingFile {
  file: Readable & { truncated: boolean };
}

/**
 * A file streamed into staged chunks and typed from its bytes, ready to be claimed by an attachment
 * row in the item's write transaction (its chunks carry `id`). Until then it is invisible.
 */
export interface StagedUpload {
  id: string;
  mediaType: string;
  size: number;
  /** SHA-256 of the bytes (base64url): an identical public sending is recognised without keeping the file. */
  sha256: string;
}

/** The most one staged row holds, and the most of a file held in memory at once while it streams in. */
export const chunkBytes = 262_144;

/** The kinds of file a person may send: a voice note, a video, a picture. */
const acceptedTypes = /^(audio|video|image)\//;

const tooLarge = (maxBytes: number) =>
  new HttpProblem(
    'payload-too-large',
    `The file is larger than ${Math.floor(maxBytes / 1_048_576) || maxBytes} ${maxBytes >= 1_048_576 ? 'MB' : 'bytes'} (ATTACHMENT_MAX_BYTES)`,
  );

/**
 * Runs the reading of a multipart body: what the parser refuses (no boundary, a body cut short, one
 * file or part too many) is the client's error, a 400 (413 for the parser's own size limits), never a 500.
 */
export async function readingMultipart<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof HttpProblem) throw error;
    const status = (error as { statusCode?: unknown }).statusCode;
    if (status === 413) throw new HttpProblem('payload-too-large', (error as Error).message);
    throw new HttpProblem('validation-error', `The multipart body cannot be read: ${(error as Error).message}`, {
      errors: [{ in: 'body', path: '', message: 'Not a well-formed multipart/form-data body' }],
    });
  }
}

async function typeOf(firstBytes: Buffer): Promise<string> {
  // Loaded with the first upload, not at start-up.
  const { fileTypeFromBuffer } = await import('file-type');
  const sniffed = await fileTypeFromBuffer(firstBytes);
  if (!sniffed || !acceptedTypes.test(sniffed.mime)) {
    throw new HttpProblem(
      'unsupported-media-type',
      `Only audio, video and image files are accepted; these bytes are ${sniffed ? sniffed.mime : 'of no type we recognise'}`,
    );
  }
  return sniffed.mime;
}

/**
 * Streams one uploaded file into staged chunks of {@link chunkBytes}, each written on its own (outside
 * any write transaction), so memory holds one chunk however large the file. The type is read from the
 * first chunk with file-type before anything is written (the name and the client's Content-Type are
 * never consulted: a program named voice.mp3 is a 415); the bytes are counted as they come, and the
 * upload stops with a 413 as soon as multipart cuts the stream at `maxBytes`. On any failure (those,
 * the client going away, the database) what was staged is deleted before the error goes on; a crash
 * leaves rows that `sweepStagedUploads` (the service) removes. Returns undefined for an empty file part (a file
 * input left empty), with nothing written.
 */
export async function stageUpload(
  db: Database,
  incoming: IncomingFile,
  maxBytes: number,
): Promise<StagedUpload | undefined> {
  const id = randomUUID();
  const hash = createHash('sha256');
  let pending: Buffer[] = [];
  let pendingSize = 0;
  let size = 0;
  let seq = 0;
  let mediaType: string | undefined;
  const flush = async () => {
    const chunk = Buffer.concat(pending, pendingSize);
    pending = [];
    pendingSize = 0;
    mediaType ??= await typeOf(chunk);
    await insertChunk(db, { attachmentId: id, seq: seq++, bytes: chunk });
  };
  try {
    // A refused file's stream is left open: the caller skips it to its end or closes the connection.
    for await (const piece of incoming.file.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      size += piece.length;
      if (incoming.file.truncated || size > maxBytes) throw tooLarge(maxBytes);
      hash.update(piece);
      let rest = piece;
      while (pendingSize + rest.length >= chunkBytes) {
        const take = chunkBytes - pendingSize;
        pending.push(rest.subarray(0, take));
        pendingSize += take;
        rest = rest.subarray(take);
        await flush();
      }
      if (rest.length > 0) {
        pending.push(rest);
        pendingSize += rest.length;
      }
    }
    if (incoming.file.truncated) throw tooLarge(maxBytes);
    if (size === 0) return undefined;
    if (pendingSize > 0) await flush();
    return { id, mediaType: mediaType!, size, sha256: hash.digest('base64url') };
  } catch (error) {
    if (seq > 0) await deleteStagedChunks(db, id);
    throw error;
  }
}
