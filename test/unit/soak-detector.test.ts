/**
 * The soak's concurrent-double-run detector (bench/soak/detector.ts): it must flag a real overlap
 * (an earlier owner writing after a later claim) and never a killed owner's run, whose interval
 * ends at the kill.
 */
import { describe, expect, it } from 'vitest';
import { detectDoubleRuns, type Lifetime, type TransitionLine } from '../../bench/soak/detector.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/** Lines of one lifetime, numbered in the order given; times 10 ms apart unless set. */
function lifetimeLines(lifetime: number, lines: Omit<TransitionLine, 'lifetime' | 'seq' | 'timeMs'>[], startMs = T0, times?: number[]): TransitionLine[] {
  return lines.map((line, seq) => ({ lifetime, seq, timeMs: times?.[seq] ?? startMs + seq * 10, ...line }));
}

const claimed = (jobId: string, attempt: number, owner: string) => ({ event: 'job_claimed', jobId, attempt, owner });
const consumed = (jobId: string, attempt: number) => ({ event: 'job_consumed', jobId, attempt, durationMs: 5 });
const abandoned = (jobId: string, attempt: number) => ({ event: 'job_abandoned', jobId, attempt, durationMs: 5 });
const claimLost = (jobId: string, attempt: number) => ({ event: 'claim_lost', jobId, attempt });

