import { fileTypeFromBuffer } from 'file-type';
import { HttpProblem } from '../../http/problems.js';

/** A file as it arrives: a stream of chunks that multipart's `limits.fileSize` stops at the limit. */
export interface IncomingFile {
  file: AsyncIterable<Buffer> & { truncated: boolean };
}

/** A file read and typed from its bytes, ready to store. */
export interface Upload {
  bytes: Buffer;
  mediaType: string;
}

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

/**
 * Reads one uploaded file into memory, never more than `maxBytes` of it (multipart stops the stream
 * at the limit and marks it truncated: 413), then types it from its first bytes with file-type. The
 * name and the client's Content-Type are never consulted: a program named voice.mp3 is a 415.
 * Returns undefined for an empty file part (a file input left empty).
 */
export async function readUpload(incoming: IncomingFile, maxBytes: number): Promise<Upload | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming.file) {
    size += chunk.length;
    if (size > maxBytes) break;
    chunks.push(chunk);
  }
  if (incoming.file.truncated || size > maxBytes) {
    // Drain what is left so the request ends cleanly and the 413 reaches the client.
    for await (const _ of incoming.file);
    throw tooLarge(maxBytes);
  }
  if (size === 0) return undefined;
  const bytes = Buffer.concat(chunks, size);
  const sniffed = await fileTypeFromBuffer(bytes);
  if (!sniffed || !acceptedTypes.test(sniffed.mime)) {
    throw new HttpProblem(
      'unsupported-media-type',
      `Only audio, video and image files are accepted; these bytes are ${sniffed ? sniffed.mime : 'of no type we recognise'}`,
    );
  }
  return { bytes, mediaType: sniffed.mime };
}
