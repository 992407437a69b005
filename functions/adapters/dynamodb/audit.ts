import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  AUDIT_ACTIONS,
  AUDIT_TARGET_TYPES,
  type AuditChanges,
  type AuditEntry,
  type AuditTarget,
} from '../../core/audit.js';
import { ValidationError } from '../../core/errors.js';
import type { AuditLog, AuditPage, AuditQuery } from '../../core/ports.js';
import { isConditionFailed } from './errors.js';
import { keys } from './keys.js';

/**
 * The audit log on the config table, and the write protocol that keeps it complete without transactions.
 *
 * A campaign or partner write puts its audit entry in the changed item itself (attribute `audit`), in the same
 * single-item conditional write as the change, and marks the item pending (it joins the sparse index gsi1 under
 * `AUDIT#PENDING`). Then it copies the entry to its log item and clears the mark. A crash or a failed write between
 * the two leaves the entry safe in the item, still marked; it reaches the log when:
 * - the next write of the same item copies it before replacing the item (`flushPending`; if that copy fails, the
 *   write does not go ahead), or
 * - the next reader of the log finds the item in the pending index (`DynamoAuditLog.repair`).
 * Log items are keyed by target and revision, and copies are conditional puts, so a copy made twice is stored once.
 * A delete leaves a tombstone carrying its entry; the tombstone goes once the entry is copied.
 *
 * On AWS a TransactWriteItems could write the change and the log item together; this protocol gives the same
 * guarantee on dynalite (which has none) and on DynamoDB alike, with one code path.
 */

type Key = { pk: string; sk: string };
type Item = Record<string, unknown>;

/** The attributes that put an entry inside the changed item and mark it pending. */
export function pendingAttributes(entry: AuditEntry, key: Key): Item {
  return { audit: entry, ...keys.auditPending(entry.at, key.pk, key.sk) };
}

function logItem(entry: AuditEntry): Item {
  const { type, id, revision } = entry.target;
  return {
    ...keys.auditEntry(type, id, revision),
    ...keys.auditByTime(entry.at, type, id, revision),
    entity: 'audit',
    ...entry,
  };
}

/** Copies an entry to its log item. A second copy of the same target revision changes nothing. */
export async function copyToLog(
  doc: DynamoDBDocumentClient,
  table: string,
  entry: AuditEntry,
): Promise<void> {
  try {
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: logItem(entry),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
}

/**
 * Before an item is replaced: copies the entry it still holds pending, so replacing it cannot lose it. Throws when
 * the copy fails, and then the write must not go ahead.
 */
export async function flushPending(doc: DynamoDBDocumentClient, table: string, key: Key): Promise<void> {
  const { Item } = await doc.send(
    new GetCommand({
      TableName: table,
      Key: key,
      ConsistentRead: true,
      ProjectionExpression: '#audit, gsi1pk',
      ExpressionAttributeNames: { '#audit': 'audit' },
    }),
  );
  if (Item?.gsi1pk === keys.auditPendingPk && Item.audit !== undefined)
    await copyToLog(doc, table, toAuditEntry(Item.audit));
}

/**
 * Whether the item holds this entry: the entry id doubles as the write's token. A conditional write that the SDK
 * retried after a timeout fails its condition against its own first attempt; this tells that case apart.
 */
export async function landed(
  doc: DynamoDBDocumentClient,
  table: string,
  key: Key,
  entry: AuditEntry,
): Promise<boolean> {
  const { Item } = await doc.send(
    new GetCommand({
      TableName: table,
      Key: key,
      ConsistentRead: true,
      ProjectionExpression: '#audit.#id',
      ExpressionAttributeNames: { '#audit': 'audit', '#id': 'id' },
    }),
  );
  const stored = Item?.audit;
  return typeof stored === 'object' && stored !== null && (stored as Item).id === entry.id;
}

/**
 * After a write: copies its entry to the log and clears the mark (or removes the tombstone of a delete). Best
 * effort by design: the change is saved and its entry with it; if this fails, the entry stays pending in the item
 * and the next writer or reader copies it. The conditions make sure a newer write's mark is never cleared.
 */
export async function settle(
  doc: DynamoDBDocumentClient,
  table: string,
  key: Key,
  entry: AuditEntry,
  tombstone: boolean,
): Promise<boolean> {
  try {
    await copyToLog(doc, table, entry);
    const values = { ':revision': entry.target.revision };
    if (tombstone) {
      await doc.send(
        new DeleteCommand({
          TableName: table,
          Key: key,
          ConditionExpression: 'revision = :revision AND deleted = :yes',
          ExpressionAttributeValues: { ...values, ':yes': true },
        }),
      );
    } else {
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'REMOVE gsi1pk, gsi1sk',
          ConditionExpression: 'revision = :revision',
          ExpressionAttributeValues: values,
        }),
      );
    }
    return true;
  } catch {
    // Left pending on purpose: see above. A newer write (condition failed) settles its own entry.
    return false;
  }
}

