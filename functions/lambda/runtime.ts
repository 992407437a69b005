/**
 * What both Lambda entry points share: Powertools (logger, metrics, tracer) created once per container, the
 * ports the app needs built on them, environment reading that fails fast, and the middy wrapper around
 * Hono's Lambda adapter with the origin check in front of it. Lambda-level concerns only: Hono owns HTTP.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import type { Logger as LoggerPort, Metrics as MetricsPort } from '../core/ports.js';
import { readSecret } from './extension-secrets.js';
import { forbiddenResponse, originCheck } from './origin-verify.js';

/** Service name, namespace and level come from POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, LOG_LEVEL. */
export const logger = new Logger();
/**
 * Metrics' own warnings go through the structured logger; the one about an invocation with no application
 * metric (most of them: counters are in DynamoDB, not CloudWatch) is only worth a debug line.
 */
export const metrics = new Metrics({
  logger: {
    trace: (...args: unknown[]) => logger.trace(String(args[0])),
    debug: (...args: unknown[]) => logger.debug(String(args[0])),
    info: (...args: unknown[]) => logger.info(String(args[0])),
    warn: (...args: unknown[]) =>
      String(args[0]).startsWith('No application metrics')
        ? logger.debug(String(args[0]))
        : logger.warn(String(args[0])),
    error: (...args: unknown[]) => logger.error(String(args[0])),
  },
});
export const tracer = new Tracer();

/** A required environment variable, or an error at cold start that names it. */
export function requireEnv(key: string): string {
  return getStringFromEnv({ key, errorMessage: `Environment variable ${key} is required` });
}

/**
 * Field names that could carry what a person typed or who they are. The app never passes them; if a
 * future change does, the value is replaced before it reaches a log line.
 */
const REDACTED_FIELDS = new Set([
  'query',
  'q',
  'body',
  'text',
  'sourceip',
  'ip',
  'useragent',
  'authorization',
  'token',
]);

export function redact(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!fields) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = REDACTED_FIELDS.has(key.toLowerCase()) ? '[redacted]' : value;
  }
  return out;
}

/** The app's Logger port on Powertools: structured JSON with the Lambda context, query-ish fields redacted. */
export const appLogger: LoggerPort = {
  debug: (message, fields) => logger.debug(message, redact(fields)),
  info: (message, fields) => logger.info(message, redact(fields)),
  warn: (message, fields) => logger.warn(message, redact(fields)),
  error: (message, fields) => logger.error(message, redact(fields)),
};

/**
 * The app's Metrics port on Powertools EMF metrics (namespace POWERTOOLS_METRICS_NAMESPACE, dimension
 * `service`). Flushed after each invocation by the logMetrics middleware.
 */
export const appMetrics: MetricsPort = {
  count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
};

export type ApiGatewayHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

export interface LambdaHandlerOptions {
  /**
   * The value CloudFront puts in X-Origin-Verify (see loadOriginSecret): requests without it are answered 403
   * before Hono sees them. Undefined turns the check off (the local server and tests have no CloudFront).
   */
  originSecret?: string | undefined;
  /**
   * Runs at the end of every invocation, before metrics are published: the counters are written out here,
   * because a frozen or recycled container never runs a timer again.
   */
  onEnd?: () => Promise<unknown>;
}

/**
 * Hono's API Gateway adapter inside middy with Powertools. The event is never logged (it holds the query),
 * and the tracer records no response bodies.
 */
// biome-ignore lint/suspicious/noExplicitAny: Hono apps differ only in their env and schema type parameters.
export function lambdaHandler(app: Hono<any, any, any>, options: LambdaHandlerOptions = {}) {
  const adapter = handle(app) as unknown as ApiGatewayHandler;
  const origin = originCheck(options.originSecret);
  // Inside middy, so a refused request is still logged with its context and counted.
  const guarded: ApiGatewayHandler = async (event, context) => {
    if (!origin.allows(event.headers)) {
      appMetrics.count('OriginRefused');
      return forbiddenResponse();
    }
    return adapter({ ...event, headers: origin.strip(event.headers) }, context);
  };
  const handler = middy(guarded)
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
  const { onEnd } = options;
  if (onEnd) {
    // Registered last, so its `after` runs first (middy unwinds in reverse) and its metrics still get published.
    const end = async () => {
      try {
        await onEnd();
      } catch (error) {
        logger.error('end-of-invocation work failed', {
          error: error instanceof Error ? error.name : 'unknown',
        });
      }
    };
    handler.use({ after: end, onError: end });
  }
  return handler;
}

/**
 * The origin-verify secret, read once per container through the Parameters and Secrets extension from the
 * Secrets Manager secret that ORIGIN_VERIFY_SECRET_ID names (the infra sets it on functions behind CloudFront).
 * Undefined when the variable is absent: the local server and tests run without the check.
 */
export async function loadOriginSecret(): Promise<string | undefined> {
  const secretId = process.env.ORIGIN_VERIFY_SECRET_ID;
  return secretId ? readSecret(secretId) : undefined;
}

/**
 * Where files bundled next to the handler live (widget/v1.js, admin/): the handler's own directory on Lambda.
 * SIGNPOST_ASSETS_DIR points elsewhere when the entry runs from source, as in tests.
 */
export function assetPath(relative: string, base: string | URL): string {
  const dir = process.env.SIGNPOST_ASSETS_DIR;
  return dir ? join(dir, relative) : fileURLToPath(new URL(relative, base));
}
