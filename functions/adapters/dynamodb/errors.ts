import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** True for a conditional write that lost: the invariant it guarded did not hold. */
export function isConditionFailed(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}
