/** Waiting helpers of the soak: every wait is bounded, and no timer outlives its wait. */

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** `promise`'s value, or undefined once `deadline` (epoch ms) passes; the timer is cleared either way. */
export async function untilDeadline<T>(promise: Promise<T>, deadline: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()))))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `probe` until it returns true or `deadline` passes; returns whether it became true.
 * Used instead of fixed sleeps, so each phase takes only as long as the system needs.
 */
export async function waitUntil(probe: () => boolean | Promise<boolean>, deadline: number, intervalMs = 100): Promise<boolean> {
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(intervalMs, deadline - Date.now()));
  }
}
