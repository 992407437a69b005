/**
 * The shapes the page reads from the Admin API, and tolerant readers for the answers whose exact field names
 * are the backend's to choose (versions, reports, audit): a renamed field degrades a column, not the page.
 */

import type { Campaign, MatchType, Partner } from '../../functions/core/model';
import { type Api, ApiError, isRecord } from './api';

export type { Campaign, MatchType };

/** A campaign as GET answers it: the campaign plus its revision and last change. */
export interface CampaignDoc extends Campaign {
  revision: number;
  updatedAt: string;
  updatedBy: string;
}

export type PartnerDoc = Omit<Partner, 'keys' | 'revision'> & {
  keys: { id: string; prefix: string; createdAt: string; revokedAt: string | null }[];
};

export interface Version {
  version: number;
  publishedAt: string;
  publishedBy: string;
  restoredFrom: number | null;
  campaigns: number | null;
  keywords: number | null;
  /** A short summary of what changed against the previous version, when the API gives one. */
  changes: string | null;
}

export const MATCH_TYPES: MatchType[] = ['exact', 'phrase', 'broad'];

export async function listCampaigns(api: Api): Promise<CampaignDoc[]> {
  const { data } = await api.get<{ campaigns: CampaignDoc[] }>('/admin/v1/campaigns');
  return data.campaigns;
}

export interface VersionPage {
  /** The version partners see, or null before the first publish. */
  live: number | null;
  versions: Version[];
  /** The `before` of the next (older) page, or null. */
  next: number | null;
}

export async function listVersions(api: Api, before?: number): Promise<VersionPage> {
  const { data } = await api.get<unknown>(`/admin/v1/versions${before ? `?before=${before}` : ''}`);
  const list = isRecord(data) && Array.isArray(data.versions) ? data.versions : [];
  const versions = list.filter(isRecord).map((v) => ({
    version: Number(v.version),
    publishedAt: String(v.publishedAt ?? ''),
    publishedBy: String(v.publishedBy ?? ''),
    restoredFrom: typeof v.restoredFrom === 'number' ? v.restoredFrom : null,
    campaigns:
      typeof v.campaigns === 'number' ? v.campaigns : Array.isArray(v.campaigns) ? v.campaigns.length : null,
    keywords: typeof v.keywords === 'number' ? v.keywords : null,
    changes: typeof v.summary === 'string' && v.summary ? v.summary : summarizeChanges(v.changes),
  }));
  const live = isRecord(data) && typeof data.live === 'number' ? data.live : (versions[0]?.version ?? null);
  const next = isRecord(data) && typeof data.next === 'number' ? data.next : null;
  return { live, versions, next };
}

function summarizeChanges(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (!isRecord(value)) return null;
  const parts: string[] = [];
  for (const [what, changes] of Object.entries(value)) {
    if (typeof changes === 'number') {
      if (changes) parts.push(`${what} ${changes}`);
    } else if (Array.isArray(changes)) {
      if (changes.length) parts.push(`${what} ${changes.length}`);
    } else if (isRecord(changes)) {
      const inner = Object.entries(changes)
        .map(([k, n]) => [k, typeof n === 'number' ? n : Array.isArray(n) ? n.length : 0] as const)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${n} ${k}`);
      if (inner.length) parts.push(`${what}: ${inner.join(', ')}`);
    }
  }
  return parts.length ? parts.join('; ') : null;
}

export interface Published {
  version: number | null;
  /** The published campaigns, or null when the API cannot say (then no diff is shown). */
  campaigns: Campaign[] | null;
}

/**
 * The live published version and its campaigns: the version from /admin/v1/versions, its campaigns from
 * /admin/v1/versions/{n}.
 */
export async function loadPublished(api: Api): Promise<Published> {
  let live: number | null;
  try {
    live = (await listVersions(api)).live;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405))
      return { version: null, campaigns: null };
    throw error;
  }
  if (live === null) return { version: null, campaigns: [] };
  try {
    const { data } = await api.get<unknown>(`/admin/v1/versions/${live}`);
    const ruleset = isRecord(data) && isRecord(data.ruleset) ? data.ruleset : data;
    const campaigns =
      isRecord(ruleset) && Array.isArray(ruleset.campaigns) ? (ruleset.campaigns as Campaign[]) : null;
    return { version: live, campaigns };
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405))
      return { version: live, campaigns: null };
    throw error;
  }
}

/** What an admin edits, without the read-only fields, in a stable key order: for comparing. */
export function comparable(campaign: Campaign): string {
  return JSON.stringify({
    name: campaign.name,
    status: campaign.status,
    priority: campaign.priority,
    locales: campaign.locales,
    regions: campaign.regions,
    startsAt: campaign.startsAt,
    endsAt: campaign.endsAt,
    keywords: campaign.keywords.map((k) => [k.id, k.text, k.match, k.locale ?? null]),
    negativeKeywords: (campaign.negativeKeywords ?? []).map((k) => [k.text, k.match]),
    messages: Object.keys(campaign.messages)
      .sort()
      .map((locale) => {
        const m = campaign.messages[locale];
        return [locale, m?.title, m?.body, (m?.actions ?? []).map((a) => [a.type, a.label, a.href])];
      }),
    defaultLocale: campaign.defaultLocale,
    banner: campaign.banner,
  });
}
