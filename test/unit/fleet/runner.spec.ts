/** The fleet's bounded-parallel runner, the lock retry loop and its decision. */
import * as assert from "assert";
import { decideLockRetry, isLockedError, type LockRetryPolicy } from "../../../scripts/fleet/retry";
import { retryWhileLocked, runBounded } from "../../../scripts/fleet/runner";

/** The file backend's words, verbatim (pkg/backend/diy/lock.go), as cliFailure passes them on. */
const DIY_LOCKED =
    "the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" +
    "  file:///srv/state/.pulumi/locks/organization/exo/tenant-a/6a3c.json: created by ci@runner (pid 4242) at 2026-01-05T10:00:00Z";
const CLOUD_LOCKED = "[409] Conflict: Another update is currently in progress.";

/** A promise and the hands to settle it, so a test decides when each item finishes. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
    });
    return { promise, resolve, reject };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("fleet runner", () => {
    describe("runBounded", () => {
        it("never runs more than the limit at once, and starts the next item as soon as one ends", async () => {
            const gates = Array.from({ length: 5 }, () => deferred<string>());
            const started: number[] = [];
            let running = 0;
            let peak = 0;
            const done = runBounded([0, 1, 2, 3, 4], 2, async (i) => {
                started.push(i);
                running++;
                peak = Math.max(peak, running);
                try {
                    return await gates[i].promise;
                } finally {
                    running--;
                }
            });
            await tick();
            assert.deepStrictEqual(started, [0, 1]);
            gates[1].resolve("one");
            await tick();
            assert.deepStrictEqual(started, [0, 1, 2], "a freed lane takes the next item");
            gates[0].resolve("zero");
            gates[2].resolve("two");
            await tick();
            gates[3].resolve("three");
            gates[4].resolve("four");
            const results = await done;
            assert.strictEqual(peak, 2);
            assert.deepStrictEqual(
                results.map((r) => (r.status === "fulfilled" ? r.value : "x")),
                ["zero", "one", "two", "three", "four"],
                "results in the items' order, not the finishing order",
            );
        });

        it("one failing item never stops the others: it settles as rejected, the rest run to the end", async () => {
            const ran: string[] = [];
            const results = await runBounded(["a", "broken", "c", "d"], 1, async (s) => {
                ran.push(s);
                if (s === "broken") throw new Error("bad config");
                return s.toUpperCase();
            });
            assert.deepStrictEqual(ran, ["a", "broken", "c", "d"]);
            assert.deepStrictEqual(results[1].status, "rejected");
            assert.strictEqual(results[1].status === "rejected" && (results[1].reason as Error).message, "bad config");
            assert.deepStrictEqual(results.filter((r) => r.status === "fulfilled").map((r) => (r as PromiseFulfilledResult<string>).value), ["A", "C", "D"]);
        });

        it("a limit above the number of items, and no items at all", async () => {
            let running = 0;
            let peak = 0;
            const results = await runBounded([1, 2, 3], 10, async (n) => {
                running++;
                peak = Math.max(peak, running);
                await tick();
                running--;
                return n * 2;
            });
            assert.strictEqual(peak, 3);
            assert.deepStrictEqual(results.map((r) => r.status === "fulfilled" && r.value), [2, 4, 6]);
            assert.deepStrictEqual(await runBounded([], 4, async () => 1), []);
        });

        it("refuses a limit below 1 or not whole", async () => {
            await assert.rejects(runBounded([1], 0, async () => 1), /at least 1, not 0/);
            await assert.rejects(runBounded([1], 1.5, async () => 1), /whole number/);
        });
    });

    describe("the lock retry decision", () => {
        const policy: LockRetryPolicy = { retries: 3, baseDelayMs: 1000, maxDelayMs: 3000 };

        it("knows a held stack in the file backend's words and in Pulumi Cloud's, and nothing else", () => {
            assert.ok(isLockedError(DIY_LOCKED));
            assert.ok(isLockedError(`the refresh-preview failed:\n${CLOUD_LOCKED}`));
            assert.ok(!isLockedError("exchange:commandTimeoutSecond is not a setting; did you mean exchange:commandTimeoutSeconds?"));
            assert.ok(!isLockedError("AADSTS7000222: The provided client certificate is expired."));
            assert.ok(!isLockedError("could not select the stack: no stack named 'locked' found"), "a stack merely named so");
        });

        it("retries a lock with doubling waits, capped, up to the number of retries; then stops as locked", () => {
            assert.deepStrictEqual(decideLockRetry(DIY_LOCKED, 1, policy), { action: "retry", delayMs: 1000 });
            assert.deepStrictEqual(decideLockRetry(DIY_LOCKED, 2, policy), { action: "retry", delayMs: 2000 });
            assert.deepStrictEqual(decideLockRetry(DIY_LOCKED, 3, policy), { action: "retry", delayMs: 3000 }, "capped");
            assert.deepStrictEqual(decideLockRetry(DIY_LOCKED, 4, policy), { action: "stop", locked: true });
            assert.deepStrictEqual(decideLockRetry(DIY_LOCKED, 1, { ...policy, retries: 0 }), { action: "stop", locked: true });
        });

        it("never retries another error: it would fail the same way", () => {
            assert.deepStrictEqual(decideLockRetry("the refresh-preview failed: AADSTS7000222", 1, policy), { action: "stop", locked: false });
        });
    });

    describe("retryWhileLocked", () => {
        const policy: LockRetryPolicy = { retries: 3, baseDelayMs: 100, maxDelayMs: 30_000 };

        it("a lock that clears: retried after the backoff, the result of the attempt that got through", async () => {
            const waits: number[] = [];
            const answers = [DIY_LOCKED, CLOUD_LOCKED, undefined];
            const retried: number[] = [];
            const out = await retryWhileLocked(
                async (n) => ({ n, error: answers[n - 1] }),
                (r) => r.error,
                policy,
                async (ms) => {
                    waits.push(ms);
                },
                (n) => retried.push(n),
            );
            assert.deepStrictEqual(out, { result: { n: 3, error: undefined }, attempts: 3, locked: false });
            assert.deepStrictEqual(waits, [100, 200]);
            assert.deepStrictEqual(retried, [1, 2]);
        });

        it("a lock that stays: 1 + retries attempts, then reported as locked", async () => {
            let attempts = 0;
            const waits: number[] = [];
            const out = await retryWhileLocked(
                async () => {
                    attempts++;
                    return DIY_LOCKED;
                },
                (r) => r,
                policy,
                async (ms) => {
                    waits.push(ms);
                },
            );
            assert.strictEqual(attempts, 4);
            assert.deepStrictEqual(waits, [100, 200, 400]);
            assert.deepStrictEqual({ attempts: out.attempts, locked: out.locked }, { attempts: 4, locked: true });
        });

        it("another error: one attempt, no wait, not locked", async () => {
            let slept = false;
            const out = await retryWhileLocked(
                async () => "bad config",
                (r) => r,
                policy,
                async () => {
                    slept = true;
                },
            );
            assert.deepStrictEqual({ attempts: out.attempts, locked: out.locked, slept }, { attempts: 1, locked: false, slept: false });
        });
    });
});
