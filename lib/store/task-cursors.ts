/**
 * Where each maintenance task got to, kept in the table (`cursor#<task>` items) so that a task
 * too large for one invocation's budget resumes where the last one stopped. Plain puts: two
 * sweepers racing may each save their own position, and either is a fine place to resume from.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE, itemKey } from '../table.js';
import { toStorageError } from './writer.js';

export interface TaskCursors {
  load<T>(task: string): Promise<T | undefined>;
  save<T>(task: string, position: T, now: number): Promise<void>;
}

export class DynamoTaskCursors implements TaskCursors {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async load<T>(task: string): Promise<T | undefined> {
    try {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { [TABLE.partitionKey]: itemKey('cursor', task) } }));
      return Item?.position as T | undefined;
    } catch (error) {
      throw toStorageError(error, 'loadCursor', itemKey('cursor', task));
    }
  }

  async save<T>(task: string, position: T, now: number): Promise<void> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: { [TABLE.partitionKey]: itemKey('cursor', task), position, updatedAt: now } }));
    } catch (error) {
      throw toStorageError(error, 'saveCursor', itemKey('cursor', task));
    }
  }
}
