/**
 * Turns a message from the service into DOM inside the widget's shadow root. Everything the service sends
 * (ultimately typed by an admin) goes through `textContent`, and a link only gets an `href` that parses as
 * `tel:`, `sms:` or `https:`: the service checks the same on the way in; this is the check on the way out.
 */
import type { EventAction } from './api';
import { format, isRtl, type Strings } from './strings';

export interface Message {
  locale: string;
  title: string;
  body: string;
  actions: { label: string; href: string }[];
}

export interface Shown {
  token: string;
  message: Message;
}

export interface Handlers {
  act(action: EventAction): void;
  exit(): void;
  dismiss(): void;
}

const ACTION_BY_PROTOCOL: Record<string, EventAction> = { 'tel:': 'call', 'sms:': 'text', 'https:': 'link' };

/**
 * The `href` to put on a link, or null. Parsed without a base, so only absolute URLs pass and the check
 * sees exactly the scheme the browser will (after it strips blanks and control characters, which a
 * string test would miss: `java\tscript:` is `javascript:`).
 */
export function safeHref(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (!Object.hasOwn(ACTION_BY_PROTOCOL, url.protocol)) return null;
  if (url.protocol !== 'sms:') return url.href;
  const body = smsParts(url).body;
  // `?&body=` is the form both iOS (which wants `&`) and Android (which wants `?`) prefill from. Set
  // through the URL object, so whatever else the URL holds stays well-formed.
  url.search = body ? `?&body=${encodeURIComponent(body)}` : '';
  url.hash = '';
  return url.href;
}

/** The short code and keyword of an `sms:` URL, as a person would type them. */
export function smsParts(url: URL): { number: string; body: string } {
  let number = url.pathname;
  try {
    number = decodeURIComponent(number);
  } catch {
    // Keep it encoded rather than fail.
  }
  return { number, body: new URLSearchParams(url.search).get('body') ?? '' };
}

/** A message from a /v1/match or /v1/banner answer, or null when there is none or it is malformed. */
export function parseAnswer(answer: unknown): Shown | null {
  const match = field(answer, 'match');
  const message = field(match, 'message');
  const token = field(match, 'impressionToken');
  const title = field(message, 'title');
  const body = field(message, 'body');
  const actions = field(message, 'actions');
  // An empty token still shows the message (help first); there is just nothing to report events with.
  if (typeof token !== 'string' || typeof title !== 'string' || typeof body !== 'string') return null;
  const locale = field(message, 'locale');
  return {
    token,
    message: {
      locale: typeof locale === 'string' ? locale : '',
      title,
      body,
      actions: (Array.isArray(actions) ? actions : []).map((a) => ({
        label: String(field(a, 'label') ?? ''),
        href: String(field(a, 'href') ?? ''),
      })),
    },
  };
}

function field(value: unknown, key: string): unknown {
  return value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function button(text: string, className: string, onClick: () => void): HTMLButtonElement {
  const node = el('button', text, className);
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}

/**
 * Replaces the root's content with the message; answers the element whose visibility counts as an
 * impression. `locale` is the widget's own (for its controls); the message carries its own.
 */
export function renderMessage(
  root: ShadowRoot,
  message: Message,
  strings: Strings,
  locale: string,
  on: Handlers,
): HTMLElement {
  const section = el('section');
  section.setAttribute('aria-label', strings.region);
  section.lang = locale;
  if (isRtl(message.locale)) section.dir = 'rtl';

  const close = button('×', 'd', on.dismiss);
  close.setAttribute('aria-label', strings.close);
  const top = el('div', '', 't');
  top.append(button(strings.exit, 'x', on.exit), close);

  const content = el('div');
  if (message.locale) content.lang = message.locale;
  const title = el('h2', message.title);
  const body = el('p', message.body);
  const links = el('div', '', 'a');
  const hints: HTMLElement[] = [];
  for (const action of message.actions) {
    const href = safeHref(action.href);
    if (!href) continue;
    const url = new URL(href);
    const kind = ACTION_BY_PROTOCOL[url.protocol] as EventAction;
    const link = el('a', action.label || href);
    link.href = href;
    link.dir = 'auto';
    link.addEventListener('click', () => on.act(kind));
    if (kind === 'link') {
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
    }
    links.append(link);
    if (kind === 'text') {
      // Shown as text too: some phones open the messaging app without the keyword, and some people
      // would rather type it on another phone.
      const { number, body: keyword } = smsParts(url);
      const label = action.label;
      if (number && keyword && !(label.includes(number) && label.includes(keyword))) {
        hints.push(el('p', format(strings.text, keyword, number)));
      }
    }
  }
  title.dir = body.dir = 'auto';
  content.append(title, body, links, ...hints);

  section.append(top, content, el('small', strings.shortcut));
  root.replaceChildren(section);
  return section;
}
