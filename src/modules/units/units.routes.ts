import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf } from '../../http/auth-hook.js';
import { decodeCursor, pageOf, toPage } from '../../http/pagination.js';
import { problemSchema } from '../../http/problems.js';
import { actorOf } from '../auth/auth.service.js';
import { listUnits } from './units.repository.js';
import {
  createUnitSchema,
  listUnitsQuerySchema,
  unitParamsSchema,
  unitSchema,
  updateUnitSchema,
} from './units.schemas.js';
import { createUnit, getVisibleUnit, patchUnit, toUnit } from './units.service.js';

const anyRole = { roles: ['staff', 'intake', 'auditor', 'display'] } as const;

export const unitsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/units', {
    config: { auth: { roles: [] } },
    schema: {
      operationId: 'createUnit',
      tags: ['units'],
      summary: 'Create a unit (trust, site, ward, service or team)',
      body: createUnitSchema,
      response: { 201: unitSchema },
    },
    handler: async (request, reply) => {
      const principal = principalOf(request);
      const unit = await createUnit(app.db, principal, actorOf(principal), request.body);
      return reply.code(201).header('location', `/v1/units/${unit.id}`).send(toUnit(unit));
    },
  });

  app.get('/units', {
    config: { auth: anyRole },
    schema: {
      operationId: 'listUnits',
      tags: ['units'],
      summary: 'List units the key may see, ordered by code',
      querystring: listUnitsQuerySchema,
      response: { 200: pageOf(unitSchema) },
    },
    handler: async (request) => {
      const principal = principalOf(request);
      const { limit, cursor, parentId, type, within } = request.query;
      const after = decodeCursor(cursor, 1)?.[0];
      const scopes = [principal.unitId, within].filter((id): id is string => Boolean(id));
      const rows = await listUnits(
        app.db,
        { parentId, type, within: scopes },
        limit,
        after === undefined ? undefined : String(after),
      );
      return toPage(rows, limit, toUnit, (row) => [row.code]);
    },
  });

  app.get('/units/:id', {
    config: { auth: anyRole },
    schema: {
      operationId: 'getUnit',
      tags: ['units'],
      summary: 'Read a unit',
      params: unitParamsSchema,
      response: { 200: unitSchema },
    },
    handler: async (request) => toUnit(await getVisibleUnit(app.db, principalOf(request), request.params.id)),
  });

  app.patch('/units/:id', {
    config: { auth: { roles: [] } },
    schema: {
      operationId: 'updateUnit',
      tags: ['units'],
      summary: 'Change a unit’s name, parent, response target or board settings',
      description:
        'A move (`parentId`) that would leave feedback linked to a planned or in-progress action outside that action’s unit subtree answers 409 (`conflict`) naming the links: unlink those items or complete the actions first. Completed and cancelled actions keep their links as their record.',
      params: unitParamsSchema,
      body: updateUnitSchema,
      response: {
        200: unitSchema,
        409: {
          description: '`conflict`: the move would leave live actions answering feedback outside their unit subtree',
          content: { 'application/problem+json': { schema: problemSchema } },
        },
      },
    },
    handler: async (request) => {
      const principal = principalOf(request);
      return toUnit(await patchUnit(app.db, principal, actorOf(principal), request.params.id, request.body));
    },
  });
};
