/**
 * Lambda entry point of the public partner API: POST /v1/match, /v1/banner, /v1/events, GET /v1/rules,
 * /widget/*, /healthz. The same Hono routes as the local server, behind `hono/aws-lambda` and middy with
 * Powertools. Everything here runs once per container, during init; the handler only dispatches.
 */
import { readFileSync } from 'node:fs';
import { createDocumentClient } from '../adapters/dynamodb/client.js';
import { DynamoPartnerRepository } from '../adapters/dynamodb/partners.js';
import { DynamoRulesetRepository } from '../adapters/dynamodb/rulesets.js';
import { dynamoCounting } from '../adapters/dynamodb/stats.js';
import { systemClock } from '../core/ids.js';
import { parseTokenSecret } from '../core/impression-token.js';
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
 * TOKEN_SECRET_PARAMETER (decrypted), never from an environment variable. A missing or short secret, or an
 * extension that does not answer, fails the cold start loudly, naming the parameter, instead of signing badly.
 * No SDK client for SSM in the bundle: the extension makes the call.
 */
const tokenSecretParameter = requireEnv('TOKEN_SECRET_PARAMETER');
const [tokenSecret, originSecret] = await Promise.all([
  readParameter(tokenSecretParameter),
  loadOriginSecret(),
]);
const keyring = (() => {
  try {
    return parseTokenSecret(tokenSecret);
  } catch (error) {
    throw new Error(`SSM parameter ${tokenSecretParameter}: ${(error as Error).message}`);
  }
})();

/** The widget script, copied next to this bundle by the infra (bundledFiles) and served from memory. */
const widgetScript = readFileSync(assetPath('widget/v1.js', import.meta.url), 'utf8');

const doc = tracer.captureAWSv3Client(createDocumentClient());
// The two repositories the partner routes read, not dynamoRepositories(): campaign and audit writes are admin
// code and stay out of this bundle.
const repos = {
  rulesets: new DynamoRulesetRepository(doc, tables.config),
  partners: new DynamoPartnerRepository(doc, tables.config),
};
const live = new LiveRuleset(repos.rulesets, {
  // A publish reaches every warm instance within 10 s; the check is one small GetItem.
  ttlMs: 10_000,
  // A cold instance waits this long for its first ruleset, then answers from the bundled default.
  coldBudgetMs: 2_000,
  logger: appLogger,
  metrics: appMetrics,
});
const counting = dynamoCounting(doc, tables, {
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
