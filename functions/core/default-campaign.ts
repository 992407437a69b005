import type { Campaign } from './model.js';

/**
 * The US National Human Trafficking Hotline: seeded on a fresh local service, and the bundled default a cold
 * instance serves when it cannot reach its table at all, so help is never withheld.
 */
export const DEFAULT_CAMPAIGN_ID = 'cmp_us_national_hotline';

const english = [
  'human trafficking',
  'sex trafficking',
  'labor trafficking',
  'labour trafficking',
  'trafficking hotline',
  'forced to work',
  'forced to work no pay',
  'forced labor',
  'forced prostitution',
  'took my passport',
  'has my passport',
  'they took my passport',
  'boss took my passport',
  'cant leave my job',
  'can not leave my job',
  'not allowed to leave',
  'not allowed to leave the house',
  'work to pay off debt',
  'debt bondage',
  'my pimp',
  'escape my pimp',
  'how to escape a pimp',
  'pimp wont let me leave',
  'being trafficked',
  'am i being trafficked',
  'my friend is being trafficked',
  'someone is being trafficked',
  'report human trafficking',
  'sold for sex',
  'trapped in a job',
  'work without pay',
  'locked in at work',
];

const spanish = [
  'trata de personas',
  'trata de blancas',
  'tráfico de personas',
  'trata laboral',
  'trabajo forzado',
  'trabajo forzoso',
  'obligado a trabajar',
  'obligada a trabajar',
  'me quitaron el pasaporte',
  'tiene mi pasaporte',
  'no me dejan salir',
  'no puedo dejar mi trabajo',
  'no puedo salir de mi trabajo',
  'trabajar sin pago',
  'trabajo sin paga',
  'deuda que no puedo pagar',
  'escapar de mi proxeneta',
  'prostitución forzada',
  'víctima de trata',
];

export function defaultCampaign(): Campaign {
  const keyword = (text: string, index: number, locale: string) => ({
    id: `kw_default_${locale}_${index}`,
    text,
    match: 'phrase' as const,
    locale,
  });
  return {
    id: DEFAULT_CAMPAIGN_ID,
    name: 'US National Human Trafficking Hotline',
    status: 'active',
    priority: 0,
    locales: [],
    regions: ['US'],
    startsAt: null,
    endsAt: null,
    keywords: [
      ...english.map((text, i) => keyword(text, i, 'en')),
      ...spanish.map((text, i) => keyword(text, i, 'es')),
    ],
    negativeKeywords: [
      { text: 'movie', match: 'broad' },
      { text: 'book review', match: 'phrase' },
    ],
    messages: {
      en: {
        title: 'You are not alone. Help is available.',
        body: 'The National Human Trafficking Hotline is free, confidential and open 24/7, in more than 200 languages.',
        actions: [
          { type: 'call', label: 'Call 1-888-373-7888', href: 'tel:+18883737888' },
          { type: 'text', label: 'Text HELP to 233733', href: 'sms:233733?&body=HELP' },
          {
            type: 'link',
            label: 'humantraffickinghotline.org',
            href: 'https://humantraffickinghotline.org/',
          },
        ],
      },
      es: {
        title: 'No estás solo. Hay ayuda.',
        body: 'La Línea Nacional contra la Trata de Personas es gratuita, confidencial y atiende 24/7, en más de 200 idiomas.',
        actions: [
          { type: 'call', label: 'Llama al 1-888-373-7888', href: 'tel:+18883737888' },
          { type: 'text', label: 'Envía HELP al 233733', href: 'sms:233733?&body=HELP' },
          {
            type: 'link',
            label: 'humantraffickinghotline.org',
            href: 'https://humantraffickinghotline.org/es',
          },
        ],
      },
    },
    defaultLocale: 'en',
    banner: true,
  };
}
