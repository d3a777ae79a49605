/**
 * The conductor's own cost per job, in process: the AWS clients are stubbed to answer at once
 * (aws-sdk-client-mock), so what is timed is our code: decoding, claiming, running a trivial
 * job, deciding the outcome, consuming, and building the batch response.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { demoJobTypes } from '../functions/job-types/demo.js';
import { silentLogger } from '../lib/logger.js';
import { SqsPostingQueue } from '../lib/queue/sqs-posting-queue.js';
import { JobTypeRegistry } from '../lib/registry.js';
import { Conductor } from '../lib/run/conductor.js';
import { DynamoJobStore } from '../lib/dynamo/index.js';

export async function conductorMicrosecondsPerJob(batches = 2_000): Promise<number> {
  const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
  const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials }));
  const sqs = new SQSClient({ region: 'us-east-1', credentials });
  // DynamoDB answers every UpdateItem with the item as the write would have left it.
  mockClient(documentClient)
    .on(UpdateCommand)
    .callsFake((input: UpdateCommandInput) => {
      const values = input.ExpressionAttributeValues ?? {};
      const id = String(input.Key?.pk).slice(4);
      return {
        Attributes: {
          pk: input.Key?.pk, id, type: 'demo.echo', typeVersion: 1, payload: { id }, state: values[':set_state'] ?? 'claimed',
          owner: values[':set_owner'] ?? values[':owner'], leaseExpiresAt: values[':set_leaseExpiresAt'], attempts: 1, maxAttempts: 5, errors: [],
          createdAt: 0, updatedAt: 0, timeoutSeconds: 60, version: 2, requestHash: 'h',
        },
      };
    });
  mockClient(sqs).onAnyCommand().resolves({});
  const conductor = new Conductor({
    store: new DynamoJobStore(documentClient, { tableName: 'bench' }),
    queue: SqsPostingQueue.single(sqs, 'q', 'd'),
    registry: new JobTypeRegistry(demoJobTypes),
    logger: silentLogger,
  });
  const invocation = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 60_000 };
  const batch = (n: number) => Array.from({ length: 10 }, (_, i) => ({ messageId: `${n}-${i}`, receiptHandle: 'r', body: `{"id":"job-${n}-${i}"}` }));
  for (let n = 0; n < 200; n++) await conductor.processBatch(batch(n), invocation); // warm up the JIT
  const started = performance.now();
  for (let n = 0; n < batches; n++) {
    const result = await conductor.processBatch(batch(n), invocation);
    if (result.batchItemFailures.length > 0) throw new Error('overhead bench: a record failed');
  }
  return ((performance.now() - started) * 1_000) / (batches * 10);
}
