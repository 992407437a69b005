/**
 * Stored bodies (a campaign, a published ruleset) are gzip-compressed JSON: blob.ts keeps the bytes in items, this
 * module makes and reads them, without the AWS SDK (so that a benchmark can decode exactly as the adapter does).
 *
 * Reading a large body is a large part of a cold start, and in a fresh process most of its cost is memory touched
 * for the first time (on the machines measured, a page fault per 4 KB cost more than the work done in the page).
 * Two choices keep that memory small:
 * - the JSON is written in ASCII, every other character escaped (`\u00e9`), so that the text read back is a
 *   one-byte string, half the memory of the two-byte string one Cyrillic or Chinese keyword would otherwise make
 *   of the whole body; bodies written before are read the same way;
 * - the body is unzipped into a single buffer of the size gzip records in its last four bytes, instead of 16 KB
 *   pieces joined at the end (which also took hundreds of round trips through the thread pool).
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

const NON_ASCII = /[\u0080-\uffff]/g;
const escapeChar = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Bounds for the unzip's output buffer: zlib's smallest chunk, and a size no stored body comes near. */
const MIN_CHUNK = 64 * 1024;
const MAX_CHUNK = 64 * 1024 * 1024;

export async function encodeJson(value: unknown): Promise<Buffer> {
  return gzipAsync(Buffer.from(JSON.stringify(value).replace(NON_ASCII, escapeChar), 'utf8'));
}

export async function decodeJson(body: Uint8Array): Promise<unknown> {
  return parseJson(await unzip(body));
}

/** The first step of decodeJson: the JSON's bytes. */
export function unzip(body: Uint8Array): Promise<Buffer> {
  // gzip's trailer ends with the uncompressed size (modulo 2^32): a hint only, the output is right whatever it says.
  const size =
    body.length >= 4
      ? Buffer.from(body.buffer, body.byteOffset, body.length).readUInt32LE(body.length - 4)
      : 0;
  return gunzipAsync(body, { chunkSize: Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, size)) });
}

/** The second step of decodeJson. */
export function parseJson(json: Buffer): unknown {
  return JSON.parse(json.toString('utf8'));
}
