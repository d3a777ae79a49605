/**
 * The deploy rehearsal, as `npm run rehearse` runs it: the bundles of the synthesized cloud
 * assembly, each loaded the way Lambda loads it in a process of the runtime's Node.js (22), with
 * the template's environment mapped onto the emulators, driven through one job of every kind.
 * Every kind must end as expected, no event source batch may fail, and no call may be denied.
 */
import { describe, expect, it } from 'vitest';
import { formatReport, rehearse } from '../../rehearsal/rehearse.js';
import { SCENARIOS } from '../../rehearsal/scenarios.js';

describe('deploy rehearsal', () => {
  it('runs a job of every kind through the shipped bundles on Node.js 22 with no call denied', async () => {
    const report = await rehearse();
    const table = formatReport(report);
    expect(report.node, table).toMatch(/^v22\./);
    expect(report.scenarios.map((s) => s.kind), table).toEqual(SCENARIOS.map((s) => s.kind));
    expect(report.scenarios.filter((s) => !s.ok), table).toEqual([]);
    expect(report.mappingFailures, table).toEqual([]);
    expect(report.denied, table).toEqual([]);
    // Every function ran in its own Node.js 22 environment, the conductor in several.
    expect(new Set(report.coldStarts.map((c) => c.handler))).toEqual(new Set(['api', 'conductor', 'sweeper', 'streamProcessor']));
    expect(report.coldStarts.every((c) => c.node.startsWith('v22.'))).toBe(true);
    expect(report.scenarios.reduce((sum, s) => sum + s.calls, 0)).toBeGreaterThan(1_000);
  }, 600_000);
});
