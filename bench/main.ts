/**
 * `npm run bench`: what a job costs, how fast jobs flow, what our own code costs, how fast each
 * function starts cold and what Powertools adds to that, start latency idle and under load, and
 * what the job counters cost. Prints one table. Options: --jobs N (default 1000),
 * --concurrency N (conductor invocations at once, default 4), --sockets N (connections to DynamoDB
 * Local, default 8), --runs N (cold-start runs, default 5).
 */
import { parseArgs } from 'node:util';
import { LOCAL_TABLE_NAME } from '../local/stack.js';
import { conditionalWritesPerSecond } from './ceiling.js';
import { emulatorEnvironment, measureColdStarts } from './cold-start.js';
import { counterWriteUnits, type CounterCost } from './counter-cost.js';
import { featureCosts, oneScopeThroughput, priorityLatency, type FeatureCost, type PriorityLatency } from './features.js';
import { FlowBench, type FlowResult } from './flow.js';
import { conductorMicrosecondsPerJob } from './overhead.js';
import { powertoolsImportCost } from './powertools-import.js';
import { PRICES, dollarsPerMillionJobs } from './prices.js';
import { machineSummary, printTable, type Row } from './report.js';
import { burstStartLatency, idleStartLatency, type LatencyDistribution } from './start-latency.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    sockets: { type: 'string', default: '8' },
    runs: { type: 'string', default: '5' },
  },
});
const jobs = Number(values.jobs);
const concurrency = Number(values.concurrency);
const runs = Number(values.runs);
const sockets = Number(values.sockets);

const flow = new FlowBench();

/** Counts requests in a metered run, and times an unmetered one: the meter's own work is not the system's. */
async function timedAndCounted(mode: 'single' | 'batched'): Promise<FlowResult> {
  const counted = await flow.run(mode, jobs, { metered: true });
  const timed = await flow.run(mode, jobs, { metered: false });
  return { ...timed, meter: counted.meter, httpRequests: counted.httpRequests, conductorInvocations: counted.conductorInvocations };
}
const stack = await flow.start(concurrency, sockets);
process.stderr.write(`bench: ${jobs} jobs per run through the local stack at ${stack.url}, conductor concurrency ${concurrency}, ${sockets} DynamoDB connections\n`);
let single: FlowResult;
let batched: FlowResult;
let ceiling: { writesPerSecond: number; concurrency: number; cpuMsPerWrite: number };
let cold: Awaited<ReturnType<typeof measureColdStarts>>;
let features: FeatureCost[];
let priority: PriorityLatency;
let hotScope: Awaited<ReturnType<typeof oneScopeThroughput>>;
let idleLatency: LatencyDistribution;
let burstLatency: LatencyDistribution;
let counters: CounterCost;
/** Jobs posted one at a time for the idle start latency. */
const IDLE_SAMPLES = 30;
try {
  // Warm-up, discarded: DynamoDB Local's JVM serves writes about twice as fast once its JIT has
  // compiled the hot paths, so flows and ceiling must both be measured warm.
  // Its JIT keeps improving for a few thousand requests: warm up until two ceiling passes agree within 10%.
  process.stderr.write('bench: warming up DynamoDB Local…\n');
  let previous = 0;
  for (let pass = 0; pass < 6; pass++) {
    await flow.run('batched', Math.min(500, jobs));
    const { writesPerSecond } = await conditionalWritesPerSecond(stack.dynamo.endpoint, 2, undefined);
    if (Math.abs(writesPerSecond - previous) < 0.1 * writesPerSecond) break;
    previous = writesPerSecond;
  }
  await flow.run('single', Math.min(200, jobs));
  process.stderr.write('bench: single posts…\n');
  single = await timedAndCounted('single');
  process.stderr.write('bench: batched posts…\n');
  batched = await timedAndCounted('batched');
  process.stderr.write('bench: what each feature costs…\n');
  features = await featureCosts(stack, flow.meter);
  process.stderr.write('bench: high-priority start latency behind 2,000 low jobs…\n');
  flow.meter.enabled = false;
  priority = await priorityLatency(stack, 2_000, 20);
  process.stderr.write('bench: 1,000 jobs on one scope key…\n');
  hotScope = await oneScopeThroughput(stack, 1_000);
  process.stderr.write('bench: start latency, idle and under a burst…\n');
  idleLatency = await idleStartLatency(stack, IDLE_SAMPLES);
  burstLatency = await burstStartLatency(stack, jobs);
  process.stderr.write('bench: write units of the job counters…\n');
  counters = await counterWriteUnits(stack.dynamo.endpoint, jobs);
  process.stderr.write('bench: DynamoDB Local ceiling…\n');
  ceiling = await conditionalWritesPerSecond(stack.dynamo.endpoint, 4, flow.javaPid());
  process.stderr.write('bench: cold starts…\n');
  cold = await measureColdStarts(
    emulatorEnvironment({ tableName: LOCAL_TABLE_NAME, queueUrl: stack.queue.queueUrl, deadLetterQueueUrl: stack.queue.deadLetterQueueUrl, dynamoEndpoint: stack.dynamo.endpoint, sqsEndpoint: stack.queue.endpoint }),
    runs,
  );
} finally {
  await flow.stop();
}
process.stderr.write('bench: conductor overhead…\n');
const overheadUs = await conductorMicrosecondsPerJob();
process.stderr.write('bench: import cost of Powertools…\n');
const powertools = await powertoolsImportCost(Math.max(3, runs));

