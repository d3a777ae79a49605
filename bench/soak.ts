/**
 * `npm run soak`: a bounded chaos soak of the local stack. Posts N jobs of mixed types over HTTP
 * on three boards (one with maxRunning) and three priorities, while SIGKILLing and restarting the
 * whole stack K times, injecting duplicate postings, and cancelling, suspending and resuming some
 * jobs; then proves from the stack's own transition logs and from DynamoDB that no accepted job
 * was lost, none ran twice at once, none ended other than planned (given how each stop was
 * answered), no cancelled job ran after its cancel, and the limited board stayed within its limit.
 * Some jobs hold scopes, carry a uniqueKey or depend on others (bench/soak/coordination.ts): no
 * scope ran more jobs at once than its limit, no two jobs of a key were unfinished at once, and no
 * child started before its parents ended or was left waiting (bench/soak/coordination-checks.ts).
 *
 * Exit code: 0 only when the run passed (see bench/soak/report.ts for every condition), 1 when
 * it failed, 2 for a bad command line. `npm run soak -- --help` lists the options.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSoakArgs, SoakUsageError, USAGE } from './soak/args.js';
import { runSoak } from './soak/driver.js';
import { formatReport, summarize } from './soak/report.js';

let options;
try {
  options = parseSoakArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof SoakUsageError)) throw error;
  process.stderr.write(`${error.message}\n${USAGE}\n`);
  process.exit(2);
}
if (options === undefined) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const result = await runSoak(options, (message) => process.stderr.write(`${message}\n`));
const summary = summarize(result);
process.stdout.write(`${formatReport(result, summary)}\n`);
// The machine-readable record, next to the logs it was computed from.
writeFileSync(
  join(result.runDir, 'report.json'),
  JSON.stringify(
    { options: result.options, window: result.window, summary, kills: result.kills, lifetimes: result.lifetimes, findings: [...result.detection.findings, ...result.cancelCheck.findings, ...(result.boardLimit?.findings ?? []), ...result.coordinationCheck.findings], stops: [...result.stops.values()], boardLimit: result.boardLimit,
      coordination: { plan: result.coordination, scopes: result.coordinationCheck.scopes, unique: result.coordinationCheck.unique, dependencies: result.coordinationCheck.dependencies, uniqueAnswers: result.poster.uniqueAnswers }, milestones: result.milestones, events: Object.fromEntries(result.log.eventCounts) },
    null,
    2,
  ),
);
if (summary.passed && !options.keep) {
  rmSync(result.runDir, { recursive: true, force: true });
  process.stdout.write('  (run directory removed: it passed; --keep keeps it)\n');
}
process.exit(summary.passed ? 0 : 1);
