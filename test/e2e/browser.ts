/**
 * One way to start a real headless Chromium for e2e tests, shared by every e2e file.
 *
 * A system Chromium (`/usr/bin/chromium`, Debian's package) is used when present; otherwise the one that
 * `npm ci` installs with `@sparticuz/chromium`, so a fresh CI machine needs nothing else.
 */
import { existsSync } from 'node:fs';
import { mkdir, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium as playwright } from 'playwright-core';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** Flags every launch gets: quiet, offline-friendly, no background traffic to Google. */
export const BASE_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * @sparticuz/chromium's own flags are tuned for Lambda and switch off the very protections the tests
 * check (`--disable-web-security` turns off CORS, `--allow-running-insecure-content` mixed content, and
 * site isolation is disabled); keep only the ones its headless shell needs to start.
 */
const SPARTICUZ_UNWANTED = [
  '--disable-web-security',
  '--allow-running-insecure-content',
  '--disable-site-isolation-trials',
  '--single-process',
  '--disable-features=',
  '--enable-features=',
  '--headless',
];

export interface LaunchOptions {
  /** Extra Chromium flags. */
  args?: string[];
}

export async function launchBrowser(opts: LaunchOptions = {}): Promise<Browser> {
  const { executablePath, args } = await resolveChromium();
  return playwright.launch({
    executablePath,
    headless: true,
    args: [...new Set([...args, ...BASE_FLAGS, ...(opts.args ?? [])])],
    timeout: 30_000,
  });
}

async function resolveChromium(): Promise<{ executablePath: string; args: string[] }> {
  if (existsSync(SYSTEM_CHROMIUM)) return { executablePath: SYSTEM_CHROMIUM, args: [] };
  const { default: sparticuz } = await import('@sparticuz/chromium');
  // executablePath() inflates the binary into the temp dir the first time; two test workers doing that at
  // once could start a half-written binary, so the first one to take the lock does it alone.
  const executablePath = await withLock(join(tmpdir(), 'signpost-chromium.lock'), () =>
    sparticuz.executablePath(),
  );
  const args = sparticuz.args.filter((flag) => !SPARTICUZ_UNWANTED.some((bad) => flag.startsWith(bad)));
  return { executablePath, args };
}

async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await mkdir(dir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than a minute was left by a killed process.
      const age = await stat(dir).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 60_000 || Date.now() > deadline) {
        await rmdir(dir).catch(() => {});
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await fn();
  } finally {
    await rmdir(dir).catch(() => {});
  }
}
