/**
 * Every key format of the config table lives here. Each item also carries an `entity` attribute naming its type.
 *
 * | item                     | pk                              | sk                 |
 * |--------------------------|---------------------------------|--------------------|
 * | campaign head (draft)    | CAMPAIGN                        | CAMPAIGN#<id>      |
 * | campaign body chunk      | CAMPAIGN#<id>#BLOB#<blobId>     | 0000, 0001, ...    |
 * | published ruleset header | RULESET                         | V#<version, 10 digits> |
 * | ruleset body chunk       | RULESET#BLOB#<blobId>           | 0000, 0001, ...    |
 * | partner                  | PARTNER                         | PARTNER#<id>       |
 * | site key index           | SITEKEY#<pk_...>                | SITEKEY            |
 * | secret key hash index    | KEYHASH#<sha256 hex>            | KEYHASH            |
 * | service metadata         | META                            | <name>             |
 * | audit log entry          | AUDIT#<type>#<targetId>         | REV#<revision, 10 digits> |
 *
 * Index gsi1 (sparse: only items that set gsi1pk):
 * | audit log entry, by time | AUDIT                           | <at>#<type>#<targetId>#<revision> |
 * | item whose audit entry is not yet in the log | AUDIT#PENDING | <at>#<pk>#<sk>      |
 */
export const keys = {
  campaignHead: (id: string) => ({ pk: 'CAMPAIGN', sk: `CAMPAIGN#${id}` }),
  campaignHeads: { pk: 'CAMPAIGN', skPrefix: 'CAMPAIGN#' },
  campaignBlob: (id: string, blobId: string) => `CAMPAIGN#${id}#BLOB#${blobId}`,
  rulesetHead: (version: number) => ({ pk: 'RULESET', sk: `V#${String(version).padStart(10, '0')}` }),
  rulesetHeads: { pk: 'RULESET', skPrefix: 'V#' },
  rulesetBlob: (blobId: string) => `RULESET#BLOB#${blobId}`,
  partner: (id: string) => ({ pk: 'PARTNER', sk: `PARTNER#${id}` }),
  partners: { pk: 'PARTNER', skPrefix: 'PARTNER#' },
  siteKey: (siteKey: string) => ({ pk: `SITEKEY#${siteKey}`, sk: 'SITEKEY' }),
  keyHash: (hash: string) => ({ pk: `KEYHASH#${hash}`, sk: 'KEYHASH' }),
  meta: (name: string) => ({ pk: 'META', sk: name }),
  chunk: (index: number) => String(index).padStart(4, '0'),
  auditEntry: (type: string, targetId: string, revision: number) => ({
    pk: `AUDIT#${type}#${targetId}`,
    sk: `REV#${String(revision).padStart(10, '0')}`,
  }),
  auditTarget: (type: string, targetId: string) => `AUDIT#${type}#${targetId}`,
  auditByTime: (at: string, type: string, targetId: string, revision: number) => ({
    gsi1pk: 'AUDIT',
    gsi1sk: `${at}#${type}#${targetId}#${String(revision).padStart(10, '0')}`,
  }),
  auditTimeline: 'AUDIT',
  auditPending: (at: string, pk: string, sk: string) => ({
    gsi1pk: 'AUDIT#PENDING',
    gsi1sk: `${at}#${pk}#${sk}`,
  }),
  auditPendingPk: 'AUDIT#PENDING',
  auditIndex: 'gsi1',
} as const;

/**
 * Every key format of the stats table (and the token key, kept in the config table as `META` / `TOKEN_KEY`).
 *
 * | item               | pk                                  | sk                                                  |
 * |--------------------|-------------------------------------|-----------------------------------------------------|
 * | hourly counter     | CNT#<yyyy-mm>#<shard, 2 digits>     | <ddThh>#<campaign>#<keyword>#<partner>#<locale>#<region> |
 * | event dedup mark   | TOK#<token id>                      | TOK                                                 |
 *
 * Sharding: a counter's partition is its month and a shard from 0 to STAT_SHARDS - 1. The writer picks the shard
 * as hash(counter key) + a per-writer salt + the flush's sequence number, modulo STAT_SHARDS, so:
 * - different counters written in one flush spread over every shard by their hash;
 * - one hot counter written by one writer moves to the next shard on each flush, and many writers start from
 *   different shards: even with no aggregation at all, 10,000 writes a second for one campaign land about
 *   10,000 / 16 = 625 a second on each partition key, under DynamoDB's 1,000 write units per partition;
 * - with the in-process aggregation (functions/core/counters.ts) one writer makes at most one write per distinct
 *   counter per flush, so the real rate is lower still (bench/counting.ts measures it).
 * Every campaign shares a month's STAT_SHARDS partitions, so the table as a whole takes STAT_SHARDS x 1,000
 * counter writes a second before any partition key passes the limit; past that, raise STAT_SHARDS.
 * Readers sum every shard. STAT_SHARDS may be raised later (readers then also read shards that older months
 * never used, which are empty) but never lowered, or readers would miss data.
 * Keys in the sort key are URI-encoded so a `#` inside one cannot collide; an empty locale, region or keyword
 * (a banner) is written empty. Counters never expire; marks carry `expiresAt` (TTL), an hour after their token.
 */
export const STAT_SHARDS = 16;

const part = (value: string) => encodeURIComponent(value);
const hourIso = (hour: number) => new Date(hour * 3_600_000).toISOString();

export const statsKeys = {
  counter(
    hour: number,
    shard: number,
    key: { campaignId: string; keywordId: string | null; partnerId: string; locale: string; region: string },
  ) {
    const iso = hourIso(hour);
    return {
      pk: statsKeys.counterPartition(iso.slice(0, 7), shard),
      sk: `${iso.slice(8, 13)}#${part(key.campaignId)}#${part(key.keywordId ?? '')}#${part(key.partnerId)}#${part(key.locale)}#${part(key.region)}`,
    };
  },
  counterPartition: (month: string, shard: number) => `CNT#${month}#${String(shard).padStart(2, '0')}`,
  eventMark: (tokenId: string) => ({ pk: `TOK#${tokenId}`, sk: 'TOK' }),
  tokenKey: { pk: 'META', sk: 'TOKEN_KEY' },
} as const;

/**
 * The partitions and sort-key range holding the counters of hours `fromHour`..`toHour`, month by month. Outside
 * statsKeys (an object, kept whole by the bundler) so that bundles that never read counters leave it out.
 */
export function counterRanges(fromHour: number, toHour: number, shards = STAT_SHARDS) {
  const ranges: { pk: string; from: string; to: string }[] = [];
  let start = fromHour;
  while (start <= toHour) {
    const first = new Date(start * 3_600_000);
    const nextMonth = Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1) / 3_600_000;
    const end = Math.min(toHour, nextMonth - 1);
    const month = hourIso(start).slice(0, 7);
    for (let shard = 0; shard < shards; shard++) {
      // Every sort key of an hour starts `<ddThh>#`, and `$` is the character after `#`: whole hours, no more.
      const from = `${hourIso(start).slice(8, 13)}#`;
      ranges.push({
        pk: statsKeys.counterPartition(month, shard),
        from,
        to: `${hourIso(end).slice(8, 13)}$`,
      });
    }
    start = end + 1;
  }
  return ranges;
}
