/** `npm run rehearse`: the deploy rehearsal; exits 1 unless every kind of job went as expected with no call denied. */
import { formatReport, rehearse } from './rehearse.js';

const report = await rehearse({ log: (line) => process.stderr.write(`${line}\n`) });
process.stdout.write(`\n${formatReport(report)}\n`);
const passed = report.denied.length === 0 && report.mappingFailures.length === 0 && report.scenarios.every((s) => s.ok);
process.exit(passed ? 0 : 1);
