/**
 * Counting end to end through the local service on a real (embedded, on-disk) dynalite: matches and banners
 * count `served`, the widget's beacons and a search partner's server count impressions and actions, and the
 * report shows exactly what happened: replays, forgeries, expired tokens and other partners' tokens not counted.
 * Then the privacy canary: a thousand matches and events carrying a unique string in the query, the
 * X-Forwarded-For, User-Agent and Referer headers, which must appear in no table, no file and no log line.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoTokenKeySource } from '../../functions/adapters/dynamodb/secrets.js';
import { ImpressionTokens } from '../../functions/core/impression-token.js';
import { JsonLogger } from '../../functions/local/logger.js';
import { type LocalService, startLocalService } from '../../functions/local/service.js';
import { send } from '../helpers/http.js';

const ORIGIN = 'https://news.example';
/**
 * This file checks exact counts and privacy, not the flush budget (counters-faults.test.ts does): generous
 * budgets keep a loaded test machine from sending writes to the fallback sink.
 */
const countingOptions = { counters: { budgetMs: 30_000 }, store: { attemptTimeoutMs: 10_000 } };
let service: LocalService;
let dataDir: string;
const logLines: string[] = [];
let partner: { id: string; secretKey: string; siteKey: string };
let other: { id: string; secretKey: string };

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'signpost-events-'));
  service = await startLocalService({
    port: 0,
    dataDir,
    adminToken: 'adm_events_test',
    logger: new JsonLogger('debug', (line) => logLines.push(line)),
    countingOptions,
  });
  const make = async (name: string) => {
    const res = await send(service.url, 'POST', '/admin/v1/partners', {
      headers: admin(),
      body: { name, allowedOrigins: [ORIGIN] },
    });
    expect(res.status).toBe(201);
    return { id: res.body.partner.id, secretKey: res.body.secretKey, siteKey: res.body.partner.siteKey };
  };
  partner = await make('News site');
  other = await make('Another partner');
});
afterAll(async () => {
  await service?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const admin = () => ({ authorization: `Bearer ${service.adminToken}` });
const none = { call: 0, text: 0, link: 0, dismiss: 0, exit: 0 };

async function match(
  query: string,
  locale: string,
  key = partner.secretKey,
  headers: Record<string, string> = {},
) {
  const res = await send(service.url, 'POST', '/v1/match', {
    headers: { 'x-api-key': key, ...headers },
    body: { query, locale, region: 'US-TX' },
  });
  expect(res.status).toBe(200);
  return res.body.match?.impressionToken as string | undefined;
}

async function report(groupBy: string, accept?: string) {
  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  return send(service.url, 'GET', `/admin/v1/reports?from=${today}&to=${tomorrow}&groupBy=${groupBy}`, {
    headers: { ...admin(), ...(accept && { accept }) },
  });
}

describe('counting through the local service', () => {
  it('counts served, impressions and actions exactly, and none of the replays or forgeries', async () => {
    const english: string[] = [];
    for (let i = 0; i < 9; i++) english.push((await match('they took my passport', 'en-US')) ?? '');
    const spanish = [
      (await match('trata de personas', 'es-MX')) ?? '',
      (await match('trata de personas', 'es-MX')) ?? '',
    ];
    expect(await match('weather in austin', 'en-US')).toBeUndefined();
    const banner = await send(service.url, 'POST', '/v1/banner', {
      headers: { 'x-site-key': partner.siteKey, origin: ORIGIN },
      body: { locale: 'en-US', region: 'US' },
    });
    expect(banner.status).toBe(200);
    const bannerToken = banner.body.match.impressionToken as string;
    const theirs = (await match('they took my passport', 'en-US', other.secretKey)) ?? '';
    const [a, b, c, d, e, f] = english as [string, string, string, string, string, string];

    // A token the service's own key signed two days ago: genuine, and expired.
    const doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: service.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      }),
    );
    const keyring = await dynamoTokenKeySource(doc, service.tables.config)();
    doc.destroy();
    const expired = new ImpressionTokens(keyring).issue({
      campaignId: 'cmp_us_national_hotline',
      keywordId: null,
      partnerId: partner.id,
      locale: 'en',
      region: 'US',
      rulesetVersion: 1,
      at: new Date(Date.now() - 2 * 86_400_000),
    }).token;

    // The search partner's server reports with its secret key.
    const server = await send(service.url, 'POST', '/v1/events', {
      headers: { 'x-api-key': partner.secretKey },
      body: {
        events: [
          ...english.map((token) => ({ token, type: 'impression' })),
          { token: a, type: 'impression' },
          { token: a, type: 'action', action: 'call' },
          { token: a, type: 'action', action: 'call' },
          { token: b, type: 'action', action: 'text' },
          { token: c, type: 'action', action: 'link' },
          { token: d, type: 'action', action: 'dismiss' },
          { token: e, type: 'action', action: 'exit' },
          { token: `${f.slice(0, -4)}AAAA`, type: 'impression' },
          { token: theirs, type: 'impression' },
          { token: expired, type: 'impression' },
        ],
      },
    });
    expect(server.status).toBe(202);
    expect(server.body).toEqual({ accepted: 14, rejected: 5 });

    // The widget reports with sendBeacon: text/plain, the site key in the query, from the partner's page.
    const beacon = await send(service.url, `POST`, `/v1/events?siteKey=${partner.siteKey}`, {
      headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN },
      raw: JSON.stringify({
        events: [
          ...spanish.map((token) => ({ token, type: 'impression' })),
          { token: bannerToken, type: 'impression' },
          { token: spanish[0], type: 'action', action: 'call' },
        ],
      }),
    });
    expect(beacon.body).toEqual({ accepted: 4, rejected: 0 });
    const replayed = await send(service.url, 'POST', `/v1/events?siteKey=${partner.siteKey}`, {
      headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN },
      raw: JSON.stringify({
        events: [
          { token: spanish[0], type: 'impression' },
          { token: a, type: 'action', action: 'call' },
        ],
      }),
    });
    expect(replayed.body).toEqual({ accepted: 0, rejected: 2 });

    await service.flush();
    expect(logLines.filter((l) => l.includes('"fallback"'))).toEqual([]);
    const byPartner = await report('partner');
    expect(byPartner.status).toBe(200);
    expect(byPartner.body.rows).toEqual(
      [
        {
          partnerId: partner.id,
          served: 12,
          impressions: 12,
          actions: { call: 2, text: 1, link: 1, dismiss: 1, exit: 1 },
        },
        { partnerId: other.id, served: 1, impressions: 0, actions: none },
      ].sort((x, y) => (x.partnerId < y.partnerId ? -1 : 1)),
    );

    const byLocale = await report('partner,locale,keyword');
    const mine = byLocale.body.rows.filter((r: { partnerId: string }) => r.partnerId === partner.id);
    const bannerRow = mine.find((r: { keywordId: string | null }) => r.keywordId === null);
    expect(bannerRow).toMatchObject({ locale: 'en', served: 1, impressions: 1 });
    const es = mine.filter((r: { locale: string }) => r.locale === 'es');
    expect(es.reduce((n: number, r: { served: number }) => n + r.served, 0)).toBe(2);

    const csv = await report('day,partner', 'text/csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.text).toContain(`,${partner.id},12,12,2,1,1,1,1\r\n`);
  });

  it('keeps counting across a restart: the token key lives in the data store', async () => {
    const token = (await match('they took my passport', 'en-US')) ?? '';
    await service.close();
    service = await startLocalService({
      port: 0,
      dataDir,
      adminToken: 'adm_events_test',
      logger: new JsonLogger('debug', (l) => logLines.push(l)),
      countingOptions,
    });
    const res = await send(service.url, 'POST', '/v1/events', {
      headers: { 'x-api-key': partner.secretKey },
      body: { events: [{ token, type: 'impression' }] },
    });
    expect(res.body).toEqual({ accepted: 1, rejected: 0 });
  });
});

