import { communicationNeeds, feedbackKinds, fftRatings, replyChannels, submitterRoles } from '../../db/schema/enums.js';
import { equalityAnswers } from '../feedback/equality.schemas.js';
import { type PublicFeedback, publicFeedbackFieldsSchema, publicFeedbackSchema } from './tell-us.schemas.js';

/** A form-encoded body as @fastify/formbody parses it: repeated names become arrays. */
export type FormBody = Record<string, string | string[] | undefined>;

export const equalityFields = Object.keys(equalityAnswers) as (keyof typeof equalityAnswers)[];

/** Every answer the form carries from one step to the next (as hidden fields in Easy Read). */
export const answerFields = [
  'kind',
  'text',
  'fftRating',
  'submitterRole',
  'publishConsent',
  'reviewConsent',
  'wantsReply',
  'replyBy',
  'name',
  'email',
  'phone',
  'address',
  'language',
  'communicationNeeds',
  ...equalityFields,
] as const;
export type AnswerField = (typeof answerFields)[number];
/** A field on the page: the answers, and the file (never carried between steps: a file input cannot be). */
export type FormField = AnswerField | 'attachment';

/** The answers as the form holds them: strings, the needs a list. */
export type Answers = Partial<Record<Exclude<AnswerField, 'communicationNeeds'>, string>> & {
  communicationNeeds?: string[];
};

const oneOf = <T extends readonly string[]>(values: T, value: string | undefined): T[number] | undefined =>
  value !== undefined && (values as readonly string[]).includes(value) ? value : undefined;

export function answersOf(body: FormBody): Answers {
  const answers: Answers = {};
  for (const field of answerFields) {
    const raw = body[field];
    if (field === 'communicationNeeds') {
      answers.communicationNeeds = (Array.isArray(raw) ? raw : raw ? [raw] : []).filter((need) =>
        oneOf(communicationNeeds, need),
      );
    } else {
      const value = Array.isArray(raw) ? raw[0] : raw;
      if (value !== undefined && value.trim() !== '')
        answers[field as Exclude<AnswerField, 'communicationNeeds'>] = value;
    }
  }
  return answers;
}

/** An error on the page: the field's id to link to, and what to do about it in plain words. */
export interface FieldError {
  field: FormField;
  message: string;
}

const messages: Partial<Record<AnswerField, string>> = {
  email: 'Enter your email address, like name@example.com',
  phone: 'Enter a UK mobile number, like 07700 900123',
  address: 'Enter your postal address on 2 to 6 lines, with the postcode on the last line',
  name: 'Your name must be 200 characters or fewer',
};

/**
 * The answers as what the public route takes, or the errors to show. Contact details are kept only
 * when the person wants an answer, so a tick-box left half-done never stores an address.
 */
export function toPublicFeedback(
  answers: Answers,
  maxTextChars: number,
  withAttachment = false,
): { input: PublicFeedback; errors: [] } | { input?: undefined; errors: FieldError[] } {
  const wantsReply = answers.wantsReply === 'yes';
  const equality = Object.fromEntries(
    equalityFields.flatMap((field) => (answers[field] ? [[field, answers[field]]] : [])),
  );
  const candidate = {
    text: answers.text,
    kind: oneOf(feedbackKinds, answers.kind),
    fftRating: oneOf(fftRatings, answers.fftRating),
    submitterRole: oneOf(submitterRoles, answers.submitterRole),
    publishConsent: answers.publishConsent === 'yes',
    reviewConsent: answers.reviewConsent === 'yes',
    contact: wantsReply
      ? {
          wantsReply: true,
          replyBy: oneOf(replyChannels, answers.replyBy),
          name: answers.name,
          email: answers.email,
          phone: answers.phone,
          address: answers.address?.replace(/\r\n/g, '\n'),
          language: answers.language,
          communicationNeeds: answers.communicationNeeds?.length ? answers.communicationNeeds : undefined,
        }
      : answers.wantsReply === 'no'
        ? { wantsReply: false }
        : undefined,
    equality: Object.keys(equality).length > 0 ? equality : undefined,
  };
  const errors: FieldError[] = [];
  if (!answers.text && !candidate.fftRating && !withAttachment) {
    errors.push({ field: 'text', message: 'Tell us what you would like to say' });
  } else if (answers.text && answers.text.trim().length > maxTextChars) {
    errors.push({
      field: 'text',
      message: `What you tell us must be ${maxTextChars.toLocaleString('en-GB')} characters or fewer`,
    });
  }
  const parsed = (withAttachment ? publicFeedbackFieldsSchema : publicFeedbackSchema).safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [first, second] = issue.path.map(String);
      const field = (first === 'contact' || first === 'equality' ? second : first) as AnswerField | undefined;
      if (!field || errors.some((error) => error.field === field)) continue;
      errors.push({ field, message: messages[field] ?? issue.message });
    }
  }
  if (errors.length > 0 || !parsed.success) return { errors };
  return { input: parsed.data, errors: [] };
}
