/**
 * Lambda's event source mappings, as the rehearsal plays them: every mapping of the template
 * polls its queue (or the table's stream) with the function's own role (calls recorded under the
 * function's name, since on AWS the mapping calls with the function's execution role), and
 * invokes the function with the batches, honouring what the mapping says: batch size, maximum
 * concurrency, ReportBatchItemFailures, the stream's filter and tumbling window.
 */
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type DynamoDBStreamsClient, type _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord, SQSBatchResponse } from 'aws-lambda';
import type { StreamWindowResponse } from '../functions/stream-processor.js';
import { EventSourcePoller } from '../local/event-source.js';
import type { DeployedFunctions } from './functions.js';
import { streamWindowEvent } from './lambda-events.js';
import type { LocalResources } from './local-resources.js';

export interface EventSources {
  /** Batches whose invocation failed as a whole (Lambda retries them; the rehearsal reports them). */
  readonly failures: string[];
  stop(): Promise<void>;
}

/** Every SQS mapping of the template, each polling its queue into its function. */
export function startQueueMappings(resources: LocalResources, functions: DeployedFunctions, sqs: SQSClient, maxConcurrency: number): EventSources {
  const failures: string[] = [];
  const { deployment } = resources;
  const pollers = deployment.resourcesOfType('AWS::Lambda::EventSourceMapping').flatMap((id) => {
    const props = deployment.template.Resources[id]?.Properties ?? {};
    const source = (props.EventSourceArn as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    const queueUrl = source === undefined ? undefined : resources.queueUrls.get(source[0]);
    if (queueUrl === undefined) return [];
    const target = deployment.functions().find((fn) => fn.logicalId === (props.FunctionName as { Ref: string }).Ref);
    if (target === undefined) throw new Error(`mapping ${id} invokes a function the rehearsal does not know`);
    const scaling = props.ScalingConfig as { MaximumConcurrency?: number } | undefined;
    return [
      new EventSourcePoller({
        sqs,
        queueUrl,
        batchSize: Number(props.BatchSize ?? 10),
        concurrency: Math.min(maxConcurrency, scaling?.MaximumConcurrency ?? maxConcurrency),
        invocationTimeoutMs: target.timeoutSeconds * 1_000,
        handler: async (event) => (await functions.invoke(target.handler, event)) as SQSBatchResponse,
        onInvocationError: (error) => failures.push(`${id}: ${String(error)}`),
      }).start(),
    ];
  });
  return { failures, stop: async () => void (await Promise.all(pollers.map((poller) => poller.stop({ graceMs: 5_000 })))) };
}

/** The stream mapping: the table's stream, filtered as the template says, in windowed batches. */
export function startStreamMapping(resources: LocalResources, functions: DeployedFunctions, streams: DynamoDBStreamsClient): EventSources {
  const { deployment } = resources;
  const id = deployment.resourcesOfType('AWS::Lambda::EventSourceMapping').find((candidate) => {
    const source = deployment.template.Resources[candidate]?.Properties?.EventSourceArn as { 'Fn::GetAtt'?: [string, string] };
    return source['Fn::GetAtt']?.[1] === 'StreamArn';
  });
  if (id === undefined) throw new Error('the template has no stream mapping');
  const props = deployment.template.Resources[id]?.Properties ?? {};
  const patterns = ((props.FilterCriteria as { Filters?: { Pattern: string }[] } | undefined)?.Filters ?? []).map((f) => JSON.parse(f.Pattern) as unknown);
  const windowSeconds = Number(props.TumblingWindowInSeconds ?? 0);
  const streamArn = String(deployment.resolve({ 'Fn::GetAtt': [resources.tableId, 'StreamArn'] }));
  const failures: string[] = [];
  const iterators = new Map<string, string | undefined>();
  let running = true;

  const pump = async () => {
    while (running) {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: resources.localStreamArn }));
      let read = 0;
      for (const shard of StreamDescription?.Shards ?? []) {
        const shardId = shard.ShardId as string;
        if (!iterators.has(shardId)) {
          const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: resources.localStreamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
          iterators.set(shardId, ShardIterator);
        }
        const iterator = iterators.get(shardId);
        if (iterator === undefined) continue;
        const answer = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: Number(props.BatchSize ?? 1_000) }));
        iterators.set(shardId, answer.NextShardIterator);
        const records = (answer.Records ?? []).map((record) => lambdaRecord(record, streamArn)).filter((record) => patterns.length === 0 || patterns.some((p) => matches(p, record)));
        read += records.length;
        if (records.length > 0) await deliver(shardId, records);
      }
      if (read === 0) await new Promise((resolve) => setTimeout(resolve, 150));
    }
  };

  /** One shard's batch, delivered again from the record the function reports failed, a few times at most. */
  const deliver = async (shardId: string, records: DynamoDBRecord[]) => {
    const windowStart = new Date(Math.floor(Date.now() / (windowSeconds * 1_000 || 1)) * (windowSeconds * 1_000 || 1));
    let pending = records;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === 5) {
        failures.push(`${id}: ${pending.length} records of ${shardId} never processed`);
        return;
      }
      const answer = (await functions.invoke('streamProcessor', streamWindowEvent(pending, shardId, streamArn, windowStart, windowSeconds)).catch((error: unknown) => {
        failures.push(`${id}: ${String(error)}`);
        return { state: {}, batchItemFailures: [{ itemIdentifier: pending[0]?.dynamodb?.SequenceNumber ?? '' }] };
      })) as StreamWindowResponse;
      const failed = answer.batchItemFailures[0]?.itemIdentifier;
      pending = failed === undefined ? [] : pending.slice(Math.max(0, pending.findIndex((r) => r.dynamodb?.SequenceNumber === failed)));
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  const loop = pump().catch((error: unknown) => failures.push(`${id}: the stream stopped: ${String(error)}`));
  return {
    failures,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** A stream record as Lambda's event carries it: JSON, with the creation time in epoch seconds and the mapping's ARN. */
function lambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const json = JSON.parse(JSON.stringify(record)) as DynamoDBRecord & { dynamodb: { ApproximateCreationDateTime?: string | number } };
  const created = record.dynamodb?.ApproximateCreationDateTime;
  if (created instanceof Date) json.dynamodb.ApproximateCreationDateTime = Math.floor(created.getTime() / 1_000);
  return { ...json, eventSourceARN: streamArn };
}

/** An event filter pattern (the subset mappings use: nested fields, lists of values or `{prefix}`). */
function matches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    return pattern.some((option) => (option !== null && typeof option === 'object' && 'prefix' in option ? typeof value === 'string' && value.startsWith(String((option as { prefix: unknown }).prefix)) : option === value));
  }
  if (pattern === null || typeof pattern !== 'object') return pattern === value;
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(pattern).every(([key, sub]) => matches(sub, (value as Record<string, unknown>)[key]));
}
