/**
 * The admin page's AWS sign-in, end to end in headless Chromium: the page in Cognito mode against a stand-in
 * for Cognito's hosted UI on another origin (authorize, token, revoke, logout), so the real oidc-client-ts
 * flow runs: authorization code with PKCE in a popup, tokens kept in memory only, the session's end shown and
 * extended with the refresh token, and sign-out that revokes the refresh token and ends the hosted session.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/http/app';
import { type LocalService, startLocalService } from '../../functions/local/service';
import { launchBrowser } from './browser';

const TOKEN = `adm_e2e_${randomBytes(12).toString('hex')}`;
const CLIENT_ID = 'signpost-admin-page';

let service: LocalService;
let browser: Browser;
let admin: { url: string; close(): Promise<void> };
let idp: { origin: string; calls: string[]; close(): Promise<void> };

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Just enough of Cognito's hosted UI: it signs anyone in, and checks PKCE the way Cognito does. */
async function startIdp(): Promise<typeof idp> {
  const calls: string[] = [];
  const challenges = new Map<string, string>();
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const cors = {
      'Access-Control-Allow-Origin': admin.url,
      'Access-Control-Allow-Headers': 'content-type, authorization',
    };
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
    calls.push(`${req.method} ${url.pathname}`);
    if (url.pathname === '/oauth2/authorize') {
      const code = randomBytes(8).toString('hex');
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(url.searchParams.get('client_id')).toBe(CLIENT_ID);
      challenges.set(code, url.searchParams.get('code_challenge') ?? '');
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      return void res.writeHead(302, { Location: back.href }).end();
    }
    if (url.pathname === '/logout') {
      return void res.writeHead(302, { Location: url.searchParams.get('logout_uri') ?? '/' }).end();
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      if (url.pathname === '/oauth2/revoke') return void res.writeHead(200, cors).end();
      if (url.pathname !== '/oauth2/token') return void res.writeHead(404, cors).end();
      const grant = form.get('grant_type');
      if (grant === 'authorization_code') {
        const verifier = form.get('code_verifier') ?? '';
        const expected = challenges.get(form.get('code') ?? '');
        if (!expected || createHash('sha256').update(verifier).digest('base64url') !== expected) {
          return void res
            .writeHead(400, { ...cors, 'Content-Type': 'application/json' })
            .end('{"error":"invalid_grant"}');
        }
      } else if (grant !== 'refresh_token' || form.get('refresh_token') !== 'refresh-1') {
        return void res
          .writeHead(400, { ...cors, 'Content-Type': 'application/json' })
          .end('{"error":"invalid_grant"}');
      }
      calls.push(`grant ${grant}`);
      const now = Math.floor(Date.now() / 1000);
      // The first session ends in 3 minutes (inside the warning window); a renewed one lasts an hour.
      const expiresIn = grant === 'authorization_code' ? 180 : 3600;
      const idToken = `${b64url({ alg: 'RS256', kid: 'k' })}.${b64url({ iss: `${origin}/pool`, aud: CLIENT_ID, sub: 'u-1', email: 'ana@org.example', iat: now, exp: now + expiresIn })}.sig`;
      res.writeHead(200, { ...cors, 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          access_token: TOKEN,
          id_token: idToken,
          refresh_token: 'refresh-1',
          token_type: 'Bearer',
          expires_in: expiresIn,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  [service, browser] = await Promise.all([
    startLocalService({ port: 0, dataDir: null, adminToken: TOKEN, quiet: true }),
    launchBrowser(),
  ]);
  // The same service, with its admin page in Cognito mode (as on AWS), on its own port.
  const asset = service.deps.adminPage?.asset;
  if (!asset) throw new Error('the local service built no admin page');
  let app: ReturnType<typeof createApp> | null = null;
  const server = serve({
    fetch: (req) => (app as ReturnType<typeof createApp>).fetch(req),
    port: 0,
    hostname: '127.0.0.1',
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  admin = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  idp = await startIdp();
  app = createApp({
    ...service.deps,
    adminPage: {
      asset,
      auth: { mode: 'cognito', authority: `${idp.origin}/pool`, clientId: CLIENT_ID, domain: idp.origin },
    },
  });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([browser?.close(), service?.close(), admin?.close(), idp?.close()]);
});

describe('signing in with Cognito', () => {
  it('signs in through the hosted UI with PKCE in a popup, keeps tokens in memory, shows and extends the session, and signs out', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(`${admin.url}/admin`);
    const popup = context.waitForEvent('page');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await (await popup).waitForEvent('close');
    await page.getByRole('heading', { level: 1, name: 'Campaigns' }).waitFor();
    expect(idp.calls).toEqual(['GET /oauth2/authorize', 'POST /oauth2/token', 'grant authorization_code']);

    // Who, and when the session ends; inside the last five minutes the page offers to extend it.
    await page.getByText('ana@org.example').waitFor();
    expect(await page.locator('.expiry').textContent()).toMatch(/^Session ends /);
    const warning = page.getByRole('alert').filter({ hasText: 'Your session ends at' });
    await warning.waitFor();
    await warning.getByRole('button', { name: 'Stay signed in' }).click();
    await warning.waitFor({ state: 'detached' });
    expect(idp.calls.at(-1)).toBe('grant refresh_token');

    // Nothing in storage or cookies: the tokens live in this tab's memory only.
    const stored = await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie]);
    expect(stored).toEqual([0, 0, '']);
    expect(await context.cookies(admin.url)).toEqual([]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(idp.calls.slice(-2)).toEqual(['POST /oauth2/revoke', 'GET /logout']);
    expect(problems).toEqual([]);
    await context.close();
  });
});
