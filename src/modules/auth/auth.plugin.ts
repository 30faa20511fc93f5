import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LimitCounting } from '../../http/limit-store.js';
import { HttpProblem } from '../../http/problems.js';
import { rolesOf } from '../../http/route-access.js';
import { appendRouteHook } from '../../http/route-hooks.js';
import { FailedAuthLimit } from '../../http/security.js';
import { authenticate, type Principal } from './auth.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

function bearerSecret(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? '';
}

/** The authenticated principal of a route that requires a key (set by the auth hook). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new HttpProblem('unauthorized');
  return request.principal;
}

/**
 * Every route states its access in `config.auth`; a /v1 route that does not is a start-up error,
 * so nothing is ever open by omission.
 */
export function registerAuth(app: FastifyInstance, counting: LimitCounting): void {
  app.decorateRequest('principal', null);
  // Counts keys that were sent and refused (not a missing header: that guesses nothing).
  const failures = new FailedAuthLimit(counting.store(), app.config.AUTH_FAILURES_PER_MINUTE);

  app.addHook('onRoute', (route) => {
    const auth = route.config?.auth;
    if (route.url.startsWith('/v1') && !auth) {
      throw new Error(`route ${route.method} ${route.url} does not declare config.auth`);
    }
    // A browser page reads no key: its session (sessions module) is the only way in.
    if (!auth || auth === 'browser') return;
    const hook = async (request: FastifyRequest) => {
      const secret = bearerSecret(request);
      if (auth === 'public') {
        // A display key may be sent to a public board; a bad one is ignored, never a reason to fail.
        if (secret) request.principal = (await authenticate(app.db, secret)) ?? null;
        return;
      }
      if (!secret)
        throw new HttpProblem(
          'unauthorized',
          'Send an API key as "Authorization: Bearer <key>"',
          {},
          { 'www-authenticate': 'Bearer' },
        );
      // Checked before the key, so an address that has used up its guesses learns nothing more.
      await failures.refuseIfSpent(request);
      const principal = await authenticate(app.db, secret);
      if (!principal) {
        await failures.record(request);
        throw new HttpProblem(
          'unauthorized',
          'The API key is unknown or revoked',
          {},
          { 'www-authenticate': 'Bearer' },
        );
      }
      request.principal = principal;
      const allowed = rolesOf(auth);
      if (!allowed.includes(principal.role)) {
        throw new HttpProblem(
          'forbidden',
          `The ${principal.role} role may not do this; allowed: ${allowed.join(', ')}`,
        );
      }
    };
    appendRouteHook(route, 'onRequest', hook);
  });
}
