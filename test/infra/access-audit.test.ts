/**
 * The access audit: every function is driven down every feature's path on the emulators (the
 * rehearsal's scenarios, with the functions built in this process), each AWS call it makes is
 * recorded by the middleware on the clients functions/clients.ts builds, and each is evaluated
 * by an IAM simulator against the policies the synthesized template attaches to that function's
 * role. The emulators check no permissions; this does.
 *
 * Then the converse: every statement the template grants is needed. Each is taken away in turn
 * and the same calls evaluated again; some call must then be denied. (The log statements, and the
 * actions only Lambda's own pollers use, are named and left out.)
 */
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { HandlerName } from '../../infra/handlers.js';
import { JobboardStack } from '../../infra/stack.js';
import { startBareSqsEmulator } from '../../local/sqs-emulator.js';
import { writeFileSync } from 'node:fs';
import { AccessEvaluator, accessSummary, describeDenials } from '../../rehearsal/iam-audit.js';
import { Rehearsal } from '../../rehearsal/rehearsal.js';
import { SCENARIOS } from '../../rehearsal/scenarios.js';
import type { CfnTemplate, PolicyDocument } from '../../rehearsal/template.js';
import { newApp, removeAssembly } from './synth.js';

let app: App;
let rehearsal: Rehearsal;
let sqs: { stop(): Promise<void> };

beforeAll(async () => {
  app = newApp({ bundling: false });
  const template = Template.fromStack(new JobboardStack(app, 'Jobboard', { demoJobTypes: true })).toJSON() as CfnTemplate;
  const emulator = await startBareSqsEmulator();
  sqs = emulator;
  rehearsal = await Rehearsal.start({ template, mode: { kind: 'in-process' }, dynamoEndpoint: inject('dynamoEndpoint'), sqsEndpoint: emulator.endpoint, namePrefix: `audit${Date.now() % 100_000}-` });
});

afterAll(async () => {
  await rehearsal?.stop();
  await sqs?.stop();
  if (app !== undefined) removeAssembly(app);
});

describe('access audit', () => {
  for (const scenario of SCENARIOS) {
    it(`drives a ${scenario.kind} job through the functions`, async () => {
      await scenario.run(rehearsal);
    });
  }

  it('every call of every function is allowed by the policies its role holds in the template', async () => {
    expect(rehearsal.mappingFailures()).toEqual([]);
    const calls = rehearsal.calls();
    const report = await new AccessEvaluator(rehearsal.resources.deployment).audit(calls);
    expect(report.requests).toBeGreaterThan(500);
    // Each function made calls: an audit that recorded nobody's would pass vacuously.
    const callers = new Set(calls.map((call) => call.function));
    expect([...callers].sort()).toEqual(rehearsal.resources.deployment.functions().map((fn) => fn.logicalId).sort());
    if (process.env.JOBBOARD_AUDIT_SUMMARY !== undefined) {
      const summary = accessSummary(calls, new AccessEvaluator(rehearsal.resources.deployment));
      writeFileSync(process.env.JOBBOARD_AUDIT_SUMMARY, JSON.stringify(Object.fromEntries([...summary].map(([fn, actions]) => [fn, Object.fromEntries([...actions].map(([a, t]) => [a, [...t].sort()]))])), null, 1));
    }
    expect(report.denied.length, `denied:\n${describeDenials(report.denied)}`).toBe(0);
  });

  it('every action and every item kind each function is granted is needed: without it, some recorded call is denied', async () => {
    const { deployment } = rehearsal.resources;
    const calls = rehearsal.calls();
    const unneeded: string[] = [];
    for (const fn of deployment.functions()) {
      const policies = deployment.rolePolicies(fn.roleLogicalId);
      const own = calls.filter((call) => call.function === fn.logicalId);
      const deniedWith = async (changed: { name: string; policy: PolicyDocument }[]) =>
        (await new AccessEvaluator(deployment, (role) => (role === fn.roleLogicalId ? changed : deployment.rolePolicies(role))).audit(own)).denied.length;
      for (const [p, { policy }] of policies.entries()) {
        for (const [s, statement] of policy.Statement.entries()) {
          const where = `${JSON.stringify(statement.Resource)}${statement.Condition === undefined ? '' : ` if ${JSON.stringify(statement.Condition)}`}`;
          for (const action of actionsOf(statement).filter((a) => !grantedForLambda(fn.handler).includes(a))) {
            const without = policies.map((entry, n) => (n === p ? { ...entry, policy: changeStatement(entry.policy, s, { dropAction: action }) } : entry));
            if ((await deniedWith(without)) === 0) unneeded.push(`${fn.handler}: ${action} on ${where}`);
          }
          for (const kind of leadingKeyPatterns(statement)) {
            const without = policies.map((entry, n) => (n === p ? { ...entry, policy: changeStatement(entry.policy, s, { dropKind: kind }) } : entry));
            if ((await deniedWith(without)) === 0) unneeded.push(`${fn.handler}: item kind ${kind} of ${actionsOf(statement).join(', ')}`);
          }
        }
      }
    }
    expect(unneeded, 'grants no recorded call needs').toEqual([]);
  });
});

/**
 * Actions granted for Lambda's own use that the rehearsal does not make: writing the function's
 * logs, what the SQS event source's poller calls besides receiving and deleting (which the
 * rehearsal's mappings do, with the conductor's role), and the stream's ListStreams.
 */
function grantedForLambda(handler: HandlerName): string[] {
  const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
  if (handler === 'conductor') return [...logs, 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
  // SendMessage: to the mapping's on-failure destination, which Lambda writes with the function's role.
  if (handler === 'streamProcessor') return [...logs, 'dynamodb:ListStreams', 'sqs:SendMessage'];
  return logs;
}

const actionsOf = (statement: Record<string, unknown>): string[] => ([] as string[]).concat(statement.Action as string | string[]);

/** The `dynamodb:LeadingKeys` patterns a statement's condition allows (none: no such condition). */
function leadingKeyPatterns(statement: Record<string, unknown>): string[] {
  const condition = (statement.Condition as Record<string, Record<string, string | string[]>> | undefined)?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
  return condition === undefined ? [] : ([] as string[]).concat(condition);
}

/** The policy with one action, or one item kind, taken out of one statement (the statement dropped if nothing is left). */
function changeStatement(policy: PolicyDocument, statementIndex: number, change: { dropAction?: string; dropKind?: string }): PolicyDocument {
  const statements = policy.Statement.flatMap((statement, n) => {
    if (n !== statementIndex) return [statement];
    const actions = actionsOf(statement).filter((a) => a !== change.dropAction);
    const kinds = leadingKeyPatterns(statement).filter((k) => k !== change.dropKind);
    if (actions.length === 0 || (change.dropKind !== undefined && kinds.length === 0)) return [];
    const condition = change.dropKind === undefined ? statement.Condition : { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': kinds } };
    return [{ ...statement, Action: actions, ...(condition === undefined ? {} : { Condition: condition }) }];
  });
  return { ...policy, Statement: statements };
}
