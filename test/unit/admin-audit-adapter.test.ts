/**
 * The audit write protocol of the DynamoDB adapters, command by command (aws-sdk-client-mock on the document
 * client): the entry travels in the same single-item write as the change, and a failure after that write never
 * loses it. test/integration/audit-faults.test.ts shows the same against a real dynalite.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeJson } from '../../functions/adapters/dynamodb/blob.js';
import { DynamoCampaignRepository } from '../../functions/adapters/dynamodb/campaigns.js';
import { DynamoPartnerRepository } from '../../functions/adapters/dynamodb/partners.js';
import { campaignNote, partnerNote } from '../../functions/core/audit.js';
import { PreconditionFailedError } from '../../functions/core/errors.js';
import { newPartnerKey, newSecretKey } from '../../functions/core/partner-keys.js';
import { aCampaign } from '../helpers/campaigns.js';

const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
);
const mock = mockClient(doc);
afterEach(() => mock.reset());

const isLog = (input: { Item?: Record<string, unknown> }) =>
  String(input.Item?.pk ?? '').startsWith('AUDIT#');
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

function update() {
  const before = aCampaign();
  const after = { ...before, name: 'Renamed' };
  const note = campaignNote(
    { id: 'aud_test1', at: new Date('2026-11-01T00:00:00Z'), actor: 'alice' },
    'campaign.update',
    before,
    after,
  );
  return { repo: new DynamoCampaignRepository(doc, 'config'), after, note };
}

describe('campaign writes', () => {
  it('put the entry in the same item write as the change, then copy it to the log, then clear the mark', async () => {
    const { repo, after, note } = update();
    mock.on(GetCommand).resolves({});
    mock.on(PutCommand).resolves({});
    mock.on(UpdateCommand).resolves({});

    await repo.update(after, 1, 'alice', note);

    const puts = mock.commandCalls(PutCommand).map((call) => call.args[0].input);
    expect(puts).toHaveLength(2);
    expect(puts[0]).toMatchObject({
      Item: {
        pk: 'CAMPAIGN',
        sk: `CAMPAIGN#${after.id}`,
        revision: 2,
        audit: {
          id: 'aud_test1',
          actor: 'alice',
          action: 'campaign.update',
          target: { type: 'campaign', id: after.id, revision: 2 },
        },
        gsi1pk: 'AUDIT#PENDING',
      },
      ConditionExpression: 'revision = :expected AND attribute_not_exists(deleted)',
    });
    expect(puts[1]).toMatchObject({
      Item: { pk: `AUDIT#campaign#${after.id}`, sk: 'REV#0000000002', gsi1pk: 'AUDIT', id: 'aud_test1' },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(mock).toHaveReceivedCommandWith(UpdateCommand, {
      UpdateExpression: 'REMOVE gsi1pk, gsi1sk',
      ConditionExpression: 'revision = :revision',
    });
    // No transaction: the same protocol runs on dynalite, which has none.
    expect(mock).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it.each([
    ['fails', () => new Error('socket hang up')],
    [
      'is throttled',
      () => new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }),
    ],
  ])(
    'succeed when the log write %s afterwards, leaving the entry pending in the item',
    async (_name, fault) => {
      const { repo, after, note } = update();
      mock.on(GetCommand).resolves({});
      mock.on(PutCommand).callsFake((input) => {
        if (isLog(input)) throw fault();
        return {};
      });
      mock.on(UpdateCommand).resolves({});

      await expect(repo.update(after, 1, 'alice', note)).resolves.toMatchObject({ revision: 2 });
      // The mark stays, so the next writer or reader copies the entry.
      expect(mock).toHaveReceivedCommandTimes(UpdateCommand, 0);
    },
  );

  it('copy a pending entry before replacing the item, and write nothing when that copy fails', async () => {
    const { repo, after, note } = update();
    const pending = { ...note, id: 'aud_previous', target: { type: 'campaign', id: after.id, revision: 1 } };
    mock.on(GetCommand).resolves({ Item: { audit: pending, gsi1pk: 'AUDIT#PENDING' } });
    mock.on(PutCommand).callsFake((input) => {
      if (isLog(input)) throw new Error('log unavailable');
      return {};
    });

    await expect(repo.update(after, 1, 'alice', note)).rejects.toThrow('log unavailable');
    const puts = mock.commandCalls(PutCommand).map((call) => call.args[0].input);
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatchObject({
      Item: { pk: `AUDIT#campaign#${after.id}`, sk: 'REV#0000000001', id: 'aud_previous' },
    });
  });

  it('take a failed condition for success when the item already holds this very entry (an SDK retry)', async () => {
    const { repo, after, note } = update();
    mock.on(GetCommand).resolves({ Item: { audit: { id: 'aud_test1' } } });
    mock.on(PutCommand).callsFake((input) => {
      if (!isLog(input)) throw conditionFailed();
      return {};
    });
    mock.on(UpdateCommand).resolves({});
    await expect(repo.update(after, 1, 'alice', note)).resolves.toMatchObject({ revision: 2 });
  });

  it("answer 412 when the condition failed for someone else's change", async () => {
    const { repo, after, note } = update();
    const body = await encodeJson(after);
    mock
      .on(GetCommand)
      .callsFake((input) =>
        input.ProjectionExpression
          ? { Item: { audit: { id: 'aud_someone_else' } } }
          : { Item: { id: after.id, revision: 2, updatedAt: 'x', updatedBy: 'bob', body } },
      );
    mock.on(PutCommand).rejects(conditionFailed());
    await expect(repo.update(after, 1, 'alice', note)).rejects.toBeInstanceOf(PreconditionFailedError);
  });
});

describe('partner writes', () => {
  it('carry the entry, without the key hash, in the partner item', async () => {
    const repo = new DynamoPartnerRepository(doc, 'config');
    mock.on(PutCommand).resolves({});
    mock.on(UpdateCommand).resolves({});
    const secret = newSecretKey();
    const partner = {
      id: 'ptn_test',
      name: 'Search',
      allowedOrigins: [],
      siteKey: 'pk_test1234567890',
      status: 'active' as const,
      keys: [newPartnerKey('key_1', secret, new Date())],
      createdAt: new Date().toISOString(),
      revision: 1,
    };
    await repo.create(
      partner,
      partnerNote({ id: 'aud_p', at: new Date(), actor: 'alice' }, 'partner.create', null, partner),
    );
    const item = mock.commandCalls(PutCommand).find((call) => call.args[0].input.Item?.pk === 'PARTNER')
      ?.args[0].input.Item;
    expect(item).toMatchObject({
      audit: { id: 'aud_p', target: { type: 'partner', id: 'ptn_test', revision: 1 } },
    });
    const entry = JSON.stringify(item?.audit);
    expect(entry).not.toContain(partner.keys[0]?.hash);
    expect(entry).not.toContain(secret);
    expect(entry).toContain(partner.keys[0]?.prefix);
  });
});
