/**
 * A string -> non-negative integer hash table for the matcher's vocabulary.
 *
 * Why not a Map: a query token is a fresh string, and a Map lookup in a table of a few hundred thousand
 * spellings touched the bucket, the entry and the stored key (three cache misses) and was the largest single
 * cost of a match. Here the hashes sit densely in one typed array, so a miss (most query tokens are in no
 * keyword) costs one memory access, and the stored key is compared only when the hashes agree. Once built,
 * `seal` shrinks the table to its tightest size and puts a one-bit-per-key filter in front (16 bits a key, so
 * small enough to stay in cache): most misses then end there.
 * Keys are hashed with `hashToken` (never 0), which the normalizer also computes for each token as it scans, so
 * a query token can be looked up straight from the normalized text, without a string of its own.
 */

import { hashToken } from './normalize.js';

export class StringTable {
  /** Hash per slot, 0 = empty. */
  private hashes: Int32Array;
  private values: Int32Array;
  private keys: (string | undefined)[];
  private mask: number;
  private count = 0;
  /** After seal: bit (hash >>> 7) & filterMask is set for every key. */
  private filter: Int32Array | null = null;
  private filterMask = 0;

  constructor(expected = 16) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.hashes = new Int32Array(cap);
    this.values = new Int32Array(cap);
    this.keys = new Array<string | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The value of `key`, or -1. */
  get(key: string): number {
    const hash = hashToken(key);
    const hashes = this.hashes;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const h = hashes[i] as number;
      if (h === 0) return -1;
      if (h === hash && this.keys[i] === key) return this.values[i] as number;
      i = (i + 1) & mask;
    }
  }

  /** Shrinks the table to the tightest size that keeps it at most half full, and builds the filter. */
  seal(): void {
    let cap = 16;
    while (cap < this.count * 2) cap *= 2;
    if (cap < this.mask + 1) this.rehash(cap);
    let bits = 1024;
    while (bits < this.count * 16 && bits < 1 << 26) bits *= 2;
    const filter = new Int32Array(bits >>> 5);
    this.filterMask = bits - 1;
    for (let i = 0; i <= this.mask; i++) {
      const h = this.hashes[i] as number;
      if (h === 0) continue;
      const b = (h >>> 7) & this.filterMask;
      filter[b >>> 5] = (filter[b >>> 5] as number) | (1 << (b & 31));
    }
    this.filter = filter;
  }

  /** The value of `text.slice(start, end)` lower-cased (ASCII capitals only), whose hashToken is `hash`, or -1. */
  getSpan(text: string, start: number, end: number, hash: number): number {
    const filter = this.filter;
    if (filter !== null) {
      const b = (hash >>> 7) & this.filterMask;
      if (((filter[b >>> 5] as number) & (1 << (b & 31))) === 0) return -1;
    }
    const hashes = this.hashes;
    const mask = this.mask;
    const length = end - start;
    let i = hash & mask;
    for (;;) {
      const h = hashes[i] as number;
      if (h === 0) return -1;
      if (h === hash) {
        const key = this.keys[i] as string;
        if (key.length === length) {
          let same = true;
          for (let k = 0; k < length; k++) {
            let c = text.charCodeAt(start + k);
            if (c >= 0x41 && c <= 0x5a) c += 0x20; // raw ASCII text: capitals read as lower case
            if (key.charCodeAt(k) !== c) {
              same = false;
              break;
            }
          }
          if (same) return this.values[i] as number;
        }
      }
      i = (i + 1) & mask;
    }
  }

  /** The value of `key`; when absent, sets it to `value` first and answers -1. Not after seal. */
  getOrSet(key: string, value: number): number {
    if (this.filter !== null) throw new Error('StringTable is sealed');
    if ((this.count + 1) * 2 > this.mask + 1) this.rehash((this.mask + 1) * 2);
    const hash = hashToken(key);
    const hashes = this.hashes;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const h = hashes[i] as number;
      if (h === 0) {
        hashes[i] = hash;
        this.values[i] = value;
        this.keys[i] = key;
        this.count++;
        return -1;
      }
      if (h === hash && this.keys[i] === key) return this.values[i] as number;
      i = (i + 1) & mask;
    }
  }

  /** Sets `key` to `value` (>= 0). Not after seal. */
  set(key: string, value: number): void {
    if (this.filter !== null) throw new Error('StringTable is sealed');
    if ((this.count + 1) * 2 > this.mask + 1) this.rehash((this.mask + 1) * 2);
    const hash = hashToken(key);
    const hashes = this.hashes;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const h = hashes[i] as number;
      if (h === 0) {
        hashes[i] = hash;
        this.values[i] = value;
        this.keys[i] = key;
        this.count++;
        return;
      }
      if (h === hash && this.keys[i] === key) {
        this.values[i] = value;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  private rehash(cap: number): void {
    const oldHashes = this.hashes;
    const oldValues = this.values;
    const oldKeys = this.keys;
    this.hashes = new Int32Array(cap);
    this.values = new Int32Array(cap);
    this.keys = new Array<string | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const key = oldKeys[j];
      if (key === undefined) continue;
      const hash = oldHashes[j] as number;
      let i = hash & this.mask;
      while (this.hashes[i] !== 0) i = (i + 1) & this.mask;
      this.hashes[i] = hash;
      this.values[i] = oldValues[j] as number;
      this.keys[i] = key;
    }
  }
}
