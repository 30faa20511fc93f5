import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { inTransaction } from '../../db/transaction.js';
import { appendAudit } from '../audit/audit.service.js';
import { principalOf } from '../auth/auth.plugin.js';
import { actorOf, requireUnscoped } from '../auth/auth.service.js';
import { listActiveThemes, replaceThemes } from './themes.repository.js';
import { replaceThemesSchema, themeListSchema } from './themes.schemas.js';

export const themesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/themes', {
    config: { auth: { roles: ['staff', 'intake', 'auditor', 'display'] } },
    schema: {
      operationId: 'listThemes',
      tags: ['themes'],
      summary: 'The theme vocabulary, in display order',
      description:
        'The themes feedback can be tagged with in triage, as `code` and label; retired themes are left out.',
      response: { 200: themeListSchema },
    },
    handler: async () => ({ items: await listActiveThemes(app.db), nextCursor: null }),
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
    handler: async (request) => {
      const principal = principalOf(request);
      requireUnscoped(principal, 'The theme vocabulary');
      await inTransaction(app.db, async (tx) => {
        await replaceThemes(tx, request.body.themes);
        await appendAudit(tx, actorOf(principal), {
          entityType: 'themes',
          entityId: 'vocabulary',
          action: 'replaced',
          details: { codes: request.body.themes.map((theme) => theme.code) },
        });
      });
      return { items: await listActiveThemes(app.db), nextCursor: null };
    },
  });
};
