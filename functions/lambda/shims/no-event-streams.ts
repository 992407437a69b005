/**
 * Stands in for `@smithy/core/event-streams` in the Lambda bundles only (an esbuild alias set in
 * infra/constructs/bundling.ts). The SDK's protocols import it lazily, for operations that stream events
 * (S3 SelectObjectContent, Bedrock, Transcribe...); DynamoDB has none, yet esbuild still bundles the lazy import:
 * about 20 KB of codecs and checksums that no call of ours can reach. If an event-stream operation ever is
 * called from a bundle, it fails here, by name, instead of half-working.
 */
const unavailable = (): never => {
  throw new Error(
    'Event streams are not bundled (functions/lambda/shims/no-event-streams.ts): remove the alias to call an event-stream operation.',
  );
};

/** The two names the SDK's HttpProtocol takes from the real module. */
export class EventStreamSerde {
  constructor() {
    unavailable();
  }
}

export const eventStreamSerdeProvider = unavailable;
