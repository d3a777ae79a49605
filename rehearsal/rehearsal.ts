/**
 * A rehearsal of a deployment on this machine: the template's table and queues on the emulators,
 * its functions (in process, or the shipped bundles on the runtime's Node.js), its event source
 * mappings polling with the functions' own roles, and EventBridge stood in for. Every AWS call of
 * every function is recorded for the access audit. Scenarios (`scenarios.ts`) drive jobs through
 * it over the API function, as a client of the deployed API would, and read the table directly
 * only to check what a client cannot see or to move time forward.
 */
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { AuditedCall } from '../functions/access-audit.js';
import { dynamoClients, sqsClient, streamsClient } from '../functions/clients.js';
import { HTTP_ROUTES } from '../lib/http/contract.js';
import { TABLE, jobKey } from '../lib/table.js';
import { startLocalEventBus, type LocalEventBus } from './event-bus.js';
import { startQueueMappings, startStreamMapping, type EventSources } from './event-sources.js';
import { inProcessFunctions, type DeployedFunctions } from './functions.js';
import { hostedFunctions, type ColdStart } from './hosted-functions.js';
import { apiEvent, scheduledEvent } from './lambda-events.js';
import { createLocalResources, type LocalResources } from './local-resources.js';
import type { CfnTemplate } from './template.js';
import { DynamoJobStore } from '../lib/dynamo/index.js';

export type RehearsalMode = { kind: 'in-process' } | { kind: 'hosted'; assemblyDir: string; node: string };

export interface RehearsalOptions {
  template: CfnTemplate;
  mode: RehearsalMode;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  /** Before every resource's name (rehearsals sharing an emulator). */
  namePrefix?: string;
}

/** A position in the record of calls. */
export interface CallMark {
  recorded: number;
  hosted: number;
}

/** An answer of the API function. */
export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

export class Rehearsal {
  private constructor(
    readonly resources: LocalResources,
    readonly functions: DeployedFunctions & { coldStarts?: ColdStart[] },
    private readonly sources: EventSources[],
    readonly bus: LocalEventBus,
    /** Unaudited clients of the rehearsal itself: for checks and for moving time, never on a function's path. */
    readonly direct: { documentClient: DynamoDBDocumentClient; sqs: SQSClient; store: DynamoJobStore; close(): void },
    private readonly workDir: string,
    /** Calls recorded in this process (in-process functions, the event source mappings). */
    private readonly recorded: AuditedCall[],
  ) {}

  static async start(options: RehearsalOptions): Promise<Rehearsal> {
    const workDir = mkdtempSync(path.join(os.tmpdir(), 'jobboard-rehearsal-'));
    const { dynamo, documentClient } = dynamoClients({ dynamoEndpoint: options.dynamoEndpoint });
    const sqs = sqsClient({ sqsEndpoint: options.sqsEndpoint });
    const resources = await createLocalResources(options.template, { dynamo, sqs }, options.namePrefix);
    const bus = await startLocalEventBus();
    const endpoints = { dynamoEndpoint: options.dynamoEndpoint, sqsEndpoint: options.sqsEndpoint, eventsEndpoint: bus.endpoint };
    const recorded: AuditedCall[] = [];
    const sink = (call: AuditedCall) => void recorded.push(call);
    const functions =
      options.mode.kind === 'in-process'
        ? inProcessFunctions(resources.deployment, endpoints, sink)
        : await hostedFunctions(resources.deployment, {
            assemblyDir: options.mode.assemblyDir,
            endpoints,
            node: options.mode.node,
            auditFile: path.join(workDir, 'audit.jsonl'),
            logDir: workDir,
            environments: { conductor: 3 },
          });
    // The mappings call with the function's role: their calls are the function's.
    const conductor = resources.deployment.function('conductor');
    const processor = resources.deployment.function('streamProcessor');
    const sources = [
      startQueueMappings(resources, functions, sqsClient(endpoints, { functionName: conductor.logicalId, sink }), 2),
      startStreamMapping(resources, functions, streamsClient(endpoints, { functionName: processor.logicalId, sink })),
    ];
    const store = new DynamoJobStore(documentClient, { tableName: resources.tableName });
    const direct = { documentClient, sqs, store, close: () => (dynamo.destroy(), sqs.destroy()) };
    return new Rehearsal(resources, functions, sources, bus, direct, workDir, recorded);
  }

