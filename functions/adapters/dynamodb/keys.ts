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
} as const;
