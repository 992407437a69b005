/**
 * Locale and region tags as requests carry them: the checks both schema modules (partner-schemas.ts for the
 * hot path, schemas.ts for the admin API) build on, so the two accept exactly the same tags.
 */

/** Tags canonicalised so far (null: not a tag). Bounded: cleared when full, so junk tags cannot grow it. */
const canonicalTags = new Map<string, string | null>();
const MAX_CANONICAL_TAGS = 1_000;

/**
 * `Intl.getCanonicalLocales(tag)[0]`, or null when `tag` is not a BCP 47 tag. Remembered per tag: the ICU call
 * was the largest single cost of validating a match request, and the same few tags arrive again and again.
 */
export function canonicalLocale(tag: string): string | null {
  let canonical = canonicalTags.get(tag);
  if (canonical === undefined) {
    try {
      canonical = Intl.getCanonicalLocales(tag)[0] || null;
    } catch {
      canonical = null;
    }
    if (canonicalTags.size >= MAX_CANONICAL_TAGS) canonicalTags.clear();
    canonicalTags.set(tag, canonical);
  }
  return canonical;
}

export const LOCALE_TAG_MAX = 35;
export const LOCALE_TAG_TOO_LONG = `A locale tag has at most ${LOCALE_TAG_MAX} characters.`;
export const notALocale = (tag: string) => `"${tag}" is not a BCP 47 language tag such as "en" or "es-MX".`;

/** ISO 3166-1 alpha-2 (`US`) or ISO 3166-2 (`US-CA`), upper case. */
export const REGION_CODE = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;
export const REGION_CODE_MAX = 6;
export const REGION_CODE_TOO_LONG = 'A region code has at most 6 characters, such as "US" or "US-CA".';
export const NOT_A_REGION = 'A region is an ISO 3166 code such as "US" or "US-CA".';

export const MAX_QUERY_LENGTH = 512;
export const QUERY_MESSAGES = {
  type: 'A query is a string.',
  empty: 'A query needs at least one character.',
  long: `A query has at most ${MAX_QUERY_LENGTH} characters.`,
} as const;
