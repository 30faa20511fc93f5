import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf } from '../auth/auth.plugin.js';
import { replaceThemesSchema, themeListSchema } from './themes.schemas.js';
import { listThemes, replaceVocabulary } from './themes.service.js';

export const themesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/themes', {
    config: { auth: { roles: ['staff', 'intake', 'auditor', 'display', 'reviewer'] } },
    schema: {
      operationId: 'listThemes',
      tags: ['themes'],
      summary: 'The theme vocabulary, in display order',
      description:
        'The themes feedback can be tagged with in triage, as `code` and label; retired themes are left out.',
      response: { 200: themeListSchema },
    },
    handler: async () => listThemes(app.db),
  });

  app.put('/themes', {
    config: { auth: { roles: [] } },
    schema: {
      operationId: 'replaceThemes',
      tags: ['themes'],
      summary: 'Replace the theme vocabulary',
      description:
        'The list sent becomes the whole vocabulary, in that order; themes left out are retired (items keep them), and the replacement is audited. Answers the new list. The vocabulary is shared by the whole trust, so only an admin key without a unit scope may replace it; a scoped admin key answers 403.',
      body: replaceThemesSchema,
      response: { 200: themeListSchema },
    },
    handler: async (request) => replaceVocabulary(app.db, principalOf(request), request.body.themes),
  });
};
