import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { getRequestListener } from '@hono/node-server';
import dynalite from 'dynalite';
import { buildAdminPage } from '../../admin-ui/build.js';
import { buildWidget } from '../../widget/build.js';
import { isConditionFailed } from '../adapters/dynamodb/errors.js';
import { dynamoRepositories, ensureTables, type TableNames } from '../adapters/dynamodb/index.js';
import { keys } from '../adapters/dynamodb/keys.js';
import { dynamoTokenKeySource } from '../adapters/dynamodb/secrets.js';
import {
  type CountingOptions,
  DynamoCounterReader,
  type DynamoCounting,
  dynamoCounting,
} from '../adapters/dynamodb/stats.js';
import { defaultCampaign } from '../core/default-campaign.js';
import { randomIds, systemClock } from '../core/ids.js';
import { LiveRuleset } from '../core/live-ruleset.js';
import { newPartnerKey, newSecretKey, newSiteKey } from '../core/partner-keys.js';
import type { Impressions, Logger } from '../core/ports.js';
import { createApp } from '../http/app.js';
import type { AppDeps } from '../http/deps.js';
import { partnerSurface } from '../http/partner-app.js';
import type { RateLimits } from '../http/rate-limit.js';
import { newAdminToken, StaticTokenAuthenticator } from './admin-token.js';
import { helpRouteOf, serveHelp } from './help-listener.js';
import { JsonLogger, type LogLevel, MemoryMetrics } from './logger.js';

export interface LocalServiceOptions {
  port?: number;
  host?: string;
  /** Where the embedded dynalite keeps its LevelDB files; null keeps everything in memory (tests). */
  dataDir?: string | null;
  /** Another DynamoDB endpoint: then no embedded server is started. */
  endpoint?: string;
  adminToken?: string;
  tables?: TableNames;
  logLevel?: LogLevel;
  /** Overrides for tests: a logger that captures lines, a fault-injecting client, ... */
  logger?: Logger;
  impressions?: Impressions;
  /** Kept for callers that silence the service; the same as logLevel 'silent'. */
  quiet?: boolean;
  /**
   * Counting served messages, impressions and actions (default true). With false, matches carry an empty
   * impression token and count nothing, and `POST /v1/events` rejects every event: the bench's baseline.
   */
  counting?: boolean;
  /** Tuning for the counters (flush interval and budget, retries): tests shorten them. */
  countingOptions?: Pick<CountingOptions, 'counters' | 'store' | 'marks' | 'eventBudgetMs'>;
  /** Called with the DynamoDB client before first use: tests add fault-injecting middleware here. */
  configureClient?: (client: DynamoDBClient) => void;
  /** Per-key rate limits (defaults: DEFAULT_RATE_LIMITS). */
  rateLimits?: RateLimits;
  /** How long a partner looked up by key is trusted (default 10 s). */
  partnerCacheMs?: number;
  /** Socket and request timeouts for slow or silent clients (defaults: DEFAULT_SERVER_TIMEOUTS). */
  timeouts?: Partial<ServerTimeouts>;
}

/** How long the node server lets one client take; slow or silent clients are cut off, never held open. */
export interface ServerTimeouts {
  /** The whole request head must arrive within this (Node answers 408 and closes the socket). */
  headersMs: number;
  /** The whole request, body included, must arrive within this. */
  requestMs: number;
  /** An idle keep-alive socket is closed after this. */
  keepAliveMs: number;
  /** How often Node looks for sockets past those limits (its default, 30 s, makes them 30 s late). */
  checkIntervalMs: number;
  /** On close, how long in-flight requests may take to finish before their sockets are cut. */
  drainMs: number;
}

export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = {
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 5_000,
  checkIntervalMs: 1_000,
  drainMs: 10_000,
};

