/**
 * The embeddable widget: one script tag, configured by its data attributes (see the Widget section of
 * API.md). Each tag is one widget; several on a page share this file's global state through
 * `window.Signpost` and otherwise do not interfere. Nothing here may throw into the host page.
 */
import { type EventAction, postJson, sendEvents, type WidgetEvent } from './api';
import { parseAnswer, renderMessage } from './render';
import { pickLocale, STRINGS } from './strings';
import { adoptStyles } from './styles';

/** Where quick exit goes when the partner sets no `data-exit-url`: busy, neutral, unremarkable in history. */
const DEFAULT_EXIT_URL = 'https://www.wikipedia.org/';

/** Quick exit's keyboard shortcut, as GOV.UK's "Exit this page": Shift three times within five seconds. */
const SHIFT_PRESSES = 3;
const SHIFT_WINDOW_MS = 5000;

interface Widget {
  /** A query-mode widget (`data-query` or `data-query-param`), the ones `Signpost.match` asks again. */
  query: boolean;
  shown(): boolean;
  ask(query?: string): Promise<boolean>;
  exit(): void;
}

interface Shared {
  widgets: Widget[];
  scripts: Element[];
  warned: boolean;
  /** What quick exit changed on the page, to undo when it comes back from the back/forward cache. */
  blanked: [display: string, priority: string, title: string] | null;
}

export interface SignpostApi {
  readonly version: 1;
  /** Asks again with a new query (pages that search without reloading); true when a message shows. */
  match(query: string): Promise<boolean>;
  /** Internal: shared by every widget script on the page. */
  readonly _: Shared;
}

declare global {
  interface Window {
    Signpost?: SignpostApi;
  }
}

function shared(): Shared {
  const existing = window.Signpost;
  if (existing?._) return existing._;
  const state: Shared = { widgets: [], scripts: [], warned: false, blanked: null };
  const api: SignpostApi = {
    version: 1,
    _: state,
    match(query) {
      const asked = state.widgets.filter((w) => w.query);
      return Promise.all((asked.length ? asked : state.widgets).map((w) => w.ask(String(query)))).then(
        (shown) => shown.includes(true),
      );
    },
  };
  if (!existing) window.Signpost = api;
  listenForExit(state);
  return state;
}

function listenForExit(state: Shared): void {
  let presses = 0;
  let firstAt = 0;
  let shifted = false;
  // keyup, capture: a Shift released right after a shifted letter is typing, not a request to leave.
  document.addEventListener(
    'keyup',
    (event) => {
      if (event.key === 'Shift' && !shifted) {
        if (event.timeStamp - firstAt > SHIFT_WINDOW_MS) presses = 0;
        if (!presses) firstAt = event.timeStamp;
        // Only while a message (and so its exit button) is on screen.
        if (++presses >= SHIFT_PRESSES) {
          presses = 0;
          state.widgets.find((w) => w.shown())?.exit();
        }
      } else {
        presses = 0;
      }
      // Whether this key was typed with Shift held (a Shift key's own event may report either way).
      shifted = event.key !== 'Shift' && event.shiftKey;
    },
    true,
  );
  window.addEventListener('pageshow', (event) => {
    presses = 0;
    const blanked = state.blanked;
    if (!event.persisted || !blanked) return;
    document.documentElement.style.setProperty('display', blanked[0], blanked[1]);
    document.title = blanked[2];
    state.blanked = null;
  });
}

function warn(state: Shared, message: string): void {
  if (state.warned) return;
  state.warned = true;
  console.warn(`Signpost: ${message}`);
}

function whenParsed(): Promise<void> {
  return document.readyState === 'loading'
    ? new Promise((resolve) => document.addEventListener('DOMContentLoaded', () => resolve(), { once: true }))
    : Promise.resolve();
}

/** A BCP 47-looking tag, or undefined (a malformed one would only make the service refuse the request). */
function cleanLocale(tag: string | undefined): string | undefined {
  return tag && /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i.test(tag) ? tag : undefined;
}

function cleanRegion(region: string | undefined): string | undefined {
  return region && /^[a-z]{2}(-[a-z0-9]{1,3})?$/i.test(region) ? region.toUpperCase() : undefined;
}

function exitUrl(raw: string | undefined): string {
  try {
    const url = new URL(raw ?? '', location.href);
    if (raw && (url.protocol === 'https:' || url.protocol === 'http:')) return url.href;
  } catch {
    // Fall through to the default.
  }
  return DEFAULT_EXIT_URL;
}

