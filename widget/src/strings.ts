/**
 * Every string the widget itself shows, per locale. The message (title, body, action labels) comes from the
 * service in the person's language; these are only the widget's own controls around it.
 * `{k}` is the SMS keyword and `{n}` the short code, in whatever order the language puts them.
 */
export interface Strings {
  /** The accessible name of the widget's landmark. */
  region: string;
  /** The quick-exit button. */
  exit: string;
  /** The accessible name of the dismiss (×) button: hides the message, stays on the page. */
  close: string;
  /** How to leave with the keyboard. */
  shortcut: string;
  /** The SMS short code and keyword as plain text, for phones where the link does not prefill. */
  text: string;
}

export const STRINGS = {
  en: {
    region: 'Help is available',
    exit: 'Exit this page',
    close: 'Close message',
    shortcut: 'Press Shift 3 times to leave quickly',
    text: 'Text {k} to {n}',
  },
  es: {
    region: 'Hay ayuda disponible',
    exit: 'Salir de esta página',
    close: 'Cerrar mensaje',
    shortcut: 'Pulsa Mayús 3 veces para salir rápido',
    text: 'Envía {k} al {n}',
  },
  'zh-CN': {
    region: '可以获得帮助',
    exit: '退出此页面',
    close: '关闭消息',
    shortcut: '按 Shift 键 3 次即可快速离开',
    text: '发送 {k} 至 {n}',
  },
  vi: {
    region: 'Có sự trợ giúp',
    exit: 'Thoát trang này',
    close: 'Đóng thông báo',
    shortcut: 'Nhấn Shift 3 lần để thoát nhanh',
    text: 'Nhắn {k} tới {n}',
  },
  tl: {
    region: 'May tulong na makukuha',
    exit: 'Umalis sa pahinang ito',
    close: 'Isara ang mensahe',
    shortcut: 'Pindutin ang Shift nang 3 beses para mabilis na umalis',
    text: 'I-text ang {k} sa {n}',
  },
  ko: {
    region: '도움을 받을 수 있습니다',
    exit: '이 페이지 나가기',
    close: '메시지 닫기',
    shortcut: 'Shift 키를 3번 누르면 바로 나갑니다',
    text: '{n}번으로 {k} 문자 보내기',
  },
} satisfies Record<string, Strings>;

export type WidgetLocale = keyof typeof STRINGS;

/**
 * The widget's own locale for a BCP 47 tag: the language, with every Chinese tag read as Simplified (the
 * only Chinese we ship) and Filipino as Tagalog; English when the language is not one we have.
 */
export function pickLocale(tag: string | undefined): WidgetLocale {
  const lang = (tag ?? '').toLowerCase().split(/[-_]/)[0];
  if (lang === 'zh') return 'zh-CN';
  if (lang === 'fil') return 'tl';
  return lang && Object.hasOwn(STRINGS, lang) ? (lang as WidgetLocale) : 'en';
}

/** Right-to-left scripts' languages, so a message in one lays out correctly even on a left-to-right page. */
export function isRtl(tag: string | undefined): boolean {
  return /^(ar|he|iw|fa|ur|ps|yi|dv|ckb|sd|ug)(-|$)/i.test(tag ?? '');
}

export function format(template: string, keyword: string, number: string): string {
  // One pass, so a keyword that itself contains `{n}` is not substituted again.
  return template.replace(/\{([kn])\}/g, (_, slot) => (slot === 'k' ? keyword : number));
}
