import { describe, expect, it } from 'vitest';
import {
  compileRuleset,
  type ExclusionReason,
  type Explanation,
  isEligible,
  keywordColumns,
  type MatchContext,
  resolveMessage,
} from '../../functions/core/matcher.js';
import type { Campaign, Keyword, MatchType, Message, NegativeKeyword } from '../../functions/core/model.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const ctx = (extra: Partial<MatchContext> = {}): MatchContext => ({ now: NOW, ...extra });

const message = (title: string): Message => ({
  title,
  body: `${title} body`,
  actions: [{ type: 'call', label: 'Call', href: 'tel:+18883737888' }],
});

let seq = 0;
function campaign(overrides: Partial<Campaign> & { kw?: Array<[string, MatchType?]> } = {}): Campaign {
  const { kw, ...rest } = overrides;
  const id = rest.id ?? `cmp_${String(++seq).padStart(4, '0')}`;
  return {
    id,
    name: `Campaign ${id}`,
    status: 'active',
    priority: 0,
    locales: [],
    regions: [],
    startsAt: null,
    endsAt: null,
    keywords: (kw ?? []).map(
      ([text, match], i): Keyword => ({ id: `${id}_kw${i}`, text, match: match ?? 'phrase' }),
    ),
    negativeKeywords: [],
    messages: { en: message('Help'), es: message('Ayuda') },
    defaultLocale: 'en',
    banner: false,
    ...rest,
  };
}

const compile = (...campaigns: Campaign[]) => compileRuleset({ version: 3, campaigns });
/** The text of the keyword that matched, or null. */
const hit = (campaigns: Campaign[], query: string, c: MatchContext = ctx()): string | null =>
  compile(...campaigns).match(query, c)?.keyword.text ?? null;
const one = (text: string, match: MatchType = 'phrase') => [campaign({ kw: [[text, match]] })];

describe('compileRuleset', () => {
  it('reports its version and keyword count, and is frozen', () => {
    const r = compile(campaign({ kw: [['a b'], ['c']] }), campaign({ kw: [['d']] }));
    expect(r.version).toBe(3);
    expect(r.keywordCount).toBe(3);
    expect(Object.isFrozen(r)).toBe(true);
  });

  it('matches nothing with no campaigns, and ignores keywords that normalize to nothing', () => {
    expect(compile().match('anything', ctx())).toBeNull();
    expect(hit([campaign({ kw: [['?!'], ['   '], ['pimp']] })], 'my pimp')).toBe('pimp');
    expect(hit([campaign({ kw: [['?!']] })], '?!')).toBeNull();
  });

  it('compiles keywords given as columns, making a keyword object only for an answer', () => {
    const c = campaign({ kw: [['?!'], ['human trafficking', 'exact'], ['pimp', 'broad']] });
    const columns = keywordColumns(c.keywords.map((k, i) => (i === 2 ? { ...k, locale: 'en' } : k)));
    expect(columns.match).toBe('peb');
    let keywordsRead = 0;
    const source = {
      ...c,
      get keywords() {
        keywordsRead++;
        return columns;
      },
    };
    const r = compileRuleset({ version: 3, campaigns: [source] });
    expect(r.keywordCount).toBe(3);
    const answer = r.match('Human Trafficking', ctx());
    expect(answer?.keyword).toEqual({ id: `${c.id}_kw1`, text: 'human trafficking', match: 'exact' });
    expect(r.match('human trafficking', ctx())?.keyword).toBe(answer?.keyword);
    expect(r.match('my pimp', ctx())?.keyword.locale).toBe('en');
    const readsAtCompile = keywordsRead;
    // The answer's campaign reads as the Campaign, its keywords made on first read.
    const expected = { ...c, keywords: [...c.keywords] };
    (expected.keywords[2] as Keyword).locale = 'en';
    expect(answer?.campaign).toEqual(expected);
    expect(answer?.campaign.keywords[1]).toBe(answer?.keyword);
    expect(keywordsRead).toBe(readsAtCompile);
  });

  it('matches nothing for an empty or punctuation-only query', () => {
    const r = compile(campaign({ kw: [['pimp']] }));
    expect(r.match('', ctx())).toBeNull();
    expect(r.match('  ?! ', ctx())).toBeNull();
  });
});

