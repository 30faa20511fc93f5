import { createHmac, randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrfProtection from '@fastify/csrf-protection';
import session, { type SessionStore } from '@fastify/session';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import { SqlState, sqlStateOf } from '../../db/errors.js';
import type { Principal } from '../auth/auth.service.js';
import { deleteSession, saveSession, useSession } from './sessions.repository.js';

declare module 'fastify' {
  interface Session {
    /** Who signed in: the same principal a key of that role and scope resolves to. */
    principal?: Principal;
    /** Epoch ms of sign-in; the absolute expiry counts from here. */
    signedInAt?: number;
    /** Epoch ms the session id was last replaced. */
    rotatedAt?: number;
    /** The person asked for Easy Read pages; kept for the rest of the session. */
    easyRead?: boolean;
  }
}

/** Fields carried across an id rotation (everything the session holds but its cookie). */
const keptOnRotation = ['principal', 'signedInAt', 'easyRead'] as const;

let processSecret: string | undefined;

/**
 * The secret that signs session and form-token cookies: SESSION_SECRET, else one derived from
 * AUDIT_HMAC_KEY (so every instance agrees), else one random per process (sessions end on restart).
 */
export function sessionSecretOf(config: Config): { secret: string; shared: boolean } {
  if (config.SESSION_SECRET) return { secret: config.SESSION_SECRET, shared: true };
  if (config.AUDIT_HMAC_KEY) {
    return {
      secret: createHmac('sha256', config.AUDIT_HMAC_KEY).update('wedid-session').digest('base64url'),
      shared: true,
    };
  }
  processSecret ??= randomBytes(32).toString('base64url');
  return { secret: processSecret, shared: false };
}

/** A session ended by revocation while a request was using it: nothing to save, nothing wrong. */
const isSubjectGone = (error: unknown) =>
  sqlStateOf(error) === SqlState.checkViolation && String(error).includes('sessions_subject_live');

/**
 * @fastify/session's store in PostgreSQL: only signed-in sessions are written, keyed by a hash of the
 * id; reading one slides its idle expiry and refuses it once idle, past its absolute expiry, signed
 * out or revoked (the row gone).
 */
class PostgresSessionStore implements SessionStore {
  constructor(
    private readonly db: Database,
    private readonly limits: { idleSeconds: number; maxSeconds: number },
  ) {}

  set(sessionId: string, value: import('fastify').Session, callback: (error?: unknown) => void): void {
    const { principal, signedInAt } = value;
    if (!principal?.session || signedInAt === undefined) {
      callback();
      return;
    }
    const { cookie: _cookie, ...data } = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
    saveSession(
      this.db,
      sessionId,
      { subjectKind: principal.session.kind, subjectId: principal.session.id, data, signedInAt: new Date(signedInAt) },
      this.limits,
    ).then(
      () => callback(),
      (error: unknown) => (isSubjectGone(error) ? callback() : callback(error)),
    );
  }

  get(sessionId: string, callback: (error: unknown, result?: import('fastify').Session | null) => void): void {
    useSession(this.db, sessionId, this.limits.idleSeconds).then(
      (data) => callback(null, (data as import('fastify').Session | undefined) ?? null),
      (error: unknown) => callback(error),
    );
  }

  destroy(sessionId: string, callback: (error?: unknown) => void): void {
    deleteSession(this.db, sessionId).then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }
}

export interface SessionOptions {
  /** The cookie's name, e.g. `wedid_review`. */
  cookieName: string;
  /** The cookie is sent under this path only (e.g. `/review`), never to /v1 or another console. */
  path: string;
  /** Answers a form sent without its valid token (a page, in the look of the pages it guards). */
  onCsrfRefused: (request: FastifyRequest, reply: FastifyReply) => FastifyReply;
}

const csrfErrorCodes = new Set(['FST_CSRF_INVALID_TOKEN', 'FST_CSRF_MISSING_SECRET']);

/**
 * Server-side sessions for pages people sign in to, inside the calling plugin's scope only: a
 * cookie that is HttpOnly, SameSite=Strict and Secure whenever the request came over TLS (directly
 * or through a trusted proxy), its id replaced at sign-in and every SESSION_ROTATE_MINUTES, ending
 * after SESSION_IDLE_MINUTES idle or SESSION_MAX_HOURS in all. Every POST in the scope needs its
 * form's CSRF token (@fastify/csrf-protection, the secret in a signed cookie of the same kind).
 */
export async function registerSessions(app: FastifyInstance, options: SessionOptions): Promise<void> {
  const { config } = app;
  const { secret } = sessionSecretOf(config);
  // @fastify/cookie's `secure: 'auto'` (the form-token cookie) follows the request's protocol;
  // @fastify/session's would also drop SameSite to Lax over HTTP, so its Secure is set per request.
  const cookieOptions = { path: options.path, httpOnly: true, sameSite: 'strict', secure: 'auto' } as const;
  await app.register(cookie, { secret });
  await app.register(session, {
    secret,
    cookieName: options.cookieName,
    // No Max-Age: the cookie goes when the browser closes; the server enforces both expiries.
    cookie: { ...cookieOptions, secure: false },
    store: new PostgresSessionStore(app.db, {
      idleSeconds: config.SESSION_IDLE_MINUTES * 60,
      maxSeconds: config.SESSION_MAX_HOURS * 3600,
    }),
    saveUninitialized: false,
    rolling: false,
  });
  await app.register(csrfProtection, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: `${options.cookieName}_csrf`,
    cookieOpts: { ...cookieOptions, signed: true },
    getToken: (request) => (request.body as Record<string, unknown> | undefined)?._csrf as string | undefined,
  });

  // Every form in this scope: a POST without its token never reaches its handler.
  app.addHook('onRoute', (route) => {
    if (route.method !== 'POST' && !(Array.isArray(route.method) && route.method.includes('POST'))) return;
    const existing = route.preHandler ? [route.preHandler].flat() : [];
    route.preHandler = [app.csrfProtection, ...existing];
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code && csrfErrorCodes.has(error.code)) return options.onCsrfRefused(request, reply);
    throw error;
  });

  // Behind TLS (directly, or a proxy TRUST_PROXY believes) the session cookie is Secure.
  app.addHook('onRequest', async (request) => {
    if (request.protocol === 'https' && typeof request.session?.options === 'function') {
      request.session.options({ secure: true });
    }
  });

  const rotateMs = config.SESSION_ROTATE_MINUTES * 60_000;
  app.addHook('preHandler', async (request) => {
    const principal = request.session?.principal;
    if (!principal) return;
    if (Date.now() - (request.session.rotatedAt ?? 0) >= rotateMs) await rotate(request);
    request.principal = principal;
  });
}

async function rotate(request: FastifyRequest): Promise<void> {
  await request.session.regenerate([...keptOnRotation]);
  request.session.rotatedAt = Date.now();
}

/**
 * Signs a person in: a new session id (any id the browser brought is dropped, so a planted one is
 * worth nothing) holding the principal.
 */
export async function signIn(request: FastifyRequest, principal: Principal): Promise<void> {
  const easyRead = request.session.easyRead;
  await request.session.regenerate();
  request.session.principal = principal;
  request.session.signedInAt = Date.now();
  request.session.rotatedAt = Date.now();
  if (easyRead) request.session.easyRead = easyRead;
  await request.session.save();
  request.principal = principal;
}

/** Ends the session at once: the row goes, so the same cookie sent again finds nothing. */
export async function signOut(
  request: FastifyRequest,
  reply: FastifyReply,
  cookieName: string,
  path: string,
): Promise<void> {
  if (request.session?.sessionId) await request.session.destroy();
  reply.clearCookie(cookieName, { path });
  request.principal = null;
}

/** The signed-in principal of a page, or undefined when no one is signed in. */
export const sessionPrincipalOf = (request: FastifyRequest): Principal | undefined =>
  request.session?.principal ?? undefined;
