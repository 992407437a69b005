/**
 * Lambda entry point of the public partner API: POST /v1/match, /v1/banner, /v1/events, GET /v1/rules,
 * /widget/*, /healthz. The same Hono routes as the local server, behind `hono/aws-lambda` and middy with
 * Powertools. Everything here runs once per container, at cold start; the handler only dispatches.
 */
import { readFileSync } from 'node:fs';
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { createDocumentClient } from '../adapters/dynamodb/client.js';
import { dynamoRepositories } from '../adapters/dynamodb/index.js';
import { systemClock } from '../core/ids.js';
import { LiveRuleset } from '../core/live-ruleset.js';
import { createPartnerApp } from '../http/app.js';
import { widgetAsset } from '../http/widget.js';
import { appLogger, appMetrics, lambdaHandler, requireEnv, tracer } from './runtime.js';

const tables = { config: requireEnv('CONFIG_TABLE_NAME'), stats: requireEnv('STATS_TABLE_NAME') };
const tokenSecretParameter = requireEnv('TOKEN_SECRET_PARAMETER');

/**
 * The impression-token HMAC key, read once per container during init (top-level await) and cached by
 * Powertools; it never sits in an environment variable. A missing parameter fails the cold start loudly.
 */
const tokenSecret = await getParameter(tokenSecretParameter, { decrypt: true, maxAge: 15 * 60 });
if (!tokenSecret) throw new Error(`SSM parameter ${tokenSecretParameter} is empty or missing`);

/** The widget script, copied next to this bundle at build time (infra: bundledFiles); a test may point elsewhere. */
const widgetScript = readFileSync(
  process.env.WIDGET_SCRIPT_PATH ?? new URL('./widget/v1.js', import.meta.url),
  'utf8',
);

const doc = tracer.captureAWSv3Client(createDocumentClient());
const repos = dynamoRepositories(doc, tables);
const live = new LiveRuleset(repos.rulesets, {
  // A publish reaches every warm instance within 10 s; the check is one small GetItem.
  ttlMs: 10_000,
  // A cold instance waits this long for its first ruleset, then answers from the bundled default.
  coldBudgetMs: 2_000,
  logger: appLogger,
  metrics: appMetrics,
});

const app = createPartnerApp({
  partners: repos.partners,
  rulesets: repos.rulesets,
  live,
  impressions: { served: () => '' },
  clock: systemClock,
  logger: appLogger,
  metrics: appMetrics,
  widget: { asset: widgetAsset(widgetScript) },
});

export const handler = lambdaHandler(app);
