import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** The claims an account of the test provider signs in with. */
export interface TestAccount {
  name?: string;
  email?: string;
  email_verified?: boolean;
  groups?: string[];
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/**
 * A real OpenID Connect provider (the certified oidc-provider package) on 127.0.0.1 for one test:
 * one confidential client, the development login page (any password) and consent page, and the
 * accounts' claims in the ID token, as Microsoft Entra ID sends email and groups.
 */
export async function startOidcProvider(
  t: { teardown(fn: () => unknown): void },
  options: { redirectUri: string; accounts: Record<string, TestAccount> },
): Promise<TestOidcProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Named `localhost` while the service is 127.0.0.1: another site, as a real provider is, so the
  // browser treats the redirect back as a cross-site navigation.
  const issuer = `http://localhost:${(server.address() as AddressInfo).port}`;
  const clientId = 'wedid-console';
  const clientSecret = 'a-client-secret-for-the-test-provider-only';
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    async findAccount(_ctx, sub) {
      const account = options.accounts[sub];
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...account }) };
    },
    claims: { openid: ['sub', 'groups'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false,
    cookies: { keys: ['test-provider-cookie-key-0123456789'] },
  });
  server.on('request', provider.callback());
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { issuer, clientId, clientSecret };
}
