import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/client.js';
import { type Document, htmlResponse, sendPage } from '../../http/pages/html.js';
import { publicRateLimit } from '../../http/pages/rate-limit.js';
import { HttpProblem, problemResponse } from '../../http/problems.js';
import { discardUpload } from '../attachments/attachments.service.js';
import { readingMultipart, type StagedUpload, stageUpload } from '../attachments/attachments.upload.js';
import { renderNotFoundPage } from '../boards/boards.render.js';
import type { BoardUnitRow } from '../boards/boards.repository.js';
import { tellUsClientScript } from './tell-us.client.js';
import { answersOf, type FormBody, toPublicFeedback } from './tell-us.form.js';
import type { TellUsGuard } from './tell-us.guard.js';
import {
  fieldsOfStep,
  type Mode,
  renderFormPage,
  renderSentPage,
  renderTooManyPage,
  type Step,
  stepsOf,
} from './tell-us.render.js';
import { findTellUsUnit, sendPublicFeedback } from './tell-us.service.js';

const flag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1')
  .optional()
  .catch(undefined);
const modeQuerySchema = z.object({
  easyRead: flag.describe('`1` for the Easy Read form: short sentences, pictures, one question a screen'),
  kiosk: flag.describe('`1` for a shared ward tablet: no autocomplete, clears itself, a large “Start again”'),
});

/** The ALTCHA widget (its external build, which needs no inline styles or blob workers) and its worker, served from here. */
const altchaDir = dirname(createRequire(import.meta.url).resolve('altcha/altcha.css'));
const assets: Record<string, string> = {
  'altcha.js': readFileSync(join(altchaDir, 'altcha.min.js'), 'utf8'),
  'altcha-pbkdf2.js': readFileSync(join(altchaDir, '..', 'workers', 'pbkdf2.js'), 'utf8'),
  'tell-us.js': tellUsClientScript,
};

interface SentForm {
  body: FormBody;
  /** Staged, not yet anyone's: claimed by the item, or discarded when the request is done. */
  attachment?: StagedUpload;
  fileError?: string;
}

/**
 * The form as sent: form-encoded (no file) or multipart, whose one file is streamed into staged
 * chunks and typed here. A file refused for its size or type is skipped to its end, so the answers
 * after it still arrive and the form comes back filled in.
 */
async function readForm(db: Database, request: FastifyRequest, maxBytes: number): Promise<SentForm> {
  if (!request.isMultipart()) return { body: (request.body ?? {}) as FormBody };
  const body: FormBody = {};
  let attachment: StagedUpload | undefined;
  let fileError: string | undefined;
  try {
    await readingMultipart(async () => {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          try {
            attachment = (await stageUpload(db, part, maxBytes)) ?? attachment;
          } catch (error) {
            if (!(error instanceof HttpProblem) || error.kind === 'validation-error') throw error;
            // Multipart discards the bytes past the limit; this waits for the part to end, holding nothing.
            for await (const _ of part.file);
            fileError =
              error.kind === 'payload-too-large'
                ? `The file must be ${Math.max(1, Math.floor(maxBytes / 1_048_576))} MB or smaller`
                : 'The file must be a voice recording, a video or a picture';
          }
        } else if (typeof part.value === 'string') {
          const prior = body[part.fieldname];
          body[part.fieldname] =
            prior === undefined ? part.value : [...(Array.isArray(prior) ? prior : [prior]), part.value];
        }
      }
    });
  } catch (error) {
    // The body failed after the file (cut off, a second file): nothing of it stays.
    await discardUpload(db, attachment);
    throw error;
  }
  return { body, attachment, fileError };
}

const modeQuery = (mode: Mode) => {
  const query = new URLSearchParams({
    ...(mode.easyRead ? { easyRead: '1' } : {}),
    ...(mode.kiosk ? { kiosk: '1' } : {}),
  });
  return query.size > 0 ? `?${query}` : '';
};

