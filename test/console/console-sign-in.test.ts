import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import t from 'tap';
import { buildTestApp, createTree, testConfig } from '../helpers/app.js';
import { checkWithAxe, hasChromium, launchChromium, newPage } from '../helpers/browser.js';
import { recordFeedback } from '../helpers/fixtures.js';
import { startOidcProvider } from '../helpers/oidc-provider.js';
import { freePort } from '../helpers/service-process.js';

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const callbackUrl = `${base}/console/auth/callback`;
const auditorsGroup = '3f2a1c9e-5d44-4c1b-9a0e-6b7c8d9e0f12';

/** Cookies as a Cookie header, from the Set-Cookie lines of an injected answer. */
const cookieHeader = (setCookie: string | string[] | undefined) =>
  [setCookie ?? []]
    .flat()
    .map((line) => line.split(';')[0])
    .join('; ');

t.test('staff sign in to the console with the trust’s OpenID Connect provider', { skip: !hasChromium() }, async (t) => {
  const idp = await startOidcProvider(t, {
    redirectUri: callbackUrl,
    accounts: {
      sam: { name: 'Sam Okafor', email: 'Sam.Okafor@Willow.NHS.uk', email_verified: true },
      kim: { name: 'Kim Reyes', email: 'kim@willow.nhs.uk', email_verified: false, groups: [auditorsGroup] },
      lee: { name: 'Lee Unmapped', email: 'lee@willow.nhs.uk', email_verified: true, groups: ['some-other-group'] },
      pat: { name: 'Pat Unverified', email: 'pat@willow.nhs.uk', email_verified: false },
    },
  });
  const api = await buildTestApp(t, {
    config: testConfig({
      PUBLIC_BASE_URL: base,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      TRUST_PROXY: '127.0.0.1',
    }),
  });
  await api.app.listen({ port, host: '127.0.0.1' });
  const { ward, otherWard } = await createTree(api);
  const person = async (body: Record<string, unknown>) => {
    const response = await api.request({ method: 'POST', url: '/v1/people', payload: body });
    t.equal(response.statusCode, 201, response.body);
    return response.json() as { id: string };
  };
  const sam = await person({ email: 'sam.okafor@willow.nhs.uk', role: 'staff', unitId: ward.id });
  await person({ group: auditorsGroup, role: 'auditor' });
  await person({ email: 'pat@willow.nhs.uk', role: 'admin' });
  const willowItem = await recordFeedback(api, ward.id);
  const ashItem = await recordFeedback(api, otherWard.id);

  const browser = await launchChromium(t);
  const problems: string[] = [];
  // Pages without a session answer 401 and another unit's item 404, on purpose; Chromium logs those
  // answers as failed loads.
  const ours = () => problems.filter((problem) => problem.startsWith(base) && !/status of (401|404)/.test(problem));

  /** Passes the provider's development login and consent pages as `account`, whichever appear. */
  async function signInAtProvider(page: Page, account: string, until: () => boolean): Promise<void> {
    for (let step = 0; step < 6 && !until(); step++) {
      await page.waitForLoadState();
      if (until()) return;
      if (await page.locator('input[name=login]').count()) {
        await page.fill('input[name=login]', account);
        await page.fill('input[name=password]', 'any password');
        await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
      } else if (await page.locator('button[type=submit]').count()) {
        await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
      } else {
        await page.waitForTimeout(100);
      }
    }
  }

  /**
   * Starts a sign-in by hand (inject) and lets the browser pass the provider as `account`: answers
   * the attempt cookie and the callback's query, to send by hand, tampered or not.
   */
  async function callbackFor(page: Page, account: string, rewriteAuthUrl?: (url: URL) => void) {
    const start = await api.app.inject({ method: 'GET', url: '/console/auth/start' });
    t.equal(start.statusCode, 303);
    const authUrl = new URL(start.headers.location as string);
    rewriteAuthUrl?.(authUrl);
    // The browser has no attempt cookie (the test holds it), so the service answers that request
    // "expired" without redeeming the code; the test then sends the callback by hand.
    let captured: string | undefined;
    const listener = (request: { url(): string }) => {
      if (request.url().startsWith(callbackUrl)) captured = request.url();
    };
    page.on('request', listener);
    await page.goto(authUrl.href);
    await signInAtProvider(page, account, () => captured !== undefined);
    page.off('request', listener);
    t.ok(captured, 'the provider sent the browser back to the callback');
    return { cookie: cookieHeader(start.headers['set-cookie']), query: new URL(captured as string).search.slice(1) };
  }

  const callback = (cookie: string, query: string) =>
    api.app.inject({ method: 'GET', url: `/console/auth/callback?${query}`, headers: { cookie } });
  const sessionCount = async () =>
    (await api.sql<{ n: number }>(sql`select count(*)::int as n from sessions where subject_kind = 'person'`))[0]?.n;

  await t.test('the whole redirect flow in Chromium: sign in, see your role and scope, sign out', async (t) => {
    const page = await newPage(browser, problems);
    const authorizeRequest = page.waitForRequest((request) => request.url().startsWith(`${idp.issuer}/auth?`));
    const first = await page.goto(`${base}/console`);
    t.equal(first?.status(), 401, 'not signed in: the console asks to sign in');
    t.equal(await page.locator('h1').textContent(), 'Please sign in');
    await checkWithAxe(t, page, 'console-please-sign-in');
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    t.equal(new URL(page.url()).pathname, '/console/sign-in');
    await checkWithAxe(t, page, 'console-sign-in');
    await page.getByRole('link', { name: 'Sign in with your organisation' }).click();
    t.equal(new URL(page.url()).origin, idp.issuer, 'on to the identity provider');
    const authorize = new URL((await authorizeRequest).url());
    await signInAtProvider(page, 'sam', () => page.url().startsWith(base));
    await page.waitForURL(`${base}/console`);
    t.equal(await page.locator('h1').textContent(), 'Your console');
    const facts = await page.locator('.facts').textContent();
    t.match(facts, /Sam Okafor \(sam\.okafor@willow\.nhs\.uk\)/);
    t.match(facts, /Staff/);
    t.match(facts, /Willow Ward and everything in it/);
    await checkWithAxe(t, page, 'console-landing');

    const cookies = await page.context().cookies(`${base}/console/auth/callback`);
    const session = cookies.find((cookie) => cookie.name === 'wedid_console');
    t.match(
      session,
      { httpOnly: true, sameSite: 'Strict', path: '/console' },
      'the session cookie: HttpOnly, SameSite=Strict, for /console only',
    );
    t.notOk(
      cookies.some((cookie) => cookie.name === 'wedid_console_sign_in'),
      'the sign-in attempt cookie is gone',
    );
    t.equal(await sessionCount(), 1);
    t.ok(authorize.searchParams.get('code_challenge'), 'PKCE: a code challenge was sent');
    t.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    t.ok(authorize.searchParams.get('state') && authorize.searchParams.get('nonce'), 'with state and nonce');

    await t.test('the session can do what a staff key of Willow can, and no more', async (t) => {
      const key = await api.createKey('staff', ward.id);
      for (const [item, wanted] of [
        [willowItem, 200],
        [ashItem, 404],
      ] as const) {
        const byKey = await api.request({ method: 'GET', url: `/v1/feedback/${item.id}`, key });
        const byPage = await page.goto(`${base}/console/feedback/${item.id}`);
        t.equal(byKey.statusCode, wanted, `the key: ${wanted}`);
        t.equal(byPage?.status(), wanted, `the session: ${wanted}`);
      }
      await page.goto(`${base}/console/feedback/${willowItem.id}`);
      t.equal(await page.locator('h1').textContent(), `Feedback ${willowItem.reference}`);
      await checkWithAxe(t, page, 'console-item');
    });

    const trail = await api.request({ method: 'GET', url: `/v1/audit?entityType=person&entityId=${sam.id}` });
    const signedIn = trail.json().items.find((event: { action: string }) => event.action === 'signed_in');
    t.match(signedIn, {
      actorKeyId: null,
      actorName: `Sam Okafor (sam.okafor@willow.nhs.uk) (session of person ${sam.id})`,
    });

    await page.goto(`${base}/console`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForLoadState();
    t.equal(await page.locator('h1').textContent(), 'You have signed out');
    t.equal(await sessionCount(), 0, 'the session row is gone');
    const after = await page.goto(`${base}/console`);
    t.equal(after?.status(), 401, 'signed out: the console asks to sign in again');
    await page.context().close();
    t.same(ours(), [], 'no script errors or CSP violations on the console’s pages');
  });

  await t.test('a group in the groups claim signs in with that row’s role: Kim, a trust-wide auditor', async (t) => {
    const page = await newPage(browser, problems);
    const { cookie, query } = await callbackFor(page, 'kim');
    // Over TLS (here: through the trusted proxy's X-Forwarded-Proto) the cookie is also Secure and Strict.
    const answer = await api.app.inject({
      method: 'GET',
      url: `/console/auth/callback?${query}`,
      headers: { cookie, 'x-forwarded-proto': 'https' },
    });
    t.equal(answer.statusCode, 200, answer.body);
    const sessionLine = [answer.headers['set-cookie'] ?? []].flat().find((line) => line.startsWith('wedid_console='));
    t.match(sessionLine, /; Path=\/console/);
    t.match(sessionLine, /; HttpOnly/);
    t.match(sessionLine, /; Secure/);
    t.match(sessionLine, /; SameSite=Strict/);
    const session = cookieHeader(answer.headers['set-cookie']);
    const landing = await api.app.inject({ method: 'GET', url: '/console', headers: { cookie: session } });
    t.match(landing.body, /Kim Reyes/);
    t.match(landing.body, /Auditor/);
    t.match(landing.body, /The whole trust/);
    await page.context().close();
  });

  await t.test('unknown or unverified people get “you do not have access yet”, and no session', async (t) => {
    for (const account of ['lee', 'pat']) {
      const before = await sessionCount();
      const page = await newPage(browser, problems);
      const { cookie, query } = await callbackFor(page, account);
      const answer = await callback(cookie, query);
      t.equal(answer.statusCode, 403, account);
      t.match(answer.body, /You do not have access yet/);
      t.notMatch(String(answer.headers['set-cookie'] ?? ''), /wedid_console=/, 'no session cookie');
      t.equal(await sessionCount(), before, 'no session row');
      await page.context().close();
    }
  });

  await t.test('the whole refusal shown in the browser, with axe', async (t) => {
    const page = await newPage(browser, problems);
    await page.goto(`${base}/console/sign-in`);
    await page.getByRole('link', { name: 'Sign in with your organisation' }).click();
    await signInAtProvider(page, 'lee', () => page.url().startsWith(base));
    await page.waitForLoadState();
    t.equal(await page.locator('h1').textContent(), 'You do not have access yet');
    await checkWithAxe(t, page, 'console-no-access');
    await page.context().close();
  });

  await t.test('a tampered state is refused', async (t) => {
    const page = await newPage(browser, problems);
    const { cookie, query } = await callbackFor(page, 'sam');
    const params = new URLSearchParams(query);
    params.set('state', `${params.get('state')}x`);
    const answer = await callback(cookie, params.toString());
    t.equal(answer.statusCode, 400);
    t.match(answer.body, /We could not sign you in/);
    t.notMatch(String(answer.headers['set-cookie'] ?? ''), /wedid_console=/);
    const again = await callback(cookie, query);
    t.equal(again.statusCode, 400, 'and the attempt is spent: the untampered answer no longer works either');
    await page.context().close();
  });

  await t.test('a replayed code is refused', async (t) => {
    const page = await newPage(browser, problems);
    const first = await callbackFor(page, 'sam');
    t.equal((await callback(first.cookie, first.query)).statusCode, 200, 'the first use signs in');
    const replay = await callback(first.cookie, first.query);
    t.equal(replay.statusCode, 400, 'the same answer again: the attempt is spent');
    t.match(replay.body, /This sign-in has expired/);

    // The old code under a fresh attempt of this browser: the provider refuses a code used once.
    const start = await api.app.inject({ method: 'GET', url: '/console/auth/start' });
    const fresh = new URL(start.headers.location as string);
    const params = new URLSearchParams(first.query);
    params.set('state', fresh.searchParams.get('state') as string);
    const reused = await callback(cookieHeader(start.headers['set-cookie']), params.toString());
    t.equal(reused.statusCode, 400, 'the provider refuses a code redeemed already');
    t.match(reused.body, /We could not sign you in/);
    await page.context().close();
  });

  await t.test('a wrong nonce in the ID token is refused', async (t) => {
    const page = await newPage(browser, problems);
    const { cookie, query } = await callbackFor(page, 'sam', (url) => url.searchParams.set('nonce', 'not-our-nonce'));
    const answer = await callback(cookie, query);
    t.equal(answer.statusCode, 400);
    t.match(answer.body, /We could not sign you in/);
    await page.context().close();
  });

  await t.test('a callback without its attempt cookie, or with the provider’s error, signs no one in', async (t) => {
    const page = await newPage(browser, problems);
    const { query } = await callbackFor(page, 'sam');
    t.equal((await callback('', query)).statusCode, 400, 'no cookie: the attempt was started in another browser');
    const start = await api.app.inject({ method: 'GET', url: '/console/auth/start' });
    const state = new URL(start.headers.location as string).searchParams.get('state');
    const denied = await callback(cookieHeader(start.headers['set-cookie']), `error=access_denied&state=${state}`);
    t.equal(denied.statusCode, 400);
    await page.context().close();
  });

  await t.test('sessions end when they expire, and when an admin changes or removes the person', async (t) => {
    const signInSam = async () => {
      const page = await newPage(browser, problems);
      const { cookie, query } = await callbackFor(page, 'sam');
      await page.context().close();
      const answer = await callback(cookie, query);
      t.equal(answer.statusCode, 200);
      return cookieHeader(answer.headers['set-cookie']);
    };
    const landing = (cookie: string) => api.app.inject({ method: 'GET', url: '/console', headers: { cookie } });

    const idle = await signInSam();
    t.equal((await landing(idle)).statusCode, 200);
    await api.sql(sql`update sessions set idle_expires_at = now() - interval '1 second' where subject_id = ${sam.id}`);
    const expired = await landing(idle);
    t.equal(expired.statusCode, 401, 'an idle-expired session is refused');
    t.match(expired.body, /Please sign in/);

    const changed = await signInSam();
    const patch = await api.request({ method: 'PATCH', url: `/v1/people/${sam.id}`, payload: { role: 'auditor' } });
    t.equal(patch.statusCode, 200);
    t.equal((await landing(changed)).statusCode, 401, 'a changed role ends the session at once');

    const removed = await signInSam();
    t.equal((await landing(removed)).statusCode, 200);
    t.equal((await api.request({ method: 'DELETE', url: `/v1/people/${sam.id}` })).statusCode, 204);
    t.equal((await landing(removed)).statusCode, 401, 'a removed person’s session is refused');
    t.equal(await sessionCount(), 1, 'only Kim’s session is left');
  });

  await t.test('sign-out needs the page’s form token', async (t) => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/console/sign-out',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    t.equal(response.statusCode, 403);
  });
});

t.test('without an identity provider configured the console says so', async (t) => {
  const api = await buildTestApp(t);
  const page = await api.app.inject({ method: 'GET', url: '/console/sign-in' });
  t.equal(page.statusCode, 200);
  t.match(page.body, /not set up on this service/);
  t.equal((await api.app.inject({ method: 'GET', url: '/console/auth/start' })).statusCode, 404);
  t.equal((await api.app.inject({ method: 'GET', url: '/console/auth/callback?code=x&state=y' })).statusCode, 404);
});
