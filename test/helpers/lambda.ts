/** Invoking a real Lambda entry point in tests: a Lambda context, and an API Gateway v2 result read back as text. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

export type ApiGatewayHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** An API Gateway v2 event from test/fixtures, changed by `patch`. */
export function apiGatewayEvent(
  name: string,
  patch: (event: APIGatewayProxyEventV2) => void = () => {},
): APIGatewayProxyEventV2 {
  const event = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as APIGatewayProxyEventV2;
  patch(event);
  return event;
}

/** Invokes `handler` as Lambda would, numbering the invocations for their request ids. */
export function lambdaInvoker(handler: () => ApiGatewayHandler, functionName: string, memoryMb: string) {
  let invocations = 0;
  const context = (): Context => {
    invocations += 1;
    return {
      callbackWaitsForEmptyEventLoop: false,
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
      memoryLimitInMB: memoryMb,
      awsRequestId: `${functionName}-req-${invocations}`,
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: '2026/11/30/[$LATEST]0123456789',
      getRemainingTimeInMillis: () => 10_000,
      done: () => {},
      fail: () => {},
      succeed: () => {},
    };
  };
  return async (event: APIGatewayProxyEventV2) => {
    const result = await handler()(event, context());
    const text = result.isBase64Encoded
      ? Buffer.from(result.body ?? '', 'base64').toString('utf8')
      : (result.body ?? '');
    return { ...result, text, json: () => JSON.parse(text) };
  };
}
