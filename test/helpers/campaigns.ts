import type { Campaign } from '../../functions/core/model.js';

let counter = 0;

/** A valid campaign with sensible defaults; override what the test is about. */
export function aCampaign(overrides: Partial<Campaign> = {}): Campaign {
  counter += 1;
  return {
    id: `cmp_test${counter}`,
    name: `Test campaign ${counter}`,
    status: 'active',
    priority: 0,
    locales: [],
    regions: [],
    startsAt: null,
    endsAt: null,
    keywords: [{ id: `kw_test${counter}`, text: 'human trafficking', match: 'phrase' }],
    negativeKeywords: [],
    messages: {
      en: {
        title: 'Help is available',
        body: 'Call or text, any time.',
        actions: [{ type: 'call', label: 'Call 1-888-373-7888', href: 'tel:+18883737888' }],
      },
    },
    defaultLocale: 'en',
    banner: false,
    ...overrides,
  };
}

/** `n` keywords of realistic length, unique text. */
export function manyKeywords(n: number, prefix = 'kw'): Campaign['keywords'] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}_${i}`,
    text: `forced labour case ${i} near the border crossing`,
    match: i % 3 === 0 ? ('exact' as const) : i % 3 === 1 ? ('phrase' as const) : ('broad' as const),
  }));
}
