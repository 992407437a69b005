/**
 * The baseline: the same normalization, then a loop over every keyword with `String.includes` checks, and a
 * token-by-token verification of the few that pass. Written apart from the compiled matcher (selection included)
 * so that the benchmark's cross-check means something; it shares only the normalizer and the variant rules.
 */

import { keywordForms, spellings } from '../../functions/core/match-variants.js';
import { isEligible, type MatchContext } from '../../functions/core/matcher.js';
import type { Campaign, Keyword } from '../../functions/core/model.js';
import { normalizeTokens } from '../../functions/core/normalize.js';

interface NaiveKeyword {
  campaign: Campaign;
  keyword: Keyword | null;
  negative: boolean;
  match: string;
  /** Per keyword token, every spelling of a query token that matches it. */
  accepts: Set<string>[];
  /** Per keyword token, a substring every accepted spelling contains (their common prefix). */
  needles: string[];
  length: number;
}

function commonPrefix(xs: string[]): string {
  let p = xs[0] ?? '';
  for (const x of xs) while (!x.startsWith(p)) p = p.slice(0, -1);
  return p;
}

const TYPE_ORDER: Record<string, number> = { exact: 0, phrase: 1, broad: 2 };

export class NaiveMatcher {
  private readonly keywords: NaiveKeyword[] = [];

  constructor(campaigns: readonly Campaign[]) {
    for (const campaign of campaigns) {
      const add = (text: string, match: string, keyword: Keyword | null): void => {
        const tokens = normalizeTokens(text);
        if (tokens.length === 0) return;
        const accepts = tokens.map((t) => new Set(spellings(t).flatMap(keywordForms)));
        this.keywords.push({
          campaign,
          keyword,
          negative: keyword === null,
          match,
          accepts,
          needles: accepts.map((a) => commonPrefix([...a])),
          length: tokens.join(' ').length,
        });
      };
      for (const k of campaign.keywords) add(k.text, k.match, k);
      for (const k of campaign.negativeKeywords) add(k.text, k.match ?? 'phrase', null);
    }
  }

  match(query: string, ctx: MatchContext): { campaign: Campaign; keyword: Keyword } | null {
    const flags: number[] = [];
    const tokens = normalizeTokens(query, flags);
    const readings = tokens.map((t, i) => spellings(t, flags[i]));
    const text = ` ${readings.flat().join(' ')} `;
    const n = tokens.length;
    const at = (i: number, k: Set<string>): boolean => (readings[i] as string[]).some((s) => k.has(s));

    const hits: NaiveKeyword[] = [];
    for (const kw of this.keywords) {
      let maybe = true;
      for (const needle of kw.needles) {
        if (!text.includes(needle)) {
          maybe = false;
          break;
        }
      }
      if (!maybe) continue;
      const m = kw.accepts.length;
      let hit = false;
      if (kw.match === 'broad') {
        hit = kw.accepts.every((k) => tokens.some((_, i) => at(i, k)));
      } else if (kw.match === 'exact') {
        hit = m === n && kw.accepts.every((k, j) => at(j, k));
      } else {
        for (let s = 0; s + m <= n && !hit; s++) hit = kw.accepts.every((k, j) => at(s + j, k));
      }
      if (hit) hits.push(kw);
    }
    const negated = new Set(hits.filter((h) => h.negative).map((h) => h.campaign));
    let best: NaiveKeyword | null = null;
    for (const h of hits) {
      if (h.negative || negated.has(h.campaign) || !isEligible(h.campaign, ctx)) continue;
      if (best === null || better(h, best)) best = h;
    }
    return best?.keyword ? { campaign: best.campaign, keyword: best.keyword } : null;
  }
}

function better(a: NaiveKeyword, b: NaiveKeyword): boolean {
  if (a.campaign.priority !== b.campaign.priority) return a.campaign.priority > b.campaign.priority;
  const ta = TYPE_ORDER[a.match] ?? 1;
  const tb = TYPE_ORDER[b.match] ?? 1;
  if (ta !== tb) return ta < tb;
  if (a.length !== b.length) return a.length > b.length;
  if (a.campaign.id !== b.campaign.id) return a.campaign.id < b.campaign.id;
  return false; // the first in ruleset order stays
}