/** GET and POST /tell-us/{unitCode}: the public feedback form, standard, Easy Read and kiosk. */
export const tellUsPages: FastifyPluginAsyncZod<{ guard: TellUsGuard }> = async (app, { guard }) => {
  // People's browsers send the form encoded; JSON is for POST /v1/units/{id}/public-feedback (415 here).
  app.removeContentTypeParser('application/json');
  await app.register(formbody, { bodyLimit: 65_536 });
  // A voice note, video or picture comes multipart: one file, bounded by ATTACHMENT_MAX_BYTES.
  const maxBytes = app.config.ATTACHMENT_MAX_BYTES;
  await app.register(multipart, {
    limits: { fileSize: maxBytes, files: 1, fields: 200, fieldSize: 65_536 },
    // readUpload sees the stream truncated at the limit and answers with the form and its error.
    throwFileSizeLimit: false,
  });
  const pageLimit = publicRateLimit(app.config.BOARD_RATE_LIMIT_PER_MINUTE);

  app.get('/tell-us/assets/:name', {
    config: { auth: 'public', rateLimit: pageLimit },
    schema: {
      operationId: 'getTellUsAsset',
      tags: ['tell-us'],
      summary: 'The form’s scripts, served from the service itself (the ALTCHA widget, its worker, the kiosk timer)',
      description:
        "No third-party scripts: the ALTCHA widget (its external build, so no inline styles or blob workers are needed), its PBKDF2 worker, and the form’s own script, which registers that worker and, in kiosk mode, returns to a fresh form after two idle minutes. Allowed by the form’s CSP as `script-src 'self'` and `worker-src 'self'`.",
      params: z.object({ name: z.enum(Object.keys(assets) as [string, ...string[]]) }),
      response: {
        200: {
          description: 'The script',
          content: { 'text/javascript': { schema: z.string().describe('JavaScript') } },
        },
      },
    },
    handler: async (request, reply) =>
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .send(assets[request.params.name] ?? ''),
  });

  /** The unit, or the board's 404 page already sent. */
  async function unitOr404(reply: FastifyReply, code: string): Promise<BoardUnitRow | undefined> {
    try {
      if (/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(code)) return await findTellUsUnit(app.db, { code });
    } catch (error) {
      if (!(error instanceof HttpProblem && error.kind === 'not-found')) throw error;
    }
    sendPage(reply, 404, renderNotFoundPage('There is no feedback form at this address, or it is switched off.'));
    return undefined;
  }

  const params = z.object({ unitCode: z.string().describe('The unit’s code, e.g. `WARD-7`') });

  app.get('/tell-us/:unitCode', {
    config: { auth: 'public', rateLimit: pageLimit, noStore: true },
    schema: {
      operationId: 'getTellUsForm',
      tags: ['tell-us'],
      summary: 'The public feedback form of a unit (behind the QR code on its board)',
      description:
        'Works without JavaScript. `?easyRead=1` asks one question a screen; `?kiosk=1` is for a shared ward tablet. An unknown unit, or one whose board is off, answers a 404 page.',
      params,
      querystring: modeQuerySchema,
      response: { 200: htmlResponse('The form'), 404: htmlResponse('No form at this address') },
    },
    handler: async (request, reply) => {
      const unit = await unitOr404(reply, request.params.unitCode);
      if (!unit) return reply;
      const mode = { easyRead: request.query.easyRead ?? false, kiosk: request.query.kiosk ?? false };
      const url = `/tell-us/${encodeURIComponent(unit.code)}${modeQuery(mode)}`;
      return sendPage(
        reply,
        200,
        renderFormPage({
          unitName: unit.name,
          actionUrl: url,
          startUrl: url,
          step: stepsOf(mode)[0]!,
          answers: {},
          errors: [],
          mode,
          challengeOn: guard.challengeOn,
          maxAttachmentBytes: maxBytes,
        }),
      );
    },
  });

  app.post('/tell-us/:unitCode', {
    config: { auth: 'public', noStore: true },
    schema: {
      operationId: 'sendTellUsForm',
      tags: ['tell-us'],
      summary:
        'Sends the public form (form-encoded, or multipart with a file): the next step, the errors, or the tracking reference',
      description:
        'Records the item (channel `online`, or `kiosk` with `?kiosk=1`) through the same rules as POST /v1/units/{id}/public-feedback, and answers a page with the tracking reference and a printable slip. Sent as `multipart/form-data`, the form may carry one file (`attachment`): a voice note, a video or a picture, instead of or as well as the text. Its type is read from its bytes (audio, video and image only), never its name; up to ATTACHMENT_MAX_BYTES. The format follows: `voice` for audio, `video` for video, `other` for a picture alone, else `written`. The file is streamed into the database in chunks, never held whole. An item sent with a file is flagged for safeguarding review (`safeguardingReason: unscreened_file`): the screen cannot read a file, so a person looks before anything of it reaches a public surface. In Easy Read the file is asked for on the last step, the one with Send. A file that is too large or not media answers the form again with the error. A filled honeypot field is refused; the hourly limits answer a 429 page.',
      params,
      querystring: modeQuerySchema,
      consumes: ['application/x-www-form-urlencoded', 'multipart/form-data'],
      // Multipart bodies are read in the handler (the file is a stream), so the body may be absent here.
      body: z.record(z.string(), z.union([z.string(), z.array(z.string())])).nullish(),
      response: {
        200: htmlResponse('The next step, or the form again with its errors (400)'),
        201: htmlResponse('Sent: the reference and the slip'),
        400: {
          description:
            'The form again, with the errors summarised at the top (a page); a refused request (problem details)',
          content: {
            ...htmlResponse('').content,
            ...problemResponse('').content,
          },
        },
        404: htmlResponse('No form at this address'),
        429: htmlResponse('Too much from this address this hour'),
      },
    },
    handler: async (request, reply) => {
      const unit = await unitOr404(reply, request.params.unitCode);
      if (!unit) return reply;
      const mode = { easyRead: request.query.easyRead ?? false, kiosk: request.query.kiosk ?? false };
      const url = `/tell-us/${encodeURIComponent(unit.code)}${modeQuery(mode)}`;
      const sent = await readForm(app.db, request, maxBytes);
      let answered: [status: number, page: Document];
      try {
        answered = await answer(reply, unit, mode, url, sent);
      } finally {
        // Claimed by the item when it was recorded; any other answer leaves nothing of the file,
        // and before the answer goes out.
        await discardUpload(app.db, sent.attachment);
      }
      return sendPage(reply, ...answered);
    },
  });

  /** What to answer the form with: the next step, the errors, or the reference (sent once any staged file is settled). */
  async function answer(
    reply: FastifyReply,
    unit: BoardUnitRow,
    mode: Mode,
    url: string,
    sent: SentForm,
  ): Promise<[status: number, page: Document]> {
    const { body, attachment, fileError } = sent;
    const request = reply.request;
    const answers = answersOf(body);
    const steps = stepsOf(mode);
    const sentStep = steps.find((step) => step === body.step) ?? steps[0]!;
    const action = typeof body.action === 'string' ? body.action : 'send';
    const form = (
      status: number,
      step: Step,
      errors = [] as ReturnType<typeof toPublicFeedback>['errors'],
    ): [number, Document] => [
      status,
      renderFormPage({
        unitName: unit.name,
        actionUrl: url,
        startUrl: url,
        step,
        answers,
        errors,
        mode,
        challengeOn: guard.challengeOn,
        maxAttachmentBytes: maxBytes,
      }),
    ];

    // A person never sees the honeypot; whatever filled it is refused, with nothing recorded.
    if (typeof body.website === 'string' && body.website !== '') {
      return [400, renderTooManyPage(unit.name, 60)];
    }
    if (fileError) return form(400, sentStep, [{ field: 'attachment', message: fileError }]);
    // A file input cannot be carried to the next step: ask for Send with it, rather than lose it.
    if (attachment && action !== 'send') {
      return form(400, sentStep, [
        { field: 'attachment', message: 'Press Send to send your file; choose it again first' },
      ]);
    }
    const checked = toPublicFeedback(answers, app.config.TELL_US_MAX_TEXT_CHARS, Boolean(attachment));
    const index = steps.indexOf(sentStep);
    if (action === 'back') return form(200, steps[Math.max(0, index - 1)]!);
    if (action === 'next' || action === 'equality') {
      // In Easy Read the words may be left for a voice note or a picture on the last screen.
      const stepErrors = checked.errors.filter(
        (error) =>
          fieldsOfStep[sentStep].includes(error.field) && !(mode.easyRead && error.field === 'text' && !answers.text),
      );
      // Only the text is required; other answers' errors belong to the step that asks them.
      if (stepErrors.length > 0 && sentStep !== 'kind') return form(400, sentStep, stepErrors);
      return form(200, action === 'equality' ? 'equality' : steps[Math.min(steps.length - 1, index + 1)]!);
    }
    if (!checked.input) {
      const first = checked.errors[0]!;
      const step = steps.find((candidate) => fieldsOfStep[candidate].includes(first.field)) ?? steps[0]!;
      return form(
        400,
        step,
        checked.errors.filter((error) => fieldsOfStep[step].includes(error.field)),
      );
    }
    const altcha = typeof body.altcha === 'string' ? body.altcha : undefined;
    try {
      const receipt = await sendPublicFeedback(app.db, app.config, guard, {
        unit,
        input: { ...checked.input, altcha },
        kiosk: mode.kiosk,
        request,
        attachment,
        recordedVoice: body.recorded === 'voice',
      });
      return [
        201,
        renderSentPage({
          unitName: unit.name,
          reference: receipt.reference,
          trackUrl: receipt.trackUrl,
          startUrl: url,
          mode,
        }),
      ];
    } catch (error) {
      if (error instanceof HttpProblem && error.kind === 'rate-limited') {
        const seconds = Number(error.headers['retry-after'] ?? 3600);
        reply.header('retry-after', String(seconds));
        return [429, renderTooManyPage(unit.name, Math.ceil(seconds / 60))];
      }
      throw error;
    }
  }
};