const perJob = (r: FlowResult, n: number) => (n / r.jobs).toFixed(3);
const operations = [...new Set([...Object.keys(single.meter.requests), ...Object.keys(batched.meter.requests)])].sort();
const dynamoWrites = (r: FlowResult) => ['DynamoDB.PutItem', 'DynamoDB.UpdateItem'].reduce((sum, op) => sum + (r.meter.requests[op] ?? 0), 0);
const dynamoReads = (r: FlowResult) => ['DynamoDB.GetItem', 'DynamoDB.Query', 'DynamoDB.BatchGetItem', 'DynamoDB.Scan'].reduce((sum, op) => sum + (r.meter.requests[op] ?? 0), 0);
const sqsRequests = (r: FlowResult) => Object.entries(r.meter.requests).filter(([op]) => op.startsWith('SQS.')).reduce((sum, [, n]) => sum + n, 0);
const cost = (r: FlowResult) =>
  dollarsPerMillionJobs({
    jobs: r.jobs,
    writeUnits: r.meter.dynamoWriteUnits,
    readUnits: r.meter.dynamoReadUnits,
    sqsRequests: sqsRequests(r),
    httpRequests: r.httpRequests,
    lambdaInvocations: r.httpRequests + r.conductorInvocations,
  });
const ceilingJobsPerSecond = ceiling.writesPerSecond / 3;
const best = Math.max(single.jobsPerSecond, batched.jobsPerSecond);

