import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../helpers/app.js';

/**
 * A browser's view of the panel pages through inject: it keeps the cookies the service sets (and
 * drops those it clears), sends them back, and reads each page's form token.
 */
export class PanelClient {
  readonly cookies = new Map<string, string>();

  constructor(private readonly api: TestApp) {}

  /** Keeps what the answer's Set-Cookie headers say. */
  take(response: LightMyRequestResponse): LightMyRequestResponse {
    const header = response.headers['set-cookie'];
    for (const line of header === undefined ? [] : [header].flat()) {
      const [pair = ''] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const cleared = /max-age=0/i.test(line) || /expires=thu, 01 jan 1970/i.test(line) || value === '';
      if (cleared) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.take(
      await this.api.request({ method: 'GET', url, key: null, headers: { cookie: this.cookieHeader(), ...headers } }),
    );
  }

  /** Posts a form as a browser does (urlencoded), with the token unless `csrf: null`. */
  async post(
    url: string,
    fields: Record<string, string | string[]>,
    options: { csrf?: string | null; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) body.append(name, one);
    if (options.csrf) body.append('_csrf', options.csrf);
    return this.take(
      await this.api.request({
        method: 'POST',
        url,
        key: null,
        payload: body.toString(),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: this.cookieHeader(),
          ...options.headers,
        },
      }),
    );
  }
}

/** The form token in a page (every panel form carries the same one). */
export function csrfOf(page: LightMyRequestResponse): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(page.body);
  if (!match?.[1]) throw new Error(`no form token on the page (${page.statusCode}): ${page.body.slice(0, 200)}`);
  return match[1];
}

/** The path of an invite's link, as the reviewer's browser opens it. */
export const pathOf = (url: string) => new URL(url).pathname;
