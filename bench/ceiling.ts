/**
 * The emulator's ceiling: how many conditional writes per second DynamoDB Local sustains on this
 * machine, measured on the same DynamoDB Local the flow ran on, at the best of a few concurrencies.
 * Each write is a conditional UpdateItem creating a ~300-byte item, like a post or a claim.
 */
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createTableInput } from '../lib/table.js';
import { processCpuMs } from './flow.js';

export async function conditionalWritesPerSecond(
  endpoint: string,
  seconds = 4,
  javaPid?: number,
): Promise<{ writesPerSecond: number; concurrency: number; cpuMsPerWrite: number }> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const doc = DynamoDBDocumentClient.from(client);
  const tableName = `ceiling-${Date.now()}`;
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  let best = { writesPerSecond: 0, concurrency: 0, cpuMsPerWrite: Number.NaN };
  let serial = 0;
  try {
    for (const concurrency of [2, 4, 8, 16, 32]) {
      let writes = 0;
      const cpuBefore = processCpuMs(javaPid);
      const end = performance.now() + seconds * 1_000;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < end) {
            await doc.send(
              new UpdateCommand({
                TableName: tableName,
                Key: { pk: `job#ceiling-${serial++}` },
                UpdateExpression: 'SET #state = :state, #payload = :payload',
                ConditionExpression: 'attribute_not_exists(#state)',
                ExpressionAttributeNames: { '#state': 'state', '#payload': 'payload' },
                ExpressionAttributeValues: { ':state': 'posted', ':payload': 'x'.repeat(250) },
              }),
            );
            writes++;
          }
        }),
      );
      const rate = writes / seconds;
      if (rate > best.writesPerSecond) best = { writesPerSecond: rate, concurrency, cpuMsPerWrite: (processCpuMs(javaPid) - cpuBefore) / writes };
    }
  } finally {
    await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    client.destroy();
  }
  return best;
}
