/**
 * The deploy rehearsal (`npm run rehearse`): synthesizes this repository's stack with bundling,
 * exactly as `cdk synth` does, starts each bundle of the cloud assembly the way Lambda does on the
 * runtime the template names (Node.js 22), with the template's environment mapped onto DynamoDB
 * Local and the SQS emulator, plays the event source mappings and the schedule, drives one job of
 * every kind through, and evaluates every AWS call every function made against the template's
 * policies. Nothing here needs an AWS account; what it proves is what the emulators cannot.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { JOBBOARD_ROOT } from '../infra/handlers.js';
import { JobboardStack } from '../infra/stack.js';
import { startDynamoDbLocal } from '../local/dynamodb-local.js';
import { startBareSqsEmulator } from '../local/sqs-emulator.js';
import type { ColdStart } from './hosted-functions.js';
import { AccessEvaluator, describeDenials, type Denial } from './iam-audit.js';
import { lambdaNode, runtimeMajor } from './lambda-node.js';
import { Rehearsal } from './rehearsal.js';
import { SCENARIOS, type Scenario } from './scenarios.js';
import type { CfnTemplate } from './template.js';

export interface ScenarioReport {
  kind: string;
  ok: boolean;
  result: string;
  calls: number;
  denied: number;
}

export interface RehearsalReport {
  node: string;
  scenarios: ScenarioReport[];
  coldStarts: ColdStart[];
  denied: Denial[];
  mappingFailures: string[];
  /** Where the functions' logs were kept (when the rehearsal failed). */
  logDir?: string;
}

/** Synthesizes the stack as `cdk synth` would (cdk.json's context, bundling on) into `outdir`. */
export function synthesize(outdir: string): CfnTemplate {
  const cdkJson = JSON.parse(readFileSync(path.join(JOBBOARD_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const app = new App({ outdir, context: { ...cdkJson.context, 'aws:cdk:enable-path-metadata': true } });
  const stack = new JobboardStack(app, 'Jobboard', { demoJobTypes: true, projectRoot: JOBBOARD_ROOT });
  const assembly = app.synth();
  return JSON.parse(readFileSync(path.join(assembly.directory, assembly.getStackByName(stack.stackName).templateFile), 'utf8')) as CfnTemplate;
}

export async function rehearse(options: { scenarios?: readonly Scenario[]; log?: (line: string) => void } = {}): Promise<RehearsalReport> {
  const log = options.log ?? (() => undefined);
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'jobboard-assembly-'));
  const stopping: (() => Promise<void>)[] = [];
  try {
    log('synthesizing the stack, bundles included…');
    const template = synthesize(outdir);
    const runtimes = new Set(Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function' && typeof r.Properties?.Runtime === 'string').map((r) => String(r.Properties?.Runtime)));
    if (runtimes.size !== 1) throw new Error(`the functions use ${runtimes.size} runtimes (${[...runtimes].join(', ')}); the rehearsal expects one`);
    const node = await lambdaNode(runtimeMajor([...runtimes][0] as string));
    log(`starting the emulators and the functions on Node.js ${node.version}…`);
    const dynamo = await startDynamoDbLocal();
    stopping.push(() => dynamo.stop());
    const sqs = await startBareSqsEmulator();
    stopping.push(() => sqs.stop());
    const rehearsal = await Rehearsal.start({ template, mode: { kind: 'hosted', assemblyDir: outdir, node: node.binary }, dynamoEndpoint: dynamo.endpoint, sqsEndpoint: sqs.endpoint });
    let failed = false;
    stopping.push(() => rehearsal.stop({ keepLogs: failed }));

    const evaluator = new AccessEvaluator(rehearsal.resources.deployment);
    const scenarios: ScenarioReport[] = [];
    const denied: Denial[] = [];
    for (const scenario of options.scenarios ?? SCENARIOS) {
      const mark = rehearsal.mark();
      let ok = true;
      let result: string;
      try {
        result = await scenario.run(rehearsal);
      } catch (error) {
        ok = false;
        result = error instanceof Error ? error.message : String(error);
      }
      // The function processes write their calls as they make them; a moment lets the last lines land.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const calls = rehearsal.callsSince(mark);
      const audit = await evaluator.audit(calls);
      denied.push(...audit.denied);
      scenarios.push({ kind: scenario.kind, ok, result, calls: calls.length, denied: audit.denied.length });
      log(`${ok ? 'ok  ' : 'FAIL'} ${scenario.kind}: ${result} (${calls.length} calls, ${audit.denied.length} denied)`);
    }
    const mappingFailures = rehearsal.mappingFailures();
    failed = denied.length > 0 || mappingFailures.length > 0 || scenarios.some((s) => !s.ok);
    return { node: node.version, scenarios, coldStarts: rehearsal.functions.coldStarts ?? [], denied, mappingFailures, ...(failed ? { logDir: rehearsal.logDir } : {}) };
  } finally {
    for (const stop of stopping.reverse()) await stop().catch(() => undefined);
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The report as the table `npm run rehearse` prints. */
export function formatReport(report: RehearsalReport): string {
  const rows = report.scenarios.map((s) => [s.kind, `${s.ok ? '' : 'FAILED: '}${s.result}`, String(s.calls), String(s.denied)]);
  const header = ['kind', 'result', 'calls made', 'calls denied'];
  const widths = header.map((h, n) => Math.max(h.length, ...rows.map((row) => Math.min(70, (row[n] as string).length))));
  const line = (cells: string[]) => cells.map((cell, n) => (n >= 2 ? cell.padStart(widths[n] as number) : cell.slice(0, 70).padEnd(widths[n] as number))).join('  ');
  const total = report.scenarios.reduce((sum, s) => sum + s.calls, 0);
  const lines = [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    line(['all', `${report.scenarios.filter((s) => s.ok).length} of ${report.scenarios.length} kinds as expected`, String(total), String(report.denied.length)]),
    '',
    `cold starts on Node.js ${report.node} (module load, per environment): ${report.coldStarts.map((c) => `${c.handler} ${c.initMs.toFixed(0)} ms`).join(', ')}`,
  ];
  if (report.denied.length > 0) lines.push('', 'denied calls:', describeDenials(report.denied));
  if (report.mappingFailures.length > 0) lines.push('', 'event source failures:', ...report.mappingFailures);
  if (report.logDir !== undefined) lines.push('', `the functions' logs are in ${report.logDir}`);
  return lines.join('\n');
}