function start(script: HTMLScriptElement, state: Shared): void {
  state.scripts.push(script);
  const data = script.dataset;
  const siteKey = data.siteKey;
  if (!siteKey) {
    warn(state, 'the widget script tag needs data-site-key.');
    return;
  }
  const base = new URL(script.src).origin;
  const locale = cleanLocale(data.locale || document.documentElement.lang || navigator.language);
  const region = cleanRegion(data.region);
  const ownLocale = pickLocale(locale);
  const strings = STRINGS[ownLocale];
  const leaveTo = exitUrl(data.exitUrl);
  const queryMode = data.query !== undefined || data.queryParam !== undefined;

  let host: HTMLElement | undefined;
  let root: ShadowRoot | undefined;
  let slot: Element | undefined;
  let token = '';
  let asked = 0;
  let observer: IntersectionObserver | undefined;

  const report = (type: WidgetEvent['type'], action?: EventAction) => {
    if (token) sendEvents(base, siteKey, [action ? { token, type, action } : { token, type }]);
  };

  const clear = () => {
    observer?.disconnect();
    token = '';
    host?.remove();
  };

  const mount = (): ShadowRoot => {
    if (!host || !root) {
      host = document.createElement('signpost-help');
      root = host.attachShadow({ mode: 'open' });
      adoptStyles(root);
    }
    // The n-th widget tag in document order fills the n-th [data-signpost] element, if there is one: the
    // same answer whatever order the async scripts happen to run in.
    const tags = [...document.querySelectorAll<HTMLScriptElement>('script[data-site-key]')].filter((s) =>
      s.src.startsWith(`${base}/widget`),
    );
    slot ??= document.querySelectorAll('[data-signpost]')[tags.indexOf(script)];
    if (slot) {
      slot.append(host);
    } else if (script.isConnected && script.parentElement !== document.head) {
      script.after(host);
    } else {
      document.body.append(host);
    }
    return root;
  };

  const widget: Widget = {
    query: queryMode,
    shown: () => !!host?.isConnected,
    async ask(query) {
      const mine = ++asked;
      const text = query?.trim().slice(0, 512);
      let answer: unknown = null;
      if (query === undefined || text) {
        const body = { query: text, locale, region };
        answer = await postJson(`${base}/v1/${text ? 'match' : 'banner'}`, siteKey, body, (status) =>
          warn(
            state,
            `the service refused this page (HTTP ${status}): check data-site-key and the partner's allowed origins.`,
          ),
        );
      }
      const shown = parseAnswer(answer);
      await whenParsed();
      // A newer question was asked meanwhile: its answer wins.
      if (mine !== asked) return false;
      clear();
      if (!shown) return false;
      token = shown.token;
      const section = renderMessage(mount(), shown.message, strings, ownLocale, {
        act: (action) => report('action', action),
        exit: widget.exit,
        dismiss: () => {
          report('action', 'dismiss');
          clear();
        },
      });
      watchImpression(section);
      return true;
    },
    exit() {
      report('action', 'exit');
      const html = document.documentElement;
      state.blanked ??= [
        html.style.getPropertyValue('display'),
        html.style.getPropertyPriority('display'),
        document.title,
      ];
      // Blank first, then leave: the page must not stay readable while the next one loads.
      html.style.setProperty('display', 'none', 'important');
      document.title = '';
      location.replace(leaveTo);
    },
  };

  const watchImpression = (section: HTMLElement) => {
    if (!('IntersectionObserver' in window)) {
      report('impression');
      return;
    }
    const seen = new IntersectionObserver(
      (entries) => {
        // Half the message on screen counts as seen; the small margin absorbs rounding.
        if (entries.some((e) => e.isIntersecting && e.intersectionRatio >= 0.49)) {
          seen.disconnect();
          report('impression');
        }
      },
      { threshold: 0.5 },
    );
    observer = seen;
    seen.observe(section);
  };

  state.widgets.push(widget);
  const initial =
    data.query ?? (data.queryParam ? new URLSearchParams(location.search).get(data.queryParam) : null);
  // A query-mode widget with an empty query (a search page before any search) waits for Signpost.match.
  void widget.ask(queryMode ? (initial ?? '') : undefined);
}

try {
  const state = shared();
  const current = document.currentScript;
  // currentScript is null only if something unusual loaded us (a module wrapper); then take the first
  // widget tag that has not started yet.
  const script =
    current instanceof HTMLScriptElement
      ? current
      : [...document.querySelectorAll<HTMLScriptElement>('script[data-site-key]')].find(
          (s) => !state.scripts.includes(s),
        );
  if (script) start(script, state);
} catch {
  // Never break the host page.
}