const rows: Row[] = [
  { section: '1. cost per job', metric: 'HTTP API requests', single: perJob(single, single.httpRequests), batched: perJob(batched, batched.httpRequests) },
  { section: '', metric: 'conductor invocations', single: perJob(single, single.conductorInvocations), batched: perJob(batched, batched.conductorInvocations) },
  ...operations.map((op) => ({ section: '', metric: op, single: perJob(single, single.meter.requests[op] ?? 0), batched: perJob(batched, batched.meter.requests[op] ?? 0) })),
  { section: '', metric: 'DynamoDB write requests', single: perJob(single, dynamoWrites(single)), batched: perJob(batched, dynamoWrites(batched)), note: 'target ≤ 3' },
  { section: '', metric: 'DynamoDB write units (indexes incl.)', single: perJob(single, single.meter.dynamoWriteUnits), batched: perJob(batched, batched.meter.dynamoWriteUnits), note: 'target ≤ 6' },
  { section: '', metric: 'DynamoDB reads', single: perJob(single, dynamoReads(single)), batched: perJob(batched, dynamoReads(batched)), note: 'target 0' },
  { section: '', metric: `$ per million jobs (list prices ${PRICES.asOf})`, single: cost(single).toFixed(2), batched: cost(batched).toFixed(2), note: 'requests only; Lambda GB-s extra' },
  { section: '2. throughput', metric: 'end-to-end jobs/s (local stack)', single: single.jobsPerSecond.toFixed(1), batched: batched.jobsPerSecond.toFixed(1) },
  { section: '', metric: 'CPU ms per job: this process (handlers, emulator, SDK)', single: single.nodeCpuMsPerJob.toFixed(2), batched: batched.nodeCpuMsPerJob.toFixed(2) },
  { section: '', metric: 'CPU ms per job: DynamoDB Local (JVM)', single: single.dynamoCpuMsPerJob.toFixed(2), batched: batched.dynamoCpuMsPerJob.toFixed(2), note: `ceiling write: ${ceiling.cpuMsPerWrite.toFixed(2)} ms × 3 = ${(ceiling.cpuMsPerWrite * 3).toFixed(2)}` },
  { section: '', metric: 'DynamoDB Local conditional writes/s', single: ceiling.writesPerSecond.toFixed(0), batched: '', note: `best of 2/4/8/16/32 in flight: ${ceiling.concurrency}` },
  { section: '', metric: 'emulator ceiling jobs/s (writes/s ÷ 3)', single: ceilingJobsPerSecond.toFixed(1), batched: '' },
  { section: '', metric: 'end-to-end ÷ ceiling', single: `${((single.jobsPerSecond / ceilingJobsPerSecond) * 100).toFixed(0)}%`, batched: `${((batched.jobsPerSecond / ceilingJobsPerSecond) * 100).toFixed(0)}%`, note: `best ${((best / ceilingJobsPerSecond) * 100).toFixed(0)}%, target ≥ 70%` },
  { section: '3. our code', metric: 'conductor overhead µs/job (clients stubbed)', single: overheadUs.toFixed(1), batched: '' },
  ...cold.map((c, i) => ({
    section: i === 0 ? '4. functions' : '',
    metric: `${c.handler}: bundle KB / import ms / first invocation ms`,
    single: `${(c.bytes / 1024).toFixed(0)} / ${c.importMs.toFixed(0)} / ${c.firstInvocationMs.toFixed(0)}`,
    batched: '',
    note: `median of ${runs} fresh processes`,
  })),
  ...features.map((f, i) => ({
    section: i === 0 ? '5. features' : '',
    metric: `${f.operation}: write / read units`,
    single: `${f.writeUnits.toFixed(1)} / ${f.readUnits.toFixed(1)}`,
    batched: '',
    note: f.note,
  })),
  {
    section: '6. priority',
    metric: `post → start of a high job behind ${priority.backlog} low (median / p90 ms)`,
    single: `${priority.medianMs.toFixed(0)} / ${priority.p90Ms.toFixed(0)}`,
    batched: '',
    note: `${priority.samples} high jobs; ${priority.lowLeft} low still unstarted after the last; goal median ≤ 1000`,
  },
  {
    section: '7. scopes',
    metric: `${hotScope.jobs} jobs sharing one scope key (limit 1): jobs/s`,
    single: hotScope.jobsPerSecond.toFixed(1),
    batched: '',
    note: `${hotScope.seconds.toFixed(0)} s; one runs at a time, the others' postings look again every second`,
  },
  ...powertools.map((p, i) => ({
    section: i === 0 ? '8. Powertools' : '',
    metric: `${p.variant}: bundle KB / import ms / import CPU ms`,
    single: `${(p.bytes / 1024).toFixed(0)} / ${p.importMs.toFixed(0)} / ${p.importCpuMs.toFixed(0)}`,
    batched: '',
    note: `median of ${Math.max(3, runs)} fresh processes`,
  })),
  ...[
    { label: 'idle', d: idleLatency, note: 'one job at a time, each after the last completed' },
    { label: 'under load', d: burstLatency, note: `a burst of ${jobs}, 100 per request` },
  ].map(({ label, d, note }, i) => ({
    section: i === 0 ? '9. start latency' : '',
    metric: `post → claim ${label} (p50 / p90 / p99 ms)`,
    single: `${d.p50Ms.toFixed(0)} / ${d.p90Ms.toFixed(0)} / ${d.p99Ms.toFixed(0)}`,
    batched: '',
    note: `${d.samples} jobs: ${note}`,
  })),
  {
    section: '10. counters',
    metric: 'counter write units per job (stream batches, not in section 1)',
    single: counters.writeUnitsPerJob.toFixed(3),
    batched: '',
    note: `${counters.writeUnits} WU for ${counters.jobs} jobs, ${counters.records} records in batches of ${counters.batches.join(', ')}; counts ${counters.countsMatch ? 'match' : 'DO NOT match'}; goal ≤ 0.1`,
  },
];
printTable(rows, `Jobboard bench — ${jobs} jobs per run — ${machineSummary()}`);
