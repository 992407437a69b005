import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWidget, GZIP_BUDGET_BYTES, type WidgetAsset } from '../../widget/build';
import { parseAnswer, safeHref, smsParts } from '../../widget/src/render';
import { format, isRtl, pickLocale, STRINGS, type Strings } from '../../widget/src/strings';

const ALLOWED = ['tel:', 'sms:', 'https:'];

function parse(input: string): URL | null {
  try {
    return new URL(input);
  } catch {
    return null;
  }
}

describe('safeHref', () => {
  // Schemes as an attacker or a careless admin might write them, including the spellings a string prefix
  // check gets wrong (case, tabs and newlines inside, leading blanks and control characters).
  const scheme = fc.constantFrom(
    'tel:',
    'sms:',
    'https:',
    'HTTPS:',
    'Tel:',
    'sMs:',
    'http:',
    'javascript:',
    'JaVaScRiPt:',
    'java\tscript:',
    'java\nscript:',
    'javascript&colon;',
    'vbscript:',
    'data:',
    'data:text/html,',
    'file:',
    'blob:',
    'about:',
    'mailto:',
    'ftp:',
    'ws:',
    'intent:',
    'tel',
    'https',
    '//',
    '/',
    '',
    'https://',
    'sms://',
    'tel://',
  );
  const junk = fc.constantFrom('', ' ', '\t', '\n', '\r\n', '\u0000', '\u001f', '\u00a0', '\ufeff', '\u200b');
  const rest = fc.oneof(
    fc.constantFrom(
      '+18883737888',
      '233733?&body=HELP',
      '233733?body=HELP',
      'alert(1)',
      '//evil.example/%0a',
      'humantraffickinghotline.org/es',
      '<script>alert(1)</script>',
      '%6A%61vascript:alert(1)',
      'x@y',
      '',
    ),
    fc.webUrl().map((u) => u.replace(/^[a-z]+:/, '')),
    fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
  );
  const candidate = fc.oneof(
    fc.tuple(junk, scheme, rest).map(([a, b, c]) => a + b + c),
    fc.webUrl({ validSchemes: ['https', 'http', 'ftp', 'javascript', 'tel', 'sms', 'data'] }),
    fc.string({ unit: 'binary', maxLength: 60 }),
  );

  it('lets only tel:, sms: and https: through, for 10,000 generated URLs', () => {
    fc.assert(
      fc.property(candidate, (input) => {
        const out = safeHref(input);
        const parsed = parse(input);
        const allowed = parsed !== null && ALLOWED.includes(parsed.protocol);
        if (!allowed) {
          expect(out).toBeNull();
          return;
        }
        // Nothing allowed is refused either, and what comes out parses to the same scheme.
        expect(out).not.toBeNull();
        const again = parse(out as string);
        expect(again?.protocol).toBe(parsed.protocol);
        // What becomes the href starts with the scheme itself: no blanks or control characters before it.
        expect(out).toMatch(/^(tel|sms|https):/);
      }),
      { numRuns: 10_000 },
    );
  });

  it('refuses relative URLs, non-strings and look-alikes', () => {
    for (const bad of [
      '/relative',
      'humantraffickinghotline.org',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'http://example.org/',
    ]) {
      expect(safeHref(bad)).toBeNull();
    }
    for (const notString of [null, undefined, 42, {}, ['https://example.org/']]) {
      expect(safeHref(notString)).toBeNull();
    }
  });

  it('writes SMS links in the ?&body= form that iOS and Android both prefill from', () => {
    expect(safeHref('sms:233733?&body=HELP')).toBe('sms:233733?&body=HELP');
    expect(safeHref('sms:233733?body=HELP')).toBe('sms:233733?&body=HELP');
    expect(safeHref('SMS:233733?body=HELP%20NOW')).toBe('sms:233733?&body=HELP%20NOW');
    expect(safeHref('sms:233733')).toBe('sms:233733');
    expect(smsParts(new URL('sms:233733?&body=HELP'))).toEqual({ number: '233733', body: 'HELP' });
  });

  it('keeps tel: and https: as parsed', () => {
    expect(safeHref('tel:+18883737888')).toBe('tel:+18883737888');
    expect(safeHref('https://humantraffickinghotline.org/es')).toBe('https://humantraffickinghotline.org/es');
  });
});

