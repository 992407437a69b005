/**
 * Generated, reproducible (seeded) rulesets and search queries for the matcher benchmark.
 *
 * Rulesets: campaigns of a few hundred keywords each, 1 to 4 words, English and Spanish with their accents and
 * a few in other scripts (Cyrillic, Greek, Arabic, Chinese); mixed match types; some campaigns with negatives,
 * locales, regions, a schedule, or paused. Queries: 2 to 8 words, mostly everyday searches, about one in ten
 * carrying a keyword (sometimes as a close variant: capitals, plural, accent dropped, digit disguise).
 */
import type { Campaign, Keyword, MatchType, NegativeKeyword } from '../../functions/core/model.js';

/** mulberry32: small, fast, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
/** Skewed towards the start of the list, as word frequencies are. */
const pickSkewed = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * r() * xs.length)] as T;

const DOMAIN_EN = `trafficking trafficked trafficker human sex labor labour forced work job pimp escort massage parlor
  passport visa papers debt bondage owe boss recruiter recruitment agency smuggler smuggling coyote border
  slave slavery servitude domestic worker nanny maid farm fishing boat factory construction hotel motel
  underage minor girl boy teen runaway homeless shelter exploited exploitation coerced threatened beaten
  locked trapped leave quit escape help hotline rescue police report abuse abuser daddy track stroll
  quota trick john date cash app online ad backpage webcam photos video blackmail sextortion groomed
  grooming modeling model audition dancer club stripper bar brothel survivor victim pay wages unpaid
  hours sleep housing dorm curfew watched phone taken kept documents identity fake contract lied promised`;
const DOMAIN_ES = `trata tráfico traficante personas trabajo forzado explotación sexual laboral prostitución proxeneta
  padrote chulo pasaporte documentos papeles deuda patrón patrona reclutador agencia coyote frontera esclava
  esclavitud servidumbre doméstica trabajadora niñera campo pesca barco fábrica construcción hotel menor
  niña niño niñas niños adolescente jóvenes mujeres mujer hombres migrantes encerrada atrapada amenazada
  golpeada salir escapar ayuda línea rescate policía denuncia abuso engaño promesa contrato falso salario
  pago horas dormir vivienda vigilada teléfono quitaron retienen identidad modelo bailarina bar burdel
  víctima sobreviviente explotada obligada vendida comprada menores calle acompañante masajes anuncio`;
const COMMON_EN = `the a an to of in on for with my me i you how what where why when is are can do does near best
  cheap free new top buy price review reviews open now today tonight tomorrow weather news movie movies song
  lyrics game games recipe recipes pizza coffee restaurant restaurants flights hotel hotels car cars rent
  apartment apartments jobs job salary school college university course online download app phone iphone
  android laptop shoes dress shirt jeans gift ideas birthday wedding dog cat puppy training dentist doctor
  hospital pharmacy bank loan credit card insurance tax taxes map directions train bus airport time zone
  football soccer basketball score tickets concert netflix series season episode book books library park`;
const COMMON_ES = `el la los las de del en con para por mi mis que cómo dónde cuándo qué cuál mejor mejores barato
  gratis nuevo nueva hoy mañana noche clima noticias película películas canción letra juego juegos receta
  recetas restaurante vuelos coche carro alquiler departamento empleo sueldo escuela universidad curso
  descargar teléfono zapatos vestido regalo cumpleaños boda perro gato médico hospital farmacia banco
  préstamo tarjeta seguro impuestos mapa tren autobús aeropuerto fútbol partido entradas concierto libro`;
const OTHER = {
  ru: `работа помощь паспорт долг виза торговля людьми принудительный труд девушки бежать полиция где как найти`,
  el: `εργασία βοήθεια διαβατήριο χρέος εμπορία ανθρώπων καταναγκαστική δουλειά κορίτσια αστυνομία πού πώς`,
  ar: `عمل مساعدة جواز سفر دين الاتجار بالبشر العمل القسري فتيات الشرطة أين كيف هروب`,
  zh: `工作 帮助 护照 债务 人口 贩卖 强迫 劳动 女孩 警察 哪里 如何 逃跑 签证`,
};

const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);

