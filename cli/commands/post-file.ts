/**
 * `post --file`: posts every job of a JSON Lines file or JSON array with bounded concurrency,
 * showing progress on stderr, then a summary. How each request is made and retried lives in
 * `bulk-post.ts`.
 */
import { readFile } from 'node:fs/promises';
import type { PostJobBody } from '../../lib/http/contract.js';
import { ExitCode, type CommandContext } from '../context.js';
import { formatDetails } from '../format.js';
import { chunkJobs, postChunk, type InputJob, type PostResult } from './bulk-post.js';

/** Requests in flight unless `--concurrency` says otherwise. */
export const DEFAULT_CONCURRENCY = 8;
/**
 * Jobs per request unless `--batch-size` says otherwise (`POST /jobs/batch`). Measured on the local
 * stack, 1,000 jobs: about 5x the throughput of one `POST /jobs` per job, since postings go out ten
 * per SQS request.
 */
export const DEFAULT_BATCH_SIZE = 25;
/** How many failures the summary lists one by one. */
const FAILURES_SHOWN = 20;

/** Parses a JSON array or JSON Lines text; throws listing every line that is not a JSON object. */
export function parseJobsFile(text: string, name: string): InputJob[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new Error(`${name}: not a valid JSON array: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!Array.isArray(parsed)) throw new Error(`${name}: not a JSON array`);
    const bad = parsed.flatMap((item, i) => (isObject(item) ? [] : [`item ${i + 1}: not a JSON object`]));
    if (bad.length > 0) throw new Error(`${name}: ${bad.slice(0, FAILURES_SHOWN).join('; ')}`);
    return parsed.map((body, index) => ({ index, line: undefined, body: asPostBody(body as Record<string, unknown>) }));
  }
  const jobs: InputJob[] = [];
  const bad: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      const body: unknown = JSON.parse(raw);
      if (isObject(body)) jobs.push({ index: jobs.length, line: i + 1, body: asPostBody(body) });
      else bad.push(`line ${i + 1}: not a JSON object`);
    } catch {
      bad.push(`line ${i + 1}: not valid JSON`);
    }
  });
  if (bad.length > 0) throw new Error(`${name}: ${bad.slice(0, FAILURES_SHOWN).join('; ')}${bad.length > FAILURES_SHOWN ? `; and ${bad.length - FAILURES_SHOWN} more` : ''} (nothing was posted)`);
  return jobs;
}

/** Sent as written: the API checks every field (and rejects unknown ones) and says what is wrong. */
const asPostBody = (body: Record<string, unknown>): PostJobBody => body as unknown as PostJobBody;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

async function readInput(file: string): Promise<string> {
  if (file !== '-') return readFile(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Progress on stderr: redrawn in place on a TTY, else a line about every 10%. */
class Progress {
  private lastDrawMs = Number.NEGATIVE_INFINITY;
  private lastPrinted = -1;
  private nextMark: number;
  private readonly step: number;
  constructor(
    private readonly ctx: CommandContext,
    private readonly total: number,
  ) {
    this.step = Math.max(1, Math.ceil(total / 10));
    this.nextMark = this.step;
  }
  update(done: number, failed: number, final = false): void {
    const text = `posted ${done}/${this.total}${failed > 0 ? ` (${failed} failed)` : ''}`;
    if (this.ctx.stderrIsTty) {
      const now = this.ctx.now();
      if (!final && now - this.lastDrawMs < 100) return;
      this.lastDrawMs = now;
      this.ctx.stderr(`\r${text}${final ? '\n' : ''}`);
      return;
    }
    if (done >= this.nextMark || (final && done !== this.lastPrinted)) {
      while (this.nextMark <= done) this.nextMark += this.step;
      this.lastPrinted = done;
      this.ctx.stderr(`${text}\n`);
    }
  }
}

/** Options of {@link postFile}. */
export interface PostFileOptions {
  /** Requests in flight. */
  concurrency: number;
  /** Jobs per request: 1 uses `POST /jobs`, more `POST /jobs/batch`. */
  batchSize: number;
}

/** Posts every job of `file`; exit 1 if any failed. */
export async function postFile(ctx: CommandContext, file: string, options: PostFileOptions): Promise<number> {
  const name = file === '-' ? 'stdin' : file;
  const jobs = parseJobsFile(await readInput(file), name);
  if (jobs.length === 0) {
    ctx.stderr(`no jobs in ${name}\n`);
    return ExitCode.ok;
  }
  const started = ctx.now();
  const progress = new Progress(ctx, jobs.length);
  const failures: PostResult[] = [];
  let done = 0;
  let created = 0;
  let next = 0;
  let refused: string | undefined;
  const chunks = chunkJobs(jobs, options.batchSize);

  const worker = async (): Promise<void> => {
    while (next < chunks.length && refused === undefined) {
      const results = await postChunk(ctx, chunks[next++]!);
      for (const result of results) {
        done++;
        if (result.ok) {
          if (result.status === 201) created++;
        } else {
          failures.push(result);
          // The server is not there: stop instead of failing every remaining job the same way.
          if (result.refused) refused ??= result.error.message;
        }
        if (ctx.json) ctx.stdout(JSON.stringify(result) + '\n');
      }
      progress.update(done, failures.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, chunks.length) }, worker));
  progress.update(done, failures.length, true);

  const seconds = (ctx.now() - started) / 1_000;
  const rate = seconds > 0 ? ` (${seconds.toFixed(1)} s, ${Math.round(done / seconds)} jobs/s)` : '';
  ctx.stderr(`done: ${jobs.length} job${jobs.length === 1 ? '' : 's'}, ${created} created, ${done - created - failures.length} already existed, ${failures.length} failed${rate}\n`);
  if (refused !== undefined && done < jobs.length) ctx.stderr(`stopped early: ${jobs.length - done} not attempted (${refused})\n`);
  failures.sort((a, b) => a.index - b.index);
  for (const failure of failures.slice(0, FAILURES_SHOWN)) {
    if (failure.ok) continue;
    const where = failure.line === undefined ? `item ${failure.index + 1}` : `line ${failure.line}`;
    ctx.stderr(`  ${where}: ${failure.error.code}: ${failure.error.message}\n`);
    for (const detail of formatDetails(failure.error.details)) ctx.stderr(`    ${detail}\n`);
  }
  if (failures.length > FAILURES_SHOWN) ctx.stderr(`  … and ${failures.length - FAILURES_SHOWN} more\n`);
  return failures.length === 0 && done === jobs.length ? ExitCode.ok : ExitCode.failure;
}
