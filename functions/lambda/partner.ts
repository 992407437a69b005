/**
 * Lambda entry point of the public partner API: POST /v1/match, /v1/banner, /v1/events, GET /v1/rules,
 * /widget/*, /healthz. The same Hono routes as the local server, behind `hono/aws-lambda` and middy with
 * Powertools. Everything here runs once per container, during init; the handler only dispatches.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createDocumentClient } from '../adapters/dynamodb/client.js';
import { DynamoPartnerReader } from '../adapters/dynamodb/partners.js';
import { DynamoRulesetReader } from '../adapters/dynamodb/rulesets.js';
import { dynamoCountingWrites } from '../adapters/dynamodb/stats.js';
import { systemClock } from '../core/ids.js';
import { parseTokenSecret, type TokenKeyring } from '../core/impression-token.js';
import { LiveRuleset } from '../core/live-ruleset.js';
import { createPartnerApp } from '../http/partner-app.js';
import { widgetAsset } from '../http/widget.js';
import { readParameter } from './extension-secrets.js';
import {
  appLogger,
  appMetrics,
  assetPath,
  lambdaHandler,
  loadOriginSecret,
  requireEnv,
  tracer,
} from './runtime.js';

const tables = { config: requireEnv('CONFIG_TABLE_NAME'), stats: requireEnv('STATS_TABLE_NAME') };

/**
 * The impression-token HMAC key and the origin-verify secret, read once per container during init (top-level
 * await) through the Parameters and Secrets extension: the key from the SSM SecureString named by
 * TOKEN_SECRET_PARAMETER (decrypted), never from an environment variable. No SDK client for SSM in the bundle:
 * the extension makes the call.
 *
 * Help is never withheld by a fault, so a secret that cannot be read (the extension does not answer, SSM
 * throttles a burst of cold starts, the parameter is missing or too short) does not stop this container from
 * serving: it logs the error, counts TokenSecretUnavailable or OriginSecretUnavailable (both alarmed), and goes
 * on. Without the token key it signs with a random key of its own, so its messages are still served and counted
 * as served; only impressions and actions reported against its tokens elsewhere are refused as forged. Without
 * the origin secret it cannot tell CloudFront's requests from others, and lets both through (WAF still guards
 * the CloudFront path).
 */
const tokenSecretParameter = requireEnv('TOKEN_SECRET_PARAMETER');
const [tokenRead, originRead] = await Promise.allSettled([
  readParameter(tokenSecretParameter),
  loadOriginSecret(),
]);

function unavailable(metric: string, what: string, error: unknown): undefined {
  // The messages are ours (they name the parameter or secret and the extension's answer), never a secret value.
  appLogger.error(`${what} could not be read; serving without it`, {
    error: error instanceof Error ? error.message : String(error),
  });
  appMetrics.count(metric);
  return undefined;
}

const keyring: TokenKeyring = (() => {
  try {
    if (tokenRead.status === 'rejected') throw tokenRead.reason;
    return parseTokenSecret(tokenRead.value);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    unavailable(
      'TokenSecretUnavailable',
      'The impression-token key',
      new Error(`SSM parameter ${tokenSecretParameter}: ${message}`),
    );
    return { current: randomBytes(32), previous: [] };
  }
})();
const originSecret =
  originRead.status === 'fulfilled'
    ? originRead.value
    : unavailable('OriginSecretUnavailable', 'The origin-verify secret', originRead.reason);

/** The widget script, copied next to this bundle by the infra (bundledFiles) and served from memory. */
const widgetScript = readFileSync(assetPath('widget/v1.js', import.meta.url), 'utf8');

const doc = tracer.captureAWSv3Client(createDocumentClient());
// Readers of the two repositories the partner routes read, not dynamoRepositories(): publishing, partner and
// campaign writes and the audit log are admin code and stay out of this bundle.
const repos = {
  rulesets: new DynamoRulesetReader(doc, tables.config),
  partners: new DynamoPartnerReader(doc, tables.config),
};
const live = new LiveRuleset(repos.rulesets, {
  // A publish reaches every warm instance within 10 s; the check is one small GetItem.
  ttlMs: 10_000,
  // A cold instance waits this long for its first ruleset, then answers from the bundled default.
  coldBudgetMs: 2_000,
  logger: appLogger,
  metrics: appMetrics,
});
// Not dynamoCounting(): reading counters for reports is admin code and stays out of this bundle.
const counting = dynamoCountingWrites(doc, tables, {
  logger: appLogger,
  metrics: appMetrics,
  clock: systemClock,
  keyring,
  // No timer (a frozen container never fires it): the counters are flushed at the end of each invocation,
  // within a budget small enough that a slow table costs a person on a phone little; the rest of a flush
  // goes to the fallback sink and the CounterFallback metric.
  counters: { flushIntervalMs: 0, budgetMs: 300 },
  eventBudgetMs: 500,
});

const app = createPartnerApp({
  partners: repos.partners,
  rulesets: repos.rulesets,
  live,
  impressions: counting.impressions,
  events: counting.events,
  clock: systemClock,
  logger: appLogger,
  metrics: appMetrics,
  widget: { asset: widgetAsset(widgetScript) },
});

export const handler = lambdaHandler(app, { originSecret, onEnd: () => counting.flush() });
