/** `npm start`: the local stack, until Ctrl-C. */
import { readLocalStackEnvironment } from '../functions/env.js';
import { startLocalStack } from './stack.js';

const env = readLocalStackEnvironment();
const started = Date.now();
const stack = await startLocalStack(env);
process.stderr.write(
  `Jobboard local stack listening on ${stack.url} (ready in ${Date.now() - started} ms)\n` +
    `  DynamoDB Local ${stack.dynamo.endpoint}, data in ${env.dataDir}\n` +
    `  SQS emulator ${stack.queue.endpoint}\n` +
    `  auth: ${env.apiToken === undefined ? 'off' : 'bearer token (JOBBOARD_API_TOKEN)'}; job types: ${stack.runtime.registry.names().join(', ')}\n` +
    `  try: curl -s -XPOST ${stack.url}/jobs -H 'content-type: application/json' -d '{"type":"demo.echo","payload":{"hi":1}}'\n`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: stopping…\n`);
    stack.stop().then(
      () => {
        process.stderr.write('stopped\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
