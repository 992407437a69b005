import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonLogger } from '../../functions/local/logger.js';
import { type LocalService, startLocalService } from '../../functions/local/service.js';
import { send } from '../helpers/http.js';

const CANARY = `canary${Date.now().toString(36)}q`;
const CANARY_IP = '203.0.113.77';

let service: LocalService;
let dataDir: string;
const logLines: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'signpost-local-'));
  service = await startLocalService({
    port: 0,
    dataDir,
    adminToken: 'adm_local_test',
    logger: new JsonLogger('debug', (line) => logLines.push(line)),
  });
});
afterAll(async () => {
  await service?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const admin = () => ({ authorization: `Bearer ${service.adminToken}` });

describe('the local service (embedded dynalite on disk)', () => {
  it('seeds and publishes the national hotline on first start, and answers a search partner', async () => {
    expect((await send(service.url, 'GET', '/healthz')).body).toEqual({ status: 'ok', rulesetVersion: 1 });
    const secret = service.demoPartner.secretKey;
    expect(secret).toMatch(/^sk_/);
    const res = await send(service.url, 'POST', '/v1/match', {
      body: { query: "I can't leave my job, they took my passport", locale: 'en-US', region: 'US-TX' },
      headers: { 'x-api-key': secret ?? '' },
    });
    expect(res.status).toBe(200);
    expect(res.body.match.message.actions.map((a: { href: string }) => a.href)).toEqual([
      'tel:+18883737888',
      'sms:233733?&body=HELP',
      'https://humantraffickinghotline.org/',
    ]);
    const spanish = await send(service.url, 'POST', '/v1/match', {
      body: { query: 'víctima de trata de personas', locale: 'es-US', region: 'US' },
      headers: { 'x-api-key': secret ?? '' },
    });
    expect(spanish.body.match.message.locale).toBe('es');
  });

  it('makes a newly published version live for matches at once', async () => {
    const created = await send(service.url, 'POST', '/admin/v1/campaigns', {
      headers: admin(),
      body: {
        name: 'Seasonal workers',
        priority: 50,
        regions: ['US-CA'],
        keywords: [{ text: 'farm work no pay', match: 'broad' }],
        messages: { en: { title: 'Farm workers have rights', body: '', actions: [] } },
        defaultLocale: 'en',
      },
    });
    expect(created.status).toBe(201);
    const matchIt = () =>
      send(service.url, 'POST', '/v1/match', {
        body: { query: 'no pay for farm work', region: 'US-CA' },
        headers: { 'x-api-key': service.demoPartner.secretKey ?? '' },
      });
    expect((await matchIt()).body.match).toBeNull();
    const published = await send(service.url, 'POST', '/admin/v1/publish', { headers: admin() });
    expect(published.body.version).toBe(2);
    const after = await matchIt();
    expect(after.body.match.campaignId).toBe(created.body.id);
    expect(after.body.rulesetVersion).toBe(2);
  });

  it('never stores or logs the query text or the caller IP address', async () => {
    const headers = {
      'x-api-key': service.demoPartner.secretKey ?? '',
      'x-forwarded-for': CANARY_IP,
      'user-agent': `UA ${CANARY}`,
    };
    for (const query of [`${CANARY} human trafficking`, `forced to work ${CANARY}`, CANARY]) {
      const res = await send(service.url, 'POST', '/v1/match', { body: { query, region: 'US' }, headers });
      const token = res.body?.match?.impressionToken;
      if (token) {
        const events = [
          { token, type: 'impression' },
          { token, type: 'action', action: 'call' },
        ];
        await send(service.url, 'POST', '/v1/events', { body: { events }, headers });
      }
    }
    await service.flush();
    await send(service.url, 'POST', '/v1/match', { body: { query: CANARY, locale: `${CANARY}!` }, headers });
    await send(service.url, 'POST', '/v1/match', {
      raw: `{"query":"${CANARY}`,
      headers: { ...headers, 'content-type': 'application/json' },
    });
    await send(service.url, 'GET', `/nope?q=${CANARY}`, { headers });

    const client = new DynamoDBClient({
      endpoint: service.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    for (const table of [service.tables.config, service.tables.stats]) {
      const { Items } = await client.send(new ScanCommand({ TableName: table }));
      const text = JSON.stringify(Items);
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain(CANARY_IP);
    }
    client.destroy();

    for (const file of walk(dataDir)) {
      const bytes = readFileSync(file).toString('latin1');
      expect(bytes.includes(CANARY), file).toBe(false);
      expect(bytes.includes(CANARY_IP), file).toBe(false);
    }
    expect(logLines.length).toBeGreaterThan(0);
    const logs = logLines.join('\n');
    expect(logs).not.toContain(CANARY);
    expect(logs).not.toContain(CANARY_IP);
  });
});

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}
