/** True for DynamoDB's refusal of a conditional write: the stores' sign that another writer got there first. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
