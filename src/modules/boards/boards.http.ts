import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { LimitStore } from '../../http/limit-store.js';
import { addressLimit } from '../../http/security.js';
import type { BoardCacheLimits } from './boards.cache.js';
import { type BuiltBoard, matchesIfNoneMatch } from './boards.service.js';

/** Screens poll every few seconds; a proxy may answer for 5 s and serve a stale copy while it revalidates. */
export const boardCacheControl = 'public, max-age=5, stale-while-revalidate=30';

/** Sets the caching headers shared by a 200 and a 304. */
export function setBoardCacheHeaders(reply: FastifyReply, etag: string): FastifyReply {
  return reply.header('etag', etag).header('cache-control', boardCacheControl);
}

/** Answers a board request: 304 when the client holds this board, else the JSON as it was serialised when built. */
export function sendBoard(request: FastifyRequest, reply: FastifyReply, built: BuiltBoard): FastifyReply {
  setBoardCacheHeaders(reply, built.etag);
  // No payload at all: `send(null)` would announce `Content-Length: 4` ("null") on a 304 that
  // carries no body, and clients that trust it wait for bytes that never come.
  if (matchesIfNoneMatch(request.headers['if-none-match'], built.etag)) return reply.code(304).send();
  // Validated against the schema when built; a string with a JSON type is sent as it is.
  return reply.type('application/json; charset=utf-8').send(built.json);
}

/**
 * BOARD_RATE_LIMIT_PER_MINUTE requests per client address to one kind of board (`name`), as the
 * route's first onRequest hook: boards are polled by every screen on every ward, so it is generous,
 * but enough to stop a flood, and cheap (see addressLimit).
 */
export const boardLimit = (store: LimitStore, name: string, config: Config) =>
  addressLimit(store, name, config.BOARD_RATE_LIMIT_PER_MINUTE);

/** The board cache's bounds, from BOARD_CACHE_MAX_ENTRIES and BOARD_CACHE_MAX_MB. */
export const boardCacheLimits = (config: Config): BoardCacheLimits => ({
  maxEntries: config.BOARD_CACHE_MAX_ENTRIES,
  maxBytes: config.BOARD_CACHE_MAX_MB * 1024 * 1024,
});
