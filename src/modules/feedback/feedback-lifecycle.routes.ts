import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

/** POST /v1/feedback/{id}/decision and /reopen. */
export const feedbackLifecycleRoutes: FastifyPluginAsyncZod = async (_app) => {};
