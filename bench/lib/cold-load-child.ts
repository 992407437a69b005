/**
 * Run in a fresh process by bench/matcher.ts: loads a stored ruleset body (the bytes the DynamoDB adapter writes,
 * from a file) through the steps a partner instance takes (the adapter's getForMatching, then LiveRuleset's
 * compile) and prints, as JSON, how long each step took until the first match was answered.
 */
import { readFileSync } from 'node:fs';

const importStart = performance.now();
const { compileRuleset } = await import('../../functions/core/matcher.js');
const importMs = performance.now() - importStart;
const { parseJson, unzip } = await import('../../functions/adapters/dynamodb/gzip-json.js');
const { rulesetInputFromDocument } = await import('../../functions/adapters/dynamodb/ruleset-encoding.js');

const file = process.argv[2];
if (!file) throw new Error('usage: cold-load-child.ts <stored ruleset body> [probe query]');
// The steps of decodeRulesetInput (ruleset-encoding.ts), one at a time.
const t0 = performance.now();
const stored = readFileSync(file);
const t1 = performance.now();
const json = await unzip(stored);
const t2 = performance.now();
const document = parseJson(json);
const t3 = performance.now();
const ruleset = rulesetInputFromDocument(document);
const t4 = performance.now();
// As LiveRuleset compiles it.
const compiled = compileRuleset({ version: ruleset.version, campaigns: ruleset.campaigns });
const t5 = performance.now();
const result = compiled.match(process.argv[3] ?? 'help', { now: new Date(), locale: 'en-US', region: 'US' });
const t6 = performance.now();
console.log(
  JSON.stringify({
    readMs: t1 - t0,
    gunzipMs: t2 - t1,
    parseMs: t3 - t2,
    decodeMs: t4 - t3,
    compileMs: t5 - t4,
    firstMatchMs: t6 - t5,
    readyMs: t6 - t0,
    matcherImportMs: importMs,
    sinceProcessStartMs: t6,
    matched: result !== null,
    keywords: compiled.keywordCount,
  }),
);
