/**
 * Where each maintenance task got to, kept in the table (`cursor#<task>` items) so that a task
 * too large for one invocation's budget resumes where the last one stopped. Plain puts: two
 * sweepers racing may each save their own position, and either is a fine place to resume from.
 */
import { itemKey } from '../table.js';
import type { ItemTable } from './item-table.js';

export interface TaskCursors {
  load<T>(task: string): Promise<T | undefined>;
  save<T>(task: string, position: T, now: number): Promise<void>;
}

export class TableTaskCursors implements TaskCursors {
  constructor(private readonly table: ItemTable) {}

  async load<T>(task: string): Promise<T | undefined> {
    return (await this.table.read(itemKey('cursor', task)))?.position as T | undefined;
  }

  async save<T>(task: string, position: T, now: number): Promise<void> {
    const key = itemKey('cursor', task);
    await this.table.write({ kind: 'put', operation: 'saveCursor', key, item: { position, updatedAt: now }, refused: () => new Error(`saveCursor ${key}: an unconditional put was refused`) });
  }
}