describe('match types', () => {
  it('exact: the normalized query equals the keyword', () => {
    const rs = one('forced labor', 'exact');
    expect(hit(rs, 'Forced   LABOR?')).toBe('forced labor');
    expect(hit(rs, 'forced labor camp')).toBeNull();
    expect(hit(rs, 'stop forced labor')).toBeNull();
    expect(hit(rs, 'labor forced')).toBeNull();
  });

  it('phrase: contiguous, in order, at token boundaries', () => {
    const rs = one('human trafficking');
    expect(hit(rs, 'stop Human Trafficking now')).toBe('human trafficking');
    expect(hit(rs, 'trafficking human')).toBeNull();
    expect(hit(rs, 'human sex trafficking')).toBeNull();
    expect(hit(one('escort'), 'escorted home')).toBeNull();
    expect(hit(one('escort'), 'escortservice')).toBeNull();
    expect(hit(one('escort'), 'an escort agency')).toBe('escort');
  });

  it('phrase: finds the keyword anywhere, also after a false start', () => {
    const rs = one('took my passport');
    expect(hit(rs, 'he took my wallet and took my passport')).toBe('took my passport');
  });

  it('broad: every token, in any order, anywhere', () => {
    const rs = one('took passport', 'broad');
    expect(hit(rs, 'they took my passport')).toBe('took passport');
    expect(hit(rs, 'passport was took')).toBe('took passport');
    expect(hit(rs, 'they took my visa')).toBeNull();
    expect(hit(one('pimp pimp', 'broad'), 'my pimp')).toBe('pimp pimp');
  });

  it('an unknown match type counts as phrase', () => {
    const c = campaign();
    c.keywords = [{ id: 'k', text: 'human trafficking', match: 'fuzzy' as MatchType }];
    expect(hit([c], 'stop human trafficking')).toBe('human trafficking');
    expect(hit([c], 'trafficking human')).toBeNull();
  });

  it('normalizes keywords like queries', () => {
    expect(hit(one('Tráfico de Personas'), 'TRAFICO DE PERSONAS')).toBe('Tráfico de Personas');
    expect(hit(one("can't leave my job"), 'i cant leave my job')).toBe("can't leave my job");
    expect(hit(one('ｆｏｒｃｅｄ ｔｏ ｗｏｒｋ', 'exact'), 'forced to work')).toBe(
      'ｆｏｒｃｅｄ ｔｏ ｗｏｒｋ',
    );
  });
});

describe('close variants', () => {
  it('simple English plurals, both ways', () => {
    expect(hit(one('pimp'), 'my pimps')).toBe('pimp');
    expect(hit(one('pimps'), 'my pimp')).toBe('pimps');
    expect(hit(one('baby'), 'selling babies')).toBe('baby');
    expect(hit(one('babies'), 'selling a baby')).toBe('babies');
    expect(hit(one('bus'), 'buses')).toBe('bus');
    expect(hit(one('box'), 'boxes')).toBe('box');
    expect(hit(one('massage parlor'), 'massage parlors near me')).toBe('massage parlor');
  });

  it('simple Spanish plurals, both ways', () => {
    expect(hit(one('tráfico'), 'traficos')).toBe('tráfico');
    expect(hit(one('mujer'), 'mujeres')).toBe('mujer');
    expect(hit(one('mujeres explotadas'), 'mujer explotada')).toBe('mujeres explotadas');
    expect(hit(one('luz'), 'luces')).toBe('luz');
    expect(hit(one('canción'), 'canciones')).toBe('canción');
    expect(hit(one('país'), 'países')).toBe('país');
  });

  it('plurals work in every match type', () => {
    expect(hit(one('forced pimp', 'exact'), 'forced pimps')).toBe('forced pimp');
    expect(hit(one('passport taken', 'broad'), 'passports were taken')).toBe('passport taken');
  });

  it('does not over-stem short words or words that only end in s', () => {
    expect(hit(one('us'), 'uss')).toBeNull();
    expect(hit(one('ho'), 'hos')).toBeNull();
    expect(hit(one('less'), 'les')).toBeNull();
    expect(hit(one('mess'), 'mes')).toBeNull();
    expect(hit(one('gas'), 'ga')).toBeNull();
    expect(hit(one('status'), 'statu')).toBeNull();
    expect(hit(one('escort'), 'escorting')).toBeNull();
  });

  it('digit and symbol disguises', () => {
    expect(hit(one('pimp'), 'my p1mp')).toBe('pimp');
    expect(hit(one('trafficking'), 'tr4ff1cking')).toBe('trafficking');
    expect(hit(one('sex work'), '$ex work')).toBe('sex work');
    expect(hit(one('sex'), 's3x')).toBe('sex');
    expect(hit(one('kill'), 'k1ll')).toBe('kill'); // 1 is read as l as well as i
    expect(hit(one('trafficking'), 'tr@fficking')).toBe('trafficking');
    expect(hit(one('escort'), '3$c0rt')).toBe('escort');
  });

  it('disguises combine with plurals, and may be written in the keyword too', () => {
    expect(hit(one('pimp'), 'p1mps')).toBe('pimp');
    expect(hit(one('pimp'), 'pimp$')).toBe('pimp');
    expect(hit(one('p1mp'), 'pimp')).toBe('p1mp');
  });

  it('pure numbers stay numbers', () => {
    expect(hit(one('911'), 'call 911 now')).toBe('911');
    expect(hit(one('sos'), '505')).toBeNull();
    expect(hit(one('1888'), 'call 1888')).toBe('1888');
    expect(hit(one('ibbb'), '1888')).toBeNull();
  });
});

