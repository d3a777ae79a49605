/**
 * Board settings and names in the table (`board-items.ts` has the layout). Registering a board
 * costs one write the first time a process sees it, then nothing: the names a process has
 * registered are remembered, and registering is idempotent (a string-set ADD).
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BoardDirectory, BoardPatch, BoardSettings } from '../boards/board.js';
import { TABLE } from '../table.js';
import { BOARD_REGISTRY_KEY, boardKey, settingsFromItem } from './board-items.js';
import { namesOf, readItem, registryNames, updateRegistry } from './item-io.js';
import { toStorageError } from './writer.js';
import { DEFAULT_BOARD } from '../boards/board.js';

export class DynamoBoardDirectory implements BoardDirectory {
  private readonly registered = new Set<string>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async register(name: string): Promise<void> {
    if (this.registered.has(name)) return;
    await updateRegistry(this.client, this.tableName, BOARD_REGISTRY_KEY, 'ADD', name, 'registerBoard');
    this.registered.add(name);
  }

  async names(): Promise<string[]> {
    const names = registryNames(await readItem(this.client, this.tableName, BOARD_REGISTRY_KEY, 'readBoards'));
    return [...new Set([DEFAULT_BOARD, ...names])].sort();
  }

  async settings(name: string): Promise<BoardSettings> {
    return settingsFromItem(name, await readItem(this.client, this.tableName, boardKey(name), 'readBoard'));
  }

  async update(name: string, patch: BoardPatch): Promise<BoardSettings> {
    await this.register(name);
    const set = ['#name = :name', '#updatedAt = :now', '#version = if_not_exists(#version, :zero) + :one'];
    const remove: string[] = [];
    const values: Record<string, unknown> = { ':name': name, ':now': this.now(), ':zero': 0, ':one': 1 };
    if (patch.paused !== undefined) {
      set.push('#paused = :paused');
      values[':paused'] = patch.paused;
    }
    if (patch.maxRunning === null) remove.push('#maxRunning');
    else if (patch.maxRunning !== undefined) {
      set.push('#maxRunning = :maxRunning');
      values[':maxRunning'] = patch.maxRunning;
    }
    const expression = `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`;
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [TABLE.partitionKey]: boardKey(name) },
          UpdateExpression: expression,
          ExpressionAttributeNames: namesOf(expression),
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return settingsFromItem(name, Attributes);
    } catch (error) {
      throw toStorageError(error, 'updateBoard', boardKey(name));
    }
  }

}
