/**
 * Command-line options of `npm run soak`. Every option has a default that makes a full run (2,000
 * jobs, 3 kill-and-restart cycles) finish in a few minutes on two cores; a bad value is rejected
 * with a message naming the option, never silently replaced.
 */

/** How a kill is delivered. `node`: SIGKILL the stack's node process only (DynamoDB Local's
 * watchdog must then end Java by itself); `group`: SIGKILL the whole process group at once
 * (a machine-level crash); `mixed`: a seeded choice per kill. */
export type KillMode = 'node' | 'group' | 'mixed';

export interface SoakOptions {
  /** Jobs to post. */
  jobs: number;
  /** Kill-and-restart cycles. */
  cycles: number;
  /** Seed of every random choice; printed so a run can be replayed. */
  seed: number;
  /** Global time budget: past it the soak stops and reports failure if jobs are unfinished. */
  maxMinutes: number;
  /** Share of jobs that get 1–3 duplicate postings sent straight to the queue. */
  duplicateFraction: number;
  /** Stack's JOBBOARD_CONDUCTOR_TIMEOUT_SECONDS: small, so leases of a killed stack expire fast. */
  conductorTimeoutSeconds: number;
  /** Stack's JOBBOARD_SWEEP_INTERVAL_SECONDS. */
  sweepIntervalSeconds: number;
  /** Stack's JOBBOARD_CONDUCTOR_CONCURRENCY. */
  conductorConcurrency: number;
  /** Most accepted-but-unfinished jobs at once; 0 = derived from jobs and cycles (see driver). */
  window: number;
  /** POST requests in flight at once. */
  postConcurrency: number;
  killMode: KillMode;
  /** Share of jobs an operator cancels mid-run (long demo.sleep jobs). */
  cancelFraction: number;
  /** Share of jobs an operator suspends mid-run; three in four are resumed later. */
  suspendFraction: number;
  /** maxRunning set on board soak-b at start (PUT /boards); 0 = no limit. */
  maxRunning: number;
  /** Keep the run directory (data and logs) even when the run passes. */
  keep: boolean;
}

export const SOAK_DEFAULTS: Omit<SoakOptions, 'seed'> = {
  jobs: 2_000,
  cycles: 3,
  maxMinutes: 15,
  duplicateFraction: 0.2,
  conductorTimeoutSeconds: 10,
  sweepIntervalSeconds: 5,
  conductorConcurrency: 4,
  window: 0,
  postConcurrency: 8,
  killMode: 'mixed',
  cancelFraction: 0.05,
  suspendFraction: 0.05,
  maxRunning: 2,
  keep: false,
};

export const USAGE = `usage: npm run soak -- [options]
  --jobs N              jobs to post (default ${SOAK_DEFAULTS.jobs})
  --cycles K            SIGKILL-and-restart cycles (default ${SOAK_DEFAULTS.cycles})
  --seed S              seed of the random choices (default: from the clock, printed)
  --max-minutes M       time budget; unfinished jobs past it fail the run (default ${SOAK_DEFAULTS.maxMinutes})
  --duplicates F        share of jobs given 1-3 duplicate postings (default ${SOAK_DEFAULTS.duplicateFraction})
  --conductor-timeout S stack's conductor invocation timeout, seconds (default ${SOAK_DEFAULTS.conductorTimeoutSeconds})
  --sweep-interval S    stack's sweeper interval, seconds (default ${SOAK_DEFAULTS.sweepIntervalSeconds})
  --concurrency C       stack's conductor concurrency (default ${SOAK_DEFAULTS.conductorConcurrency})
  --window W            most unfinished jobs at once (default: derived, at most 200)
  --post-concurrency P  POST requests in flight (default ${SOAK_DEFAULTS.postConcurrency})
  --kill-mode M         node | group | mixed (default ${SOAK_DEFAULTS.killMode})
  --cancels F           share of jobs cancelled mid-run, DELETE /jobs/{id} (default ${SOAK_DEFAULTS.cancelFraction})
  --suspends F          share of jobs suspended mid-run, 3 in 4 resumed later (default ${SOAK_DEFAULTS.suspendFraction})
  --max-running N       maxRunning of board soak-b, checked by the detector; 0 = none (default ${SOAK_DEFAULTS.maxRunning})
  --keep                keep data and logs even when the run passes
  --help                this text`;

/** Thrown for a bad command line; the entry prints the message and the usage. */
export class SoakUsageError extends Error {
  override name = 'SoakUsageError';
}

type NumberOption = { key: keyof SoakOptions; min: number; max: number; integer: boolean };

const NUMBER_FLAGS: Record<string, NumberOption> = {
  '--jobs': { key: 'jobs', min: 1, max: 1_000_000, integer: true },
  '--cycles': { key: 'cycles', min: 0, max: 100, integer: true },
  '--seed': { key: 'seed', min: 0, max: 2 ** 32 - 1, integer: true },
  '--max-minutes': { key: 'maxMinutes', min: 0.1, max: 24 * 60, integer: false },
  '--duplicates': { key: 'duplicateFraction', min: 0, max: 1, integer: false },
  // Bounds of functions/env.ts, so the stack never refuses what the soak accepted.
  '--conductor-timeout': { key: 'conductorTimeoutSeconds', min: 5, max: 900, integer: true },
  '--sweep-interval': { key: 'sweepIntervalSeconds', min: 1, max: 3_600, integer: true },
  '--concurrency': { key: 'conductorConcurrency', min: 1, max: 100, integer: true },
  '--window': { key: 'window', min: 1, max: 1_000_000, integer: true },
  '--post-concurrency': { key: 'postConcurrency', min: 1, max: 256, integer: true },
  // Stopped jobs are drawn from the sleep jobs (40% of the mix): together at most that share.
  '--cancels': { key: 'cancelFraction', min: 0, max: 0.2, integer: false },
  '--suspends': { key: 'suspendFraction', min: 0, max: 0.2, integer: false },
  '--max-running': { key: 'maxRunning', min: 0, max: 10_000, integer: true },
};

/** Parses `argv` (without node and the script); returns undefined for `--help`. */
export function parseSoakArgs(argv: readonly string[], defaultSeed: () => number = () => Date.now() % 2 ** 32): SoakOptions | undefined {
  const options: SoakOptions = { ...SOAK_DEFAULTS, seed: -1 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    // Accept both `--jobs 300` and `--jobs=300`.
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--help' || flag === '-h') return undefined;
    if (flag === '--keep') {
      options.keep = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new SoakUsageError(`${flag} needs a value`);
    if (flag === '--kill-mode') {
      if (value !== 'node' && value !== 'group' && value !== 'mixed') throw new SoakUsageError(`--kill-mode must be node, group or mixed, got ${JSON.stringify(value)}`);
      options.killMode = value;
      continue;
    }
    const spec = NUMBER_FLAGS[flag];
    if (spec === undefined) throw new SoakUsageError(`unknown option ${JSON.stringify(arg)}`);
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed) || (spec.integer && !Number.isInteger(parsed)) || parsed < spec.min || parsed > spec.max) {
      throw new SoakUsageError(`${flag} must be ${spec.integer ? 'a whole number' : 'a number'} from ${spec.min} to ${spec.max}, got ${JSON.stringify(value)}`);
    }
    (options[spec.key] as number) = parsed;
  }
  if (options.seed < 0) options.seed = defaultSeed() >>> 0;
  return options;
}