describe('negative keywords', () => {
  const neg = (text: string, match?: MatchType): NegativeKeyword => ({ text, match }) as NegativeKeyword;

  it('a phrase negative (the default) stops its campaign', () => {
    const c = campaign({ kw: [['human trafficking']], negativeKeywords: [neg('movie')] });
    expect(hit([c], 'human trafficking')).toBe('human trafficking');
    expect(hit([c], 'human trafficking movie')).toBeNull();
    expect(hit([c], 'human trafficking movies')).toBeNull(); // variants count for negatives too
    const noType = campaign({ kw: [['human trafficking']], negativeKeywords: [neg('the movie', undefined)] });
    expect(hit([noType], 'human trafficking the movie')).toBeNull();
    expect(hit([noType], 'human trafficking movie the')).toBe('human trafficking');
  });

  it('broad and exact negatives use their own match type', () => {
    const broad = campaign({ kw: [['trafficking']], negativeKeywords: [neg('movie review', 'broad')] });
    expect(hit([broad], 'review of trafficking movie')).toBeNull();
    expect(hit([broad], 'trafficking movie')).toBe('trafficking');
    const exact = campaign({ kw: [['trafficking']], negativeKeywords: [neg('trafficking', 'exact')] });
    expect(hit([exact], 'trafficking')).toBeNull();
    expect(hit([exact], 'human trafficking')).toBe('trafficking');
  });

  it('stops only its own campaign', () => {
    const a = campaign({ priority: 5, kw: [['trafficking']], negativeKeywords: [neg('drug')] });
    const b = campaign({ priority: 1, kw: [['trafficking']] });
    const r = compile(a, b);
    expect(r.match('trafficking', ctx())?.campaign.id).toBe(a.id);
    expect(r.match('drug trafficking', ctx())?.campaign.id).toBe(b.id);
  });
});

