/**
 * The public pages' and boards' limit: boards are polled by every screen on every ward, so it is
 * generous (BOARD_RATE_LIMIT_PER_MINUTE, default 600), but enough to stop a flood.
 */
export const publicRateLimit = (perMinute: number) => ({ max: perMinute, timeWindow: '1 minute' }) as const;