const SYLLABLES = `ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga go gu la le li lo lu ma me mi mo mu
  na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo za zo tra tre tri
  pla ple pri bro cla cre dra fla gra ster mon ven tal lin dor mar sen kin ber wel ton`;
const ACCENTED = ['á', 'é', 'í', 'ó', 'ú', 'ñ'];

/** Made-up words (they stand for the long tail of real vocabulary); `spanish` adds accents now and then. */
function pseudoWords(r: Rand, count: number, spanish: boolean, taken: Set<string>): string[] {
  const syl = words(SYLLABLES);
  const out: string[] = [];
  while (out.length < count) {
    let w = '';
    const n = 2 + Math.floor(r() * 3);
    for (let i = 0; i < n; i++) w += pick(r, syl);
    if (spanish && r() < 0.35) {
      const i = Math.floor(r() * w.length);
      const ch = w[i];
      if (ch && 'aeioun'.includes(ch))
        w = w.slice(0, i) + (ch === 'n' ? 'ñ' : pick(r, ACCENTED.slice(0, 5))) + w.slice(i + 1);
    }
    if (taken.has(w)) continue;
    taken.add(w);
    out.push(w);
  }
  return out;
}

export interface Corpus {
  campaigns: Campaign[];
  /** Every keyword text, for queries that should hit. */
  keywordTexts: string[];
  /** Words that appear in no keyword, for queries that should not hit. */
  fillerWords: string[];
  /** Everyday words that keywords also use (work, passport, ayuda), sprinkled into ordinary queries as real searches are. */
  sharedWords: string[];
}

const NEGATIVES = [
  'movie',
  'novel',
  'song lyrics',
  'video game',
  'netflix',
  'película',
  'documentary',
  'book review',
];

export function generateCorpus(keywordCount: number, seed = 42): Corpus {
  const r = rng(seed + keywordCount);
  const taken = new Set<string>([...words(COMMON_EN), ...words(COMMON_ES)]);
  const domain = [...words(DOMAIN_EN), ...words(DOMAIN_ES)];
  for (const w of domain) taken.add(w);
  // The long tail grows with the ruleset: bigger rulesets use more distinct words, as real ones do.
  const tailSize = 1500 + Math.floor(keywordCount / 4);
  const tailEn = pseudoWords(r, Math.floor(tailSize * 0.55), false, taken);
  const tailEs = pseudoWords(r, Math.floor(tailSize * 0.4), true, taken);
  const other = Object.values(OTHER).flatMap(words);
  const vocab = [...domain, ...tailEn, ...tailEs];

  const keywordTexts = new Set<string>();
  const keywordWordSet = new Set<string>();
  const campaignCount = Math.max(4, Math.round(keywordCount / 400));
  const campaigns: Campaign[] = [];
  let made = 0;
  for (let c = 0; c < campaignCount; c++) {
    const want = c === campaignCount - 1 ? keywordCount - made : Math.round(keywordCount / campaignCount);
    const keywords: Keyword[] = [];
    while (keywords.length < want) {
      const roll = r();
      const len = roll < 0.25 ? 1 : roll < 0.65 ? 2 : roll < 0.9 ? 3 : 4;
      const parts: string[] = [];
      for (let i = 0; i < len; i++) {
        const source = r() < 0.03 ? other : i === 0 && r() < 0.5 ? domain : vocab;
        parts.push(pickSkewed(r, source));
      }
      // Single common words would make half of all searches hit: single-word keywords come from the tail.
      if (len === 1 && domain.includes(parts[0] as string)) parts[0] = pick(r, tailEn);
      const text = parts.join(' ');
      if (keywordTexts.has(text)) continue;
      keywordTexts.add(text);
      for (const p of parts) keywordWordSet.add(p);
      const m = r();
      const match: MatchType = m < 0.55 ? 'phrase' : m < 0.85 ? 'broad' : 'exact';
      keywords.push({ id: `kw_${c}_${keywords.length}`, text, match });
    }
    made += keywords.length;
    const negativeKeywords: NegativeKeyword[] =
      c % 5 === 1
        ? NEGATIVES.slice(0, 1 + (c % 4)).map((text, i) => ({ text, match: i % 2 ? 'broad' : 'phrase' }))
        : [];
    const t = c % 10;
    campaigns.push({
      id: `cmp_${String(c).padStart(5, '0')}`,
      name: `Campaign ${c}`,
      status: t === 9 ? 'paused' : 'active',
      priority: Math.floor(r() * 20),
      locales: t === 2 ? ['en'] : t === 3 ? ['es'] : t === 4 ? ['en', 'es'] : [],
      regions: t === 5 ? ['US'] : t === 6 ? ['US-CA', 'MX'] : [],
      startsAt: t === 7 ? '2020-01-01T00:00:00.000Z' : null,
      endsAt: t === 7 ? '2099-01-01T00:00:00.000Z' : t === 8 ? '2021-01-01T00:00:00.000Z' : null,
      keywords,
      negativeKeywords,
      messages: {
        en: {
          title: 'You are not alone',
          body: 'Confidential help, 24/7.',
          actions: [{ type: 'call', label: 'Call 1-888-373-7888', href: 'tel:+18883737888' }],
        },
        es: {
          title: 'No estás sola',
          body: 'Ayuda confidencial, 24/7.',
          actions: [{ type: 'call', label: 'Llama al 1-888-373-7888', href: 'tel:+18883737888' }],
        },
      },
      defaultLocale: 'en',
      banner: c === 0,
    });
  }
  const common = [...words(COMMON_EN), ...words(COMMON_ES), ...pseudoWords(r, 3000, r() < 0.5, taken)];
  const fillerWords = common.filter((w) => !keywordWordSet.has(w));
  return {
    campaigns,
    keywordTexts: [...keywordTexts],
    fillerWords,
    sharedWords: domain.filter((w) => keywordWordSet.has(w)),
  };
}

