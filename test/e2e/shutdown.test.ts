/**
 * Ctrl-C stops the local stack promptly and cleanly, DynamoDB Local included, even while a long
 * job runs; after a SIGKILL, DynamoDB Local follows its parent, and a new start on the same data
 * takes over the job the dead stack was running once its lease runs out.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { StackProcess } from '../support/local-stack.js';
import { waitFor } from '../support/wait.js';

/** PIDs of DynamoDB Local processes serving this data directory. */
function dynamoProcesses(dataDir: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes('DynamoDBLocal.jar') && line.includes(dataDir) && line.trim().split(/\s+/)[1] === 'java');
}

describe('stopping the local stack', () => {
  it('SIGINT with a long job running exits 0 within seconds and leaves no DynamoDB Local behind', async () => {
    const stack = await new StackProcess().start();
    expect(dynamoProcesses(stack.dataDir)).toHaveLength(1);
    const { body: job } = await stack.request('POST', '/jobs', { type: 'demo.sleep', payload: { ms: 600_000 } });
    await waitFor(async () => (await stack.request('GET', `/jobs/${job.id}`)).body.state === 'claimed');
    const started = Date.now();
    expect(await stack.signal('SIGINT')).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(stack.output).toContain('stopped');
    await waitFor(() => dynamoProcesses(stack.dataDir).length === 0, { timeoutMs: 5_000, what: 'DynamoDB Local to exit' });
    await stack.stop();
  });

  it('after SIGKILL, DynamoDB Local exits by itself and the next start on the same data recovers the running job', async () => {
    // A short conductor timeout keeps the dead stack's lease to about 10 s.
    const env = { JOBBOARD_CONDUCTOR_TIMEOUT_SECONDS: '5' };
    const first = await new StackProcess({ env }).start();
    await first.request('POST', '/jobs', { type: 'demo.sleep', id: 'survivor', payload: { ms: 2_000 } });
    await waitFor(async () => (await first.request('GET', '/jobs/survivor')).body.state === 'claimed', { what: 'the job to be claimed' });
    expect(await first.kill()).toBe('SIGKILL');
    await waitFor(() => dynamoProcesses(first.dataDir).length === 0, { timeoutMs: 10_000, what: 'orphaned DynamoDB Local to exit' });

    const second = await new StackProcess({ dataDir: first.dataDir, env }).start();
    const completed = async () => {
      const { body } = await second.request('GET', '/jobs/survivor');
      return body.state === 'completed' ? body : undefined;
    };
    const job = await waitFor(completed, { timeoutMs: 40_000, what: 'the job running at the kill to complete' });
    expect(job.attempts).toBe(2);
    await second.stop();
    await first.stop();
  }, 120_000);
});
