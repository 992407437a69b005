/**
 * Lambda entry point of the admin API (/admin/v1/*, behind the Cognito JWT authorizer) and the admin page.
 * A separate function from the partner API, so a flood of searches cannot starve admins and none of this
 * code ships in the hot function's bundle.
 */

import { createDocumentClient } from '../adapters/dynamodb/client.js';
import { dynamoRepositories } from '../adapters/dynamodb/index.js';
import { randomIds, systemClock } from '../core/ids.js';
import { LiveRuleset } from '../core/live-ruleset.js';
import { createAdminApp } from '../http/app.js';
import { CognitoJwtAuthenticator } from './cognito-authenticator.js';
import { appLogger, appMetrics, lambdaHandler, requireEnv, tracer } from './runtime.js';

const tables = { config: requireEnv('CONFIG_TABLE_NAME'), stats: requireEnv('STATS_TABLE_NAME') };
const adminAuth = new CognitoJwtAuthenticator({
  issuer: requireEnv('ADMIN_JWT_ISSUER'),
  clientId: requireEnv('ADMIN_JWT_AUDIENCE'),
});

const doc = tracer.captureAWSv3Client(createDocumentClient());
const repos = dynamoRepositories(doc, tables);
const live = new LiveRuleset(repos.rulesets, {
  ttlMs: 2_000,
  coldBudgetMs: 5_000,
  logger: appLogger,
  metrics: appMetrics,
});

const app = createAdminApp({
  ...repos,
  live,
  adminAuth,
  impressions: { served: () => '' },
  clock: systemClock,
  ids: randomIds,
  logger: appLogger,
  metrics: appMetrics,
});

export const handler = lambdaHandler(app);
