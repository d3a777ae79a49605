/**
 * A synthesized CloudFormation template, read as the deployment it describes: its functions (role,
 * handler, environment, code asset), the policies each role holds, the queues' resource policies,
 * and CloudFormation's intrinsic functions resolved onto the resources a rehearsal stands up
 * locally (a table in DynamoDB Local, queues in the SQS emulator) under one account and region.
 */
import { CONSTRUCT_IDS } from '../infra/functions.js';
import { HANDLER_NAMES, type HandlerName } from '../infra/handlers.js';

/** The part of a template the rehearsal reads. */
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
}

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

/** An IAM policy document, intrinsics resolved. */
export interface PolicyDocument {
  Version?: string;
  Statement: Record<string, unknown>[];
}

/** What a resource's `Ref` and `Fn::GetAtt` stand for once it exists. */
export interface PhysicalResource {
  ref: string;
  attributes: Readonly<Record<string, string>>;
}

/** The account and region the template's pseudo parameters and every ARN resolve to. */
export interface Placement {
  account: string;
  region: string;
}

/** One function of the template, as the rehearsal starts it. */
export interface TemplateFunction {
  logicalId: string;
  /** Which of Jobboard's handlers it is. */
  handler: HandlerName;
  /** `index.handler`: the file and export Lambda loads. */
  handlerExport: string;
  runtime: string;
  timeoutSeconds: number;
  memoryMb: number;
  roleLogicalId: string;
  /** The code asset's hash: its folder in the cloud assembly is `asset.<hash>`. */
  assetHash: string;
  /** Its environment variables, resolved. */
  environment: Record<string, string>;
}

export class DeployedTemplate {
  constructor(
    readonly template: CfnTemplate,
    readonly placement: Placement,
    private readonly physical: ReadonlyMap<string, PhysicalResource>,
  ) {}

  /** Logical ids of every resource of a type. */
  resourcesOfType(type: string): string[] {
    return Object.entries(this.template.Resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([id]) => id);
  }

  /** Resolves Ref, Fn::GetAtt, Fn::Join, Fn::Sub and Fn::Select, and the pseudo parameters. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    const node = value as Record<string, unknown>;
    if ('Ref' in node) return this.ref(String(node.Ref));
    if ('Fn::GetAtt' in node) {
      const [id, attribute] = node['Fn::GetAtt'] as [string, string];
      return this.attribute(id, attribute);
    }
    if ('Fn::Join' in node) {
      const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
      return (this.resolve(parts) as unknown[]).map(String).join(delimiter);
    }
    if ('Fn::Sub' in node) {
      const text = String(Array.isArray(node['Fn::Sub']) ? node['Fn::Sub'][0] : node['Fn::Sub']);
      return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => (name.includes('.') ? this.attribute(...(name.split('.') as [string, string])) : this.ref(name)));
    }
    if ('Fn::Select' in node) {
      const [index, list] = node['Fn::Select'] as [number, unknown];
      return (this.resolve(list) as unknown[])[Number(index)];
    }
    return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, this.resolve(item)]));
  }

  /** Every function of the template that is one of Jobboard's handlers. */
  functions(): TemplateFunction[] {
    return this.resourcesOfType('AWS::Lambda::Function').flatMap((logicalId) => {
      const handler = handlerOf(logicalId, this.template.Resources[logicalId] as CfnResource);
      if (handler === undefined) return [];
      const props = (this.template.Resources[logicalId] as CfnResource).Properties ?? {};
      const role = props.Role as { 'Fn::GetAtt': [string, string] };
      const variables = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
      return [
        {
          logicalId,
          handler,
          handlerExport: String(props.Handler),
          runtime: String(props.Runtime),
          timeoutSeconds: Number(props.Timeout ?? 3),
          memoryMb: Number(props.MemorySize ?? 128),
          roleLogicalId: role['Fn::GetAtt'][0],
          assetHash: String((props.Code as { S3Key?: string } | undefined)?.S3Key ?? '').replace(/\.zip$/, ''),
          environment: Object.fromEntries(Object.entries(variables).map(([name, v]) => [name, String(this.resolve(v))])),
        },
      ];
    });
  }

  /** The function of one handler (the template has one of each). */
  function(handler: HandlerName): TemplateFunction {
    const found = this.functions().find((fn) => fn.handler === handler);
    if (found === undefined) throw new Error(`the template has no ${handler} function`);
    return found;
  }

