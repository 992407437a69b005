/**
 * Signing in. Locally: the admin token, typed into a form and kept in this tab's memory only (never
 * localStorage, sessionStorage or a cookie), so reloading or closing the tab signs out. On AWS: Cognito's
 * hosted UI through oidc-client-ts (cognito.ts, loaded only then), tokens in memory too.
 */
import { Api, ApiError } from './api';
import { h } from './dom';
import { S } from './strings';
import { busy, errorSlot, notice } from './ui';

export interface Session {
  /** Who is signed in, for the header. */
  who: string;
  /** When the session ends; null when it does not (the local token). */
  expiresAt: Date | null;
  token(): Promise<string>;
  /** Extends the session (Cognito's refresh token); absent when there is nothing to extend. */
  renew?: () => Promise<void>;
  signOut(): Promise<void>;
}

export type AuthConfig =
  | { mode: 'token' }
  | {
      mode: 'cognito';
      authority: string;
      clientId: string;
      domain: string;
      redirectUri: string;
      scope: string;
    };

export function readConfig(): AuthConfig {
  try {
    const parsed = JSON.parse(document.body.dataset.config ?? '') as AuthConfig;
    if (parsed.mode === 'cognito' || parsed.mode === 'token') return parsed;
  } catch {
    // Fall through: the local default.
  }
  return { mode: 'token' };
}

/** The sign-in screen; resolves with a session once the admin is in. */
export function signIn(root: HTMLElement, config: AuthConfig, reason?: string): Promise<Session> {
  return new Promise((resolve) => {
    const heading = h('h1', { tabindex: '-1' }, S.auth.title);
    const why = reason ? notice('info', h('p', null, reason)) : null;
    const panel = h('main', { id: 'main', class: 'sign-in' }, heading, why);
    root.replaceChildren(panel);
    document.title = `${S.auth.title} · ${S.app.name}`;

    if (config.mode === 'cognito') {
      const failure = h('div');
      const go = h('button', { type: 'submit', class: 'btn primary' }, S.auth.cognitoButton);
      const form = h('form', { novalidate: true }, h('p', null, S.auth.cognitoIntro), failure, go);
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        failure.replaceChildren();
        void busy(go, async () => {
          try {
            const { cognitoSignIn } = await import('./cognito');
            resolve(await cognitoSignIn(config));
          } catch (error) {
            failure.replaceChildren(
              notice(
                'error',
                h(
                  'p',
                  null,
                  error instanceof Error && error.message === 'popup'
                    ? S.auth.popupBlocked
                    : S.auth.cognitoFailed,
                ),
              ),
            );
          }
        });
      });
      panel.append(form);
    } else {
      const error = errorSlot('token-error');
      const tokenInput = h('input', {
        id: 'token',
        name: 'token',
        type: 'password',
        autocomplete: 'off',
        spellcheck: 'false',
        required: true,
        'aria-describedby': 'token-hint token-error',
      });
      const go = h('button', { type: 'submit', class: 'btn primary' }, S.auth.tokenButton);
      const form = h(
        'form',
        { novalidate: true },
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'token' }, S.auth.tokenLabel),
          h('p', { class: 'hint', id: 'token-hint' }, S.auth.tokenHint),
          error,
          tokenInput,
        ),
        go,
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const token = tokenInput.value.trim();
        const fail = (message: string) => {
          error.textContent = message;
          error.hidden = false;
          tokenInput.setAttribute('aria-invalid', 'true');
          tokenInput.focus();
        };
        if (!token) return fail(S.auth.tokenMissing);
        void busy(go, async () => {
          // One cheap admin call proves the token before the page shows anything.
          const probe = new Api(
            async () => token,
            () => {},
          );
          try {
            await probe.get('/admin/v1/partners');
          } catch (e) {
            return fail(
              e instanceof ApiError && e.status === 401
                ? S.auth.tokenWrong
                : e instanceof ApiError
                  ? e.message
                  : S.errors.unexpected,
            );
          }
          tokenInput.value = '';
          let current: string | null = token;
          resolve({
            who: S.auth.localAdmin,
            expiresAt: null,
            token: async () => current ?? '',
            signOut: async () => {
              current = null;
            },
          });
        });
      });
      panel.append(form);
      tokenInput.focus();
    }
    if (reason) heading.focus();
  });
}
