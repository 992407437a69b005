/**
 * Cognito sign-in for the AWS deployment, loaded only in that mode: the hosted UI, authorization code with
 * PKCE, through oidc-client-ts. Both its stores (the PKCE state and the tokens) are in memory, so the hosted UI
 * runs in a popup window: this page never unloads, and a token never touches storage. The popup comes back to
 * /admin, which hands the answer to this window (popupCallback) and closes.
 *
 * Cognito's endpoints are given up front (no discovery request); the hosted UI's /logout ends its own session.
 */
import { InMemoryWebStorage, type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import type { AuthConfig, Session } from './auth';

type CognitoConfig = Extract<AuthConfig, { mode: 'cognito' }>;

function manager(config: CognitoConfig): UserManager {
  const store = new WebStorageStateStore({ store: new InMemoryWebStorage() });
  const domain = config.domain.replace(/\/$/, '');
  return new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    popup_redirect_uri: config.redirectUri,
    post_logout_redirect_uri: config.redirectUri,
    response_type: 'code',
    scope: config.scope,
    metadata: {
      issuer: config.authority,
      authorization_endpoint: `${domain}/oauth2/authorize`,
      token_endpoint: `${domain}/oauth2/token`,
      revocation_endpoint: `${domain}/oauth2/revoke`,
      userinfo_endpoint: `${domain}/oauth2/userInfo`,
      end_session_endpoint: `${domain}/logout`,
      jwks_uri: `${config.authority}/.well-known/jwks.json`,
    },
    userStore: store,
    stateStore: store,
    loadUserInfo: false,
    automaticSilentRenew: false,
    monitorSession: false,
    revokeTokenTypes: ['refresh_token'],
    popupWindowFeatures: { width: 520, height: 720 },
  });
}

function toSession(config: CognitoConfig, users: UserManager, first: User): Session {
  let user: User | null = first;
  const session: Session = {
    who: String(first.profile.email ?? first.profile['cognito:username'] ?? first.profile.sub),
    expiresAt: first.expires_at ? new Date(first.expires_at * 1000) : null,
    token: async () => {
      if (!user || user.expired) throw new Error('expired');
      return user.access_token;
    },
    signOut: async () => {
      await users.revokeTokens(['refresh_token']).catch(() => {});
      await users.removeUser();
      user = null;
      // Ends the hosted UI's own session too, so the next sign-in asks for credentials again.
      const logout = new URL(`${config.domain.replace(/\/$/, '')}/logout`);
      logout.searchParams.set('client_id', config.clientId);
      logout.searchParams.set('logout_uri', config.redirectUri);
      location.assign(logout.href);
    },
  };
  if (first.refresh_token) {
    session.renew = async () => {
      user = await users.signinSilent();
      if (!user) throw new Error('renew');
      session.expiresAt = user.expires_at ? new Date(user.expires_at * 1000) : null;
    };
  }
  return session;
}

export async function cognitoSignIn(config: CognitoConfig): Promise<Session> {
  const users = manager(config);
  let user: User;
  try {
    user = await users.signinPopup();
  } catch (error) {
    throw new Error(error instanceof Error && /popup/i.test(error.message) ? 'popup' : 'failed');
  }
  return toSession(config, users, user);
}

/** In the popup, back from the hosted UI: give the answer to the page that opened it. */
export async function popupCallback(config: CognitoConfig): Promise<void> {
  await manager(config).signinPopupCallback();
}