const DISGUISES: Record<string, string> = { a: '4', e: '3', i: '1', o: '0', s: '$' };

/** A close variant of a keyword, as a person might type it. */
function variant(r: Rand, text: string): string {
  const v = r();
  if (v < 0.5) return text;
  if (v < 0.65) return text.toUpperCase();
  if (v < 0.75) return text.normalize('NFD').replace(/[\u0300-\u036f]/g, ''); // accents dropped
  if (v < 0.88) return text.replace(/([a-z]{3,})\b/, (w) => (/[sxz]$/.test(w) ? w : `${w}s`)); // a plural
  return text.replace(/[aeios]/, (ch) => DISGUISES[ch] ?? ch); // one disguised letter
}

export interface GeneratedQuery {
  text: string;
  locale: string | undefined;
  region: string | undefined;
}

const LOCALES = ['en-US', 'es-MX', 'es', 'en', undefined, 'fr-FR'] as const;
const REGIONS = ['US', 'US-CA', 'MX', undefined, 'GB', 'US-TX'] as const;

/** Queries of 2 to 8 words; `hitShare` of them carry a keyword, the rest are everyday searches. */
export function generateQueries(corpus: Corpus, count: number, seed = 7, hitShare = 0.09): GeneratedQuery[] {
  const r = rng(seed);
  const other = Object.values(OTHER).flatMap(words);
  const out: GeneratedQuery[] = [];
  for (let q = 0; q < count; q++) {
    const len = 2 + Math.floor(r() * 7);
    const parts: string[] = [];
    const script = r() < 0.04;
    for (let i = 0; i < len; i++) {
      const roll = r();
      if (script) parts.push(pick(r, other));
      else if (roll < 0.03) parts.push(pick(r, corpus.sharedWords));
      else parts.push(pickSkewed(r, corpus.fillerWords));
    }
    if (r() < hitShare) {
      const kw = pick(r, corpus.keywordTexts);
      // Now and then the whole search is the keyword (so exact keywords hit too).
      if (kw.includes(' ') && r() < 0.25) parts.length = 0;
      parts.splice(
        Math.floor(r() * parts.length),
        Math.max(0, Math.min(parts.length - 1, kw.split(' ').length)),
        variant(r, kw),
      );
    }
    let text = parts.join(' ');
    if (r() < 0.3) text = text[0]?.toUpperCase() + text.slice(1);
    if (r() < 0.15) text += '?';
    out.push({ text, locale: pick(r, LOCALES), region: pick(r, REGIONS) });
  }
  // As the service receives them: parsed from JSON, so flat strings (not the rope strings concatenation makes).
  return JSON.parse(JSON.stringify(out)) as GeneratedQuery[];
}
