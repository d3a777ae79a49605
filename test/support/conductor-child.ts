/** Starts `conductor-process.ts` in a child process on a harness's table and queue, for crash tests (kill it with SIGKILL). */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import type { BoardHarness } from './board-harness.js';
import type { ConductorProcessConfig } from './conductor-process.js';

export function spawnConductor(h: BoardHarness, leaseMs: number, options: Pick<ConductorProcessConfig, 'dieBeforeRelease'> = {}): { child: ChildProcess; exited: Promise<unknown> } {
  const config: ConductorProcessConfig = {
    dynamoEndpoint: inject('dynamoEndpoint'),
    sqsEndpoint: h.queue.endpoint,
    tableName: h.table.tableName,
    queueUrl: h.queue.queueUrl,
    deadLetterQueueUrl: h.queue.deadLetterQueueUrl,
    leaseMs,
    ...options,
  };
  const script = fileURLToPath(new URL('./conductor-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], { stdio: ['ignore', process.env.JOBBOARD_CHILD_LOGS ? 'inherit' : 'ignore', 'inherit'] });
  return { child, exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code))) };
}
