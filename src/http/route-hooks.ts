import type { RouteOptions } from 'fastify';

type HookName = 'onRequest' | 'onSend';
type HookOf<Name extends HookName> = Extract<NonNullable<RouteOptions[Name]>, readonly unknown[]>[number];

/**
 * Adds a hook after the route's own (for `onRoute` hooks that attach per-route work such as auth,
 * rate limits or headers), keeping whatever the route already had, one hook or several.
 */
export function appendRouteHook<Name extends HookName>(route: RouteOptions, name: Name, hook: HookOf<Name>): void {
  const existing = route[name] ? [route[name]].flat() : [];
  (route as Record<HookName, unknown>)[name] = [...existing, hook];
}
