/** Every command, in the order the usage lists them. */
import type { Command } from '../context.js';
import { boardCommand, boardsCommand } from './boards.js';
import { bulkCommand, operationCommand, operationsCommand } from './bulk.js';
import { dashboardCommand } from './dashboard.js';
import { cancelCommand, getCommand, healthCommand, redriveCommand, resumeCommand, retryCommand, statsCommand, suspendCommand, trashCommand } from './jobs.js';
import { listCommand } from './list.js';
import { postCommand } from './post.js';
import { scheduleCommand, schedulesCommand } from './schedules.js';
import { waitCommand } from './wait.js';

/** The commands of `jobboard`. */
export const COMMANDS: readonly Command[] = [
  postCommand,
  getCommand,
  listCommand,
  waitCommand,
  statsCommand,
  cancelCommand,
  trashCommand,
  suspendCommand,
  resumeCommand,
  retryCommand,
  boardsCommand,
  boardCommand,
  schedulesCommand,
  scheduleCommand,
  bulkCommand,
  operationsCommand,
  operationCommand,
  redriveCommand,
  healthCommand,
  dashboardCommand,
];

/** The command called `name`, if any. */
export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((command) => command.name === name);
}
