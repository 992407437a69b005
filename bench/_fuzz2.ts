import fc from 'fast-check';
import { normalize, normalizeSlow } from '../functions/core/normalize.ts';
const show = (s: string) => [...s].map((c) => c.codePointAt(0)!.toString(16)).join(' ');
for (const unit of ['binary', 'grapheme', 'grapheme-composite', 'binary-ascii'] as const) {
  for (const [name, pred] of [
    ['fast==slow', (s: string) => normalize(s) === normalizeSlow(s)],
    ['upper', (s: string) => normalize(s.toUpperCase()) === normalize(s)],
    ['lower', (s: string) => normalize(s.toLowerCase()) === normalize(s)],
    ['nfkc', (s: string) => normalize(s.normalize('NFKC')) === normalize(s)],
    ['nfd', (s: string) => normalize(s.normalize('NFD')) === normalize(s)],
    ['nfkd', (s: string) => normalize(s.normalize('NFKD')) === normalize(s)],
  ] as const) {
    const r = fc.check(fc.property(fc.string({ unit, maxLength: 30 }), pred), { numRuns: 50000 });
    if (r.failed) { const s = (r.counterexample as [string])[0]; console.log(unit, name, 'FAIL', JSON.stringify(s), show(s), '|', JSON.stringify(normalize(s))); }
    else console.log(unit, name, 'ok');
  }
}
