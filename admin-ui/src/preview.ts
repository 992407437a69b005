/**
 * A live preview of a help message, rendered by the widget's own code (widget/src/render.ts and its styles,
 * bundled in): what partners' visitors will see, not an imitation. Links in the preview do not navigate.
 */
import { renderMessage } from '../../widget/src/render';
import { pickLocale, STRINGS } from '../../widget/src/strings';
import { adoptStyles } from '../../widget/src/styles';
import { h } from './dom';

export interface PreviewMessage {
  title: string;
  body: string;
  actions: { label: string; href: string }[];
}

export interface Preview {
  element: HTMLElement;
  update(locale: string, message: PreviewMessage | null): void;
}

const NOOP = { act: () => {}, exit: () => {}, dismiss: () => {} };

export function messagePreview(caption: string): Preview {
  const host = h('div', { class: 'preview-host' });
  const root = host.attachShadow({ mode: 'open' });
  adoptStyles(root);
  // A preview is for looking: tel:, sms: and https: links and the exit button do nothing here.
  host.addEventListener('click', (event) => {
    if (event.composedPath().some((node) => node instanceof HTMLAnchorElement)) event.preventDefault();
  });
  const element = h('figure', { class: 'preview' }, h('figcaption', null, caption), host);
  let pending = 0;
  return {
    element,
    update(locale, message) {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(() => {
        if (!message) {
          root.replaceChildren();
          return;
        }
        renderMessage(
          root,
          { locale, title: message.title, body: message.body, actions: message.actions },
          STRINGS[pickLocale(locale)],
          locale,
          NOOP,
        );
      });
    },
  };
}
