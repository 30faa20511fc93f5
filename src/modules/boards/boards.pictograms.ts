import type { BoardEntryType } from './boards.schemas.js';

/**
 * Simple pictograms for the Easy Read board, drawn inline (no external assets). Each is decorative
 * (`aria-hidden`): the text label beside it carries the meaning, so screen readers read it once.
 */
const svg = (body: string) =>
  `<svg class="pictogram" viewBox="0 0 48 48" aria-hidden="true" focusable="false">${body}</svg>`;

export const pictograms: Record<BoardEntryType | 'you_said', string> = {
  // A speech bubble.
  you_said: svg(
    '<path d="M6 8h36a3 3 0 0 1 3 3v20a3 3 0 0 1-3 3H20l-9 8v-8H6a3 3 0 0 1-3-3V11a3 3 0 0 1 3-3z" fill="#4a2f6b"/><circle cx="15" cy="21" r="3" fill="#fff"/><circle cx="24" cy="21" r="3" fill="#fff"/><circle cx="33" cy="21" r="3" fill="#fff"/>',
  ),
  // A tick in a circle: done.
  we_did: svg(
    '<circle cx="24" cy="24" r="21" fill="#0b5d2a"/><path d="M13 25l7 7 15-16" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/>',
  ),
  // A clock: happening now or soon.
  we_are_doing: svg(
    '<circle cx="24" cy="24" r="21" fill="#17457e"/><circle cx="24" cy="24" r="15" fill="#fff"/><path d="M24 14v10l7 5" fill="none" stroke="#17457e" stroke-width="4" stroke-linecap="round"/>',
  ),
  // A hand held up: we could not.
  we_couldnt: svg(
    '<circle cx="24" cy="24" r="21" fill="#7a3400"/><path d="M17 33V19a2 2 0 0 1 4 0v7V14a2 2 0 0 1 4 0v12V15a2 2 0 0 1 4 0v11v-7a2 2 0 0 1 4 0v10c0 6-4 9-9 9s-7-2-7-4z" fill="#fff"/>',
  ),
};
