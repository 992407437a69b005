/**
 * Shared helpers for the benchmark scripts: time-bounded loops, heap measurement, and output (a readable table,
 * or one JSON object with `--json`).
 */
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Runs `body` over `items` round after round until `ms` have passed; returns operations per second. */
export function opsPerSecond<T>(
  items: readonly T[],
  body: (item: T) => unknown,
  ms: number,
): { opsPerSec: number; ops: number; sink: number } {
  let ops = 0;
  let sink = 0;
  const start = performance.now();
  let elapsed = 0;
  let i = 0;
  const batch = Math.max(1, Math.min(1000, items.length));
  while (elapsed < ms) {
    for (let b = 0; b < batch; b++) {
      if (body(items[i] as T)) sink++;
      i = i + 1 === items.length ? 0 : i + 1;
    }
    ops += batch;
    elapsed = performance.now() - start;
  }
  return { opsPerSec: (ops / elapsed) * 1000, ops, sink };
}

/** Median of `runs` timings of `fn`, in milliseconds. */
export function medianMs(runs: number, fn: () => unknown): { medianMs: number; minMs: number } {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)] as number, minMs: times[0] as number };
}

let gcFn: (() => void) | null | undefined;
/** `global.gc` when node runs with --expose-gc, else one obtained through V8 flags; null if neither works. */
export function gc(): (() => void) | null {
  if (gcFn !== undefined) return gcFn;
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') {
    gcFn = g;
    return gcFn;
  }
  try {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  } catch {
    gcFn = null;
  }
  return gcFn;
}

/** Bytes the value returned by `make` keeps alive: JS heap plus array buffers (typed arrays live outside the JS heap). */
export function retainedBytes<T>(make: () => T): {
  value: T;
  heapBytes: number;
  arrayBufferBytes: number;
  exact: boolean;
} {
  const collect = gc();
  const settle = (): NodeJS.MemoryUsage => {
    collect?.();
    collect?.();
    return process.memoryUsage();
  };
  const before = settle();
  const value = make();
  const after = settle();
  return {
    value,
    heapBytes: after.heapUsed - before.heapUsed,
    arrayBufferBytes: after.arrayBuffers - before.arrayBuffers,
    exact: collect !== null,
  };
}

/** Whether the module at `metaUrl` is the script node was started with (not imported by bench/run.ts). */
export function isMain(metaUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(entry).href === metaUrl;
}

export const fmt = {
  int: (n: number): string => Math.round(n).toLocaleString('en-US'),
  ms: (n: number): string => `${n.toFixed(1)} ms`,
  mb: (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`,
  x: (n: number): string => `${Math.round(n).toLocaleString('en-US')}x`,
};

/** Prints rows as an aligned table; the first row is the header. */
export function printTable(rows: string[][]): void {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  for (const [i, row] of rows.entries()) {
    console.log(
      row
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
        .join('  '),
    );
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}