export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await copyToLog(this.doc, this.table, entry);
  }

  async get(target: AuditTarget, revision: number): Promise<AuditEntry | null> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.auditEntry(target.type, target.id, revision),
        ConsistentRead: true,
      }),
    );
    return Item ? toAuditEntry(Item) : null;
  }

  /** Copies every entry still pending in a changed item to the log. Answers how many it found. */
  async repair(): Promise<number> {
    let found = 0;
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.table,
        IndexName: keys.auditIndex,
        KeyConditionExpression: 'gsi1pk = :pending',
        ExpressionAttributeValues: { ':pending': keys.auditPendingPk },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        if (typeof item.pk !== 'string' || typeof item.sk !== 'string' || item.audit === undefined) continue;
        found++;
        const entry = toAuditEntry(item.audit);
        await copyToLog(this.doc, this.table, entry);
        await settle(this.doc, this.table, { pk: item.pk, sk: item.sk }, entry, item.deleted === true);
      }
    }
    return found;
  }

  async list(query: AuditQuery): Promise<AuditPage> {
    // The first page first brings the log up to date; later pages continue from where it stood.
    if (!query.cursor) await this.repair();
    const byTarget = query.target !== undefined;
    const start = query.cursor ? decodeCursor(query.cursor, query.target) : undefined;
    const input: QueryCommandInput = byTarget ? this.targetQuery(query) : this.timelineQuery(query);
    const entries: AuditEntry[] = [];
    let last: Item | undefined;
    let more = false;
    let startKey: Item | undefined = start;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          ...input,
          ScanIndexForward: false,
          Limit: query.limit + 1,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (entries.length === query.limit) {
          more = true;
          break;
        }
        entries.push(toAuditEntry(item));
        last = item;
      }
      startKey = page.LastEvaluatedKey;
      if (entries.length === query.limit && startKey) more = true;
    } while (startKey && !more);
    return { entries, next: more && last ? encodeCursor(last, byTarget) : null };
  }

  private targetQuery(query: AuditQuery): QueryCommandInput {
    const target = query.target as AuditTarget;
    const conditions: string[] = [];
    const values: Item = { ':pk': keys.auditTarget(target.type, target.id) };
    if (query.from) {
      conditions.push('#at >= :from');
      values[':from'] = query.from;
    }
    if (query.to) {
      conditions.push('#at < :to');
      values[':to'] = query.to;
    }
    return {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ...(conditions.length > 0 && {
        FilterExpression: conditions.join(' AND '),
        ExpressionAttributeNames: { '#at': 'at' },
      }),
      ExpressionAttributeValues: values,
      ConsistentRead: true,
    };
  }

  private timelineQuery(query: AuditQuery): QueryCommandInput {
    // One index partition for every entry: admin changes are a handful a minute, far below a partition's limits.
    const values: Item = { ':pk': keys.auditTimeline };
    let range = '';
    if (query.from && query.to) {
      range = ' AND gsi1sk BETWEEN :from AND :to';
      values[':from'] = query.from;
      values[':to'] = query.to;
    } else if (query.from) {
      range = ' AND gsi1sk >= :from';
      values[':from'] = query.from;
    } else if (query.to) {
      range = ' AND gsi1sk < :to';
      values[':to'] = query.to;
    }
    // Sort keys start with the time, so `<at>#...` < `to` exactly when at < to: `to` stays exclusive.
    return {
      TableName: this.table,
      IndexName: keys.auditIndex,
      KeyConditionExpression: `gsi1pk = :pk${range}`,
      ExpressionAttributeValues: values,
    };
  }
}

function encodeCursor(item: Item, byTarget: boolean): string {
  const key = byTarget
    ? { pk: item.pk, sk: item.sk }
    : { pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk };
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, target: AuditTarget | undefined): Item {
  const refuse = () =>
    new ValidationError(
      'The cursor is not one this listing gave (or the filters changed); start again without it.',
    );
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw refuse();
  const k = key as Item;
  const str = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length < 1024;
  if (!str(k.pk) || !str(k.sk) || !String(k.sk).startsWith('REV#')) throw refuse();
  if (target) {
    if (k.pk !== keys.auditTarget(target.type, target.id) || Object.keys(k).length !== 2) throw refuse();
    return { pk: k.pk, sk: k.sk };
  }
  if (!String(k.pk).startsWith('AUDIT#') || k.gsi1pk !== keys.auditTimeline || !str(k.gsi1sk)) throw refuse();
  return { pk: k.pk, sk: k.sk, gsi1pk: k.gsi1pk, gsi1sk: k.gsi1sk };
}

/** A stored entry back into the domain shape, checked field by field. */
export function toAuditEntry(value: unknown): AuditEntry {
  if (typeof value !== 'object' || value === null) throw new Error('Stored audit entry is not an object.');
  const o = value as Item;
  const target = typeof o.target === 'object' && o.target !== null ? (o.target as Item) : {};
  const action = AUDIT_ACTIONS.find((a) => a === o.action);
  const type = AUDIT_TARGET_TYPES.find((t) => t === target.type);
  if (
    typeof o.id !== 'string' ||
    typeof o.at !== 'string' ||
    typeof o.actor !== 'string' ||
    !action ||
    !type ||
    typeof target.id !== 'string' ||
    typeof target.revision !== 'number'
  ) {
    throw new Error('Stored audit entry is malformed.');
  }
  const changes =
    typeof o.changes === 'object' && o.changes !== null
      ? (o.changes as AuditChanges)
      : { truncated: true as const };
  return {
    id: o.id,
    at: o.at,
    actor: o.actor,
    action,
    target: { type, id: target.id, revision: target.revision },
    summary: typeof o.summary === 'string' ? o.summary : '',
    changes,
  };
}
