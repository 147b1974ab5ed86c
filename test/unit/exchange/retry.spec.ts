import { strict as assert } from "assert";
import { SessionLostError, ThrottledError, ValidationError, NotFoundError, type ExchangeError } from "../../../components/exchange/errors";
import { backoffDelay, withRetry } from "../../../components/exchange/retry";

/** Records what the helper prints and how long it would wait, without waiting. */
function harness() {
    const lines: string[] = [];
    const waits: number[] = [];
    return {
        lines,
        waits,
        options: (attempts: number, extra: { beforeRetry?: (e: ExchangeError) => void } = {}) => ({
            attempts,
            baseDelayMs: 100,
            log: (l: string) => lines.push(l),
            sleep: async (ms: number) => {
                waits.push(ms);
            },
            ...extra,
        }),
    };
}

describe("retry", () => {
    describe("#withRetry", () => {
        it("retries throttling with one line per failed attempt, then succeeds", async () => {
            const h = harness();
            let calls = 0;
            const result = await withRetry(
                "Get-AcceptedDomain",
                async () => {
                    calls++;
                    if (calls < 3) throw new ThrottledError("Get-AcceptedDomain", "busy");
                    return "ok";
                },
                h.options(5),
            );
            assert.equal(result, "ok");
            assert.equal(calls, 3);
            assert.deepEqual(h.lines, ["Get-AcceptedDomain 1/5 throttled: retrying", "Get-AcceptedDomain 2/5 throttled: retrying"]);
            assert.deepEqual(h.waits, [100, 200]);
        });

        it("never retries a validation error", async () => {
            const h = harness();
            let calls = 0;
            await assert.rejects(
                withRetry("Set-AcceptedDomain", async () => {
                    calls++;
                    throw new ValidationError("Set-AcceptedDomain", "ExternalRelay isn't supported");
                }, h.options(5)),
                ValidationError,
            );
            assert.equal(calls, 1);
            assert.deepEqual(h.lines, []);
        });

        it("never retries not-found", async () => {
            let calls = 0;
            await assert.rejects(
                withRetry("Get-AcceptedDomain", async () => {
                    calls++;
                    throw new NotFoundError("Get-AcceptedDomain", "gone");
                }, harness().options(3)),
                NotFoundError,
            );
            assert.equal(calls, 1);
        });

        it("gives up after the bound and wraps the last cause with the count", async () => {
            const h = harness();
            let calls = 0;
            await assert.rejects(
                withRetry("Get-AcceptedDomain", async () => {
                    calls++;
                    throw new ThrottledError("Get-AcceptedDomain", `busy #${calls}`);
                }, h.options(3)),
                (e: unknown) => e instanceof ThrottledError && /busy #3 \(gave up after 3 attempts\)/.test(e.message),
            );
            assert.equal(calls, 3);
            assert.equal(h.lines.length, 2);
        });

        it("runs beforeRetry (e.g. reconnect) for a lost session", async () => {
            const seen: string[] = [];
            let calls = 0;
            await withRetry(
                "Get-AcceptedDomain",
                async () => {
                    if (++calls === 1) throw new SessionLostError("Get-AcceptedDomain", "pwsh exited");
                    return 1;
                },
                harness().options(2, { beforeRetry: (e) => void seen.push(e.kind) }),
            );
            assert.deepEqual(seen, ["sessionLost"]);
        });
    });

    it("#backoffDelay doubles and is capped", () => {
        assert.deepEqual([1, 2, 3, 4].map((n) => backoffDelay(n, 1000, 5000)), [1000, 2000, 4000, 5000]);
    });
});