describe('the privacy canary', () => {
  it("finds a thousand matches' and events' query, IP address, user agent and referrer in no table, file or log line", async () => {
    const CANARY = `cnry${Date.now().toString(36)}z`;
    const CANARY_IP = '198.51.100.213';
    const headers = {
      'x-forwarded-for': `${CANARY_IP}, 203.0.113.9`,
      'user-agent': `Mozilla/5.0 (${CANARY})`,
      referer: `https://news.example/search?q=${CANARY}`,
    };
    const queries = [
      `human trafficking ${CANARY}`,
      `${CANARY} they took my passport`,
      `trata de personas ${CANARY}`,
    ];
    const tokens: string[] = [];
    for (let i = 0; i < 1_000; i++) {
      const query = queries[i % queries.length] ?? '';
      const viaSite = i % 2 === 0;
      const res = await send(service.url, 'POST', '/v1/match', {
        headers: viaSite
          ? { ...headers, 'x-site-key': partner.siteKey, origin: ORIGIN }
          : { ...headers, 'x-api-key': partner.secretKey },
        body: { query, locale: i % 3 ? 'en-US' : 'es-US', region: 'US' },
      });
      expect(res.status).toBe(200);
      tokens.push(res.body.match.impressionToken);
    }
    for (let i = 0; i < tokens.length; i += 25) {
      const events = tokens.slice(i, i + 25).flatMap((token, j) => [
        { token, type: 'impression' },
        { token, type: 'action', action: (['call', 'text', 'link', 'dismiss', 'exit'] as const)[j % 5] },
      ]);
      const res = await send(service.url, 'POST', `/v1/events?siteKey=${partner.siteKey}`, {
        headers: { ...headers, 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN },
        raw: JSON.stringify({ events }),
      });
      expect(res.body).toEqual({ accepted: 50, rejected: 0 });
    }
    // A malformed body quoting the canary must not echo into a log either.
    await send(service.url, 'POST', '/v1/events', {
      headers: { ...headers, 'x-api-key': partner.secretKey, 'content-type': 'text/plain' },
      raw: `{"events":[{"token":"${CANARY}"`,
    });
    await service.flush();
    expect(logLines.filter((l) => l.includes('"fallback"'))).toEqual([]);
    const totals = (await report('')).body.totals;
    expect(totals.impressions).toBeGreaterThanOrEqual(1_000);

    const client = new DynamoDBClient({
      endpoint: service.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    for (const table of [service.tables.config, service.tables.stats]) {
      let startKey: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
      do {
        const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }));
        const text = JSON.stringify(page.Items);
        expect(text).not.toContain(CANARY);
        expect(text).not.toContain(CANARY_IP);
        expect(text).not.toContain('Mozilla');
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
    client.destroy();

    await service.close();
    for (const file of walk(dataDir)) {
      const bytes = readFileSync(file).toString('latin1');
      expect(bytes.includes(CANARY), file).toBe(false);
      expect(bytes.includes(CANARY_IP), file).toBe(false);
    }
    const logs = logLines.join('\n');
    expect(logLines.length).toBeGreaterThan(1_000);
    expect(logs).not.toContain(CANARY);
    expect(logs).not.toContain(CANARY_IP);
    expect(logs).not.toContain('Mozilla');
    for (const token of tokens.slice(0, 20)) expect(logs).not.toContain(token);
    service = await startLocalService({ port: 0, dataDir, adminToken: 'adm_events_test', quiet: true });
  }, 120_000);
});

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}
