/**
 * Running many stacks, pure (the work and the clock are passed in): a bounded-parallel map that
 * settles every item whatever the others do, and the retry loop for a locked stack.
 */
import { decideLockRetry, type LockRetryPolicy } from "./retry";

/**
 * Runs `work` for every item, at most `limit` at once, and settles each: one item's failure never
 * stops or cancels the others. Results come back in the items' order, whatever order they finish in.
 */
export async function runBounded<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`the parallelism must be a whole number of at least 1, not ${limit}`);
    const results: PromiseSettledResult<R>[] = new Array(items.length);
    let next = 0;
    const lane = async (): Promise<void> => {
        // Single-threaded: taking `next` and incrementing it can't interleave with another lane.
        while (next < items.length) {
            const i = next++;
            try {
                results[i] = { status: "fulfilled", value: await work(items[i], i) };
            } catch (reason) {
                results[i] = { status: "rejected", reason };
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
    return results;
}

export interface Attempted<R> {
    /** The last attempt's result. */
    result: R;
    attempts: number;
    /** The last attempt still found the stack locked (retries used up). */
    locked: boolean;
}

/**
 * Runs `attempt` until its result is no lock error, or the policy's retries are used up, waiting
 * with backoff in between. `errorOf` says what failed in a result (undefined: it didn't). Other
 * errors are never retried: they would fail the same way again.
 */
export async function retryWhileLocked<R>(
    attempt: (n: number) => Promise<R>,
    errorOf: (result: R) => string | undefined,
    policy: LockRetryPolicy,
    sleep: (ms: number) => Promise<void>,
    onRetry: (n: number, delayMs: number, error: string) => void = () => undefined,
): Promise<Attempted<R>> {
    for (let n = 1; ; n++) {
        const result = await attempt(n);
        const error = errorOf(result);
        if (error === undefined) return { result, attempts: n, locked: false };
        const decision = decideLockRetry(error, n, policy);
        if (decision.action === "stop") return { result, attempts: n, locked: decision.locked };
        onRetry(n, decision.delayMs, error);
        await sleep(decision.delayMs);
    }
}
