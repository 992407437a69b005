/**
 * The admin page: sign in, then a shell (header, navigation, main region, live region) and a hash router
 * over the screens. Each screen renders into a fresh element, so a slow answer for a screen the admin has
 * already left lands in a detached node and changes nothing on screen.
 */
import { Api } from './api';
import { type AuthConfig, readConfig, type Session, signIn } from './auth';
import { h } from './dom';
import { S } from './strings';
import { button, formatTime, notice } from './ui';

export interface Ctx {
  api: Api;
  session: Session;
  /** The screen's own element. */
  view: HTMLElement;
  announce(message: string): void;
  navigate(hash: string): void;
  /** A screen with unsaved changes sets this; leaving then asks first. */
  setDirty(dirty: boolean): void;
}

type Screen = (ctx: Ctx, ...params: string[]) => Promise<void> | void;

const ROUTES: [RegExp, () => Promise<Screen>][] = [
  [/^campaigns$/, async () => (await import('./screens/campaigns')).campaignList],
  [/^campaigns\/new$/, async () => (await import('./screens/campaign-editor')).campaignEditor],
  [
    /^campaigns\/(cmp_[A-Za-z0-9_-]+)$/,
    async () => (await import('./screens/campaign-editor')).campaignEditor,
  ],
  [/^test$/, async () => (await import('./screens/test-query')).testQuery],
  [/^publish$/, async () => (await import('./screens/publish')).publishScreen],
  [/^partners$/, async () => (await import('./screens/partners')).partnerList],
  [/^partners\/(ptn_[A-Za-z0-9_-]+)$/, async () => (await import('./screens/partners')).partnerDetail],
  [/^reports$/, async () => (await import('./screens/reports')).reportsScreen],
  [/^audit$/, async () => (await import('./screens/audit')).auditScreen],
];

const NAV: [hash: string, label: string][] = [
  ['campaigns', S.nav.campaigns],
  ['test', S.nav.test],
  ['publish', S.nav.publish],
  ['partners', S.nav.partners],
  ['reports', S.nav.reports],
  ['audit', S.nav.audit],
];

/** Warn this long before the session ends. */
const WARN_MS = 5 * 60_000;

async function start(): Promise<void> {
  const root = document.getElementById('app') ?? document.body;
  const config = readConfig();
  if (config.mode === 'cognito' && window.opener && new URLSearchParams(location.search).has('state')) {
    root.replaceChildren(h('main', { id: 'main' }, h('p', { role: 'status' }, S.auth.finishing)));
    const { popupCallback } = await import('./cognito');
    await popupCallback(config);
    return;
  }
  // The hosted UI's answer never stays in the address bar.
  if (location.search) history.replaceState(null, '', location.pathname + location.hash);
  let reason: string | undefined;
  for (;;) {
    const session = await signIn(root, config, reason);
    reason = await runApp(root, config, session);
  }
}

