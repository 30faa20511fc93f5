import type { ReplyAnswer, ReplyFacts } from './replies-delivery.repository.js';

/**
 * A reply in words, the same for every channel: the email and letter body, the SMS, the printed
 * slip. Built from `ReplyFacts` alone, so it can hold nothing private.
 */
export interface ReplyMessage {
  subject: string;
  /** The body, one idea per paragraph (one sentence each in Easy Read). */
  paragraphs: string[];
  /** The sentence that leads to the tracking page ("Did this answer you?" in an answer). */
  trackingPrompt: string;
  /** `PUBLIC_BASE_URL/track/{reference}`. */
  trackingUrl: string;
  easyRead: boolean;
  largePrint: boolean;
  /** Email and letter body: the paragraphs, then the prompt and the link. */
  text: string;
  /** A short text message (about two SMS parts) pointing to the tracking page. */
  sms: string;
}

const londonDay = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const londonShortDay = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

/** "Thursday 24 December 2026" (plain English); "24 December 2026" (Easy Read). */
function day(date: Date, easyRead: boolean): string {
  return easyRead ? londonShortDay.format(date) : londonDay.format(date).replace(',', '');
}

/** A sentence from staff's words, ending with one full stop. */
const sentence = (words: string) => {
  const trimmed = words.trim();
  return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
};

const quoted = (words: string) => `“${words.trim()}”`;

/** The tracking page of an item, under the service's public address. */
export function trackingUrl(publicBaseUrl: string, reference: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/track/${encodeURIComponent(reference)}`;
}

function acknowledgement(facts: ReplyFacts): Pick<ReplyMessage, 'subject' | 'paragraphs' | 'trackingPrompt'> {
  const { easyRead: easy, unitName, reference } = facts;
  if (easy) {
    return {
      subject: 'We got your feedback',
      paragraphs: [
        'Thank you for telling us what you think.',
        `You told us about ${unitName}.`,
        `We got your feedback on ${day(facts.receivedAt, true)}.`,
        `Your reference number is ${reference}.`,
        ...(facts.youSaid ? [`You said: ${quoted(facts.youSaid)}`] : []),
        'We will look at what you said.',
        'We will tell you what we did.',
        `We will try to tell you by ${day(facts.answerBy, true)}.`,
      ],
      trackingPrompt: 'You can see what is happening on this web page:',
    };
  }
  return {
    subject: `We have received your feedback (reference ${reference})`,
    paragraphs: [
      `Thank you for your feedback about ${unitName}. We received it on ${day(facts.receivedAt, false)}.`,
      `Your reference is ${reference}.`,
      ...(facts.youSaid ? [`In short, you said: ${quoted(facts.youSaid)}`] : []),
      `We will look at what you told us, then tell you what we did about it, or why we could not act on it. We aim to answer by ${day(facts.answerBy, false)}.`,
    ],
    trackingPrompt: 'You can see how your feedback is going at any time:',
  };
}

function answerLines(answer: ReplyAnswer | null, easy: boolean): string[] {
  if (!answer) return ['We have finished looking at your feedback.'];
  if (answer.type === 'we_did') {
    if (easy) {
      return [
        `We did this: ${sentence(answer.title)}`,
        ...(answer.outcome ? [`This is what changed: ${sentence(answer.outcome)}`] : []),
        ...(answer.doneAt ? [`We did it on ${day(answer.doneAt, true)}.`] : []),
      ];
    }
    return [
      `We did: ${sentence(answer.title)}`,
      ...(answer.outcome ? [`What changed: ${sentence(answer.outcome)}`] : []),
      ...(answer.doneAt ? [`This was done on ${day(answer.doneAt, false)}.`] : []),
    ];
  }
  if (easy) {
    return [
      'We could not do this.',
      `This is why: ${sentence(answer.explanation)}`,
      ...(answer.referredTo ? [`We passed it on to ${sentence(answer.referredTo)}`] : []),
      `We decided this on ${day(answer.decidedAt, true)}.`,
    ];
  }
  return [
    `We couldn’t act on it, because: ${sentence(answer.explanation)}`,
    ...(answer.referredTo ? [`We have passed it on to ${sentence(answer.referredTo)}`] : []),
    `We decided this on ${day(answer.decidedAt, false)}.`,
  ];
}

function answer(facts: ReplyFacts): Pick<ReplyMessage, 'subject' | 'paragraphs' | 'trackingPrompt'> {
  const { easyRead: easy, unitName, reference } = facts;
  const couldnt = facts.answer?.type === 'we_couldnt';
  if (easy) {
    return {
      subject: couldnt ? 'What happened to your feedback' : 'What we did about your feedback',
      paragraphs: [
        `Thank you for telling us about ${unitName}.`,
        `Your reference number is ${reference}.`,
        ...(facts.youSaid ? [`You said: ${quoted(facts.youSaid)}`] : []),
        ...answerLines(facts.answer, true),
      ],
      trackingPrompt: 'Did this answer you? Please tell us on this web page. You can say yes, partly or no.',
    };
  }
  return {
    subject: `${couldnt ? 'What happened to' : 'What we did about'} your feedback (reference ${reference})`,
    paragraphs: [
      `Thank you for your feedback about ${unitName}, which we received on ${day(facts.receivedAt, false)} (reference ${reference}).`,
      ...(facts.youSaid ? [`You said: ${quoted(facts.youSaid)}`] : []),
      ...answerLines(facts.answer, false),
    ],
    trackingPrompt:
      'Did this answer you? Please tell us (yes, partly or no) on your feedback’s page. If it did not, we will look at it again:',
  };
}

function smsText(facts: ReplyFacts, url: string): string {
  const { easyRead: easy, unitName, reference } = facts;
  if (facts.kind === 'acknowledgement') {
    return easy
      ? `We got your feedback about ${unitName}. Your reference number is ${reference}. We will tell you what we did. See what is happening: ${url}`
      : `Thank you for your feedback about ${unitName}. Your reference is ${reference}. We will tell you what we did about it. Follow it here: ${url}`;
  }
  const what =
    facts.answer?.type === 'we_couldnt'
      ? easy
        ? 'We could not do it. We say why here'
        : 'we could not act on it, and we explain why here'
      : easy
        ? 'We did something. See what we did here'
        : 'see what we did about it here';
  return easy
    ? `About your feedback on ${unitName} (${reference}). ${what}: ${url} Did this answer you? Tell us on the page.`
    : `About your feedback on ${unitName} (${reference}): ${what}, and tell us if this answered you: ${url}`;
}

/**
 * The words of a reply: an acknowledgement (we have it, what happens next) or an answer (we did /
 * we couldn't, and "Did this answer you?"), in plain English or Easy Read (short sentences, one
 * idea each), with the tracking link under `publicBaseUrl`.
 */
export function buildReplyMessage(facts: ReplyFacts, publicBaseUrl: string): ReplyMessage {
  const url = trackingUrl(publicBaseUrl, facts.reference);
  const words = facts.kind === 'acknowledgement' ? acknowledgement(facts) : answer(facts);
  return {
    ...words,
    trackingUrl: url,
    easyRead: facts.easyRead,
    largePrint: facts.largePrint,
    text: [...words.paragraphs, `${words.trackingPrompt}\n${url}`].join('\n\n'),
    sms: smsText(facts, url),
  };
}
