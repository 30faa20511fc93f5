import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pageOf } from '../../http/pagination.js';
import { problemResponse } from '../../http/problems.js';
import { principalOf } from '../auth/auth.plugin.js';
import {
  createUnitSchema,
  listUnitsQuerySchema,
  unitParamsSchema,
  unitSchema,
  updateUnitSchema,
} from './units.schemas.js';
import { createUnit, getVisibleUnit, patchUnit, toUnit } from './units.service.js';
import { listVisibleUnits } from './units-list.service.js';

const anyRole = { roles: ['staff', 'intake', 'auditor', 'display', 'reviewer'] } as const;

export const unitsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/units', {
    config: { auth: { roles: [] } },
    schema: {
      operationId: 'createUnit',
      tags: ['units'],
      summary: 'Create a unit (trust, site, ward, service or team)',
      description:
        'A trust has no parent; every other unit names a parent of a type that may hold it. A code already used answers 409. A unit-scoped admin creates units only within its own unit, never a trust. `Location` names the unit.',
      body: createUnitSchema,
      response: { 201: unitSchema },
    },
    handler: async (request, reply) => {
      const unit = await createUnit(app.db, principalOf(request), request.body);
      return reply.code(201).header('location', `/v1/units/${unit.id}`).send(toUnit(unit));
    },
  });

  app.get('/units', {
    config: { auth: anyRole },
    schema: {
      operationId: 'listUnits',
      tags: ['units'],
      summary: 'List units the key may see, ordered by code',
      description:
        'A unit-scoped key sees its unit and the units below it; an unscoped key sees every unit. Filter by `parentId`, `type` or `within` (a subtree); cursor paging with `nextCursor`.',
      querystring: listUnitsQuerySchema,
      response: { 200: pageOf(unitSchema) },
    },
    handler: async (request) => listVisibleUnits(app.db, principalOf(request), request.query),
  });

  app.get('/units/:id', {
    config: { auth: anyRole },
    schema: {
      operationId: 'getUnit',
      tags: ['units'],
      summary: 'Read a unit',
      description: 'A unit outside the key’s unit scope answers 404, like an unknown one.',
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
        'Moving a unit moves everything below it. A unit cannot move under itself or its own descendants (400). Board changes show on the boards at once; the change is audited. A move (`parentId`) that would leave feedback linked to a planned or in-progress action outside that action’s unit subtree answers 409 (`conflict`) naming the links: unlink those items or complete the actions first. Completed and cancelled actions keep their links as their record.',
      params: unitParamsSchema,
      body: updateUnitSchema,
      response: {
        200: unitSchema,
        409: problemResponse(
          '`conflict`: the move would leave live actions answering feedback outside their unit subtree',
        ),
      },
    },
    handler: async (request) => toUnit(await patchUnit(app.db, principalOf(request), request.params.id, request.body)),
  });
};
