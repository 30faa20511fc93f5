import { z } from 'zod';

/** A page form's fields as the browser sends them (urlencoded); a CSRF token is checked before the handler. */
export const formBodySchema = z.record(z.string(), z.union([z.string(), z.array(z.string())])).nullish();
