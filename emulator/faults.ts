/**
 * Fault injection decided from the persisted `faults` block of the tenant state. Counters are
 * decremented as consumed and written back under the state lock, so they hold across processes.
 * Order per tenant cmdlet call: crash, hang, throttle (429 after the module's own retries),
 * transient read error (HTTP 500), micro delay (a warning; the call goes on).
 */
import type { Faults } from "./state";

export type FaultDecision =
    | { kind: "none" }
    | { kind: "crash" }
    | { kind: "hang"; ms: number | null }
    | { kind: "throttle" }
    | { kind: "transient" }
    | { kind: "microDelay" };

/** Mutates `faults` (consuming counters); returns what to do and whether anything changed. */
export function consumeFault(faults: Faults, cmdlet: string, kind: "read" | "write"): { decision: FaultDecision; changed: boolean } {
    let changed = false;
    if (faults.crashAfterCmdlets !== null) {
        if (faults.crashAfterCmdlets === 0) {
            faults.crashAfterCmdlets = null;
            return { decision: { kind: "crash" }, changed: true };
        }
        faults.crashAfterCmdlets -= 1;
        changed = true;
    }
    const hang = faults.hang;
    if (hang && hang.cmdlet.toLowerCase() === cmdlet.toLowerCase()) {
        if (hang.remaining === null) return { decision: { kind: "hang", ms: hang.ms }, changed };
        if (hang.remaining > 0) {
            hang.remaining -= 1;
            if (hang.remaining === 0) faults.hang = null;
            return { decision: { kind: "hang", ms: hang.ms }, changed: true };
        }
        faults.hang = null;
        changed = true;
    }
    if (faults.throttleNextCalls > 0) {
        faults.throttleNextCalls -= 1;
        return { decision: { kind: "throttle" }, changed: true };
    }
    if (kind === "read" && faults.transientReadErrors > 0) {
        faults.transientReadErrors -= 1;
        return { decision: { kind: "transient" }, changed: true };
    }
    if (faults.microDelayNextCalls > 0) {
        faults.microDelayNextCalls -= 1;
        return { decision: { kind: "microDelay" }, changed: true };
    }
    return { decision: { kind: "none" }, changed };
}

/** Milliseconds of simulated latency for a cmdlet. */
export function cmdletLatency(latency: { defaultCmdletMs: number; cmdletMs: Record<string, number> }, cmdlet: string): number {
    const hit = Object.entries(latency.cmdletMs).find(([k]) => k.toLowerCase() === cmdlet.toLowerCase());
    return hit ? hit[1] : latency.defaultCmdletMs;
}

/** Objects per REST page of a read (the V3 module pages its results; the size is not documented: docs/exchange-online-fidelity.md). */
export const PAGE_SIZE = 1000;

/** Milliseconds a read spends on its result: pageMs per started page of PAGE_SIZE objects (none for an empty result). */
export function pageLatency(pageMs: number, objects: number): number {
    return pageMs * Math.ceil(objects / PAGE_SIZE);
}

/** Retry-after quoted in the 429 error. */
export const THROTTLE_DELAY_MS = 5000;

/** Delay a micro-delay fault adds (and quotes in its warning). */
export const MICRO_DELAY_MS = 50;
