/**
 * A table from token spellings to non-negative integers, for the matcher's vocabulary.
 *
 * Why not a Map of strings: a query token would have to become a string first, and a Map lookup among a few
 * hundred thousand spellings touched the bucket, the entry and the stored key (three cache misses); it was the
 * largest single cost of a match. And building one string per spelling filled the young generation while a
 * freshly parsed ruleset still sat in it, so garbage collection copied the whole ruleset during compile.
 *
 * Here the keys' characters sit in one pool (a Uint16Array), the hashes densely in one typed array, so a miss
 * (most query tokens are in no keyword) costs one memory access and a key is compared only when the hashes agree.
 * Keys are hashed with `hashToken` (never 0), which the normalizer also computes while it scans, so a query
 * token is looked up straight from the scanned text. Once built, `seal` shrinks the table to its tightest size
 * and puts a one-bit-per-key filter in front (16 bits a key: small enough to stay in cache).
 */
import { foldChar, hashToken, NO_FOLD } from './normalize.js';

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/**
 * A character read as the normalizer reads the caller's own text (TokenSpans.raw): an ASCII capital as its lower
 * case, another character as the letter it folds to, if any (normalized text reads as it is, folded or not).
 */
function fold(c: number): number {
  if (c < 0x80) return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
  const f = foldChar(c);
  return f === NO_FOLD ? c : f;
}

export class TokenTable {
  private pool: Uint16Array;
  private poolLength = 0;
  /** Per slot: hash (0 = empty), value, and the key's place in the pool. */
  private hashes: Int32Array;
  private values: Int32Array;
  private starts: Int32Array;
  private lengths: Int32Array;
  private mask: number;
  private count = 0;
  /** After seal: bit (hash >>> 7) & filterMask is set for every key. */
  private filter: Int32Array | null = null;
  private filterMask = 0;

  // The key being built (begin, push..., then insert or discard).
  private keyStart = 0;
  private keyHash = FNV_OFFSET;

