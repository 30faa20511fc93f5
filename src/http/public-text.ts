import { z } from 'zod';
import { storable } from '../db/schema/contact.js';

/** Plain text for public surfaces (boards, tracking): trimmed, non-empty, storable, no control characters. */
export const publicText = (max: number) =>
  storable(z.string().trim().min(1).max(max))
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    .regex(/^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/, 'must be plain text');
