/** `jobboard/cdk`: the construct to embed in a CDK app, and a ready stack around it. */
export {
  Jobboard,
  FUNCTION_DEFAULTS,
  CONDUCTOR_EVENT_SOURCE_DEFAULTS,
  LANE_MAX_CONCURRENCY_DEFAULTS,
  STREAM_EVENT_SOURCE_DEFAULTS,
  type JobboardProps,
  type FunctionSettings,
  type ConductorSettings,
  type StreamProcessorSettings,
} from './jobboard.js';
export { JobboardStack, STACK_OUTPUTS, type JobboardStackProps } from './stack.js';
export { JobboardAlarms, type JobboardAlarmsProps } from './alarms.js';
export type { JobTypesModule } from './handlers.js';
