import type { FastifyContextConfig } from 'fastify';
import type { Role } from '../db/schema/enums.js';

// The access a route declares is part of its HTTP shape: the auth module's hook enforces it and the
// OpenAPI document states it, so it is declared here, below both.
declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Roles allowed besides admin; `public` routes need no key (one given is still read); `browser`
     * pages read no key at all: a person signed in to a session, and each form's CSRF token, open them.
     */
    auth?: { roles: readonly Role[] } | 'public' | 'browser';
  }
}

type RouteAuth = NonNullable<FastifyContextConfig['auth']>;

/**
 * Who a route's `config.auth` lets in: `public`, `browser` (a signed-in session; no key), or admin
 * and the roles it names. The auth hook enforces this list and the OpenAPI document states it
 * (`x-wedid-roles`), so the two agree.
 */
export function rolesOf(auth: RouteAuth): string[] {
  if (auth === 'public' || auth === 'browser') return [auth];
  return ['admin', ...auth.roles];
}
