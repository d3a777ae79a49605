/**
 * The two queues' definitions, shared by the local stack, the tests and the CDK stack.
 *
 * `maxReceiveCount` sits well above the largest `maxAttempts` (100): postings also come back for
 * lease contention and delays, and the DynamoDB attempt counter is the real retry bound. The DLQ
 * is the net for postings that cannot be processed at all, and the record of jobs failed for good.
 */
export const QUEUES = {
  /**
   * Shorter than the DLQ's: a standard DLQ keeps a message's original enqueue time, so a posting
   * that spent its life here would otherwise expire from the DLQ soon after arriving. A posting
   * is only a pointer (the job is in the table, and the sweeper re-posts lost ones), so 4 days
   * here costs nothing and leaves every dead letter at least 10 days in the DLQ.
   */
  postings: { name: 'postings', retentionSeconds: 4 * 86_400 },
  deadLetter: { name: 'postings-dlq', retentionSeconds: 14 * 86_400 },
  maxReceiveCount: 200,
  /** AWS guidance for SQS event sources: visibility at least 6 × the function timeout. */
  visibilityTimeoutFactor: 6,
} as const;

/** Visibility timeout of the postings queue for a conductor with this timeout. */
export function postingsVisibilitySeconds(conductorTimeoutSeconds: number): number {
  return Math.min(12 * 3_600, Math.ceil(conductorTimeoutSeconds * QUEUES.visibilityTimeoutFactor));
}

/**
 * Priority lanes (DESIGN.md, Priority): one postings queue per priority. `normal` is the
 * original `postings` queue, so a deployment from before lanes keeps its queue.
 */
export const LANES = ['high', 'normal', 'low'] as const;
export type Lane = (typeof LANES)[number];

/** Queue name of each lane: `postings-high`, `postings`, `postings-low`. */
export function laneQueueName(lane: Lane, prefix = ''): string {
  return lane === 'normal' ? `${prefix}${QUEUES.postings.name}` : `${prefix}${QUEUES.postings.name}-${lane}`;
}

/** Names that let several stacks share one account or one emulator. `postings` is the normal lane's queue. */
export function queueNames(prefix = ''): { postings: string; deadLetter: string; lanes: Record<Lane, string> } {
  const lanes = Object.fromEntries(LANES.map((lane) => [lane, laneQueueName(lane, prefix)])) as Record<Lane, string>;
  return { postings: lanes.normal, deadLetter: `${prefix}${QUEUES.deadLetter.name}`, lanes };
}
