/**
 * Whether a failed stack run is worth another attempt, pure. Only a lock is: another process is
 * updating the stack and will end. The fleet never breaks a lock (`pulumi cancel`): a lock can belong
 * to a live `up`, and cancelling that would leave the tenant half-changed and the state behind it.
 */

/**
 * The CLI's words for a stack someone else holds, as the Automation API recognises them
 * (sdk/go/auto/errors.go, ConcurrentUpdateError): the file/object-store backend's lock
 * (pkg/backend/diy/lock.go) and Pulumi Cloud's conflict.
 */
const LOCK_PATTERNS: readonly RegExp[] = [/the stack is currently locked by \d+ lock\(s\)/i, /\[409\] Conflict: Another update is currently in progress/i];

export function isLockedError(message: string): boolean {
    return LOCK_PATTERNS.some((p) => p.test(message));
}

export interface LockRetryPolicy {
    /** Retries after the first attempt. */
    retries: number;
    /** Wait before the first retry; doubled for each further one. */
    baseDelayMs: number;
    /** No wait is longer than this. */
    maxDelayMs: number;
}

export const MAX_LOCK_RETRY_DELAY_MS = 30_000;

export type LockRetryDecision = { action: "retry"; delayMs: number } | { action: "stop"; locked: boolean };

/** After failed attempt number `attempt` (1 = the first) with `error`: retry (after how long) or stop. */
export function decideLockRetry(error: string, attempt: number, policy: LockRetryPolicy): LockRetryDecision {
    const locked = isLockedError(error);
    if (!locked || attempt > policy.retries) return { action: "stop", locked };
    return { action: "retry", delayMs: Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs) };
}