/** Runs the signed-in page until the session ends; answers why, for the sign-in screen. */
function runApp(root: HTMLElement, _config: AuthConfig, session: Session): Promise<string | undefined> {
  return new Promise((resolveEnd) => {
    let ended = false;
    let dirty = false;
    let current = '';
    const end = (why?: string) => {
      if (ended) return;
      ended = true;
      window.removeEventListener('hashchange', onHash);
      window.removeEventListener('beforeunload', onUnload);
      clearInterval(timer);
      resolveEnd(why);
    };

    const api = new Api(
      () =>
        session.token().catch(() => {
          end(S.auth.expired);
          return '';
        }),
      () => end(S.auth.expired),
    );
    const live = h('div', {
      class: 'visually-hidden',
      role: 'status',
      'aria-live': 'polite',
      id: 'announcer',
    });
    const main = h('main', { id: 'main', tabindex: '-1' });
    const navLinks = NAV.map(([hash, label]) => h('a', { href: `#/${hash}`, 'data-route': hash }, label));
    const expiry = h('span', { class: 'expiry' });
    const warning = h('div', { class: 'session-warning' });
    const signOut = button(
      S.auth.signOut,
      async () => {
        if (dirty && !window.confirm(S.common.leaveUnsaved)) return;
        await session.signOut();
        end(S.auth.signedOut);
      },
      'link',
    );

    root.replaceChildren(
      h(
        'a',
        {
          href: '#main',
          class: 'skip',
          onclick: (e: Event) => {
            e.preventDefault();
            main.focus();
          },
        },
        S.app.skip,
      ),
      h(
        'header',
        { class: 'top' },
        h('a', { href: '#/campaigns', class: 'brand' }, S.app.name),
        h(
          'nav',
          { 'aria-label': S.nav.label },
          h(
            'ul',
            null,
            navLinks.map((a) => h('li', null, a)),
          ),
        ),
        h('div', { class: 'who' }, h('span', null, session.who), expiry, signOut),
      ),
      warning,
      main,
      live,
    );

    const updateExpiry = () => {
      const at = session.expiresAt;
      if (!at) {
        expiry.textContent = '';
        return;
      }
      const left = at.getTime() - Date.now();
      expiry.textContent = S.auth.endsAt(formatTime(at));
      if (left <= 0) {
        void session.signOut().catch(() => {});
        end(S.auth.endedAt(formatTime(at)));
      } else if (left < WARN_MS && !warning.firstChild) {
        warning.append(
          notice(
            'warning',
            h('p', null, S.auth.endingSoon(formatTime(at))),
            session.renew
              ? button(
                  S.auth.staySignedIn,
                  async () => {
                    try {
                      await session.renew?.();
                      warning.replaceChildren();
                      updateExpiry();
                    } catch {
                      warning.replaceChildren(notice('error', h('p', null, S.auth.renewFailed)));
                    }
                  },
                  'primary',
                )
              : null,
          ),
        );
      }
    };
    const timer = setInterval(updateExpiry, 15_000);
    updateExpiry();

    const onUnload = (event: BeforeUnloadEvent) => {
      if (dirty) event.preventDefault();
    };
    window.addEventListener('beforeunload', onUnload);

    const render = async () => {
      const route = location.hash.replace(/^#\/?/, '') || 'campaigns';
      if (route === current) return;
      if (dirty && current && !window.confirm(S.common.leaveUnsaved)) {
        history.replaceState(null, '', `#/${current}`);
        return;
      }
      current = route;
      dirty = false;
      const found = ROUTES.find(([pattern]) => pattern.test(route));
      const section = route.split('/')[0] ?? '';
      for (const link of navLinks) {
        if (link.dataset.route === section) link.setAttribute('aria-current', 'page');
        else link.removeAttribute('aria-current');
      }
      const view = h('div', { class: 'view' });
      main.replaceChildren(view);
      if (!found) {
        view.append(
          h('h1', { tabindex: '-1' }, S.app.notFound),
          h('p', null, h('a', { href: '#/campaigns' }, S.nav.campaigns)),
        );
        return;
      }
      const params = (found[0].exec(route) ?? []).slice(1);
      const ctx: Ctx = {
        api,
        session,
        view,
        announce: (message) => {
          live.textContent = '';
          setTimeout(() => {
            live.textContent = message;
          }, 50);
        },
        navigate: (hash) => {
          location.hash = `#/${hash}`;
        },
        setDirty: (value) => {
          if (current === route) dirty = value;
        },
      };
      try {
        const screen = await found[1]();
        await screen(ctx, ...params);
      } catch (error) {
        // For whoever opens the console (and the e2e test); the admin gets a sentence.
        console.error(error);
        if (!ended)
          view.append(
            notice(
              'error',
              h(
                'p',
                null,
                error instanceof Error && error.name === 'ApiError' ? error.message : S.errors.unexpected,
              ),
            ),
          );
      }
      if (view.isConnected) {
        const heading = view.querySelector('h1');
        document.title = `${heading?.textContent ?? S.app.name} · ${S.app.name}`;
        heading?.focus();
      }
    };
    const onHash = () => void render();
    window.addEventListener('hashchange', onHash);
    void render();
  });
}

void start();
