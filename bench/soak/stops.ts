/**
 * The operator of the soak: cancels and suspends the jobs the plan names for it, through kills,
 * and resumes most suspended ones later. What each request was answered is recorded, because the
 * answer decides how the job must end (see stop-checks.ts):
 *
 * - cancel: 200 (trashed at once) → must end `trashed`; 202 (its run is asked to stop) → `trashed`,
 *   or the planned ending when the run finished before the stop landed; 409 (already final: it
 *   finished first) → the planned ending.
 * - suspend: 200 → `suspended`; 202 → `suspended` once its run stopped, or final if the run
 *   finished first; 409 → final already. A suspended job is resumed (→ `posted`, then ends as
 *   planned), except `park` stops, which must still be `suspended` at the end.
 *
 * A request whose answer was lost (the stack died mid-request) is sent again; a 409 then may mean
 * the lost request did it, so a 409 is followed by a GET: a cancel that finds the job `trashed`, a
 * suspend that finds it `suspended`, or a resume that finds it no longer `suspended`, is taken
 * as done by the lost request.
 */
import type { Position } from './detector.js';
import { requestThroughKills, type Answer } from './http.js';
import type { PlannedJob, PlannedStop } from './plan.js';
import type { SoakStack } from './stack-process.js';
import { sleep, waitUntil } from './time.js';
import type { TransitionLog } from './transition-log.js';

/** How a stop request was answered. `final`: refused (409), the job being final already. */
export type StopAnswer = 'done' | 'stopping' | 'final' | 'unanswered' | 'unexpected';

export interface StopRecord {
  jobId: string;
  plan: PlannedStop;
  /** Whether the log had shown the job claimed when the request was sent. */
  claimedBeforeRequest: boolean;
  /** The cancel's or suspend's answer. */
  answer: StopAnswer;
  status?: number;
  /** A 409 after a lost answer that found the job as the request would have left it. */
  doneByLostRequest?: boolean;
  /** The job's state when a 409 was looked into. */
  refusedState?: string;
  /** Where the stack's log stood when a `done` answer arrived, and when. */
  ackAt?: Position;
  ackAtMs?: number;
  /** After `stopping`: the state the job reached (`trashed`/`suspended`, or final if it finished first). */
  stoppedInto?: string;
  resume?: { answer: StopAnswer; status?: number; doneByLostRequest?: boolean };
  /** What went wrong, for the report (404, an unexpected status, …). */
  problem?: string;
}

const FINAL = new Set(['completed', 'failed', 'trashed']);

export class StopController {
  readonly records = new Map<string, StopRecord>();
  /** Stops scheduled and not yet settled (including waits for a resume). */
  outstanding = 0;
  private readonly tasks: Promise<void>[] = [];

  constructor(
    private readonly stack: SoakStack,
    private readonly log: TransitionLog,
    private readonly deadline: number,
  ) {}

  /** Parked jobs acknowledged `suspended`: they will never be final, so the posting window does not wait for them. */
  get parked(): number {
    let n = 0;
    for (const r of this.records.values()) if (r.plan.kind === 'park' && (r.answer === 'done' || r.stoppedInto === 'suspended')) n++;
    return n;
  }

  /** Called when `job` was accepted; does nothing for a job without a planned stop. */
  schedule(job: PlannedJob): void {
    const plan = job.stop;
    if (plan === undefined) return;
    this.outstanding++;
    const task = this.carryOut(job.id, plan).finally(() => this.outstanding--);
    this.tasks.push(task);
  }

  /** Waits for every scheduled stop to settle (each is bounded by the deadline). */
  async settled(): Promise<void> {
    await Promise.all(this.tasks);
  }

  private async carryOut(jobId: string, plan: PlannedStop): Promise<void> {
    if (plan.when === 'running') {
      await waitUntil(() => this.log.claimed.has(jobId) || this.log.finished.has(jobId), this.deadline, 20);
    }
    await sleep(plan.delayMs);
    const record: StopRecord = { jobId, plan, claimedBeforeRequest: this.log.claimed.has(jobId), answer: 'unanswered' };
    this.records.set(jobId, record);
    const path = `/jobs/${encodeURIComponent(jobId)}`;
    const answer = plan.kind === 'cancel' ? await this.send('DELETE', path) : await this.send('POST', `${path}/suspend`);
    if (answer === undefined) return;
    record.status = answer.status;
    if (answer.status === 200) this.acknowledge(record, answer);
    else if (answer.status === 202) record.answer = 'stopping';
    else if (answer.status === 409) {
      const state = await this.stateOf(jobId);
      record.refusedState = state;
      const doneState = plan.kind === 'cancel' ? 'trashed' : 'suspended';
      if (state === doneState) {
        // Only a lost earlier try of this request can have done it: nothing else stops soak jobs.
        record.doneByLostRequest = true;
        if (!answer.retried) record.problem = `${plan.kind} answered 409 on its first try, with the job ${state} already`;
        this.acknowledge(record, answer);
      } else if (state !== undefined && FINAL.has(state)) record.answer = 'final';
      else {
        record.answer = 'unexpected';
        record.problem = `${plan.kind} answered 409 with the job ${state ?? 'unreadable'}`;
      }
    } else {
      record.answer = 'unexpected';
      record.problem = `${plan.kind} answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
    }
    if (record.answer === 'stopping') {
      record.stoppedInto = await this.waitForStop(jobId);
      if (record.stoppedInto === undefined) return;
    }
    const suspended = plan.kind !== 'cancel' && (record.answer === 'done' || record.stoppedInto === 'suspended');
    if (suspended && plan.kind === 'suspend') await this.resume(record, plan.resumeAfterMs);
  }

  private acknowledge(record: StopRecord, answer: Answer): void {
    record.answer = 'done';
    record.ackAt = this.log.position(answer.lifetime);
    record.ackAtMs = answer.atMs;
  }

  private async resume(record: StopRecord, afterMs: number): Promise<void> {
    await sleep(afterMs);
    record.resume = { answer: 'unanswered' };
    const answer = await this.send('POST', `/jobs/${encodeURIComponent(record.jobId)}/resume`);
    if (answer === undefined) return;
    record.resume.status = answer.status;
    if (answer.status === 200) record.resume.answer = 'done';
    else if (answer.status === 409 && answer.retried && (await this.stateOf(record.jobId)) !== 'suspended') {
      record.resume = { answer: 'done', status: 409, doneByLostRequest: true };
    } else {
      record.resume.answer = 'unexpected';
      record.problem = `resume answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
    }
  }

  /** After a 202: polls the job until its run stopped (or finished first); the state it reached. */
  private async waitForStop(jobId: string): Promise<string | undefined> {
    let state: string | undefined;
    await waitUntil(
      async () => {
        state = await this.stateOf(jobId);
        return state !== undefined && (FINAL.has(state) || state === 'suspended');
      },
      this.deadline,
      300,
    );
    return state !== undefined && (FINAL.has(state) || state === 'suspended') ? state : undefined;
  }

  private async stateOf(jobId: string): Promise<string | undefined> {
    const answer = await this.send('GET', `/jobs/${encodeURIComponent(jobId)}`);
    return answer?.status === 200 && typeof answer.body.state === 'string' ? answer.body.state : undefined;
  }

  private send(method: string, path: string): Promise<Answer | undefined> {
    return requestThroughKills(this.stack, method, path, this.deadline);
  }
}
