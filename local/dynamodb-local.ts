/**
 * Runs DynamoDB Local: the official jar shipped in the `amplify-dynamodb-simulator` package,
 * started with the machine's Java. In memory for tests; on disk under a data directory for
 * `npm start`, so accepted jobs survive a restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort } from './free-port.js';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Default: a free port. */
  port?: number;
  /** Keep data in this directory; in memory when absent. */
  dataDir?: string;
  /** How long to wait for DynamoDB Local to answer. */
  startTimeoutMs?: number;
  /** Picks the port when `port` is absent (default: `freePort`). */
  pickPort?: () => Promise<number>;
}

export function dynamoDbLocalJarDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

/** Java said the port was taken (it then hangs on instead of exiting). */
class PortTakenError extends Error {}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  // A port we picked can still be taken before Java binds it: then pick another, twice at most.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnPort(options.port ?? (await (options.pickPort ?? freePort)()), options);
    } catch (error) {
      if (!(error instanceof PortTakenError) || options.port !== undefined || attempt >= 3) throw error;
    }
  }
}

async function startOnPort(port: number, options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const jarDir = dynamoDbLocalJarDir();
  const storage = options.dataDir === undefined ? ['-inMemory'] : ['-dbPath', options.dataDir];
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const javaArgs = [`-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`, '-Xms64m', '-jar', join(jarDir, 'DynamoDBLocal.jar'), '-port', String(port), '-disableTelemetry', ...storage];
  // Java runs under a small shell watchdog that ends it when this process dies, even by SIGKILL:
  // an orphaned DynamoDB Local would keep the port and the data files locked for the next start.
  const watchdog = [
    'java "$@" & java=$!',
    'trap \'kill $java 2>/dev/null; wait $java; exit 0\' TERM INT',
    `while kill -0 ${process.pid} 2>/dev/null && kill -0 $java 2>/dev/null; do sleep 0.5; done`,
    'kill $java 2>/dev/null; wait $java',
  ].join('\n');
  const child = spawn('sh', ['-c', watchdog, 'dynamodb-local', ...javaArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM'); // the watchdog's trap ends Java
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (!(await servesDynamoDb(port))) {
    if (output.includes('Failed to bind')) {
      await stop();
      throw new PortTakenError(`DynamoDB Local could not bind port ${port}:\n${output}`);
    }
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`DynamoDB Local did not answer on port ${port}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoint: `http://127.0.0.1:${port}`, port, process: child, stop };
}

/**
 * True once DynamoDB answers on the port: an unsigned request gets its typed error. A port that
 * merely accepts connections may be another process's, whose listener made Java's bind fail.
 */
async function servesDynamoDb(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' },
      body: '{}',
      signal: AbortSignal.timeout(2_000),
    });
    const body = (await response.json()) as { __type?: unknown; TableNames?: unknown };
    return Array.isArray(body.TableNames) || (typeof body.__type === 'string' && body.__type.startsWith('com.amazonaws.dynamodb'));
  } catch {
    return false;
  }
}