  /** Every identity policy the role holds: its inline policies, and the IAM policies attached to it. */
  rolePolicies(roleLogicalId: string): { name: string; policy: PolicyDocument }[] {
    const attachedTo = (resource: CfnResource) => ((resource.Properties?.Roles as { Ref?: string }[] | undefined) ?? []).some((role) => role.Ref === roleLogicalId);
    const role = this.template.Resources[roleLogicalId]?.Properties ?? {};
    const inline = ((role.Policies as { PolicyName: string; PolicyDocument: unknown }[] | undefined) ?? []).map((p) => ({ name: p.PolicyName, policy: this.resolve(p.PolicyDocument) as PolicyDocument }));
    const attached = Object.entries(this.template.Resources)
      .filter(([, resource]) => (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') && attachedTo(resource))
      .map(([id, resource]) => ({ name: id, policy: this.resolve(resource.Properties?.PolicyDocument) as PolicyDocument }));
    if (((role.ManagedPolicyArns as unknown[] | undefined) ?? []).length > 0) throw new Error(`role ${roleLogicalId} has managed policies the rehearsal cannot read`);
    return [...inline, ...attached];
  }

  /** The resource policy of a queue (by its ARN), if it has one. */
  queuePolicy(queueArn: string): PolicyDocument | undefined {
    for (const id of this.resourcesOfType('AWS::SQS::QueuePolicy')) {
      const props = (this.template.Resources[id] as CfnResource).Properties ?? {};
      const queues = (this.resolve(props.Queues) as string[]).map((url) => this.queueArnOfUrl(url));
      if (queues.includes(queueArn)) return this.resolve(props.PolicyDocument) as PolicyDocument;
    }
    return undefined;
  }

  /** A role's ARN. */
  roleArn(roleLogicalId: string): string {
    return this.attribute(roleLogicalId, 'Arn');
  }

  /** ARN of the queue at a URL (its name is the URL's last segment, wherever the queue lives). */
  queueArnOfUrl(url: string): string {
    return `arn:aws:sqs:${this.placement.region}:${this.placement.account}:${url.split('/').pop() ?? ''}`;
  }

  private ref(id: string): string {
    switch (id) {
      case 'AWS::AccountId':
        return this.placement.account;
      case 'AWS::Region':
        return this.placement.region;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return 'rehearsal';
    }
    return this.resource(id).ref;
  }

  private attribute(id: string, attribute: string): string {
    const value = this.resource(id).attributes[attribute];
    if (value === undefined) throw new Error(`the rehearsal does not know ${id}.${attribute}`);
    return value;
  }

  private resource(id: string): PhysicalResource {
    const found = this.physical.get(id);
    if (found === undefined) throw new Error(`the rehearsal has no physical resource for ${id} (${this.template.Resources[id]?.Type ?? 'not in the template'})`);
    return found;
  }
}

/**
 * Which handler a function is: from its construct path (`…/Conductor/Resource`) where the template
 * keeps paths, else from its logical id (the path's ids joined, then an 8-digit hash).
 */
function handlerOf(logicalId: string, resource: CfnResource): HandlerName | undefined {
  const path = resource.Metadata?.['aws:cdk:path'];
  if (typeof path === 'string') return HANDLER_NAMES.find((name) => CONSTRUCT_IDS[name] === path.split('/').at(-2));
  const ids = logicalId.replace(/[0-9A-F]{8}$/, '');
  return HANDLER_NAMES.find((name) => ids.endsWith(CONSTRUCT_IDS[name]));
}

/** What only the local resources know: their names, a queue's URL, the label of the table's stream. */
export interface LocalNames {
  /** The name a resource is created under (a prefix keeps rehearsals sharing one emulator apart). */
  nameOf(logicalId: string): string;
  queueUrl(logicalId: string): string;
  streamLabel?: string;
}

/** The physical resources of a template under this placement, with the names the rehearsal creates them under. */
export function physicalResources(template: CfnTemplate, placement: Placement, local: LocalNames): Map<string, PhysicalResource> {
  const { account, region } = placement;
  const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;
  const physical = new Map<string, PhysicalResource>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    const name = local.nameOf(id);
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table': {
        const tableArn = arn('dynamodb', `table/${name}`);
        physical.set(id, { ref: name, attributes: { Arn: tableArn, StreamArn: `${tableArn}/stream/${local.streamLabel ?? 'unknown'}` } });
        break;
      }
      case 'AWS::SQS::Queue':
        physical.set(id, { ref: local.queueUrl(id), attributes: { Arn: arn('sqs', name), QueueName: name, QueueUrl: local.queueUrl(id) } });
        break;
      case 'AWS::Events::EventBus':
        physical.set(id, { ref: name, attributes: { Arn: arn('events', `event-bus/${name}`), Name: name } });
        break;
      case 'AWS::Logs::LogGroup':
        physical.set(id, { ref: name, attributes: { Arn: arn('logs', `log-group:${name}:*`) } });
        break;
      case 'AWS::IAM::Role':
        physical.set(id, { ref: name, attributes: { Arn: `arn:aws:iam::${account}:role/${name}`, RoleId: name } });
        break;
      case 'AWS::Lambda::Function':
        physical.set(id, { ref: name, attributes: { Arn: arn('lambda', `function:${name}`) } });
        break;
      case 'AWS::ApiGatewayV2::Api':
        physical.set(id, { ref: name, attributes: { ApiEndpoint: `https://${name}.execute-api.${region}.amazonaws.com` } });
        break;
      default:
        physical.set(id, { ref: name, attributes: {} });
    }
  }
  return physical;
}
