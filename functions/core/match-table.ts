/**
 * A string -> non-negative integer hash table for the matcher's vocabulary.
 *
 * Why not a Map: a query token is a fresh string, and a Map lookup in a table of a few hundred thousand
 * spellings touched the bucket, the entry and the stored key (three cache misses) and was the largest single
 * cost of a match. Here the hash and the value sit side by side in one typed array, so a miss (most query
 * tokens are in no keyword) costs one memory access, and the stored key is compared only when the hashes agree.
 * Keys are hashed with `hashToken` (never 0), which the normalizer also computes for each token as it scans, so
 * a query token can be looked up straight from the normalized text, without a string of its own.
 */

import { hashToken } from './normalize.js';

export class StringTable {
  /** Pairs (hash, value) per slot; hash 0 = empty. */
  private slots: Int32Array;
  private keys: (string | undefined)[];
  private mask: number;
  private count = 0;

  constructor(expected = 16) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.slots = new Int32Array(cap * 2);
    this.keys = new Array<string | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The value of `key`, or -1. */
  get(key: string): number {
    const hash = hashToken(key);
    const slots = this.slots;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const h = slots[i * 2] as number;
      if (h === 0) return -1;
      if (h === hash && this.keys[i] === key) return slots[i * 2 + 1] as number;
      i = (i + 1) & mask;
    }
  }

  /** The value of `text.slice(start, end)`, whose hashToken is `hash`, or -1. */
  getSpan(text: string, start: number, end: number, hash: number): number {
    const slots = this.slots;
    const mask = this.mask;
    const length = end - start;
    let i = hash & mask;
    for (;;) {
      const h = slots[i * 2] as number;
      if (h === 0) return -1;
      if (h === hash) {
        const key = this.keys[i] as string;
        if (key.length === length) {
          let same = true;
          for (let k = 0; k < length; k++) {
            if (key.charCodeAt(k) !== text.charCodeAt(start + k)) {
              same = false;
              break;
            }
          }
          if (same) return slots[i * 2 + 1] as number;
        }
      }
      i = (i + 1) & mask;
    }
  }

  /** Sets `key` to `value` (>= 0). */
  set(key: string, value: number): void {
    if ((this.count + 1) * 2 > this.mask + 1) this.resize();
    const hash = hashToken(key);
    const slots = this.slots;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const h = slots[i * 2] as number;
      if (h === 0) {
        slots[i * 2] = hash;
        slots[i * 2 + 1] = value;
        this.keys[i] = key;
        this.count++;
        return;
      }
      if (h === hash && this.keys[i] === key) {
        slots[i * 2 + 1] = value;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  private resize(): void {
    const oldSlots = this.slots;
    const oldKeys = this.keys;
    const cap = (this.mask + 1) * 2;
    this.slots = new Int32Array(cap * 2);
    this.keys = new Array<string | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const key = oldKeys[j];
      if (key === undefined) continue;
      const hash = oldSlots[j * 2] as number;
      let i = hash & this.mask;
      while (this.slots[i * 2] !== 0) i = (i + 1) & this.mask;
      this.slots[i * 2] = hash;
      this.slots[i * 2 + 1] = oldSlots[j * 2 + 1] as number;
      this.keys[i] = key;
    }
  }
}
