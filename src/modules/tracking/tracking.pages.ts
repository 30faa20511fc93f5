import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

/** The HTML page: GET /track/{reference}. */
export const trackingPages: FastifyPluginAsyncZod = async (_app) => {};
