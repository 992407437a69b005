/**
 * The impression-token signing key (see functions/core/impression-token.ts), from wherever this deployment keeps it:
 * - locally, in the config table (`META` / `TOKEN_KEY`): made once, on the first start, with a conditional put,
 *   so every process sharing the data store signs with the same key, and a restart keeps tokens valid;
 * - on AWS, in an SSM SecureString parameter that the partner entry point reads once per container (never an
 *   environment variable). Its value is one or more secrets of at least 32 characters, separated by commas or
 *   white space; the first signs, the others still verify (rotate by putting the new one first, for a day).
 */
import { randomBytes } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { parseTokenSecret, type TokenKeySource } from '../../core/impression-token.js';
import { isConditionFailed } from './errors.js';
import { statsKeys } from './keys.js';

export type { TokenKeySource };

/** The key kept in the data store (locally): read it, or make it once if no one has. */
export function dynamoTokenKeySource(doc: DynamoDBDocumentClient, configTable: string): TokenKeySource {
  const read = async () => {
    const { Item } = await doc.send(
      new GetCommand({ TableName: configTable, Key: statsKeys.tokenKey, ConsistentRead: true }),
    );
    return typeof Item?.secret === 'string' ? Item.secret : null;
  };
  return async () => {
    const existing = await read();
    if (existing) return parseTokenSecret(existing);
    const secret = randomBytes(32).toString('base64url');
    try {
      await doc.send(
        new PutCommand({
          TableName: configTable,
          Item: { ...statsKeys.tokenKey, entity: 'secret', secret, createdAt: new Date().toISOString() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return parseTokenSecret(secret);
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      // Another process made it first: use theirs.
      const theirs = await read();
      if (!theirs) throw new Error('The token key vanished while it was being made.');
      return parseTokenSecret(theirs);
    }
  };
}
