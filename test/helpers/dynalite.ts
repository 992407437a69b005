import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { ensureTables, type TableNames } from '../../functions/adapters/dynamodb/index.js';

export interface TestDynamo {
  endpoint: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** Fresh, uniquely named tables: call once per test that needs a clean slate. */
  newTables(): Promise<TableNames>;
  close(): Promise<void>;
}

/** A real dynalite, in memory, on a random loopback port: what the adapters talk to in tests. */
export async function startDynalite(): Promise<TestDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    endpoint,
    client,
    doc,
    async newTables() {
      const id = randomUUID().slice(0, 8);
      const tables = { config: `config-${id}`, stats: `stats-${id}` };
      await ensureTables(client, tables);
      return tables;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
