import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalService } from '../../functions/local/service.js';
import { startDynalite, type TestDynamo } from '../helpers/dynalite.js';
import { send } from '../helpers/http.js';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.close());

describe('the local service with AWS_ENDPOINT_URL_DYNAMODB', () => {
  it('uses that endpoint (creating its tables) instead of an embedded server, and keeps data across restarts', async () => {
    const tables = { config: 'ext-config', stats: 'ext-stats' };
    const first = await startLocalService({ port: 0, endpoint: dynamo.endpoint, tables, quiet: true });
    expect(first.endpoint).toBe(dynamo.endpoint);
    const { TableNames } = await dynamo.client.send(new ListTablesCommand({}));
    expect(TableNames).toEqual(expect.arrayContaining(['ext-config', 'ext-stats']));
    const secret = first.demoPartner.secretKey ?? '';
    await first.close();

    // A second start on the same store seeds nothing again, and the first start's key still works.
    const second = await startLocalService({ port: 0, endpoint: dynamo.endpoint, tables, quiet: true });
    expect(second.demoPartner.secretKey).toBeNull();
    expect(second.demoPartner.id).toBe(first.demoPartner.id);
    const res = await send(second.url, 'POST', '/v1/match', {
      body: { query: 'human trafficking', region: 'US' },
      headers: { 'x-api-key': secret },
    });
    expect(res.body.rulesetVersion).toBe(1);
    expect(res.body.match.campaignId).toBe('cmp_us_national_hotline');
    await second.close();
  });
});
