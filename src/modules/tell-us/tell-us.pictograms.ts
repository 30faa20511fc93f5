import type { feedbackKinds } from '../../db/schema/enums.js';

/**
 * Pictograms for the kinds of feedback, drawn inline like the board's (no external assets) and
 * decorative (`aria-hidden`): the words beside each carry the meaning.
 */
const svg = (body: string) =>
  `<svg class="pictogram" viewBox="0 0 48 48" aria-hidden="true" focusable="false">${body}</svg>`;

export const kindPictograms: Record<(typeof feedbackKinds)[number], string> = {
  // A heart: thank you.
  compliment: svg('<path d="M24 42S5 30 5 17a10 10 0 0 1 19-4 10 10 0 0 1 19 4c0 13-19 25-19 25z" fill="#0b5d2a"/>'),
  // A light bulb: an idea.
  suggestion: svg(
    '<path d="M24 4a14 14 0 0 0-8 25.5V35h16v-5.5A14 14 0 0 0 24 4z" fill="#17457e"/><rect x="17" y="37" width="14" height="4" rx="1" fill="#17457e"/><rect x="19" y="42" width="10" height="3" rx="1" fill="#17457e"/>',
  ),
  // A warning sign: something worries me.
  concern: svg(
    '<path d="M24 4L2 44h44z" fill="#7a3400"/><rect x="22" y="17" width="4" height="14" fill="#fff"/><rect x="22" y="34" width="4" height="4" fill="#fff"/>',
  ),
  // A sad face: something went wrong.
  complaint: svg(
    '<circle cx="24" cy="24" r="21" fill="#4a2f6b"/><circle cx="17" cy="19" r="3" fill="#fff"/><circle cx="31" cy="19" r="3" fill="#fff"/><path d="M15 35c5-6 13-6 18 0" fill="none" stroke="#fff" stroke-width="3.5" stroke-linecap="round"/>',
  ),
  // A question mark.
  question: svg(
    '<circle cx="24" cy="24" r="21" fill="#3d3d3d"/><path d="M18 18a6 6 0 1 1 9 5c-2 1-3 2-3 5" fill="none" stroke="#fff" stroke-width="4" stroke-linecap="round"/><circle cx="24" cy="35" r="2.5" fill="#fff"/>',
  ),
};

/** A microphone beside a picture: the Easy Read step for a voice message, a video or a drawing. */
export const filePictogram = svg(
  '<rect x="4" y="10" width="22" height="28" rx="2" fill="#17457e"/><path d="M8 32l6-9 4 5 3-3 3 7z" fill="#fff"/><circle cx="20" cy="17" r="3" fill="#fff"/><rect x="32" y="6" width="10" height="20" rx="5" fill="#0b5d2a"/><path d="M29 21a8 8 0 0 0 16 0" fill="none" stroke="#0b5d2a" stroke-width="3" stroke-linecap="round"/><rect x="35.5" y="29" width="3" height="8" fill="#0b5d2a"/><rect x="31" y="37" width="12" height="3" rx="1" fill="#0b5d2a"/>',
);
