import type { FastifyContextConfig } from 'fastify';
import type { Role } from '../db/schema/enums.js';

// The access a route declares is part of its HTTP shape: the auth module's hook enforces it and the
// OpenAPI document states it, so it is declared here, below both.
declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed besides admin; `public` routes need no key (one given is still read). */
    auth?: { roles: readonly Role[] } | 'public';
  }
}

type RouteAuth = NonNullable<FastifyContextConfig['auth']>;

/**
 * Who a route's `config.auth` lets in: `public`, or admin and the roles it names. The auth hook
 * enforces this list and the OpenAPI document states it (`x-wedid-roles`), so the two agree.
 */
export function rolesOf(auth: RouteAuth): string[] {
  return auth === 'public' ? ['public'] : ['admin', ...auth.roles];
}
