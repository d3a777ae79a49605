/**
 * The CLI's settings from the environment. The only module that reads `process.env`;
 * commands receive the resolved {@link CliEnv} instead.
 */

/** Where the local stack listens unless `JOBBOARD_URL` or `--url` says otherwise. */
export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** Settings the environment provides. */
export interface CliEnv {
  /** Base URL of the API (`JOBBOARD_URL`), no trailing slash. */
  url: string;
  /** Bearer token (`JOBBOARD_API_TOKEN`), sent when set. */
  apiToken: string | undefined;
  /** Sign requests with SigV4 (`JOBBOARD_SIGV4=1`). */
  sigv4: boolean;
  /** AWS region for SigV4 (`AWS_REGION`, else `AWS_DEFAULT_REGION`). */
  awsRegion: string | undefined;
}

const truthy = (value: string | undefined): boolean => value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());

/** Reads the CLI's environment variables once. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): CliEnv {
  return {
    url: nonEmpty(env.JOBBOARD_URL) ?? DEFAULT_URL,
    apiToken: nonEmpty(env.JOBBOARD_API_TOKEN),
    sigv4: truthy(env.JOBBOARD_SIGV4),
    awsRegion: nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION),
  };
}
