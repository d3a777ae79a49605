/**
 * Runs N jobs through an in-process local stack (the real handlers, DynamoDB Local on disk, the
 * SQS emulator), with a request meter on the stack's own AWS clients. Measures what one job
 * costs in requests and write units, and how fast jobs flow end to end.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStackEnvironment } from '../functions/env.js';
import { RequestMeter, type MeterSnapshot } from './request-meter.js';
import { startLocalStack, type LocalStack } from '../local/stack.js';

export interface FlowResult {
  mode: 'single' | 'batched';
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  httpRequests: number;
  conductorInvocations: number;
  meter: MeterSnapshot;
  /** CPU milliseconds per job: this process (our handlers, the emulator, the SDK) and DynamoDB Local's JVM. */
  nodeCpuMsPerJob: number;
  dynamoCpuMsPerJob: number;
}

/** CPU time of a process in ms, from /proc (Linux); NaN elsewhere. */
export function processCpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1_000) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return Number.NaN;
  }
}

export class FlowBench {
  readonly meter = new RequestMeter();
  private consumed = 0;
  private stack!: LocalStack;
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'jobboard-bench-'));

  async start(concurrency: number, dynamoMaxSockets: number): Promise<LocalStack> {
    const env: LocalStackEnvironment = {
      port: 0,
      dataDir: this.dataDir,
      apiToken: undefined,
      conductorTimeoutSeconds: 60,
      conductorConcurrency: concurrency,
      sweepIntervalSeconds: 3_600,
      dynamoMaxSockets,
      logTransitions: true,
      streamIdleMs: 200,
    };
    this.stack = await startLocalStack(env, {
      sink: (line) => {
        if (line.includes('"event":"job_consumed"')) this.consumed++;
      },
    });
    this.meter.attach(this.stack.runtime.dynamo, 'DynamoDB');
    this.meter.attach(this.stack.runtime.sqs, 'SQS');
    return this.stack;
  }

  /**
   * Posts `jobs` demo.echo jobs of ~120 bytes (so the finished item, result and history included, stays within 1 KB: one write unit per write), singly or 100 per batch request, and waits for all
   * to complete. A metered run counts requests (and asks DynamoDB for capacity); an unmetered
   * run is for timing, free of that instrumentation.
   */
  async run(mode: 'single' | 'batched', jobs: number, options: { metered: boolean } = { metered: true }, httpConcurrency = 16): Promise<FlowResult> {
    this.meter.reset();
    this.meter.enabled = options.metered;
    const javaPid = this.javaPid();
    const nodeCpuBefore = process.cpuUsage();
    const dynamoCpuBefore = processCpuMs(javaPid);
    const invocationsBefore = this.stack.poller.stats.invocations;
    const target = this.consumed + jobs;
    const started = performance.now();
    const bodies = Array.from({ length: jobs }, (_, i) => ({ type: 'demo.echo', payload: { i, text: 'x'.repeat(100) } }));
    const requests = mode === 'single' ? bodies.map((b) => [b]) : chunk(bodies, 100);
    let next = 0;
    await Promise.all(
      Array.from({ length: httpConcurrency }, async () => {
        while (next < requests.length) {
          const group = requests[next++] as unknown[];
          const response = await fetch(`${this.stack.url}${mode === 'single' ? '/jobs' : '/jobs/batch'}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(mode === 'single' ? group[0] : { jobs: group }),
          });
          if (response.status !== (mode === 'single' ? 201 : 200)) throw new Error(`post answered ${response.status}: ${await response.text()}`);
          await response.arrayBuffer();
        }
      }),
    );
    while (this.consumed < target) await new Promise((r) => setTimeout(r, 20));
    const seconds = (performance.now() - started) / 1_000;
    const nodeCpu = process.cpuUsage(nodeCpuBefore);
    return {
      nodeCpuMsPerJob: (nodeCpu.user + nodeCpu.system) / 1_000 / jobs,
      dynamoCpuMsPerJob: (processCpuMs(javaPid) - dynamoCpuBefore) / jobs,
      mode,
      jobs,
      seconds,
      jobsPerSecond: jobs / seconds,
      httpRequests: requests.length,
      conductorInvocations: this.stack.poller.stats.invocations - invocationsBefore,
      meter: this.meter.snapshot(),
    };
  }

  /** DynamoDB Local runs as java under a small shell watchdog: the java child of that shell. */
  javaPid(): number | undefined {
    const shell = this.stack.dynamo.process.pid;
    try {
      const children = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(/\s+/).map(Number);
      return children.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('java'));
    } catch {
      return undefined;
    }
  }

  async stop(): Promise<void> {
    await this.stack.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
