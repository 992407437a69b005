import type { Logger, Metrics } from '../core/ports.js';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;

/**
 * JSON lines on stdout, the same shape Powertools writes on Lambda. Callers pass fields that never hold the
 * query, an IP address or a secret; this logger adds nothing about the request either.
 */
export class JsonLogger implements Logger {
  constructor(
    private readonly level: LogLevel = 'info',
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}
  debug(message: string, fields?: Record<string, unknown>) {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>) {
    this.log('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>) {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>) {
    this.log('error', message, fields);
  }
  private log(level: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>) {
    if (LEVELS[level] < LEVELS[this.level]) return;
    this.write(
      JSON.stringify({ level: level.toUpperCase(), message, timestamp: new Date().toISOString(), ...fields }),
    );
  }
}

/** Counts in memory; `GET /healthz` does not show them, tests and the bench read them. */
export class MemoryMetrics implements Metrics {
  readonly counts = new Map<string, number>();
  count(name: string, value = 1) {
    this.counts.set(name, (this.counts.get(name) ?? 0) + value);
  }
}
