/**
 * Lambda entry point of the admin API (/admin/v1/*, behind the Cognito JWT authorizer), the admin page
 * (/admin) and the OpenAPI document. A separate function from the partner API, so a flood of searches cannot
 * starve admins and none of this code ships in the hot function's bundle.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDocumentClient } from '../adapters/dynamodb/client.js';
import { dynamoRepositories } from '../adapters/dynamodb/index.js';
import { DynamoCounterReader } from '../adapters/dynamodb/stats.js';
import { randomIds, systemClock } from '../core/ids.js';
import { LiveRuleset } from '../core/live-ruleset.js';
import { type AdminAsset, type AdminManifest, adminAssetFromManifest } from '../http/admin-page.js';
import { createAdminApp } from '../http/app.js';
import { widgetAsset } from '../http/widget.js';
import { CognitoJwtAuthenticator } from './cognito-authenticator.js';
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
const issuer = requireEnv('ADMIN_JWT_ISSUER');
const clientId = requireEnv('ADMIN_JWT_AUDIENCE');
const scope = requireEnv('ADMIN_JWT_SCOPE');
const authUrl = requireEnv('ADMIN_AUTH_URL');
/** Behind CloudFront the request's Host is API Gateway's own; redirects must name the public address. */
const publicBaseUrl = requireEnv('PUBLIC_BASE_URL');
/** Read once per container through the Parameters and Secrets extension; see lambdaHandler. */
const originSecret = await loadOriginSecret();

/** The admin page's files, copied next to this bundle by the infra (bundledFiles), with their manifest. */
function loadAdminAsset(): AdminAsset {
  const dir = assetPath('admin/', import.meta.url);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as AdminManifest;
  return adminAssetFromManifest(manifest, (name) => readFileSync(join(dir, name), 'utf8'));
}

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
  adminAuth: new CognitoJwtAuthenticator({ issuer, clientId }),
  reports: new DynamoCounterReader(doc, tables.stats),
  adminPage: {
    asset: loadAdminAsset(),
    auth: {
      mode: 'cognito',
      authority: issuer,
      clientId,
      domain: authUrl,
      redirectUri: `${publicBaseUrl}/admin`,
      scope: `openid email ${scope}`,
    },
  },
  // The admin function serves no match and no widget; these only let the OpenAPI document, generated from the
  // whole app, describe the partner routes too.
  impressions: { served: () => '' },
  widget: { asset: widgetAsset('') },
  clock: systemClock,
  ids: randomIds,
  logger: appLogger,
  metrics: appMetrics,
});

export const handler = lambdaHandler(app, { originSecret });