  constructor(expected = 16, expectedChars = 4096) {
    this.pool = new Uint16Array(Math.max(16, expectedChars));
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.hashes = new Int32Array(cap);
    this.values = new Int32Array(cap);
    this.starts = new Int32Array(cap);
    this.lengths = new Int32Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  // ---- Lookups

  /** The value of `text.slice(start, end)` (ASCII capitals read as lower case), whose hashToken is `hash`; or -1. */
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
      if (h === hash && this.lengths[i] === length) {
        const pool = this.pool;
        const at = this.starts[i] as number;
        let k = 0;
        while (k < length && pool[at + k] === fold(text.charCodeAt(start + k))) k++;
        if (k === length) return this.values[i] as number;
      }
      i = (i + 1) & mask;
    }
  }

  /** The value of `key`, or -1. */
  get(key: string): number {
    return this.getSpan(key, 0, key.length, hashToken(key));
  }

  /** The text of the key that starts at `start` in the pool (from `insert`'s answer). */
  text(start: number, length: number): string {
    let out = '';
    for (let at = start; at < start + length; at += 4096) {
      out += String.fromCharCode(...this.pool.subarray(at, Math.min(start + length, at + 4096)));
    }
    return out;
  }

  /** A character of the pool (of a key from `insert`'s answer). */
  charAt(at: number): number {
    return this.pool[at] as number;
  }

  /** The pool itself, to read keys from `insert`'s answers in place (not to write: it is the table's). */
  chars(): Uint16Array {
    return this.pool;
  }

  // ---- Building a key in the pool, then inserting it

  begin(): void {
    this.keyStart = this.poolLength;
    this.keyHash = FNV_OFFSET;
  }

  push(c: number): void {
    if (this.poolLength === this.pool.length) this.growPool(1);
    this.pool[this.poolLength++] = c;
    this.keyHash = Math.imul(this.keyHash ^ c, FNV_PRIME);
  }

  // pushString and pushFrom are push in a loop, written out: a compile runs them for every keyword token before
  // V8 has optimized anything, and a call per character is what costs most then.
  pushString(s: string, start = 0, end = s.length): void {
    if (this.poolLength + end - start > this.pool.length) this.growPool(end - start);
    const pool = this.pool;
    let p = this.poolLength;
    let h = this.keyHash;
    for (let i = start; i < end; i++) {
      const c = fold(s.charCodeAt(i));
      pool[p++] = c;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    this.poolLength = p;
    this.keyHash = h;
  }

  /** Appends `length` characters of another table's pool from `at`. */
  pushFrom(other: TokenTable, at: number, length: number): void {
    if (this.poolLength + length > this.pool.length) this.growPool(length);
    const pool = this.pool;
    const from = other.pool;
    let p = this.poolLength;
    let h = this.keyHash;
    for (let k = at; k < at + length; k++) {
      const c = from[k] as number;
      pool[p++] = c;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    this.poolLength = p;
    this.keyHash = h;
  }

  /**
   * Inserts the key being built with `value` when it is new, and answers its pool start (`inserted` true);
   * when it is already there, forgets the characters just pushed and answers the stored key's slot as
   * `-(slot + 1)`. Not after seal.
   */
  insert(value: number): number {
    if (this.filter !== null) throw new Error('TokenTable is sealed');
    const length = this.poolLength - this.keyStart;
    const hash = this.keyHash === 0 ? 1 : this.keyHash;
    const found = this.findPending(hash, length);
    if (found >= 0) {
      this.poolLength = this.keyStart;
      return -(found + 1);
    }
    if ((this.count + 1) * 2 > this.mask + 1) this.rehash((this.mask + 1) * 2);
    let i = hash & this.mask;
    while (this.hashes[i] !== 0) i = (i + 1) & this.mask;
    this.hashes[i] = hash;
    this.values[i] = value;
    this.starts[i] = this.keyStart;
    this.lengths[i] = length;
    this.count++;
    return this.keyStart;
  }

  /** The value in a slot (from `insert`'s answer for a key already there). */
  valueAt(slot: number): number {
    return this.values[slot] as number;
  }

  setValueAt(slot: number, value: number): void {
    this.values[slot] = value;
  }

  private findPending(hash: number, length: number): number {
    const pool = this.pool;
    let i = hash & this.mask;
    for (;;) {
      const h = this.hashes[i] as number;
      if (h === 0) return -1;
      if (h === hash && this.lengths[i] === length) {
        const at = this.starts[i] as number;
        let k = 0;
        while (k < length && pool[at + k] === pool[this.keyStart + k]) k++;
        if (k === length) return i;
      }
      i = (i + 1) & this.mask;
    }
  }

  private growPool(need: number): void {
    let cap = this.pool.length * 2;
    while (cap < this.poolLength + need) cap *= 2;
    const pool = new Uint16Array(cap);
    pool.set(this.pool.subarray(0, this.poolLength));
    this.pool = pool;
  }

  /** Shrinks the table (and its pool) to the tightest size that keeps it at most half full, and builds the filter. */
  seal(): void {
    let cap = 16;
    while (cap < this.count * 2) cap *= 2;
    if (cap < this.mask + 1) this.rehash(cap);
    // The pool is copied to its used length only when much of it is unused: a copy is fresh memory too.
    if (this.poolLength < this.pool.length * 0.75) this.pool = this.pool.slice(0, this.poolLength);
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

  private rehash(cap: number): void {
    const old = { hashes: this.hashes, values: this.values, starts: this.starts, lengths: this.lengths };
    this.hashes = new Int32Array(cap);
    this.values = new Int32Array(cap);
    this.starts = new Int32Array(cap);
    this.lengths = new Int32Array(cap);
    this.mask = cap - 1;
    for (let j = 0; j < old.hashes.length; j++) {
      const hash = old.hashes[j] as number;
      if (hash === 0) continue;
      let i = hash & this.mask;
      while (this.hashes[i] !== 0) i = (i + 1) & this.mask;
      this.hashes[i] = hash;
      this.values[i] = old.values[j] as number;
      this.starts[i] = old.starts[j] as number;
      this.lengths[i] = old.lengths[j] as number;
    }
  }
}