export interface LocalService {
  url: string;
  adminToken: string;
  /** The seeded demo partner. `secretKey` is only known on the start that created it. */
  demoPartner: { id: string; siteKey: string; secretKey: string | null };
  deps: AppDeps;
  /** Metrics counted in memory (fallbacks, bundled default served, ...). */
  metrics: MemoryMetrics;
  tables: TableNames;
  endpoint: string;
  /** The counters, when counting is on. */
  counting: DynamoCounting | null;
  /** Writes out the counters buffered in memory now (close does it too). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_TABLES: TableNames = { config: 'signpost-config', stats: 'signpost-stats' };

/**
 * The whole service on one machine: the embedded dynalite (or another endpoint), tables created, the default
 * campaign seeded and published on first start, and the one Hono app on node:http (the help routes directly,
 * through the same HelpEndpoint: functions/local/help-listener.ts).
 */
export async function startLocalService(options: LocalServiceOptions = {}): Promise<LocalService> {
  const logger = options.logger ?? new JsonLogger(options.quiet ? 'silent' : (options.logLevel ?? 'info'));
  const metrics = new MemoryMetrics();
  const tables = options.tables ?? DEFAULT_TABLES;

  let endpoint = options.endpoint;
  let embedded: ReturnType<typeof dynalite> | undefined;
  if (!endpoint) {
    const dataDir = options.dataDir === undefined ? '.data' : options.dataDir;
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    embedded = dynalite({
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
      ...(dataDir && { path: join(dataDir, 'dynamodb') }),
    });
    await new Promise<void>((resolve) => embedded?.listen(0, '127.0.0.1', () => resolve()));
    endpoint = `http://127.0.0.1:${(embedded.address() as AddressInfo).port}`;
  }

  const client = new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    maxAttempts: 3,
    ...(embedded || !process.env.AWS_ACCESS_KEY_ID
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  options.configureClient?.(client);
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  await ensureTables(client, tables);

  const repos = dynamoRepositories(doc, tables);
  const adminToken = options.adminToken ?? newAdminToken();
  const live = new LiveRuleset(repos.rulesets, { ttlMs: 2_000, coldBudgetMs: 1_000, logger, metrics });
  const seeded = await seedOnce(doc, tables, repos);
  const counting =
    options.counting === false
      ? null
      : dynamoCounting(doc, tables, {
          logger,
          metrics,
          clock: systemClock,
          keyring: await dynamoTokenKeySource(doc, tables.config)(),
          ...options.countingOptions,
        });

  const deps: AppDeps = {
    ...repos,
    live,
    impressions: options.impressions ?? counting?.impressions ?? { served: () => '' },
    events: counting?.events ?? {
      record: async (_partnerId, events) => ({ accepted: 0, rejected: events.length }),
    },
    reports: counting?.reports ?? new DynamoCounterReader(doc, tables.stats),
    clock: systemClock,
    ids: randomIds,
    logger,
    metrics,
    adminAuth: new StaticTokenAuthenticator(adminToken),
    widget: { asset: await buildWidget() },
    adminPage: { asset: await buildAdminPage() },
    ...(options.rateLimits && { rateLimits: options.rateLimits }),
    ...(options.partnerCacheMs !== undefined && { partnerCacheMs: options.partnerCacheMs }),
  };

  const partner = partnerSurface(deps);
  const app = createApp(deps, partner);
  const timeouts = { ...DEFAULT_SERVER_TIMEOUTS, ...options.timeouts };
  let closing = false;
  // Once closing, every answer (in flight ones included) tells its client to hang up, so keep-alive sockets
  // drain instead of sending one more request into a closing server.
  const honoListener = getRequestListener((request, env) => {
    const response = app.fetch(request, env);
    if (response instanceof Promise) return response.then((r) => (closing ? hangUp(r) : r));
    return closing ? hangUp(response) : response;
  });
  const help = serveHelp(partner.help, logger, () => closing);
  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
    },
    (req, res) => {
      // The searches go straight to the help routes; everything else is the Hono app.
      const target = helpRouteOf(req);
      if (target) help(req, res, target);
      else void honoListener(req, res);
    },
  );
  server.listen(options.port ?? 3000, options.host ?? '127.0.0.1');
  server.keepAliveTimeout = timeouts.keepAliveMs;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${address.port}`;

  const demoPartner = await ensureDemoPartner(doc, tables, repos, address.port, seeded);
  if (deps.widget) deps.widget.demoSiteKey = demoPartner.siteKey;
  await live.refresh();

  return {
    url,
    adminToken,
    demoPartner,
    deps,
    metrics,
    tables,
    endpoint,
    counting,
    flush: async () => {
      await counting?.flush();
    },
    close: async () => {
      if (closing) return;
      closing = true;
      // No request can add to the counters once the server has drained; then they are written out.
      await drain(server, timeouts.drainMs);
      await counting?.close();
      client.destroy();
      if (embedded) await new Promise<void>((resolve) => embedded?.close(() => resolve()));
    },
  };
}

/** The same answer with `Connection: close`. */
function hangUp(response: Response): Response {
  const headers = new Headers(response.headers);
  headers.set('Connection', 'close');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * Stops accepting connections, lets in-flight requests finish (idle keep-alive sockets are closed at once and
 * again as each one goes idle), and cuts whatever is still open after `drainMs`.
 */
async function drain(server: Server, drainMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const sweep = setInterval(() => server.closeIdleConnections(), 25);
  const deadline = new Promise<'late'>((resolve) => setTimeout(resolve, drainMs, 'late').unref());
  try {
    if ((await Promise.race([closed, deadline])) === 'late') {
      server.closeAllConnections();
      await closed;
    }
  } finally {
    clearInterval(sweep);
  }
}

/** Seeds the default campaign and publishes it, once per data store (a conditional marker item). */
async function seedOnce(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  repos: ReturnType<typeof dynamoRepositories>,
) {
  try {
    await doc.send(
      new PutCommand({
        TableName: tables.config,
        Item: { ...keys.meta('SEEDED'), entity: 'meta', at: new Date().toISOString() },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
  const campaign = defaultCampaign();
  await repos.campaigns.create(campaign, 'seed');
  await repos.rulesets.publish({
    publishedAt: new Date().toISOString(),
    publishedBy: 'seed',
    campaigns: [campaign],
  });
  return true;
}

/** A partner for trying the service at once: its site key serves the widget demo on this server's own origins. */
async function ensureDemoPartner(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  repos: ReturnType<typeof dynamoRepositories>,
  port: number,
  seeded: boolean,
): Promise<LocalService['demoPartner']> {
  const origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  const { Item } = await doc.send(
    new GetCommand({ TableName: tables.config, Key: keys.meta('DEMO_PARTNER') }),
  );
  const existing = typeof Item?.partnerId === 'string' ? await repos.partners.get(Item.partnerId) : null;
  if (existing) {
    const allowedOrigins = [...new Set([...existing.allowedOrigins, ...origins])];
    const partner =
      allowedOrigins.length === existing.allowedOrigins.length
        ? existing
        : await repos.partners.update({ ...existing, allowedOrigins }, existing.revision);
    return { id: partner.id, siteKey: partner.siteKey, secretKey: null };
  }
  const now = new Date();
  const secretKey = newSecretKey();
  const partner = await repos.partners.create({
    id: randomIds.next('ptn'),
    name: seeded ? 'Local demo' : 'Local demo (recreated)',
    allowedOrigins: origins,
    siteKey: newSiteKey(),
    status: 'active',
    keys: [newPartnerKey(randomIds.next('key'), secretKey, now)],
    createdAt: now.toISOString(),
    revision: 1,
  });
  await doc.send(
    new PutCommand({
      TableName: tables.config,
      Item: { ...keys.meta('DEMO_PARTNER'), entity: 'meta', partnerId: partner.id },
    }),
  );
  return { id: partner.id, siteKey: partner.siteKey, secretKey };
}