describe('strings', () => {
  const keys: (keyof Strings)[] = ['region', 'exit', 'close', 'shortcut', 'text'];

  it('has every string in all six languages', () => {
    expect(Object.keys(STRINGS).sort()).toEqual(['en', 'es', 'ko', 'tl', 'vi', 'zh-CN']);
    for (const [locale, strings] of Object.entries(STRINGS)) {
      for (const key of keys) expect(strings[key].trim(), `${locale}.${key}`).not.toBe('');
      expect(strings.text, locale).toContain('{k}');
      expect(strings.text, locale).toContain('{n}');
    }
    // Translations, not copies of English.
    for (const locale of ['es', 'zh-CN', 'vi', 'tl', 'ko'] as const) {
      expect(STRINGS[locale].exit).not.toBe(STRINGS.en.exit);
    }
  });

  it('picks the widget language from a BCP 47 tag', () => {
    expect(pickLocale('es-MX')).toBe('es');
    expect(pickLocale('ES')).toBe('es');
    expect(pickLocale('zh-Hans-CN')).toBe('zh-CN');
    expect(pickLocale('zh-TW')).toBe('zh-CN');
    expect(pickLocale('ko-KR')).toBe('ko');
    expect(pickLocale('vi')).toBe('vi');
    expect(pickLocale('fil-PH')).toBe('tl');
    expect(pickLocale('tl')).toBe('tl');
    expect(pickLocale('fr-FR')).toBe('en');
    expect(pickLocale('constructor')).toBe('en');
    expect(pickLocale('')).toBe('en');
    expect(pickLocale(undefined)).toBe('en');
  });

  it('knows right-to-left languages', () => {
    expect(isRtl('ar')).toBe(true);
    expect(isRtl('he-IL')).toBe(true);
    expect(isRtl('fa')).toBe(true);
    expect(isRtl('en')).toBe(false);
    expect(isRtl('arn')).toBe(false);
    expect(isRtl(undefined)).toBe(false);
  });

  it('fills the SMS template in the language order, once', () => {
    expect(format(STRINGS.en.text, 'HELP', '233733')).toBe('Text HELP to 233733');
    expect(format(STRINGS.ko.text, 'HELP', '233733')).toBe('233733번으로 HELP 문자 보내기');
    expect(format('Text {k} to {n}', '{n}', '1')).toBe('Text {n} to 1');
  });
});

describe('parseAnswer', () => {
  const answer = {
    match: {
      campaignId: 'cmp_1',
      message: {
        locale: 'es',
        title: 'T',
        body: 'B',
        actions: [{ type: 'call', label: 'Llama', href: 'tel:+18883737888' }, 'junk', { label: 3 }],
      },
      impressionToken: 'tok',
    },
    rulesetVersion: 7,
  };

  it('reads a match', () => {
    expect(parseAnswer(answer)).toEqual({
      token: 'tok',
      message: {
        locale: 'es',
        title: 'T',
        body: 'B',
        actions: [
          { label: 'Llama', href: 'tel:+18883737888' },
          { label: '', href: '' },
          { label: '3', href: '' },
        ],
      },
    });
  });

  it('still shows a message that came without a token', () => {
    expect(parseAnswer({ match: { ...answer.match, impressionToken: '' } })?.token).toBe('');
  });

  it('answers null for no match or anything malformed', () => {
    for (const bad of [
      null,
      undefined,
      'text',
      {},
      { match: null, rulesetVersion: 7 },
      { match: { ...answer.match, impressionToken: 1 } },
      { match: { ...answer.match, impressionToken: undefined } },
      { match: { ...answer.match, message: { ...answer.match.message, title: null } } },
      { match: { ...answer.match, message: 'x' } },
    ]) {
      expect(parseAnswer(bad)).toBeNull();
    }
  });
});

describe('the built widget', () => {
  let asset: WidgetAsset;
  beforeAll(async () => {
    asset = await buildWidget();
  });

  it(`is under the size budget (${GZIP_BUDGET_BYTES} bytes gzipped) with every language`, () => {
    const gzipBytes = gzipSync(Buffer.from(asset.js), { level: 9 }).length;
    expect(gzipBytes).toBeLessThan(GZIP_BUDGET_BYTES);
    for (const locale of Object.keys(STRINGS)) expect(asset.js).toMatch(new RegExp(`["{,]${locale}"?:`));
  });

  it('is one self-contained script that uses nothing a strict CSP or our privacy rules forbid', () => {
    expect(asset.js.startsWith('"use strict";(()=>{')).toBe(true);
    for (const forbidden of [
      /\bimport\b\s*[({"']/,
      /\brequire\(/,
      /\beval\(/,
      /new Function/,
      /innerHTML/,
      /outerHTML/,
      /insertAdjacentHTML/,
      /document\.write/,
      /localStorage/,
      /sessionStorage/,
      /indexedDB/,
      /document\.cookie/,
      /setAttribute\("style"/,
    ]) {
      expect(asset.js).not.toMatch(forbidden);
    }
  });

  it('publishes a matching SRI hash', () => {
    const digest = createHash('sha384').update(asset.js, 'utf8').digest('base64');
    expect(asset.sri).toBe(`sha384-${digest}`);
  });
});
