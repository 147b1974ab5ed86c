/**
 * The one retry helper (modelled on pulumi-command's dialWithRetry): bounded
 * attempts, exponential backoff, one plain line per failed attempt, and the last
 * cause wrapped with the attempt count. Only throttling, transient server errors and a lost or hung session
 * are retried; a validation, auth or not-found error fails at once.
 * Plain console lines because pulumi.log from a dynamic provider doesn't reach the CLI.
 */
import { ExchangeError, isRetryable, withAttempts } from "./errors";

export interface RetryOptions {
    /** Total attempts, at least 1. */
    attempts: number;
    /** Delay after the first failure; doubled per attempt. */
    baseDelayMs: number;
    /** Upper bound for one delay. */
    maxDelayMs?: number;
    /** Prints one status line (default console.log). */
    log?: (line: string) => void;
    /** Waits (default setTimeout); injectable so tests don't sleep. */
    sleep?: (ms: number) => Promise<void>;
    /** Called before the next attempt, e.g. to dispose a lost session. */
    beforeRetry?: (error: ExchangeError) => Promise<void> | void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Short words for the status line. */
const KIND_WORDS: Record<string, string> = { throttled: "throttled", sessionLost: "session lost", timeout: "timed out", transient: "transient error" };

/** Delay before attempt n+1 (n = failed attempts so far, from 1). */
export function backoffDelay(failed: number, baseDelayMs: number, maxDelayMs = 30_000): number {
    return Math.min(maxDelayMs, baseDelayMs * 2 ** (failed - 1));
}

/** Runs `operation` until it succeeds, fails with a non-retryable error, or runs out of attempts. */
export async function withRetry<T>(label: string, operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
    const attempts = Math.max(1, Math.floor(options.attempts));
    const log = options.log ?? ((line: string) => console.log(line));
    const sleep = options.sleep ?? defaultSleep;
    for (let attempt = 1; ; attempt++) {
        try {
            return await operation(attempt);
        } catch (error) {
            if (!isRetryable(error)) {
                throw error;
            }
            if (attempt >= attempts) {
                throw attempts > 1 ? withAttempts(error, attempt) : error;
            }
            log(`${label} ${attempt}/${attempts} ${KIND_WORDS[error.kind] ?? error.kind}: retrying`);
            await options.beforeRetry?.(error);
            await sleep(backoffDelay(attempt, options.baseDelayMs, options.maxDelayMs));
        }
    }
}
