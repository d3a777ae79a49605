/** The functions, built alike: own role and log group, local bundling, environment, least-privilege access. */
import { createRequire } from 'node:module';
import path from 'node:path';
import { Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ACCESS, grantAccess, type BoardArns } from './access.js';
import { DEFAULT_BUNDLE_CHOICE, SOURCE_MAP_ENVIRONMENT, lambdaBundlingOptions } from './bundling.js';
import { generatedEntriesDir, handlerEntry, type HandlerName } from './handlers.js';
import { FUNCTION_DEFAULTS, type FunctionSettings, type JobboardProps } from './props.js';

/** Builds the functions alike: role, log group, bundling, environment, access. */
export class FunctionFactory {
  private readonly projectRoot: string;

  constructor(
    private readonly scope: Construct,
    private readonly props: JobboardProps,
    private readonly removalPolicy: RemovalPolicy,
    /** What every function that runs job code gets. */
    private readonly environment: Record<string, string>,
  ) {
    this.projectRoot = path.resolve(props.projectRoot ?? process.cwd());
    requireLocalEsbuild(this.projectRoot);
  }

  /** `environment` replaces the shared one (a function that runs no job code gets only what it reads). */
  create(
    name: HandlerName,
    settings: FunctionSettings | undefined,
    arns: BoardArns,
    extra: { retryAttempts?: number; reservedConcurrentExecutions?: number } = {},
    environment: Record<string, string> = this.environment,
  ): NodejsFunction {
    const id = CONSTRUCT_IDS[name];
    // Own role without AWS managed policies: exactly the log group below plus ACCESS[name].
    const role = new Role(this.scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Jobboard ${name} function`,
    });
    const logGroup = new LogGroup(this.scope, `${id}Logs`, {
      ...(this.props.encryptionKey === undefined ? {} : { encryptionKey: this.props.encryptionKey }),
      retention: this.props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: this.removalPolicy,
    });
    logGroup.grantWrite(role);
    const fn = new NodejsFunction(this.scope, id, {
      description: `Jobboard ${name}`,
      entry: handlerEntry(name, this.props.jobTypes ?? 'demo', generatedEntriesDir(this.projectRoot)),
      handler: 'handler',
      runtime: this.props.runtime ?? Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: settings?.memorySize ?? FUNCTION_DEFAULTS[name].memorySize,
      timeout: settings?.timeout ?? FUNCTION_DEFAULTS[name].timeout,
      role,
      logGroup,
      environment: { ...environment, ...SOURCE_MAP_ENVIRONMENT },
      projectRoot: this.projectRoot,
      ...(this.props.depsLockFilePath === undefined ? {} : { depsLockFilePath: this.props.depsLockFilePath }),
      bundling: lambdaBundlingOptions({ bundleAwsSdk: this.props.bundleAwsSdk ?? DEFAULT_BUNDLE_CHOICE.bundleAwsSdk }),
      ...(this.props.tracing === true ? { tracing: Tracing.ACTIVE } : {}),
      ...extra,
    });
    grantAccess(fn, ACCESS[name], arns);
    if (this.props.encryptionKey !== undefined) {
      // The table and every queue are encrypted with the key: every function reads or writes one of them.
      fn.addToRolePolicy(new PolicyStatement({ actions: [...KMS_ACTIONS], resources: [this.props.encryptionKey.keyArn] }));
    }
    if (this.props.tracing === true) {
      // X-Ray's PutTraceSegments and PutTelemetryRecords take no resource: CDK grants them on "*".
      Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: XRAY_REASON });
    }
    if (fn.runtime.runtimeEquals(Runtime.NODEJS_22_X)) {
      // Acknowledged here, not in a stack, so every app embedding the construct gets the reason with it.
      Validations.of(fn).acknowledge({ id: 'AwsSolutions-L1', reason: NODE_22_REASON });
    }
    return fn;
  }
}

/** What the functions may do with the customer-managed key (table and queues encrypted with it). */
export const KMS_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'] as const;

/** Why tracing needs a wildcard resource (cdk-nag AwsSolutions-IAM5). */
export const XRAY_REASON = 'X-Ray actions (xray:PutTraceSegments, xray:PutTelemetryRecords) support no resource-level permissions; CDK grants them on "*" when tracing is on.';

/** Why Node.js 22 and not the newest runtime (cdk-nag AwsSolutions-L1). */
export const NODE_22_REASON =
  'Node.js 22 is the LTS line the handlers are developed and tested against (DESIGN.md: Lambda Node.js 22, code also runs on Node 20); its upstream support runs to April 2027. Node.js 24 is one prop away (runtime) once the suite runs on it.';

/** Each function's construct id (and so the start of its logical id, and the last part of its path but one). */
export const CONSTRUCT_IDS: Readonly<Record<HandlerName, string>> = { api: 'Api', conductor: 'Conductor', sweeper: 'Sweeper', streamProcessor: 'StreamProcessor' };

/**
 * `NodejsFunction` silently falls back to Docker when it cannot find esbuild. Jobboard bundles
 * locally only (no Docker on the build machines), so a missing esbuild is an error that says so.
 */
function requireLocalEsbuild(projectRoot: string): void {
  try {
    createRequire(path.join(projectRoot, 'package.json')).resolve('esbuild');
  } catch {
    throw new Error(`esbuild is not installed under ${projectRoot}: Jobboard bundles its functions locally, never in Docker. Run \`npm install --save-dev esbuild\` there, or set the projectRoot prop.`);
  }
}
