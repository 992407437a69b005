import { randomUUID } from 'node:crypto';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.js';

// The bodies' encoding lives in gzip-json.ts (no AWS SDK there); re-exported for the repositories that import it here.
export { decodeJson, encodeJson } from './gzip-json.js';

/**
 * Large documents (a campaign with 100,000 keywords, a published ruleset) do not fit in one 400 KB item.
 * They are stored as gzip-compressed JSON: inline in their head item when small, else split into chunk items
 * under a fresh blob id that the head item points to. Chunks are written before the head, so a head never
 * points to a missing chunk; a head write that loses a race leaves orphan chunks that the writer deletes.
 */
export const INLINE_LIMIT = 300_000;
export const CHUNK_SIZE = 350_000;

export type BlobRef = { body: Uint8Array } | { blobId: string; chunks: number };

/** Writes the chunks of a large body (nothing for a small one) and answers what the head item should hold. */
export async function writeBlob(
  doc: DynamoDBDocumentClient,
  table: string,
  blobPk: (blobId: string) => string,
  body: Buffer,
): Promise<BlobRef> {
  if (body.length <= INLINE_LIMIT) return { body };
  const blobId = randomUUID();
  const parts: Buffer[] = [];
  for (let offset = 0; offset < body.length; offset += CHUNK_SIZE)
    parts.push(body.subarray(offset, offset + CHUNK_SIZE));
  await Promise.all(
    parts.map((part, index) =>
      doc.send(
        new PutCommand({
          TableName: table,
          Item: { pk: blobPk(blobId), sk: keys.chunk(index), entity: 'chunk', body: part },
        }),
      ),
    ),
  );
  return { blobId, chunks: parts.length };
}

/** Reads a body back from a head item (inline) or its chunks. */
export async function readBlob(
  doc: DynamoDBDocumentClient,
  table: string,
  blobPk: (blobId: string) => string,
  head: Record<string, unknown>,
): Promise<Buffer> {
  if (head.body instanceof Uint8Array) return Buffer.from(head.body);
  const blobId = head.blobId;
  const expected = head.chunks;
  if (typeof blobId !== 'string' || typeof expected !== 'number') throw new Error('Stored item has no body.');
  const parts: Buffer[] = [];
  const pages = paginateQuery(
    { client: doc },
    {
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': blobPk(blobId) },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      if (item.body instanceof Uint8Array) parts.push(Buffer.from(item.body));
    }
  }
  if (parts.length !== expected) throw new Error(`Stored body has ${parts.length} of ${expected} chunks.`);
  return Buffer.concat(parts);
}

/** Deletes the chunks of a blob that is no longer (or never became) referenced. Best effort. */
export async function deleteBlob(
  doc: DynamoDBDocumentClient,
  table: string,
  blobPk: (blobId: string) => string,
  ref: BlobRef | Record<string, unknown>,
): Promise<void> {
  if (!('blobId' in ref) || typeof ref.blobId !== 'string' || typeof ref.chunks !== 'number') return;
  const blobId = ref.blobId;
  await Promise.allSettled(
    Array.from({ length: ref.chunks }, (_, index) =>
      doc.send(new DeleteCommand({ TableName: table, Key: { pk: blobPk(blobId), sk: keys.chunk(index) } })),
    ),
  );
}

export function blobAttributes(ref: BlobRef): Record<string, unknown> {
  return 'body' in ref ? { body: ref.body } : { blobId: ref.blobId, chunks: ref.chunks };
}
