/**
 * `dashboard`: the web dashboard for a deployed API, served on this machine. Its API calls go
 * through a local proxy that signs them with the caller's AWS credentials (SigV4), so the
 * deployment itself never serves an unauthenticated page.
 */
import { flagOption, intOption, positionals, stringOption } from '../args.js';
import { ExitCode, type Command } from '../context.js';
import { startDashboardServer } from '../dashboard-server.js';
import { readEnv } from '../env.js';
import { createSigV4Signer } from '../sigv4.js';

/** Next to the local stack's 3000, so both can run at once. */
export const DEFAULT_DASHBOARD_PORT = 3001;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export const dashboardCommand: Command = {
  name: 'dashboard',
  synopsis: ['dashboard [--port N]'],
  summary: 'serve the web dashboard on localhost for the API at --url, its calls signed with SigV4',
  help: [
    `--port N      where to serve it on 127.0.0.1 (default ${DEFAULT_DASHBOARD_PORT}; 0 picks a free port)`,
    'A remote API is called with SigV4 (credentials from the default AWS chain, region from AWS_REGION',
    'or the execute-api host). A local stack (127.0.0.1) gets JOBBOARD_API_TOKEN instead, unless --sigv4.',
  ],
  options: { port: { type: 'string' } },
  async run(ctx, values, args) {
    positionals(args, []);
    const env = readEnv();
    const upstreamUrl = stringOption(values, 'url') ?? env.url;
    const port = intOption(values, 'port', 0, 65_535) ?? DEFAULT_DASHBOARD_PORT;
    const local = LOOPBACK_HOSTS.has(new URL(upstreamUrl).hostname);
    const sigv4 = !local || flagOption(values, 'sigv4') || env.sigv4;
    const sign = sigv4 ? await createSigV4Signer({ baseUrl: upstreamUrl, region: env.awsRegion }) : undefined;
    const server = await startDashboardServer({ upstreamUrl, sign, token: sigv4 ? undefined : env.apiToken, port });
    const auth = sigv4 ? 'signed with SigV4 (your AWS credentials)' : env.apiToken === undefined ? 'unauthenticated (local stack)' : 'with JOBBOARD_API_TOKEN';
    ctx.stderr(`Jobboard dashboard for ${upstreamUrl}\n  open ${server.url}/ — API calls are ${auth}\n  Ctrl-C to stop\n`);
    await interrupted();
    await server.close();
    return ExitCode.ok;
  },
};

/** Resolves at the first Ctrl-C (or SIGTERM). */
function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
