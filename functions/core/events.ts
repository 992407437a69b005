/**
 * `POST /v1/events` behind the HTTP layer: verify each impression token, keep only the calling partner's own,
 * and count each token's `impression` and each of its actions at most once, ever.
 *
 * Once-only rests on dedup marks (the `EventMarks` port): one conditional, idempotent write per token per request,
 * naming the kinds it counts. Marks expire an hour after their token, so they never outlive the check they back.
 * When the marks cannot be written in time, the events are accepted into the fallback sink (a
 * `"fallback":"event"` line with the token id, kind and request nonce) rather than counted blind: a recount
 * checks the mark first, so a replay is never counted twice.
 */
import { randomBytes } from 'node:crypto';
import type { Counters } from './counters.js';
import { counterKeyOf, hourLabel } from './counters.js';
import type { ImpressionTokens, TokenClaims } from './impression-token.js';
import type {
  Clock,
  CounterField,
  EventIntake,
  EventMarks,
  Logger,
  MarkKind,
  Metrics,
  ReportedEvent,
} from './ports.js';

/** How long a mark outlives its token's expiry: clocks differ a little between instances. */
const MARK_GRACE_SECONDS = 3600;

export interface EventRecorderOptions {
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** How long a request may wait on the dedup marks before its events go to the fallback sink. Default 1,000 ms. */
  budgetMs?: number;
}

type Rejection = 'malformed' | 'forged' | 'expired' | 'other_partner' | 'replayed';

export const fieldOf = (kind: MarkKind): CounterField => (kind === 'impression' ? 'impressions' : kind);

export class EventRecorder implements EventIntake {
  constructor(
    private readonly tokens: ImpressionTokens,
    private readonly marks: EventMarks,
    private readonly counters: Counters,
    private readonly options: EventRecorderOptions,
  ) {}

  async record(partnerId: string, events: ReportedEvent[]): Promise<{ accepted: number; rejected: number }> {
    const now = this.options.clock.now();
    const reasons: Partial<Record<Rejection, number>> = {};
    const reject = (reason: Rejection) => {
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    };
    const byToken = new Map<string, { claims: TokenClaims; kinds: MarkKind[] }>();
    for (const event of events) {
      const check = this.tokens.verify(event.token, now);
      if (!check.ok) {
        reject(check.reason);
        continue;
      }
      // A token counts only for the partner it was served to: no one can inflate another partner's numbers.
      if (check.claims.partnerId !== partnerId) {
        reject('other_partner');
        continue;
      }
      const kind: MarkKind | undefined = event.type === 'impression' ? 'impression' : event.action;
      if (!kind) {
        reject('malformed');
        continue;
      }
      const entry = byToken.get(check.claims.tokenId) ?? { claims: check.claims, kinds: [] };
      byToken.set(check.claims.tokenId, entry);
      if (entry.kinds.includes(kind)) reject('replayed');
      else entry.kinds.push(kind);
    }

    let accepted = 0;
    if (byToken.size > 0) {
      const entries = [...byToken.values()];
      const nonce = randomBytes(12).toString('base64url');
      const deadline = now.getTime() + (this.options.budgetMs ?? 1_000);
      const won = await this.claim(entries, nonce, deadline);
      let fallbackEvents = 0;
      entries.forEach(({ claims, kinds }, i) => {
        const held = won[i];
        for (const kind of kinds) {
          if (held === null || held === undefined) {
            fallbackEvents++;
            accepted++;
            this.fallback(claims, kind, nonce);
          } else if (held.has(kind)) {
            accepted++;
            this.counters.add(counterKeyOf(claims), fieldOf(kind));
          } else {
            reject('replayed');
          }
        }
      });
      if (fallbackEvents > 0) this.options.metrics.count('CounterFallback', fallbackEvents);
    }

    const rejected = events.length - accepted;
    if (accepted) this.options.metrics.count('EventsAccepted', accepted);
    if (rejected) {
      this.options.metrics.count('EventsRejected', rejected);
      this.options.logger.debug('events rejected', { partnerId, ...reasons });
    }
    return { accepted, rejected };
  }

  private async claim(
    entries: { claims: TokenClaims; kinds: MarkKind[] }[],
    nonce: string,
    deadline: number,
  ) {
    const claims = entries.map(({ claims, kinds }) => ({
      tokenId: claims.tokenId,
      kinds,
      expiresAt: claims.expiresAt + MARK_GRACE_SECONDS,
    }));
    try {
      return await this.marks.claim(claims, nonce, deadline);
    } catch {
      return claims.map(() => null);
    }
  }

  private fallback(claims: TokenClaims, kind: MarkKind, nonce: string) {
    this.options.logger.warn('event fallback', {
      fallback: 'event',
      state: 'in_doubt',
      hour: hourLabel(claims.hour),
      campaignId: claims.campaignId,
      keywordId: claims.keywordId,
      partnerId: claims.partnerId,
      locale: claims.locale,
      region: claims.region,
      counts: { [fieldOf(kind)]: 1 },
      ref: { tokenId: claims.tokenId, kind, nonce },
    });
  }
}
