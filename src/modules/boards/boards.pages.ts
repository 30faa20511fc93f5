import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

/** The HTML pages: GET /boards/{unitCode}. */
export const boardsPages: FastifyPluginAsyncZod = async (_app) => {};
