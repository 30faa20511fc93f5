import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import { HttpProblem, invalidField, notFound } from '../../http/problems.js';
import { storeAttachment } from '../attachments/attachments.service.js';
import type { StagedUpload } from '../attachments/attachments.upload.js';
import { type BoardUnitRow, findBoardUnitByCode, findBoardUnitById } from '../boards/boards.repository.js';
import { createPublicFeedback, publicActor } from '../feedback/feedback-intake.service.js';
import type { TellUsGuard } from './tell-us.guard.js';
import type { PublicFeedback, PublicFeedbackReceipt } from './tell-us.schemas.js';

/** The unit a public sending is for: the same 404 for a unit that does not exist and one whose board is off. */
export async function findTellUsUnit(db: Database, ref: { id: string } | { code: string }): Promise<BoardUnitRow> {
  const unit = 'id' in ref ? await findBoardUnitById(db, ref.id) : await findBoardUnitByCode(db, ref.code);
  if (!unit?.boardEnabled) throw notFound('Unit');
  return unit;
}

export interface Sending {
  unit: BoardUnitRow;
  input: PublicFeedback;
  /** A shared ward tablet (`kiosk` channel and collection mode) rather than a person's own device. */
  kiosk: boolean;
  request: FastifyRequest;
  /** A voice note, video or picture sent with the form, typed from its bytes. */
  attachment?: StagedUpload;
  /** The form's recorder made it: a voice note, though WebM bytes say video. */
  recordedVoice?: boolean;
}

/** The item's format, from what was sent: a voice note, a video, words, or a picture alone. */
function formatOf(sending: Sending): 'voice' | 'video' | 'written' | 'other' {
  const media = sending.attachment?.mediaType.split('/')[0];
  if (media === 'audio') return 'voice';
  if (media === 'video')
    return sending.recordedVoice && sending.attachment?.mediaType === 'video/webm' ? 'voice' : 'video';
  return media === 'image' && !sending.input.text ? 'other' : 'written';
}

/**
 * Records a person's feedback after the abuse checks: the hourly limits (the stricter one without a
 * solved proof-of-work), the text length, and an identical sending from the same address within ten
 * minutes answered with the first reference instead of a second item.
 */
export async function sendPublicFeedback(
  db: Database,
  config: Config,
  guard: TellUsGuard,
  sending: Sending,
): Promise<PublicFeedbackReceipt> {
  const { altcha, ...content } = sending.input;
  if (content.text && content.text.length > config.TELL_US_MAX_TEXT_CHARS) {
    throw invalidField('/text', `Must be ${config.TELL_US_MAX_TEXT_CHARS} characters or fewer`);
  }
  const trackUrl = (reference: string) => `${config.PUBLIC_BASE_URL}/track/${reference}`;
  const file = sending.attachment?.sha256;
  const key = guard.sendingKey(sending.request, sending.unit.id, { content, kiosk: sending.kiosk, file });
  const repeated = guard.recentReceipt(key);
  if (repeated) return { ...repeated, trackUrl: trackUrl(repeated.reference) };

  const proven = await guard.proven(altcha);
  const retryAfter = await guard.take(sending.request, proven);
  if (retryAfter !== null) {
    throw new HttpProblem(
      'rate-limited',
      `Too much feedback from this address this hour; try again in ${Math.ceil(retryAfter / 60)} minutes`,
      {},
      { 'retry-after': String(retryAfter) },
    );
  }
  const channel = sending.kiosk ? 'kiosk' : 'online';
  const item = await createPublicFeedback(
    db,
    {
      unitId: sending.unit.id,
      text: content.text,
      kind: content.kind,
      fftRating: content.fftRating,
      collectionMode: content.fftRating ? channel : undefined,
      submitterRole: content.submitterRole,
      publishConsent: content.publishConsent,
      reviewConsent: content.reviewConsent,
      contact: content.contact,
      equality: content.equality,
      channel,
      format: formatOf(sending),
      themes: [],
    },
    {
      // The screen cannot read a file: the item waits for a person before anything of it goes public.
      unscreenedFile: Boolean(sending.attachment),
      // In the item's own transaction: a file alone is the feedback, so both are kept or neither.
      beforeCommit: async (tx, written) => {
        if (sending.attachment) await storeAttachment(tx, publicActor, written.id, sending.attachment, null);
      },
    },
  );
  const receipt = { reference: item.reference, receivedAt: item.receivedAt, dueAt: item.dueAt };
  guard.remember(key, receipt);
  return { ...receipt, trackUrl: trackUrl(receipt.reference) };
}
