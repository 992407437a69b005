/**
 * `npm start`: the whole service on this machine. Reads its settings from the environment once:
 * PORT (3000), HOST (127.0.0.1), DATA_DIR (.data), ADMIN_TOKEN (made and printed when unset),
 * AWS_ENDPOINT_URL_DYNAMODB (another DynamoDB instead of the embedded one), LOG_LEVEL (info).
 */

import type { LogLevel } from './logger.js';
import { type LocalService, startLocalService } from './service.js';

const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, not ${JSON.stringify(process.env.PORT)}.`);
  process.exit(1);
}
const levels = ['debug', 'info', 'warn', 'error', 'silent'];
const logLevel = (process.env.LOG_LEVEL ?? 'info').toLowerCase();
if (!levels.includes(logLevel)) {
  console.error(`LOG_LEVEL must be one of ${levels.join(', ')}.`);
  process.exit(1);
}

let service: LocalService;
try {
  service = await startLocalService({
    port,
    host: process.env.HOST ?? '127.0.0.1',
    dataDir: process.env.DATA_DIR ?? '.data',
    endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB || undefined,
    adminToken: process.env.ADMIN_TOKEN || undefined,
    logLevel: logLevel as LogLevel,
  });
} catch (error) {
  console.error(`Signpost could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const lines = [
  '',
  `Signpost is running at ${service.url}`,
  `  API          ${service.url}/v1/match   (OpenAPI: ${service.url}/openapi.json)`,
  `  Widget demo  ${service.url}/widget/demo`,
  `  Admin page   ${service.url}/admin`,
  `  Admin token  ${process.env.ADMIN_TOKEN ? '(from ADMIN_TOKEN)' : service.adminToken}`,
  `  Data         ${service.endpoint.includes('127.0.0.1') && !process.env.AWS_ENDPOINT_URL_DYNAMODB ? (process.env.DATA_DIR ?? '.data') : service.endpoint}`,
  `  Demo partner ${service.demoPartner.id}, site key ${service.demoPartner.siteKey}`,
];
if (service.demoPartner.secretKey)
  lines.push(`  Demo secret  ${service.demoPartner.secretKey}   (shown once: only its hash is kept)`);
lines.push(
  '',
  `Try: curl -s ${service.url}/v1/match -H 'Content-Type: application/json' -H 'X-Api-Key: <secret key>' -d '{"query":"they took my passport","region":"US"}'`,
  '',
);
process.stdout.write(`${lines.join('\n')}\n`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    service.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
