import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pageOf, pageQuerySchema } from '../../http/pagination.js';
import { principalOf } from '../auth/auth.plugin.js';
import {
  createPersonSchema,
  personInviteSchema,
  personParamsSchema,
  personSchema,
  updatePersonSchema,
} from './people.schemas.js';
import { createPerson, invitePerson, listPeopleFor, patchPerson, removePerson } from './people.service.js';

const adminOnly = { roles: [] } as const;

const scopeRule =
  'A unit-scoped admin manages only rows scoped within its own unit and may never grant a trust-wide (unscoped) role.';

export const peopleRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/people', {
    config: { auth: adminOnly },
    schema: {
      operationId: 'createPerson',
      tags: ['people'],
      summary: 'Let a person, or everyone in an identity-provider group, sign in to the staff console',
      description: `Exactly one of \`email\` (compared without regard to case) or \`group\`. At sign-in a person matches the row of their verified email and the rows of every group in their \`groups\` claim; the most privileged match wins (admin, then staff, then auditor; then no unit scope before a scope; then an email row before a group row). ${scopeRule} Audited; \`Location\` names the row. A second row for the same email or group is a 409 naming the first (\`existingId\`).`,
      body: createPersonSchema,
      response: { 201: personSchema },
    },
    handler: async (request, reply) => {
      const person = await createPerson(app.db, principalOf(request), request.body);
      return reply.code(201).header('location', `/v1/people/${person.id}`).send(person);
    },
  });

  app.get('/people', {
    config: { auth: adminOnly },
    schema: {
      operationId: 'listPeople',
      tags: ['people'],
      summary: 'List who may sign in to the staff console, newest first',
      description:
        'An admin without a unit scope sees every row; a unit-scoped admin sees the rows scoped within its subtree. Cursor paging: pass `nextCursor` as `cursor`.',
      querystring: pageQuerySchema,
      response: { 200: pageOf(personSchema) },
    },
    handler: async (request) => listPeopleFor(app.db, principalOf(request), request.query),
  });

  app.patch('/people/:id', {
    config: { auth: adminOnly },
    schema: {
      operationId: 'updatePerson',
      tags: ['people'],
      summary: 'Change what a row matches or grants; the sessions it started end',
      description: `A merge patch. The result must still have exactly one of \`email\` or \`group\`. ${scopeRule} Every session signed in through the row ends at once, so a changed role never lingers. Audited.`,
      params: personParamsSchema,
      body: updatePersonSchema,
      response: { 200: personSchema },
    },
    handler: async (request) => patchPerson(app.db, principalOf(request), request.params.id, request.body),
  });

  app.delete('/people/:id', {
    config: { auth: adminOnly },
    schema: {
      operationId: 'removePerson',
      tags: ['people'],
      summary: 'Stop a person (or a group) signing in; their sessions end at once',
      description: `Removes the row; every session it started ends at the next request. ${scopeRule} Audited.`,
      params: personParamsSchema,
      response: { 204: z.undefined() },
    },
    handler: async (request, reply) => {
      await removePerson(app.db, principalOf(request), request.params.id);
      return reply.code(204).send();
    },
  });

  app.post('/people/:id/invites', {
    config: { auth: adminOnly, noStore: true },
    schema: {
      operationId: 'invitePerson',
      tags: ['people'],
      summary: 'A one-time link that signs the person of an email row in, where no identity provider is set up',
      description: `The link (\`url\`, under PUBLIC_BASE_URL) works once, for 72 hours; opening it shows a Start button, and pressing it starts a console session with the row's role and unit scope. Only a hash of its token is stored, so it is shown this once (\`Cache-Control: no-store\`). A group row names no one person: 409. ${scopeRule} Audited.`,
      params: personParamsSchema,
      response: { 201: personInviteSchema },
    },
    handler: async (request, reply) => {
      const invite = await invitePerson(app.db, principalOf(request), request.params.id, app.config.PUBLIC_BASE_URL);
      return reply.code(201).send(invite);
    },
  });
};