  /** A request to the API function, as API Gateway would send it; the answer's body parsed. */
  async api(method: string, pathAndQuery: string, body?: unknown): Promise<ApiAnswer> {
    const url = new URL(pathAndQuery, 'https://rehearsal');
    const route = HTTP_ROUTES.find((r) => r.method === method && new RegExp(`^${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(url.pathname));
    const event = apiEvent(this.resources.deployment.placement, {
      method,
      path: url.pathname,
      route: route === undefined ? '$default' : `${route.method} ${route.path}`,
      query: Object.fromEntries(url.searchParams),
      body,
    });
    const answer = (await this.functions.invoke('api', event)) as APIGatewayProxyStructuredResultV2;
    return { status: answer.statusCode ?? 0, body: answer.body === undefined || answer.body === '' ? {} : (JSON.parse(answer.body) as Record<string, unknown>) };
  }

  /** The API's view of a job. */
  async job(id: string): Promise<Record<string, unknown>> {
    const answer = await this.api('GET', `/jobs/${encodeURIComponent(id)}`);
    if (answer.status !== 200) throw new Error(`GET /jobs/${id} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** Polls the API until the job satisfies `done` (default: reached `state`). */
  async waitFor(id: string, state: string | ((job: Record<string, unknown>) => boolean), timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const done = typeof state === 'string' ? (job: Record<string, unknown>) => job.state === state : state;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.job(id);
      if (done(job)) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} did not get to ${typeof state === 'string' ? state : 'the expected state'} within ${timeoutMs} ms: ${JSON.stringify({ state: job.state, attempts: job.attempts, errors: job.errors })}`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }

  /** One scheduled invocation of the sweeper (its rule fires each minute on AWS). */
  async tick(): Promise<Record<string, unknown>> {
    return (await this.functions.invoke('sweeper', scheduledEvent(this.resources.deployment.placement, 'SweeperSchedule'))) as Record<string, unknown>;
  }

  /** Moves a job's clock: sets attributes on its item, as if time had passed (the rehearsal cannot wait an hour). */
  async setJobAttributes(id: string, attributes: Record<string, unknown>): Promise<void> {
    const names = Object.keys(attributes);
    await this.direct.documentClient.send(
      new UpdateCommand({
        TableName: this.resources.tableName,
        Key: { [TABLE.partitionKey]: jobKey(id) },
        UpdateExpression: `SET ${names.map((_, n) => `#a${n} = :a${n}`).join(', ')}, #version = #version + :one`,
        ExpressionAttributeNames: { ...Object.fromEntries(names.map((name, n) => [`#a${n}`, name])), '#version': 'version' },
        ExpressionAttributeValues: { ...Object.fromEntries(names.map((name, n) => [`:a${n}`, attributes[name]])), ':one': 1 },
      }),
    );
  }

  /** Receives and deletes what a queue holds now (a lost posting, on purpose). */
  async drainQueue(logicalId: string): Promise<number> {
    const queueUrl = this.resources.queueUrls.get(logicalId);
    let drained = 0;
    for (;;) {
      const { Messages = [] } = await this.direct.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (Messages.length === 0) return drained;
      await this.direct.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle ?? '' })) }));
      drained += Messages.length;
    }
  }

  /** Logical id of the queue of a lane, or the dead-letter queue. */
  queueId(which: 'normal' | 'high' | 'low' | 'deadLetters'): string {
    const prefix = { normal: 'JobboardPostings', high: 'JobboardHighPostings', low: 'JobboardLowPostings', deadLetters: 'JobboardDeadLetters' }[which];
    const id = [...this.resources.queueUrls.keys()].find((candidate) => candidate.startsWith(prefix));
    if (id === undefined) throw new Error(`the template has no ${which} queue`);
    return id;
  }

  /** Every call so far: this process's, and the function processes' audit file. */
  calls(): AuditedCall[] {
    return [...this.recorded, ...this.hostedCalls()];
  }

  /** Where the record stands now, to take the calls made after it with `callsSince`. */
  mark(): CallMark {
    return { recorded: this.recorded.length, hosted: this.hostedCalls().length };
  }

  callsSince(mark: CallMark): AuditedCall[] {
    return [...this.recorded.slice(mark.recorded), ...this.hostedCalls().slice(mark.hosted)];
  }

  private hostedCalls(): AuditedCall[] {
    const file = path.join(this.workDir, 'audit.jsonl');
    if (!existsSync(file)) return [];
    // A line still being written is left for the next read.
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.endsWith('}'))
      .map((line) => JSON.parse(line) as AuditedCall);
  }

  /** What went wrong in the mappings (whole batches that failed). */
  mappingFailures(): string[] {
    return this.sources.flatMap((source) => source.failures);
  }

  /** Where the functions' logs are (hosted mode). */
  get logDir(): string {
    return this.workDir;
  }

  async stop(options: { keepLogs?: boolean } = {}): Promise<void> {
    for (const source of this.sources) await source.stop();
    await this.functions.stop();
    await this.bus.stop();
    this.direct.close();
    if (options.keepLogs !== true) rmSync(this.workDir, { recursive: true, force: true });
  }
}
