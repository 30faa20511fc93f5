import type { FastifyReply } from 'fastify';
import type { Config } from '../../config.js';
import type { BoardCacheLimits } from './boards.cache.js';

/** Screens poll every few seconds; a proxy may answer for 5 s and serve a stale copy while it revalidates. */
export const boardCacheControl = 'public, max-age=5, stale-while-revalidate=30';

/** Sets the caching headers shared by a 200 and a 304. */
export function setBoardCacheHeaders(reply: FastifyReply, etag: string): FastifyReply {
  return reply.header('etag', etag).header('cache-control', boardCacheControl);
}

/** The board cache's bounds, from BOARD_CACHE_MAX_ENTRIES and BOARD_CACHE_MAX_MB. */
export const boardCacheLimits = (config: Config): BoardCacheLimits => ({
  maxEntries: config.BOARD_CACHE_MAX_ENTRIES,
  maxBytes: config.BOARD_CACHE_MAX_MB * 1024 * 1024,
});
