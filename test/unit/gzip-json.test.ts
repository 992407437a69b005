import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson, unzip } from '../../functions/adapters/dynamodb/gzip-json.js';

const SAMPLE = {
  en: 'human trafficking',
  es: 'tráfico de personas, niñas',
  ru: 'торговля людьми',
  zh: '人口贩卖',
  emoji: 'help 🆘',
  quote: 'say "no" \\ leave',
};

describe('stored JSON bodies', () => {
  it('are written in ASCII, every other character escaped', async () => {
    const json = gunzipSync(await encodeJson(SAMPLE));
    expect(json.every((byte) => byte < 0x80)).toBe(true);
    expect(json.toString('latin1')).toContain('tr\\u00e1fico');
  });

  it('read back exactly what was written', async () => {
    expect(await decodeJson(await encodeJson(SAMPLE))).toEqual(SAMPLE);
  });

  it('still read bodies written before, as UTF-8', async () => {
    const before = gzipSync(Buffer.from(JSON.stringify(SAMPLE), 'utf8'));
    expect(await decodeJson(before)).toEqual(SAMPLE);
  });

  it('unzip whatever size the body is', async () => {
    const big = 'x'.repeat(3_000_000);
    for (const text of ['', 'a', big]) {
      expect((await unzip(gzipSync(text))).toString()).toBe(text);
    }
  });
});
