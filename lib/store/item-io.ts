/**
 * Small pieces of item I/O shared by the stores of non-job items (board settings, schedules):
 * a consistent read of one item, the placeholder names an expression uses, and a registry item
 * whose `names` string set lists the items of one kind (ADD and DELETE are idempotent).
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../table.js';
import { toStorageError } from './writer.js';

/** The item at `key`, read consistently; undefined when there is none. */
export async function readItem(client: DynamoDBDocumentClient, tableName: string, key: string, operation: string): Promise<Record<string, unknown> | undefined> {
  try {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { [TABLE.partitionKey]: key }, ConsistentRead: true }));
    return Item;
  } catch (error) {
    throw toStorageError(error, operation, key);
  }
}

/** DynamoDB refuses names an expression does not use: exactly the `#placeholders` it has, each naming the attribute of the same name. */
export function namesOf(expression: string): Record<string, string> {
  return Object.fromEntries([...new Set(expression.match(/#\w+/g))].map((placeholder) => [placeholder, placeholder.slice(1)]));
}

/** Adds `name` to (or removes it from) the registry item at `key`. */
export async function updateRegistry(client: DynamoDBDocumentClient, tableName: string, key: string, action: 'ADD' | 'DELETE', name: string, operation: string): Promise<void> {
  try {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { [TABLE.partitionKey]: key },
        UpdateExpression: `${action} #names :name`,
        ExpressionAttributeNames: { '#names': 'names' },
        ExpressionAttributeValues: { ':name': new Set([name]) },
      }),
    );
  } catch (error) {
    throw toStorageError(error, operation, key);
  }
}

/** The names a registry item lists, sorted. */
export function registryNames(item: Record<string, unknown> | undefined): string[] {
  return item?.names instanceof Set ? [...(item.names as Set<string>)].sort() : [];
}
