/**
 * Helpers for the infra tests: an App with the same context `cdk synth` uses (cdk.json), and
 * lookups in a synthesized template by what a resource is rather than by logical id.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { JOBBOARD_ROOT } from '../../infra/handlers.js';
import { Jobboard, type JobboardProps } from '../../infra/jobboard.js';

/** A fixture module exporting `fixtureJobTypes`, for the `jobTypes` prop. */
export const FIXTURE_JOB_TYPES_ENTRY = fileURLToPath(new URL('./fixtures/job-types.ts', import.meta.url));

/**
 * An App with cdk.json's context (feature flags), so tests see what `cdk synth` produces.
 * `bundling: false` skips esbuild (assets get a placeholder): for tests of IAM and cdk-nag,
 * which do not depend on the code inside the functions.
 */
export function newApp(options: { bundling?: boolean } = {}): App {
  const cdkJson = JSON.parse(readFileSync(path.join(JOBBOARD_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const context: Record<string, unknown> = { ...cdkJson.context };
  if (options.bundling === false) context['aws:cdk:bundling-stacks'] = [];
  return new App({ context });
}

/** A resource of the template, as JSON. */
export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

/** Every resource of a type, by logical id. */
export function resourcesOfType(template: Template, type: string): Record<string, TemplateResource> {
  return template.findResources(type) as Record<string, TemplateResource>;
}

/** The one resource of a type whose logical id starts with `prefix` (CDK ids are path-based). */
export function onlyResource(template: Template, type: string, prefix: string): { id: string; resource: TemplateResource } {
  const matches = Object.entries(resourcesOfType(template, type)).filter(([id]) => id.startsWith(prefix));
  if (matches.length !== 1) throw new Error(`expected one ${type} with id ${prefix}*, found ${matches.map(([id]) => id).join(', ') || 'none'}`);
  const [id, resource] = matches[0]!;
  return { id, resource };
}

/** `{ "Fn::GetAtt": [id, "Arn"] }` */
export function arnOf(logicalId: string): { 'Fn::GetAtt': [string, string] } {
  return { 'Fn::GetAtt': [logicalId, 'Arn'] };
}

/** Removes the app's cloud assembly (CDK leaves a temporary folder per App otherwise). */
export function removeAssembly(app: App): void {
  rmSync(app.outdir, { recursive: true, force: true });
}

/**
 * For tests of the props checks: `attempt(props)` is a thunk that builds a `Jobboard` with those
 * props (over `base`, the demo job types by default) in a fresh stack of one unbundled app, for
 * `expect(…).toThrow(…)`. Call `dispose` after the tests.
 */
export function propsChecker(): { attempt: (props: JobboardProps, base?: JobboardProps) => () => Jobboard; dispose: () => void } {
  const app = newApp({ bundling: false });
  let attempts = 0;
  return {
    attempt: (props, base = { demoJobTypes: true }) => () => new Jobboard(new Stack(app, `Checked${++attempts}`), 'Jobboard', { ...base, ...props }),
    dispose: () => removeAssembly(app),
  };
}
