/**
 * The report's part on the operator's stops and the boards: how each cancel, suspend and resume
 * was answered, the mix of boards and priorities, and what the board limit check found.
 */
import type { SoakResult } from './driver.js';
import type { StopRecord } from './stops.js';

export interface StopCounts {
  cancels: { planned: number; sent: number; atOnce: number; viaStop: number; finishedFirst: number; refusedFinal: number; byLostRequest: number; unanswered: number };
  suspends: { planned: number; parked: number; sent: number; atOnce: number; viaStop: number; finishedFirst: number; refusedFinal: number; byLostRequest: number; unanswered: number; resumed: number };
  /** Answers the soak did not expect (404, other statuses, a 409 on a job in a state it should not be in). */
  problems: string[];
}

export function countStops(result: SoakResult): StopCounts {
  const accepted = result.plan.filter((job) => result.acceptedIds.has(job.id));
  const cancels = { planned: 0, sent: 0, atOnce: 0, viaStop: 0, finishedFirst: 0, refusedFinal: 0, byLostRequest: 0, unanswered: 0 };
  const suspends = { ...cancels, parked: 0, resumed: 0 };
  const problems: string[] = [];
  for (const job of accepted) {
    if (job.stop === undefined) continue;
    const isCancel = job.stop.kind === 'cancel';
    const c = isCancel ? cancels : suspends;
    c.planned++;
    if (job.stop.kind === 'park') suspends.parked++;
    const record = result.stops.get(job.id);
    if (record === undefined) continue;
    c.sent++;
    if (record.problem !== undefined) problems.push(`${job.id}: ${record.problem}`);
    if (record.answer === 'done') {
      if (record.doneByLostRequest === true) c.byLostRequest++;
      else c.atOnce++;
    } else if (record.answer === 'stopping') {
      if (record.stoppedInto === (isCancel ? 'trashed' : 'suspended')) c.viaStop++;
      else if (record.stoppedInto !== undefined) c.finishedFirst++;
      else c.unanswered++;
    } else if (record.answer === 'final') c.refusedFinal++;
    else if (record.answer === 'unanswered') c.unanswered++;
    if (record.resume?.answer === 'done') suspends.resumed++;
  }
  return { cancels, suspends, problems };
}

/** Rows of the result table. */
export function stopRows(result: SoakResult, counts: StopCounts): [string, string][] {
  const { cancels: c, suspends: s } = counts;
  const rows: [string, string][] = [
    [
      'cancels (DELETE /jobs/{id})',
      `${c.sent} sent of ${c.planned}: ${c.atOnce} trashed at once (200), ${c.viaStop} via stop request (202, then trashed), ` +
        `${c.finishedFirst} finished before the stop landed (202), ${c.refusedFinal} refused as final (409)` +
        (c.byLostRequest > 0 ? `, ${c.byLostRequest} done by a request whose answer was lost` : '') +
        (c.unanswered > 0 ? `, ${c.unanswered} UNANSWERED` : ''),
    ],
    [
      'suspends / resumes',
      `${s.sent} sent of ${s.planned} (${s.parked} never resumed): ${s.atOnce} suspended at once (200), ${s.viaStop} via stop request (202), ` +
        `${s.finishedFirst} finished first (202), ${s.refusedFinal} refused as final (409)` +
        (s.byLostRequest > 0 ? `, ${s.byLostRequest} done by a lost request` : '') +
        (s.unanswered > 0 ? `, ${s.unanswered} UNANSWERED` : '') +
        `; ${s.resumed} resumed`,
    ],
    ['boards / priorities (accepted)', mix(result)],
  ];
  const limit = result.boardLimit;
  if (limit !== undefined) {
    rows.push([
      `board ${limit.board} maxRunning ${limit.limit}`,
      `peak ${limit.peak} runs at once over ${limit.runs} runs (${limit.peakWithFenced} counting runs fenced by claim_lost)`,
    ]);
  }
  rows.push(['cancelled jobs run after the cancel', `${result.cancelCheck.findings.length}  (of ${result.cancelCheck.checked} acknowledged as trashed)`]);
  return rows;
}

function mix(result: SoakResult): string {
  const boards = new Map<string, number>();
  const priorities = new Map<string, number>();
  for (const job of result.plan) {
    if (!result.acceptedIds.has(job.id)) continue;
    boards.set(job.body.board, (boards.get(job.body.board) ?? 0) + 1);
    priorities.set(job.body.priority, (priorities.get(job.body.priority) ?? 0) + 1);
  }
  const list = (m: Map<string, number>) => [...m.entries()].map(([k, n]) => `${k} ${n}`).join(', ');
  return `${list(boards)}; ${list(priorities)}`;
}

/** Jobs whose read-back board or priority is not what was posted (should be none). */
export function placementMismatches(result: SoakResult): string[] {
  const out: string[] = [];
  for (const job of result.plan) {
    const read = result.readBack.get(job.id);
    if (read?.status !== 200) continue;
    if (read.board !== job.body.board || read.priority !== job.body.priority) {
      out.push(`${job.id}: posted on ${job.body.board}/${job.body.priority}, reads ${read.board}/${read.priority}`);
    }
  }
  return out;
}

/** Short description of one job's stop, for the examples of the report. */
export function describeStop(record: StopRecord | undefined): string {
  if (record === undefined) return '';
  const resume = record.resume === undefined ? '' : `, resume ${record.resume.status ?? record.resume.answer}`;
  return ` [${record.plan.kind} while ${record.plan.when}: ${record.status ?? record.answer}${record.stoppedInto !== undefined ? ` → ${record.stoppedInto}` : ''}${resume}]`;
}
