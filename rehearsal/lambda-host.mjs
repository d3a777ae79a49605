// One Lambda execution environment, for the deploy rehearsal: loads a function's bundle the way
// the Node.js runtime does (`_HANDLER` = `<file>.<export>` under `LAMBDA_TASK_ROOT`, ESM first),
// then runs invocations one at a time, as one environment does, each with a context whose
// remaining time counts down the function's timeout. Plain JavaScript with no dependencies, so it
// runs as is on the Node.js the function is deployed to (started by rehearsal/hosted-functions.ts).
//
// Invocations arrive over HTTP on 127.0.0.1 (POST /invoke, body {event, requestId, timeoutMs});
// the port and the init time go to the parent over IPC. The bundle's own output (its logs) goes
// to this process's stdout and stderr, as it would go to CloudWatch.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
const [file, exportName] = splitHandler(process.env._HANDLER ?? 'index.handler');
const initStarted = performance.now();
const entry = ['.mjs', '.js', '.cjs'].map((ext) => join(root, file + ext)).find((candidate) => existsSync(candidate));
if (entry === undefined) fail(`Runtime.ImportModuleError: no ${file}.mjs, .js or .cjs in ${root}`);
const loaded = await import(pathToFileURL(entry).href);
const handler = loaded[exportName];
if (typeof handler !== 'function') fail(`Runtime.HandlerNotFound: ${file}.${exportName} is not a function`);
const initMs = performance.now() - initStarted;

let queue = Promise.resolve();
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    // One invocation at a time: the next waits for the one before it.
    queue = queue.then(() => invoke(JSON.parse(body)).then((answer) => {
      const text = JSON.stringify(answer);
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      response.end(text);
    }));
  });
});
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port, initMs, node: process.version }));

async function invoke({ event, requestId, timeoutMs }) {
  const deadline = Date.now() + timeoutMs;
  const context = {
    awsRequestId: requestId,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    invokedFunctionArn: process.env.REHEARSAL_FUNCTION_ARN,
    logGroupName: `/aws/lambda/${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    logStreamName: 'rehearsal',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const started = performance.now();
  let timer;
  try {
    const result = await Promise.race([
      handler(event, context),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`Task timed out after ${timeoutMs / 1000} seconds`)), timeoutMs))),
    ]);
    return { ok: true, result: result ?? null, durationMs: performance.now() - started };
  } catch (error) {
    return { ok: false, error: { name: error?.name ?? 'Error', message: error?.message ?? String(error), stack: error?.stack }, durationMs: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

function splitHandler(value) {
  const at = value.lastIndexOf('.');
  return [value.slice(0, at), value.slice(at + 1)];
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
