import fc from 'fast-check';
import { normalize, normalizeSlow } from '../functions/core/normalize.ts';
const ranges: [number, number][] = [[0x20, 0x7f], [0x80, 0x700], [0xe00, 0xe80], [0x1e00, 0x2c00], [0x3000, 0x3040], [0x4e00, 0x4e40]];
const cp = fc.oneof(...ranges.map(([a, b]) => fc.integer({ min: a, max: b - 1 }))).map((c) => String.fromCharCode(c));
const safeStr = fc.array(cp, { maxLength: 30 }).map((a) => a.join(''));
const show = (s: string) => [...s].map((c) => c.codePointAt(0)!.toString(16)).join(' ');
for (const [name, arb, pred] of [
  ['fast==slow', safeStr, (s: string) => normalize(s) === normalizeSlow(s)],
  ['idempotent safe', safeStr, (s: string) => normalize(normalize(s)) === normalize(s)],
  ['idempotent full', fc.string({ unit: 'grapheme', maxLength: 30 }), (s: string) => normalize(normalize(s)) === normalize(s)],
  ['idempotent binary', fc.string({ unit: 'binary', maxLength: 30 }), (s: string) => normalize(normalize(s)) === normalize(s)],
  ['upper safe', safeStr, (s: string) => normalize(s.toUpperCase()) === normalize(s)],
  ['lower safe', safeStr, (s: string) => normalize(s.toLowerCase()) === normalize(s)],
  ['nfkc safe', safeStr, (s: string) => normalize(s.normalize('NFKC')) === normalize(s)],
  ['nfd safe', safeStr, (s: string) => normalize(s.normalize('NFD')) === normalize(s)],
  ['upper full', fc.string({ unit: 'grapheme', maxLength: 30 }), (s: string) => normalize(s.toUpperCase()) === normalize(s)],
  ['nfkc full', fc.string({ unit: 'grapheme', maxLength: 30 }), (s: string) => normalize(s.normalize('NFKC')) === normalize(s)],
  ['nfd full', fc.string({ unit: 'grapheme', maxLength: 30 }), (s: string) => normalize(s.normalize('NFD')) === normalize(s)],
] as const) {
  const r = fc.check(fc.property(arb as fc.Arbitrary<string>, pred as (s: string) => boolean), { numRuns: 100000 });
  if (r.failed) { const s = (r.counterexample as [string])[0]; console.log(name, 'FAIL', JSON.stringify(s), show(s), '|', JSON.stringify(normalize(s)), '|', name.startsWith('fast') ? JSON.stringify(normalizeSlow(s)) : ''); }
  else console.log(name, 'ok');
}
