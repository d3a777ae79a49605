/**
 * The conductor handler over the demo job types: what this repository's own stack and the local
 * stack deploy. A user's deployment bundles a generated entry over its own types instead
 * (infra/handlers.ts), so no demo type reaches it.
 */
import { createConductorHandler } from '../conductor.js';
import { demoJobTypes } from '../job-types/demo.js';
import { lambdaHandler } from '../lambda-runtime.js';

// Deployed: logs through Powertools and records job metrics (functions/lambda-runtime.ts).
export const handler = lambdaHandler(createConductorHandler, demoJobTypes);
