import type * as Oidc from 'openid-client';
import type { Config } from '../../config.js';

/** Where the identity provider sends people back: registered with it as the redirect URI. */
export const callbackPath = '/console/auth/callback';

/** What the service asks the identity provider for: the ID token, the email address and the name. */
const scope = 'openid email profile';

/** A sign-in's secrets, kept server-side until the callback: state, nonce and the PKCE verifier. */
export interface SignInSecrets {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** The claims of a validated ID token that sign-in uses. */
export interface SignedInClaims {
  subject: string;
  /** Lower case, and only when the provider says it is verified (`email_verified: true`). */
  email: string | null;
  /** The `groups` claim (Microsoft Entra ID: group object ids). */
  groups: string[];
  /** The person's name as the provider gives it, else their email, else their subject. */
  name: string;
}

/** openid-client, loaded at the first sign-in: a service without console sign-in does not hold it. */
const loadOidc = (): Promise<typeof Oidc> => import('openid-client');

/**
 * The trust's OpenID Connect provider through openid-client (an OpenID-certified relying party):
 * discovery once (again after a failure), the authorization code flow with PKCE, and the ID token's
 * signature, issuer, audience, expiry, nonce and state checked by the library.
 */
export class IdentityProvider {
  private discovered: Promise<Oidc.Configuration> | undefined;
  readonly redirectUri: string;

  constructor(private readonly settings: { issuer: string; clientId: string; clientSecret: string; baseUrl: string }) {
    this.redirectUri = `${settings.baseUrl}${callbackPath}`;
  }

  /** The provider of the configuration, or undefined when OIDC_* are not set. */
  static fromConfig(config: Config): IdentityProvider | undefined {
    if (!config.OIDC_ISSUER || !config.OIDC_CLIENT_ID || !config.OIDC_CLIENT_SECRET) return undefined;
    return new IdentityProvider({
      issuer: config.OIDC_ISSUER,
      clientId: config.OIDC_CLIENT_ID,
      clientSecret: config.OIDC_CLIENT_SECRET,
      baseUrl: config.PUBLIC_BASE_URL,
    });
  }

  private configuration(oidc: typeof Oidc): Promise<Oidc.Configuration> {
    const { issuer, clientId, clientSecret } = this.settings;
    // The config only lets plain http through for a provider on this machine (tests, trying out).
    const insecure = new URL(issuer).protocol === 'http:';
    this.discovered ??= oidc
      .discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(clientSecret), {
        timeout: 10,
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      })
      .catch((error: unknown) => {
        this.discovered = undefined;
        throw error;
      });
    return this.discovered;
  }

  /** Fresh secrets and the provider's authorization URL that carries them (PKCE S256). */
  async begin(): Promise<{ secrets: SignInSecrets; url: string }> {
    const oidc = await loadOidc();
    const configuration = await this.configuration(oidc);
    const secrets = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
    };
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope,
      state: secrets.state,
      nonce: secrets.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(secrets.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { secrets, url: url.href };
  }

  /**
   * Redeems the code of a callback (`query`, as the provider sent it) for a validated ID token;
   * throws when the state, the nonce, the PKCE verifier, the code or the token does not hold.
   */
  async finish(query: string, secrets: SignInSecrets): Promise<SignedInClaims> {
    const oidc = await loadOidc();
    const configuration = await this.configuration(oidc);
    const tokens = await oidc.authorizationCodeGrant(configuration, new URL(`${this.redirectUri}?${query}`), {
      expectedState: secrets.state,
      expectedNonce: secrets.nonce,
      pkceCodeVerifier: secrets.codeVerifier,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('the provider sent no ID token');
    const email =
      claims.email_verified === true && typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : null;
    const groups = Array.isArray(claims.groups)
      ? claims.groups.filter((group): group is string => typeof group === 'string')
      : [];
    const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : (email ?? claims.sub);
    return { subject: claims.sub, email, groups, name: name.slice(0, 200) };
  }
}
