import { defaultCampaign } from './default-campaign.js';
import { type CompiledRuleset, compileRuleset, type RulesetInput } from './matcher.js';
import type { Logger, Metrics, RulesetRepository } from './ports.js';

export interface LiveRulesetOptions {
  /** How long a checked version is trusted before the next look at the table. */
  ttlMs: number;
  /** How long a cold instance waits for its first ruleset before serving the bundled default. */
  coldBudgetMs: number;
  now?: () => number;
  logger?: Logger;
  metrics?: Metrics;
}

/** Version 0: the bundled national hotline, for an instance that has never reached its table. */
export const bundledDefault = (): CompiledRuleset =>
  compileRuleset({ version: 0, campaigns: [defaultCampaign()] });

/**
 * The compiled ruleset that partners are matched against, swapped when a newer version is published.
 * Requests never wait on the table once something has loaded: a due check runs in the background and the
 * current index keeps answering; when the check fails, the last good index keeps serving.
 */
export class LiveRuleset {
  private compiled: CompiledRuleset | null = null;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | null = null;
  private readonly now: () => number;

  constructor(
    private readonly rulesets: Pick<RulesetRepository, 'liveVersion' | 'get' | 'getForMatching'>,
    private readonly options: LiveRulesetOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The index to match against now. Never throws. */
  async current(): Promise<CompiledRuleset> {
    if (this.now() - this.checkedAt >= this.options.ttlMs) {
      const check = this.refresh();
      if (!this.compiled) await withBudget(check, this.options.coldBudgetMs);
    }
    if (this.compiled) return this.compiled;
    this.options.metrics?.count('BundledDefaultServed');
    fallback ??= bundledDefault();
    return fallback;
  }

  /** Looks at the table now (single flight) and swaps in a newer version. Never throws. */
  refresh(): Promise<void> {
    this.inflight ??= this.load().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** A version to compile: in the adapter's compile-ready shape when it has one (ports.ts, getForMatching). */
  private read(version: number): Promise<RulesetInput | null> {
    const { rulesets } = this;
    return rulesets.getForMatching ? rulesets.getForMatching(version) : rulesets.get(version);
  }

  private async load(): Promise<void> {
    try {
      const version = (await this.rulesets.liveVersion()) ?? 0;
      if (!this.compiled || version > this.compiled.version) {
        const ruleset = version === 0 ? null : await this.read(version);
        this.compiled = compileRuleset({ version, campaigns: ruleset?.campaigns ?? [] });
        this.options.logger?.info('ruleset loaded', {
          rulesetVersion: version,
          keywords: this.compiled.keywordCount,
        });
      }
      this.checkedAt = this.now();
    } catch (error) {
      // Keep serving the last good index; try again after a short pause rather than on every request.
      this.checkedAt = this.now() - this.options.ttlMs + Math.min(this.options.ttlMs, 1000);
      this.options.metrics?.count('RulesetLoadFailed');
      this.options.logger?.warn('ruleset check failed; serving the last good ruleset', {
        error: error instanceof Error ? error.name : 'unknown',
        rulesetVersion: this.compiled?.version ?? null,
      });
    }
  }
}

let fallback: CompiledRuleset | undefined;

function withBudget(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    promise.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
