/**
 * Who may call which routes: `execute-api:Invoke` on exactly the routes of one role of caller.
 * - post: a producer posts jobs (`POST /jobs`, `POST /jobs/batch`);
 * - read: a viewer reads jobs, boards and counts (`GET /jobs`, `GET /jobs/{id}`, `GET /stats`,
 *   `GET /boards`, `GET /boards/{board}`, `GET /health`, `GET /schedules`, `GET /schedules/{name}`,
 *   `GET /operations`, `GET /operations/{id}`, `GET /openapi.json`);
 * - admin: an operator changes jobs and boards that exist (`DELETE /jobs/{id}`, retry, suspend
 *   and resume, `PUT /boards/{board}`, `POST /dead-letters/redrive`, `PUT`/`DELETE /schedules/{name}`,
 *   `POST /operations`).
 *
 * A route with a path parameter can only be granted with `*` in that one segment (IAM matches
 * the request's path: `/jobs/{id}` is `/jobs/*`). So each grant is a customer-managed policy that
 * Jobboard owns, attached to the grantee, with cdk-nag's wildcard rule acknowledged on that policy
 * alone: the grantee's own policies stay fully checked.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { Grant, Group, ManagedPolicy, PolicyStatement, Role, User, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { HttpRouteKey } from '../lib/http/contract.js';

export type RouteGrant = 'post' | 'read' | 'admin';

/** The routes each grant allows, by method and path of the contract. */
export const ROUTE_GRANTS: Readonly<Record<RouteGrant, readonly HttpRouteKey[]>> = {
  post: ['POST /jobs', 'POST /jobs/batch'],
  read: ['GET /jobs', 'GET /jobs/{id}', 'GET /stats', 'GET /boards', 'GET /boards/{board}', 'GET /health', 'GET /schedules', 'GET /schedules/{name}', 'GET /operations', 'GET /operations/{id}', 'GET /openapi.json'],
  admin: ['DELETE /jobs/{id}', 'POST /jobs/{id}/retry', 'POST /jobs/{id}/suspend', 'POST /jobs/{id}/resume', 'PUT /boards/{board}', 'POST /dead-letters/redrive', 'PUT /schedules/{name}', 'DELETE /schedules/{name}', 'POST /operations'],
};

export const PATH_PARAMETER_REASON =
  'execute-api:Invoke is granted on named routes only; a route with a path parameter (/jobs/{id}) can only be named with * in that one segment, since IAM matches the request path.';

/** The `execute-api` resource of a route: its parameters become `*`. */
export function routeArn(api: HttpApi, stage: HttpStage, route: HttpRouteKey): string {
  const [method, path] = route.split(' ') as [string, string];
  return api.arnForExecuteApi(method, path.replace(/\{[^}]+\}/g, '*'), stage.stageName);
}

/** Grants routes to a grantee through a managed policy owned by `scope`. */
export function grantRoutes(scope: Construct, api: HttpApi, stage: HttpStage, grant: RouteGrant, grantee: IGrantable): Grant {
  const statement = new PolicyStatement({ actions: ['execute-api:Invoke'], resources: ROUTE_GRANTS[grant].map((route) => routeArn(api, stage, route)) });
  const principal = grantee.grantPrincipal;
  const attachable = principal instanceof Role || principal instanceof User || principal instanceof Group;
  if (!attachable) return Grant.addToPrincipal({ grantee, actions: statement.actions, resourceArns: statement.resources });
  const id = `${grant[0]?.toUpperCase()}${grant.slice(1)}Routes${Construct.isConstruct(principal) ? principal.node.addr.slice(0, 8) : ''}`;
  const policy = (scope.node.tryFindChild(id) as ManagedPolicy | undefined) ?? new ManagedPolicy(scope, id, { description: `Jobboard: call the ${grant} routes`, statements: [statement] });
  // cdk-nag names each wildcard finding by the resource it found, so each is acknowledged by that name.
  for (const resource of statement.resources.filter((arn) => flatten(Stack.of(scope).resolve(arn)).includes('*'))) {
    Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(resource))}]`, reason: PATH_PARAMETER_REASON });
  }
  if (principal instanceof Role) policy.attachToRole(principal);
  else if (principal instanceof User) policy.attachToUser(principal);
  else policy.attachToGroup(principal);
  return Grant.drop(grantee, `${grant} routes of the Jobboard API`);
}

/**
 * A resolved CloudFormation value as one string, the way cdk-nag names a resource in a finding:
 * joins joined, `{Ref: X}` as `<X>`, `{Fn::GetAtt: [X, Y]}` as `<X.Y>`.
 */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (value !== null && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if (Array.isArray(node['Fn::Join'])) {
      const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (node.Ref !== undefined) return `<${flatten(node.Ref)}>`;
    if (Array.isArray(node['Fn::GetAtt'])) {
      const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
  }
  return JSON.stringify(value);
}
