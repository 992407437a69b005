/**
 * Reading secrets through the AWS Parameters and Secrets extension (functions/lambda/extension-secrets.ts),
 * against a loopback server that answers as the extension does, including its bad moments: not listening yet,
 * not ready, slow, or refusing. And the partner entry point's cold start failing loudly on a bad secret.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readParameter, readSecret } from '../../functions/lambda/extension-secrets.js';
import { captureOutput, lambdaEnvironment } from '../helpers/lambda.js';

const TOKEN = 'session-token-for-test';
const servers: Server[] = [];

async function startExtension(
  answer: (req: IncomingMessage, res: ServerResponse) => void,
  port = 0,
): Promise<{ port: number; requests: { url: string; token: unknown }[] }> {
  const requests: { url: string; token: unknown }[] = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', token: req.headers['x-aws-parameters-secrets-token'] });
    answer(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, 'localhost', resolve));
  return { port: (server.address() as AddressInfo).port, requests };
}

const envFor = (port: number) => ({
  PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port),
  AWS_SESSION_TOKEN: TOKEN,
});

/** A port nothing listens on: bound then released. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, 'localhost', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  vi.resetModules();
});

describe('readParameter', () => {
  it('asks for the decrypted parameter by its encoded name, with the session token', async () => {
    const extension = await startExtension((_req, res) =>
      res.end(JSON.stringify({ Parameter: { Name: '/a b/c', Type: 'SecureString', Value: 'the-value' } })),
    );

    const value = await readParameter('/a b/c', { env: envFor(extension.port) });

    expect(value).toBe('the-value');
    expect(extension.requests).toEqual([
      { url: '/systemsmanager/parameters/get?name=%2Fa%20b%2Fc&withDecryption=true', token: TOKEN },
    ]);
  });

  it('waits for an extension that is not ready yet (400), then reads', async () => {
    let calls = 0;
    const extension = await startExtension((_req, res) => {
      calls += 1;
      if (calls < 3) {
        res.statusCode = 400;
        res.end('not ready to serve traffic, please wait');
      } else res.end(JSON.stringify({ Parameter: { Value: 'late' } }));
    });

    await expect(readParameter('/p', { env: envFor(extension.port), retryDelayMs: 5 })).resolves.toBe('late');
    expect(calls).toBe(3);
  });

  it('waits for an extension that is not listening yet', async () => {
    const port = await freePort();
    setTimeout(() => {
      void startExtension((_req, res) => res.end(JSON.stringify({ Parameter: { Value: 'there' } })), port);
    }, 100);

    await expect(readParameter('/p', { env: envFor(port), retryDelayMs: 10 })).resolves.toBe('there');
  });

  it('gives up at the deadline with an error naming the parameter and the last answer, never a value', async () => {
    const extension = await startExtension((_req, res) => {
      res.statusCode = 400;
      res.end('an unexpected error occurred while executing request');
    });
    const started = Date.now();

    const error = await readParameter('/signpost/prod/token-secret', {
      env: envFor(extension.port),
      timeoutMs: 300,
      retryDelayMs: 20,
    }).catch((e: Error) => e);

    expect(Date.now() - started).toBeLessThan(1_500);
    expect(String(error)).toMatch(/Cannot read SSM parameter \/signpost\/prod\/token-secret/);
    expect(String(error)).toContain('HTTP 400: an unexpected error occurred');
    // Backing off: a handful of calls, not one every few milliseconds.
    expect(extension.requests.length).toBeGreaterThan(1);
    expect(extension.requests.length).toBeLessThan(10);
  });

  it('gives up on an extension that never answers', async () => {
    const extension = await startExtension(() => {
      // Holds the request open.
    });

    await expect(readParameter('/slow', { env: envFor(extension.port), timeoutMs: 200 })).rejects.toThrow(
      /Cannot read SSM parameter \/slow .*no answer within/,
    );
  });

  it('refuses an empty value, naming the parameter', async () => {
    const extension = await startExtension((_req, res) =>
      res.end(JSON.stringify({ Parameter: { Name: '/empty', Value: '' } })),
    );

    await expect(readParameter('/empty', { env: envFor(extension.port) })).rejects.toThrow(
      'SSM parameter /empty is empty or missing.',
    );
  });

  it('fails at once without the session token Lambda always sets', async () => {
    await expect(
      readParameter('/p', { env: { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '2773' } }),
    ).rejects.toThrow(/Cannot read SSM parameter \/p: AWS_SESSION_TOKEN is not set/);
  });
});

describe('readSecret', () => {
  it('asks for the secret by its encoded id and returns its SecretString', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:OriginVerify-AbCdEf';
    const extension = await startExtension((_req, res) =>
      res.end(JSON.stringify({ ARN: arn, SecretString: 's3cret' })),
    );

    await expect(readSecret(arn, { env: envFor(extension.port) })).resolves.toBe('s3cret');
    expect(extension.requests).toEqual([
      { url: `/secretsmanager/get?secretId=${encodeURIComponent(arn)}`, token: TOKEN },
    ]);
  });

  it('refuses a binary secret, which has no SecretString', async () => {
    const extension = await startExtension((_req, res) => res.end(JSON.stringify({ SecretBinary: 'AAAA' })));

    await expect(readSecret('bin', { env: envFor(extension.port) })).rejects.toThrow(
      'Secret bin is empty or missing.',
    );
  });
});

describe('partner cold start', () => {
  it('still starts when the token secret is too short, naming the parameter and the reason in an error line', async () => {
    const extension = await startExtension((_req, res) =>
      res.end(JSON.stringify({ Parameter: { Value: 'short' } })),
    );
    const assets = mkdtempSync(join(tmpdir(), 'signpost-short-secret-'));
    mkdirSync(join(assets, 'widget'));
    writeFileSync(join(assets, 'widget', 'v1.js'), '/* widget */');
    const restoreEnv = lambdaEnvironment({
      CONFIG_TABLE_NAME: 'cfg',
      STATS_TABLE_NAME: 'stats',
      TOKEN_SECRET_PARAMETER: '/signpost/test/short-secret',
      SIGNPOST_ASSETS_DIR: assets,
      // Nothing listens there: the container must start without reaching any table.
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
      POWERTOOLS_SERVICE_NAME: 'signpost-partner',
      LOG_LEVEL: 'ERROR',
      ...envFor(extension.port),
    });
    const output = captureOutput();
    try {
      const partner = await import('../../functions/lambda/partner.js');
      expect(typeof partner.handler).toBe('function');
      expect(output.lines.join('')).toMatch(
        /SSM parameter \/signpost\/test\/short-secret: Each token secret must be at least 32 characters/,
      );
      expect(output.lines.join('')).not.toContain('"short"');
    } finally {
      output.restore();
      restoreEnv();
      rmSync(assets, { recursive: true, force: true });
    }
  });
});
