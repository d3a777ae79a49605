/**
 * Evaluates recorded AWS calls (functions/access-audit.ts) against the policies the synthesized
 * template gives each function's role, with an IAM simulator (`@cloud-copilot/iam-simulate`):
 * identity policies of the role, the queue's resource policy where there is one, and the request
 * context IAM would see (`dynamodb:LeadingKeys`, `aws:SecureTransport`). What the emulators let
 * through unchecked, this says yes or no to, call by call.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { AuditedCall, AuditedRequest, AuditedResource } from '../functions/access-audit.js';
import type { DeployedTemplate, PolicyDocument } from './template.js';

/** One authorization IAM would refuse. */
export interface Denial {
  function: string;
  command: string;
  action: string;
  resourceArn: string;
  leadingKeys?: string[];
  /** The simulator's verdict: `ImplicitlyDenied` or `ExplicitlyDenied`. */
  result: string;
  codePath: string[];
}

export interface AuditReport {
  /** Calls evaluated, and authorizations among them (a transaction of n items is n). */
  calls: number;
  requests: number;
  denied: Denial[];
}

/** The policies a role holds; by default the template's. Tests pass fewer, to see a needed grant missed. */
export type PoliciesOf = (roleLogicalId: string) => { name: string; policy: PolicyDocument }[];

export class AccessEvaluator {
  private readonly verdicts = new Map<string, Promise<string>>();
  private readonly roleOf: Map<string, string>;

  constructor(
    private readonly deployment: DeployedTemplate,
    private readonly policiesOf: PoliciesOf = (role) => deployment.rolePolicies(role),
  ) {
    this.roleOf = new Map(deployment.functions().map((fn) => [fn.logicalId, fn.roleLogicalId]));
  }

  /** Every call's authorizations, evaluated; the denied ones, each with where in the code it came from. */
  async audit(calls: readonly AuditedCall[]): Promise<AuditReport> {
    const denied: Denial[] = [];
    let requests = 0;
    for (const call of calls) {
      for (const request of call.requests) {
        requests++;
        const resourceArn = this.arnOf(request.resource);
        const result = await this.verdict(call.function, request, resourceArn);
        if (result !== 'Allowed') {
          denied.push({ function: call.function, command: call.command, action: request.action, resourceArn, ...(request.leadingKeys === undefined ? {} : { leadingKeys: request.leadingKeys }), result, codePath: call.codePath });
        }
      }
    }
    return { calls: calls.length, requests, denied };
  }

  /** The ARN IAM checks a resource as, in the template's account and region. */
  arnOf(resource: AuditedResource): string {
    const { account, region } = this.deployment.placement;
    const inPlacement = (arn: string) => arn.replace(/^arn:aws:([a-z0-9-]+):[^:]*:[^:]*:/, `arn:aws:$1:${region}:${account}:`);
    switch (resource.type) {
      case 'table':
        return `arn:aws:dynamodb:${region}:${account}:table/${resource.table}`;
      case 'index':
        return `arn:aws:dynamodb:${region}:${account}:table/${resource.table}/index/${resource.index}`;
      case 'stream':
        return inPlacement(resource.streamArn);
      case 'queue':
        return this.deployment.queueArnOfUrl(resource.queueUrl);
      case 'eventBus':
        return resource.bus.startsWith('arn:') ? inPlacement(resource.bus) : `arn:aws:events:${region}:${account}:event-bus/${resource.bus}`;
    }
  }

  /** One simulation per distinct (function, action, resource, keys): a run repeats the same few thousand times. */
  private verdict(functionName: string, request: AuditedRequest, resourceArn: string): Promise<string> {
    const keys = request.leadingKeys?.map(kindOf);
    const cacheKey = JSON.stringify([functionName, request.action, resourceArn, keys]);
    let verdict = this.verdicts.get(cacheKey);
    if (verdict === undefined) {
      verdict = this.simulate(functionName, request, resourceArn);
      this.verdicts.set(cacheKey, verdict);
    }
    return verdict;
  }

  private async simulate(functionName: string, request: AuditedRequest, resourceArn: string): Promise<string> {
    const role = this.roleOf.get(functionName);
    if (role === undefined) return `NoSuchFunction(${functionName})`;
    const { account } = this.deployment.placement;
    const resourcePolicy = request.resource.type === 'queue' ? this.deployment.queuePolicy(resourceArn) : undefined;
    const simulation: Simulation = {
      request: {
        principal: this.deployment.roleArn(role),
        action: request.action,
        resource: { resource: resourceArn, accountId: account },
        contextVariables: {
          'aws:SecureTransport': 'true',
          ...(request.leadingKeys === undefined ? {} : { 'dynamodb:LeadingKeys': request.leadingKeys }),
        },
      },
      identityPolicies: this.policiesOf(role),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy === undefined ? {} : { resourcePolicy }),
    };
    const outcome = await runSimulation(simulation, {});
    if (outcome.resultType === 'error') return `SimulationError(${JSON.stringify(outcome.errors).slice(0, 300)})`;
    return outcome.overallResult;
  }
}

/**
 * A leading key stands for its kind (`job#7c29…` → `job#…`): every grant names kinds by prefix,
 * so keys of one kind get one verdict, and a run's thousands of job ids cost a few simulations.
 */
function kindOf(key: string): string {
  const at = key.indexOf('#');
  return at < 0 ? key : `${key.slice(0, at + 1)}…`;
}

/** The denied calls as lines: function, call, resource, keys, and the code path that made it. */
export function describeDenials(denied: readonly Denial[]): string {
  const distinct = new Map<string, Denial>();
  for (const denial of denied) distinct.set(JSON.stringify([denial.function, denial.action, denial.resourceArn, denial.leadingKeys?.map(kindOf), denial.codePath[0]]), denial);
  return [...distinct.values()]
    .map((d) => `${d.function}: ${d.action} (${d.command}) on ${d.resourceArn}${d.leadingKeys === undefined ? '' : ` keys ${d.leadingKeys.join(', ')}`}: ${d.result}\n    at ${d.codePath.join('\n    at ') || '(no project frame)'}`)
    .join('\n');
}

/** What each function did, as IAM sees it: per function, each action with the resources (and item kinds) it touched. */
export function accessSummary(calls: readonly AuditedCall[], evaluator: AccessEvaluator): Map<string, Map<string, Set<string>>> {
  const summary = new Map<string, Map<string, Set<string>>>();
  for (const call of calls) {
    const actions = summary.get(call.function) ?? new Map<string, Set<string>>();
    summary.set(call.function, actions);
    for (const request of call.requests) {
      const targets = actions.get(request.action) ?? new Set<string>();
      actions.set(request.action, targets);
      const arn = evaluator.arnOf(request.resource).replace(/^arn:aws:[a-z0-9-]+:[^:]*:[^:]*:/, '');
      if (request.leadingKeys === undefined) targets.add(arn);
      else for (const key of request.leadingKeys) targets.add(`${arn} ${kindOf(key)}`);
    }
  }
  return summary;
}
