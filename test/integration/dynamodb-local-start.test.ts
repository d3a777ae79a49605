/**
 * Starting DynamoDB Local when its port is taken by someone else: Java cannot bind it (and hangs
 * on instead of exiting), while the other listener accepts connections. Start-up must notice,
 * not hand out an endpoint that is not DynamoDB, and pick another port when it picked this one.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/free-port.js';
import { startDynamoDbLocal } from '../../local/dynamodb-local.js';

let squatter: Server;
let takenPort: number;
beforeAll(async () => {
  takenPort = await freePort();
  squatter = createServer((socket) => socket.destroy()).listen(takenPort, '127.0.0.1');
  await new Promise((resolve) => squatter.once('listening', resolve));
});
afterAll(() => new Promise((resolve) => squatter.close(resolve)));

describe('DynamoDB Local start-up on a taken port', () => {
  it('refuses a port given explicitly, saying it could not bind it', async () => {
    await expect(startDynamoDbLocal({ port: takenPort })).rejects.toThrow(/could not bind port \d+/);
  });

  it('picks another port when the one it picked was taken in the meantime', async () => {
    const picks = [takenPort];
    const dynamo = await startDynamoDbLocal({ pickPort: async () => picks.shift() ?? freePort() });
    try {
      expect(dynamo.port).not.toBe(takenPort);
      const response = await fetch(dynamo.endpoint, { method: 'POST', headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' }, body: '{}' });
      expect(((await response.json()) as { __type: string }).__type).toMatch(/^com\.amazonaws\.dynamodb/);
    } finally {
      await dynamo.stop();
    }
  });
});