describe('eligibility', () => {
  const kw: Array<[string, MatchType?]> = [['trafficking']];

  it('needs an active campaign', () => {
    expect(hit([campaign({ kw, status: 'paused' })], 'trafficking')).toBeNull();
  });

  it('needs the request time inside startsAt (inclusive) .. endsAt (exclusive)', () => {
    const at = (startsAt: string | null, endsAt: string | null) =>
      hit([campaign({ kw, startsAt, endsAt })], 'trafficking');
    expect(at('2026-06-01T12:00:00.000Z', null)).toBe('trafficking');
    expect(at('2026-06-01T12:00:00.001Z', null)).toBeNull();
    expect(at(null, '2026-06-01T12:00:00.001Z')).toBe('trafficking');
    expect(at(null, '2026-06-01T12:00:00.000Z')).toBeNull();
    expect(at('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toBe('trafficking');
  });

  it("needs the request's language among the campaign's locales, compared by language subtag and case-insensitively", () => {
    const c = campaign({ kw, locales: ['ES-us'] });
    expect(hit([c], 'trafficking', ctx({ locale: 'es-MX' }))).toBe('trafficking');
    expect(hit([c], 'trafficking', ctx({ locale: 'es' }))).toBe('trafficking');
    expect(hit([c], 'trafficking', ctx({ locale: 'en-US' }))).toBeNull();
    expect(hit([campaign({ kw, locales: [] })], 'trafficking', ctx({ locale: 'fr' }))).toBe('trafficking');
  });

  it('lets a request without a locale through the locale check', () => {
    expect(hit([campaign({ kw, locales: ['en'] })], 'trafficking', ctx())).toBe('trafficking');
  });

  it("needs the request's region or its country among the campaign's regions", () => {
    const us = campaign({ kw, regions: ['US'] });
    expect(hit([us], 'trafficking', ctx({ region: 'US' }))).toBe('trafficking');
    expect(hit([us], 'trafficking', ctx({ region: 'us-ca' }))).toBe('trafficking');
    expect(hit([us], 'trafficking', ctx({ region: 'MX' }))).toBeNull();
    const ca = campaign({ kw, regions: ['US-CA'] });
    expect(hit([ca], 'trafficking', ctx({ region: 'US-CA' }))).toBe('trafficking');
    expect(hit([ca], 'trafficking', ctx({ region: 'US' }))).toBeNull();
    expect(hit([ca], 'trafficking', ctx({ region: 'US-TX' }))).toBeNull();
  });

  it('needs a request region when the campaign lists regions; none listed means everywhere', () => {
    expect(hit([campaign({ kw, regions: ['US'] })], 'trafficking', ctx())).toBeNull();
    expect(hit([campaign({ kw, regions: [] })], 'trafficking', ctx())).toBe('trafficking');
    expect(hit([campaign({ kw, regions: [] })], 'trafficking', ctx({ region: 'GB' }))).toBe('trafficking');
  });

  it('is exported as isEligible for single campaigns', () => {
    expect(isEligible(campaign({ regions: ['US'] }), ctx({ region: 'US-NY' }))).toBe(true);
    expect(isEligible(campaign({ status: 'paused' }), ctx())).toBe(false);
  });

  it('falls through to the next campaign when the best one is not eligible', () => {
    const top = campaign({ kw, priority: 9, regions: ['MX'] });
    const next = campaign({ kw, priority: 1 });
    expect(compile(top, next).match('trafficking', ctx({ region: 'US' }))?.campaign.id).toBe(next.id);
  });
});

describe('selection', () => {
  it('prefers the highest priority', () => {
    const low = campaign({ priority: 1, kw: [['human trafficking help', 'exact']] });
    const high = campaign({ priority: 2, kw: [['trafficking', 'broad']] });
    expect(compile(low, high).match('human trafficking help', ctx())?.campaign.id).toBe(high.id);
  });

  it('then exact over phrase over broad', () => {
    const broad = campaign({ id: 'cmp_a', kw: [['forced labor', 'broad']] });
    const phrase = campaign({ id: 'cmp_b', kw: [['forced labor', 'phrase']] });
    const exact = campaign({ id: 'cmp_c', kw: [['forced labor', 'exact']] });
    expect(compile(broad, phrase, exact).match('forced labor', ctx())?.campaign.id).toBe('cmp_c');
    expect(compile(broad, phrase).match('forced labor', ctx())?.campaign.id).toBe('cmp_b');
    expect(compile(broad, phrase, exact).match('stop forced labor', ctx())?.campaign.id).toBe('cmp_b');
  });

  it('then the longer keyword (normalized), also within one campaign', () => {
    const short = campaign({ id: 'cmp_a', kw: [['labor']] });
    const long = campaign({ id: 'cmp_b', kw: [['forced labor']] });
    expect(compile(short, long).match('forced labor camp', ctx())?.campaign.id).toBe('cmp_b');
    const both = campaign({ kw: [['labor'], ['forced labor'], ['labor camp!!!']] });
    expect(compile(both).match('forced labor camp', ctx())?.keyword.text).toBe('forced labor');
  });

  it('then the smaller campaign id', () => {
    const b = campaign({ id: 'cmp_b', kw: [['pimp']] });
    const a = campaign({ id: 'cmp_a', kw: [['pimp']] });
    expect(compile(b, a).match('pimp', ctx())?.campaign.id).toBe('cmp_a');
  });

  it('answers with the campaign, the keyword and the resolved message', () => {
    const c = campaign({ kw: [['pimp']] });
    const m = compile(c).match('pimp', ctx({ locale: 'es-MX' }));
    expect(m?.campaign).toBe(c);
    expect(m?.keyword).toBe(c.keywords[0]);
    expect(m?.message).toEqual({ locale: 'es', ...message('Ayuda') });
  });
});

describe('message locale', () => {
  const c = campaign({
    messages: { en: message('en'), es: message('es'), 'es-MX': message('es-MX'), 'PT-br': message('pt-BR') },
    defaultLocale: 'en',
  });

  it('takes the full tag, then the language, then the default locale, case-insensitively', () => {
    expect(resolveMessage(c, 'es-MX').title).toBe('es-MX');
    expect(resolveMessage(c, 'es-mx').title).toBe('es-MX');
    expect(resolveMessage(c, 'es-AR').title).toBe('es');
    expect(resolveMessage(c, 'ES').title).toBe('es');
    expect(resolveMessage(c, 'pt-BR').title).toBe('pt-BR');
    expect(resolveMessage(c, 'pt-PT').title).toBe('en');
    expect(resolveMessage(c, 'fr').title).toBe('en');
    expect(resolveMessage(c, undefined).title).toBe('en');
    expect(resolveMessage(c, 'es-MX').locale).toBe('es-MX');
  });

  it('never fails, even without a message for the default locale', () => {
    expect(
      resolveMessage(campaign({ messages: { es: message('es') }, defaultLocale: 'en' }), 'fr').title,
    ).toBe('es');
    expect(resolveMessage(campaign({ messages: {}, defaultLocale: 'en' }), 'fr')).toMatchObject({
      locale: 'en',
    });
  });

  it('is used by match', () => {
    const m = compile(campaign({ messages: c.messages, kw: [['pimp']] })).match(
      'pimp',
      ctx({ locale: 'pt-br' }),
    );
    expect(m?.message.title).toBe('pt-BR');
  });
});

describe('banner', () => {
  it('answers the highest-priority eligible banner campaign, then the smaller id', () => {
    const r = compile(
      campaign({ id: 'cmp_low', banner: true, priority: 1 }),
      campaign({ id: 'cmp_not_banner', banner: false, priority: 9 }),
      campaign({ id: 'cmp_b', banner: true, priority: 5 }),
      campaign({ id: 'cmp_a', banner: true, priority: 5 }),
      campaign({ id: 'cmp_mx', banner: true, priority: 8, regions: ['MX'] }),
    );
    expect(r.banner(ctx({ region: 'US' }))?.campaign.id).toBe('cmp_a');
    expect(r.banner(ctx({ region: 'MX', locale: 'es' }))?.campaign.id).toBe('cmp_mx');
    expect(r.banner(ctx({ region: 'MX', locale: 'es' }))?.message.title).toBe('Ayuda');
  });

  it('answers null when no banner campaign is eligible', () => {
    expect(compile(campaign({ banner: true, status: 'paused' })).banner(ctx())).toBeNull();
    expect(compile().banner(ctx())).toBeNull();
  });
});

describe('explain', () => {
  const explainOne = (campaigns: Campaign[], query: string, c: MatchContext = ctx()): Explanation =>
    compile(...campaigns).explain(query, c);
  const reasonOf = (e: Explanation, campaignId: string) =>
    e.hits.find((h) => h.campaignId === campaignId)?.reason;

  it('shows the normalized query, its tokens and the selected hit', () => {
    const c = campaign({ kw: [['human trafficking']] });
    const e = explainOne([c], 'Stop HUMAN trafficking!', ctx({ locale: 'es' }));
    expect(e.normalizedQuery).toBe('stop human trafficking');
    expect(e.tokens).toEqual(['stop', 'human', 'trafficking']);
    expect(e.match).toMatchObject({
      campaignId: c.id,
      campaignName: c.name,
      keyword: c.keywords[0],
      variant: null,
      matchedText: 'human trafficking',
      message: { locale: 'es', title: 'Ayuda' },
    });
    expect(e.hits).toEqual([expect.objectContaining({ campaignId: c.id, outcome: 'selected' })]);
  });

  it('names the variant that hit', () => {
    const c = campaign({ kw: [['pimp']] });
    expect(explainOne([c], 'pimp').match?.variant).toBeNull();
    expect(explainOne([c], 'pimps').match?.variant).toBe('plural');
    expect(explainOne([c], 'p1mp').match?.variant).toBe('disguise');
    expect(explainOne([c], 'p1mps').match).toMatchObject({
      variant: 'plural+disguise',
      matchedText: 'p1mps',
    });
    const broad = campaign({ kw: [['passport took', 'broad']] });
    expect(explainOne([broad], 'they took my passports').match).toMatchObject({
      variant: 'plural',
      matchedText: 'took passports',
    });
  });

  // "pimps" is spelled by two keyword tokens (itself, and the plural of "pimp"), so the spelling table answers a
  // list code for it; "hello" is spelled by none, so the table answers -1.
  const sharedSpelling = () => {
    const broad = campaign({ priority: 1, kw: [['pimp help', 'broad']] });
    return { broad, r: compile(broad, campaign({ kw: [['pimps']] })) };
  };

  it('explains a broad hit through a query token that spells several keyword tokens', () => {
    const { broad, r } = sharedSpelling();
    expect(r.explain('help pimps', ctx()).match).toMatchObject({
      campaignId: broad.id,
      matchedText: 'help pimps',
      variant: 'plural',
    });
    expect(r.explain('help p1mps', ctx()).match).toMatchObject({
      campaignId: broad.id,
      matchedText: 'help p1mps',
      variant: 'plural+disguise',
    });
  });

  it('leaves query tokens that spell no keyword token out of a broad hit', () => {
    const { broad, r } = sharedSpelling();
    expect(r.explain('hello pimp help', ctx()).match).toMatchObject({
      campaignId: broad.id,
      matchedText: 'pimp help',
      variant: null,
    });
  });

  it('explains a negative keyword, naming it', () => {
    const negative: NegativeKeyword = { text: 'movie', match: 'broad' };
    const c = campaign({ kw: [['trafficking']], negativeKeywords: [negative] });
    const e = explainOne([c], 'trafficking movie');
    expect(e.match).toBeNull();
    expect(reasonOf(e, c.id)).toMatchObject({ code: 'negative_keyword', negativeKeyword: negative });
    expect(reasonOf(e, c.id)?.message).toContain('movie');
  });

  it.each<[ExclusionReason, Partial<Campaign>, MatchContext]>([
    ['paused', { status: 'paused' }, ctx()],
    ['not_started', { startsAt: '2027-01-01T00:00:00Z' }, ctx()],
    ['ended', { endsAt: '2026-01-01T00:00:00Z' }, ctx()],
    ['locale', { locales: ['en'] }, ctx({ locale: 'es-MX' })],
    ['region', { regions: ['US'] }, ctx({ region: 'MX' })],
    ['region', { regions: ['US'] }, ctx()],
  ])('explains %s', (code, overrides, c) => {
    const excluded = campaign({ kw: [['trafficking']], ...overrides });
    const e = explainOne([excluded], 'trafficking', c);
    expect(e.match).toBeNull();
    expect(e.hits).toHaveLength(1);
    expect(e.hits[0]).toMatchObject({ campaignId: excluded.id, outcome: 'excluded', reason: { code } });
    expect(e.hits[0]?.reason?.message).toMatch(/^Campaign ".+" .+\.$/);
  });

  it('explains lower_priority and weaker_keyword, selected hit first', () => {
    const winner = campaign({ id: 'cmp_b', priority: 5, kw: [['forced labor', 'exact']] });
    const lower = campaign({ id: 'cmp_c', priority: 1, kw: [['forced labor', 'exact']] });
    const weaker = campaign({ id: 'cmp_a', priority: 5, kw: [['forced labor', 'phrase']] });
    const e = explainOne([lower, weaker, winner], 'forced labor');
    expect(e.match?.campaignId).toBe('cmp_b');
    expect(e.hits.map((h) => [h.campaignId, h.outcome, h.reason?.code])).toEqual([
      ['cmp_b', 'selected', undefined],
      ['cmp_a', 'excluded', 'weaker_keyword'],
      ['cmp_c', 'excluded', 'lower_priority'],
    ]);
  });

  it('lists one entry per campaign, its best keyword', () => {
    const c = campaign({ kw: [['labor'], ['forced labor']] });
    const e = explainOne([c], 'forced labor');
    expect(e.hits).toHaveLength(1);
    expect(e.hits[0]?.keyword.text).toBe('forced labor');
  });

  it('agrees with match', () => {
    const campaigns = [
      campaign({ priority: 2, kw: [['pimp'], ['escort', 'exact']], regions: ['US'] }),
      campaign({ priority: 1, kw: [['pimp', 'broad'], ['trafficking']] }),
    ];
    const r = compile(...campaigns);
    for (const q of ['pimp', 'escort', 'trafficking pimp', 'nothing here', '']) {
      for (const c of [ctx(), ctx({ region: 'US' })]) {
        expect(r.explain(q, c).match?.keyword ?? null).toBe(r.match(q, c)?.keyword ?? null);
      }
    }
  });

  it('explains an empty query', () => {
    expect(explainOne([campaign({ kw: [['pimp']] })], '')).toEqual({
      normalizedQuery: '',
      tokens: [],
      match: null,
      hits: [],
    });
  });
});

describe('robustness', () => {
  const r = compile(
    campaign({ kw: [['human trafficking'], ['pimp', 'broad'], ['forced labor', 'exact']] }),
    campaign({ kw: [['работа за границей'], ['人口 贩卖'], ['tráfico de mujeres']], locales: ['es'] }),
  );

  it('never throws on hostile strings', () => {
    const strings = [
      '',
      '\ud800',
      'a\udc00b',
      '\u0000\u0001',
      'pimp'.repeat(2500),
      'human trafficking '.repeat(600),
      '$'.repeat(10_000),
      '@'.repeat(10_000),
      '1'.repeat(10_000),
      '\u0301'.repeat(10_000),
      '🙏'.repeat(5000),
    ];
    for (const s of strings) {
      expect(() => r.match(s, ctx())).not.toThrow();
      expect(() => r.explain(s, ctx())).not.toThrow();
    }
    expect(r.match('pimp '.repeat(2000), ctx())?.keyword.text).toBe('pimp');
  });

  it('matches other scripts', () => {
    expect(r.match('Работа за границей без документов', ctx())?.keyword.text).toBe('работа за границей');
    expect(r.match('人口 贩卖', ctx())?.keyword.text).toBe('人口 贩卖');
  });

  it('matches scripts whose text is mapped as a whole beside text read in place, in keywords and queries alike', () => {
    const r2 = compile(
      campaign({ kw: [['मानव तस्करी'], ['인신매매'], ['じんしんばいばい'], ['Tráfico de Niñas']] }),
    );
    expect(r2.match('मानव तस्करी मदद', ctx())?.keyword.text).toBe('मानव तस्करी');
    expect(r2.match('help 인신매매', ctx())?.keyword.text).toBe('인신매매');
    expect(r2.match('じんしんばいばい', ctx())?.keyword.text).toBe('じんしんばいばい');
    expect(r2.match('TRÁFICO DE NIÑAS', ctx())?.keyword.text).toBe('Tráfico de Niñas');
    expect(r2.match("tráfico d'niñas de ninas", ctx())?.keyword.text).toBeUndefined();
    expect(r2.match('trafico de ninas?', ctx())?.keyword.text).toBe('Tráfico de Niñas');
  });

  it('tolerates a malformed context', () => {
    const bad = { now: new Date(Number.NaN), locale: 42, region: null } as unknown as MatchContext;
    expect(r.match('human trafficking', bad)?.keyword.text).toBe('human trafficking');
  });

  it('answers the same after many queries (no state leaks between calls)', () => {
    const big = compile(
      ...Array.from({ length: 50 }, (_, i) =>
        campaign({ priority: i % 3, kw: [[`word${i} pimp`, 'broad']] }),
      ),
    );
    const first = big.match('pimp word7', ctx())?.keyword.text;
    for (let i = 0; i < 5000; i++) big.match(`pimp word${i % 60} filler`, ctx());
    expect(big.match('pimp word7', ctx())?.keyword.text).toBe(first);
    expect(first).toBe('word7 pimp');
  });
});
