import type { FastifyContextConfig, FastifyReply, FastifyRequest } from 'fastify';
import { sendPage } from '../../http/pages/html.js';
import type { Principal } from '../auth/auth.service.js';
import { sessionPrincipalOf } from '../sessions/sessions.plugin.js';
import { renderPleaseSignInPage } from './console.render.js';

/** The person signed in to the console, or the "please sign in" page already sent (401). */
export function personOrSignIn(request: FastifyRequest, reply: FastifyReply): Principal | undefined {
  const principal = sessionPrincipalOf(request);
  if (principal?.session?.kind === 'person') return principal;
  sendPage(reply, 401, renderPleaseSignInPage());
  return undefined;
}

/** What `consolePages` hands each group of its pages: the session check and the route config. */
export interface ConsoleSection {
  personOrSignIn: (request: FastifyRequest, reply: FastifyReply) => Principal | undefined;
  /** The console's route config: a session, its rate limit, no-store. */
  pageConfig: FastifyContextConfig;
}
