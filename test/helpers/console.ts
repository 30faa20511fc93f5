import type { TestApp } from './app.js';

/** Cookies as a Cookie header, from the Set-Cookie lines of an injected answer (later ones win). */
export function mergeCookies(header: string, setCookie: string | string[] | undefined): string {
  const jar = new Map(
    header
      .split('; ')
      .filter(Boolean)
      .map((pair) => [pair.split('=')[0], pair] as const),
  );
  for (const line of [setCookie ?? []].flat()) {
    const pair = line.split(';')[0] as string;
    jar.set(pair.split('=')[0], pair);
  }
  return [...jar.values()].join('; ');
}

export const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] as string;

/** A new person row of `role` over `unitId`, and the address of its invite link. */
export async function personInvite(api: TestApp, email: string, role: string, unitId?: string): Promise<string> {
  const person = (
    await api.request({ method: 'POST', url: '/v1/people', payload: { email, role, ...(unitId ? { unitId } : {}) } })
  ).json() as { id: string };
  const invite = (await api.request({ method: 'POST', url: `/v1/people/${person.id}/invites` })).json() as {
    url: string;
  };
  return invite.url;
}

/** A console session for a new person row of `role` over `unitId`, signed in by its invite link. */
export async function consoleSession(api: TestApp, email: string, role: string, unitId?: string) {
  const path = new URL(await personInvite(api, email, role, unitId)).pathname;
  const start = await api.app.inject({ method: 'GET', url: path });
  let cookie = mergeCookies('', start.headers['set-cookie']);
  const started = await api.app.inject({
    method: 'POST',
    url: path,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: `_csrf=${encodeURIComponent(csrfOf(start.body))}`,
  });
  if (started.statusCode !== 303) throw new Error(`invite: ${started.statusCode} ${started.body}`);
  cookie = mergeCookies(cookie, started.headers['set-cookie']);
  return {
    cookie,
    get: (url: string) => api.app.inject({ method: 'GET', url, headers: { cookie } }),
    /** A form post; `_csrf` is the token given, else none at all. */
    post: (url: string, fields: Record<string, string>) =>
      api.app.inject({
        method: 'POST',
        url,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(fields).toString(),
      }),
  };
}