describe('soak double-run detector', () => {
  it('flags an earlier owner that wrote its outcome after a later owner claimed the job', () => {
    const lifetimes: Lifetime[] = [{ index: 0, startedAtMs: T0, endedAtMs: T0 + 1_000, ending: 'stopped' }];
    const lines = lifetimeLines(0, [claimed('j1', 1, 'a'), claimed('j1', 2, 'b'), consumed('j1', 1), consumed('j1', 2)]);
    const detection = detectDoubleRuns(lifetimes, lines, [{ id: 'j1', state: 'completed', attempts: 2, maxAttempts: 5, owner: 'b' }]);
    expect([...detection.doubleRunJobs]).toEqual(['j1']);
    expect(detection.findings.map((f) => f.kind).sort()).toEqual(['finished-twice', 'overlap']);
  });

  it('flags a final item whose owner is not the run that logged the final outcome', () => {
    const lifetimes: Lifetime[] = [{ index: 0, startedAtMs: T0, endedAtMs: T0 + 1_000, ending: 'stopped' }];
    const lines = lifetimeLines(0, [claimed('j1', 1, 'a'), consumed('j1', 1)]);
    const detection = detectDoubleRuns(lifetimes, lines, [{ id: 'j1', state: 'completed', attempts: 2, maxAttempts: 5, owner: 'z' }]);
    expect(detection.findings.map((f) => f.kind)).toEqual(['final-owner-mismatch']);
  });

  it('does not flag the run of a killed stack: its interval ends at the kill, before the next lifetime claims', () => {
    const killedAt = T0 + 500;
    const lifetimes: Lifetime[] = [
      { index: 0, startedAtMs: T0, endedAtMs: killedAt, ending: 'killed' },
      { index: 1, startedAtMs: T0 + 600, endedAtMs: T0 + 5_000, ending: 'stopped' },
    ];
    // Owner a claimed attempt 1 and died with the stack; b takes over in the next lifetime.
    const lines = [...lifetimeLines(0, [claimed('j1', 1, 'a')]), ...lifetimeLines(1, [claimed('j1', 2, 'b'), consumed('j1', 2)], T0 + 20_000)];
    const detection = detectDoubleRuns(lifetimes, lines, [{ id: 'j1', state: 'completed', attempts: 2, maxAttempts: 5, owner: 'b' }]);
    expect(detection.findings).toEqual([]);
    const [a, b] = detection.runs.get('j1') ?? [];
    expect(a).toMatchObject({ owner: 'a', ending: 'died', end: { lifetime: 0, timeMs: killedAt } });
    expect(b).toMatchObject({ owner: 'b', ending: 'consumed' });
  });

  it('does not flag a killed owner even when timestamps alone would overlap', () => {
    // Log times are untrustworthy across processes (clock steps, buffering); positions are not.
    const lifetimes: Lifetime[] = [
      { index: 0, startedAtMs: T0, endedAtMs: T0 + 900, ending: 'killed' },
      { index: 1, startedAtMs: T0 + 100, endedAtMs: T0 + 2_000, ending: 'stopped' },
    ];
    const lines = [...lifetimeLines(0, [claimed('j1', 1, 'a')], T0 + 800), ...lifetimeLines(1, [claimed('j1', 2, 'b'), consumed('j1', 2)], T0 + 200)];
    expect(detectDoubleRuns(lifetimes, lines).findings).toEqual([]);
  });

  it('counts an overlap fenced off by claim_lost, or cut by a kill, without flagging it', () => {
    const lifetimes: Lifetime[] = [
      { index: 0, startedAtMs: T0, endedAtMs: T0 + 1_000, ending: 'stopped' },
      { index: 1, startedAtMs: T0 + 2_000, endedAtMs: T0 + 3_000, ending: 'killed' },
    ];
    const lines = [
      // Lease expired under a; b took over; a's write was refused (twice: renewal, then outcome).
      ...lifetimeLines(0, [claimed('j1', 1, 'a'), claimed('j1', 2, 'b'), claimLost('j1', 1), consumed('j1', 2), claimLost('j1', 1)]),
      // c and d both held j2 when the stack was killed; neither wrote anything.
      ...lifetimeLines(1, [claimed('j2', 1, 'c'), claimed('j2', 2, 'd')], T0 + 2_000),
    ];
    const detection = detectDoubleRuns(lifetimes, lines);
    expect(detection.findings).toEqual([]);
    expect(detection.fencedOverlaps).toBe(1);
    expect(detection.overlapsEndedByDeath).toBe(1);
    expect(detection.orphanEnds).toBe(0);
  });

  it('does not flag sequential runs (at-least-once), nor an owner-less job_failed', () => {
    const lifetimes: Lifetime[] = [{ index: 0, startedAtMs: T0, endedAtMs: T0 + 1_000, ending: 'stopped' }];
    const lines = lifetimeLines(0, [
      claimed('j1', 1, 'a'),
      abandoned('j1', 1),
      claimed('j1', 2, 'b'),
      consumed('j1', 2),
      // Attempts used up after a lost lease: a refused claim fails the job (no durationMs); the
      // last owner's own write is then refused.
      claimed('j2', 1, 'c'),
      { event: 'job_failed', jobId: 'j2', attempt: 1 },
      claimLost('j2', 1),
    ]);
    const detection = detectDoubleRuns(lifetimes, lines, [
      { id: 'j1', state: 'completed', attempts: 2, maxAttempts: 5, owner: 'b' },
      { id: 'j2', state: 'failed', attempts: 1, maxAttempts: 1, owner: 'c' },
    ]);
    expect(detection.findings).toEqual([]);
    expect(detection.runs.get('j2')?.[0]?.ending).toBe('claimLost');
  });

  it('flags two claims of the same attempt and attempts below the claims logged', () => {
    const lifetimes: Lifetime[] = [{ index: 0, startedAtMs: T0, endedAtMs: T0 + 1_000, ending: 'stopped' }];
    const lines = lifetimeLines(0, [claimed('j1', 1, 'a'), abandoned('j1', 1), claimed('j1', 1, 'b'), consumed('j1', 1)]);
    const detection = detectDoubleRuns(lifetimes, lines, [{ id: 'j1', state: 'completed', attempts: 1, maxAttempts: 5, owner: 'b' }]);
    expect(detection.findings.map((f) => f.kind).sort()).toEqual(['attempts-below-claims', 'duplicate-attempt']);
  });

  it('counts claims DynamoDB took but a killed process never logged, without flagging them', () => {
    const lifetimes: Lifetime[] = [{ index: 1, startedAtMs: T0, endedAtMs: T0 + 1_000, ending: 'stopped' }];
    const lines = lifetimeLines(1, [claimed('j1', 2, 'b'), consumed('j1', 2)]);
    const detection = detectDoubleRuns(lifetimes, lines, [{ id: 'j1', state: 'completed', attempts: 2, maxAttempts: 5, owner: 'b' }]);
    expect(detection.findings).toEqual([]);
    expect(detection.unloggedClaims).toBe(1);
  });

  it('leaves out of the attempt count the claims logged after the job was read back', () => {
    // The time budget ran out: the stack was still working while the soak read the jobs.
    const lifetimes: Lifetime[] = [{ index: 2, startedAtMs: T0, endedAtMs: T0 + 1_000, ending: 'stopped' }];
    const lines = lifetimeLines(2, [claimed('j1', 1, 'a'), abandoned('j1', 1), claimed('j1', 2, 'b')]);
    const read = { id: 'j1', state: 'posted', attempts: 1, maxAttempts: 5, owner: null };
    expect(detectDoubleRuns(lifetimes, lines, [{ ...read, readAt: { lifetime: 2, seq: 2, timeMs: T0 } }]).findings).toEqual([]);
    // Read after the second claim was logged: one attempt is one too few.
    expect(detectDoubleRuns(lifetimes, lines, [{ ...read, readAt: { lifetime: 2, seq: 3, timeMs: T0 } }]).findings.map((f) => f.kind)).toEqual(['attempts-below-claims']);
  });
});
