/**
 * The whole app over a real dynalite (fresh tables per call), with a fault injector on the DynamoDB client:
 * what the admin and audit integration tests share.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoRepositories, type TableNames } from '../../functions/adapters/dynamodb/index.js';
import { keys } from '../../functions/adapters/dynamodb/keys.js';
import { randomIds } from '../../functions/core/ids.js';
import { LiveRuleset } from '../../functions/core/live-ruleset.js';
import { createApp } from '../../functions/http/app.js';
import type { AppDeps } from '../../functions/http/deps.js';
import { StaticTokenAuthenticator } from '../../functions/local/admin-token.js';
import { MemoryMetrics } from '../../functions/local/logger.js';
import type { TestDynamo } from '../helpers/dynalite.js';
import { send } from '../helpers/http.js';

export const ADMIN_TOKEN = 'adm_integration';
export const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** A request the injector may fail: the command's name and the key (`pk`) of the item it writes or reads. */
export interface Call {
  command: string;
  pk: string;
  entity: string;
}

export interface Faults {
  /** When it answers true the call fails with an `InjectedFault` before reaching dynalite. */
  fail: ((call: Call) => boolean) | null;
  /** How many calls were failed. */
  failed: number;
}

type Attr = string | { S?: string } | undefined;
const text = (value: Attr): string => (typeof value === 'string' ? value : (value?.S ?? ''));

export async function appOnDynalite(dynamo: TestDynamo, overrides: Partial<AppDeps> = {}) {
  const tables: TableNames = await dynamo.newTables();
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    // As in production: the SDK retries (injected faults are not retryable and happen before the retry step).
    maxAttempts: 3,
  });
  const faults: Faults = { fail: null, failed: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Item?: Record<string, Attr>; Key?: Record<string, Attr> };
      const call: Call = {
        command: String(context.commandName ?? ''),
        pk: text(input.Item?.pk ?? input.Key?.pk),
        entity: text(input.Item?.entity),
      };
      if (faults.fail?.(call)) {
        faults.failed++;
        throw Object.assign(new Error('injected fault'), { name: 'InjectedFault' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectFaults', priority: 'high' },
  );
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const repos = dynamoRepositories(doc, tables);
  const logLines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    logLines.push(JSON.stringify({ level, message, ...fields }));
  const deps: AppDeps = {
    ...repos,
    live: new LiveRuleset(repos.rulesets, { ttlMs: 60_000, coldBudgetMs: 2_000 }),
    impressions: { served: () => 'tok' },
    clock: { now: () => new Date() },
    ids: randomIds,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    metrics: new MemoryMetrics(),
    adminAuth: new StaticTokenAuthenticator(ADMIN_TOKEN),
    partnerCacheMs: 0,
    ...overrides,
  };
  const app = createApp(deps);
  const call = (
    method: string,
    path: string,
    options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ) => send(app, method, path, { ...options, headers: { ...admin, ...options.headers } });

  /** Items whose audit entry is not yet in the log (the sparse pending index). */
  const pending = async () =>
    (
      await doc.send(
        new QueryCommand({
          TableName: tables.config,
          IndexName: keys.auditIndex,
          KeyConditionExpression: 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': keys.auditPendingPk },
        }),
      )
    ).Items ?? [];

  return {
    app,
    deps,
    repos,
    doc,
    tables,
    faults,
    logLines,
    call,
    pending,
    close: () => client.destroy(),
  };
}

/** A campaign body for POST /admin/v1/campaigns. */
export function campaignBody(
  name: string,
  keywords: Array<{ text: string; match: string }>,
  extra: Record<string, unknown> = {},
) {
  return {
    name,
    keywords,
    messages: {
      en: {
        title: 'Help is available',
        body: 'Call any time.',
        actions: [{ type: 'call', label: 'Call', href: 'tel:+18883737888' }],
      },
    },
    defaultLocale: 'en',
    ...extra,
  };
}
