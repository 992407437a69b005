/**
 * Reads an SSM parameter or a Secrets Manager secret through the AWS Parameters and Secrets Lambda Extension
 * (a layer the infra attaches): a GET to its HTTP endpoint on localhost instead of an AWS SDK client in the
 * bundle. The client for SSM alone cost the partner bundle about 90 KB and its parse time; this file imports
 * only node:http. Meant to run once per container, during init: the caller keeps the value.
 */
import { request } from 'node:http';

export interface ExtensionReadOptions {
  /** The whole read, retries included, gives up after this long. */
  timeoutMs?: number;
  /** Pause before the second attempt; it doubles after each one, up to half a second. */
  retryDelayMs?: number;
  /** Defaults to process.env. */
  env?: Record<string, string | undefined>;
}

/** Lambda gives init 10 s; an unreachable extension or service should fail the cold start well inside that. */
const DEFAULT_TIMEOUT_MS = 3_000;
const DEFAULT_RETRY_DELAY_MS = 25;
const MAX_RETRY_DELAY_MS = 500;
const DEFAULT_PORT = 2773;

/**
 * The decrypted value of an SSM (SecureString) parameter. Throws, naming the parameter but never a value,
 * when the extension cannot give one.
 */
export async function readParameter(name: string, options: ExtensionReadOptions = {}): Promise<string> {
  const body = await readFromExtension(
    `/systemsmanager/parameters/get?name=${encodeURIComponent(name)}&withDecryption=true`,
    `SSM parameter ${name}`,
    options,
  );
  const value = (body as { Parameter?: { Value?: unknown } } | null)?.Parameter?.Value;
  if (typeof value !== 'string' || value === '') {
    throw new Error(`SSM parameter ${name} is empty or missing.`);
  }
  return value;
}

/** The SecretString of a Secrets Manager secret (by ARN or name), with the same failure rules. */
export async function readSecret(secretId: string, options: ExtensionReadOptions = {}): Promise<string> {
  const body = await readFromExtension(
    `/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`,
    `Secret ${secretId}`,
    options,
  );
  const value = (body as { SecretString?: unknown } | null)?.SecretString;
  if (typeof value !== 'string' || value === '') {
    throw new Error(`Secret ${secretId} is empty or missing.`);
  }
  return value;
}

/**
 * One GET, retried until the deadline: during init the extension may still be starting (connection refused,
 * or a 400 while it is not ready), and a first call to the service can fail transiently. A missing parameter
 * or a denied read fails every attempt and ends in the error below, with the extension's own answer; its
 * CloudWatch log line says more.
 */
async function readFromExtension(
  path: string,
  what: string,
  options: ExtensionReadOptions,
): Promise<unknown> {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  const port = Number(env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? DEFAULT_PORT);
  const token = env.AWS_SESSION_TOKEN;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(
      `Cannot read ${what}: PARAMETERS_SECRETS_EXTENSION_HTTP_PORT is not a port (${env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT}).`,
    );
  }
  if (!token) {
    throw new Error(`Cannot read ${what}: AWS_SESSION_TOKEN is not set; Lambda always sets it.`);
  }

  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no attempt made';
  let attempts = 0;
  while (attempts === 0 || Date.now() < deadline) {
    attempts += 1;
    const result = await get(port, path, token, Math.max(1, deadline - Date.now()));
    if (result.ok) {
      try {
        return JSON.parse(result.body);
      } catch {
        // The extension answered 200 with something that is not its JSON: not worth another attempt.
        throw new Error(`Cannot read ${what}: the extension's answer is not JSON.`);
      }
    }
    lastProblem = result.problem;
    const pause = Math.min(retryDelayMs, deadline - Date.now());
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    // Backing off keeps a misconfiguration (a missing parameter fails every attempt) to a handful of calls.
    retryDelayMs = Math.min(retryDelayMs * 2, MAX_RETRY_DELAY_MS);
  }
  throw new Error(
    `Cannot read ${what} through the Parameters and Secrets extension on port ${port} within ${timeoutMs} ms (${attempts} attempts; last: ${lastProblem}).`,
  );
}

type GetResult = { ok: true; body: string } | { ok: false; problem: string };

function get(port: number, path: string, token: string, timeoutMs: number): Promise<GetResult> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: 'localhost',
        port,
        path,
        method: 'GET',
        headers: { 'X-Aws-Parameters-Secrets-Token': token },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 200) resolve({ ok: true, body });
          // The extension's error bodies are short generic sentences, never the value.
          else resolve({ ok: false, problem: `HTTP ${res.statusCode}: ${body.slice(0, 200).trim()}` });
        });
        res.on('error', (error) => resolve({ ok: false, problem: error.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, problem: error.code ?? error.message }),
    );
    req.end();
  });
}
