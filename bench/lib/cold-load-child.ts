/**
 * Run in a fresh process by bench/matcher.ts: loads a stored ruleset (gzip JSON, as storage keeps it) and
 * prints, as JSON, how long each step took until the first match was answered.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const importStart = performance.now();
const { compileRuleset } = await import('../../functions/core/matcher.js');
const importMs = performance.now() - importStart;

const file = process.argv[2];
if (!file) throw new Error('usage: cold-load-child.ts <ruleset.json.gz>');
const t0 = performance.now();
const gz = readFileSync(file);
const t1 = performance.now();
const json = gunzipSync(gz);
const t2 = performance.now();
const ruleset = JSON.parse(json.toString('utf8'));
const t3 = performance.now();
const compiled = compileRuleset(ruleset);
const t4 = performance.now();
const result = compiled.match(process.argv[3] ?? 'help', { now: new Date(), locale: 'en-US', region: 'US' });
const t5 = performance.now();
console.log(
  JSON.stringify({
    readMs: t1 - t0,
    gunzipMs: t2 - t1,
    parseMs: t3 - t2,
    compileMs: t4 - t3,
    firstMatchMs: t5 - t4,
    readyMs: t5 - t0,
    matcherImportMs: importMs,
    sinceProcessStartMs: t5,
    matched: result !== null,
    keywords: compiled.keywordCount,
  }),
);
