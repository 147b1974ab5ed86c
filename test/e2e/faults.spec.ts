/**
 * Faults end to end, under the real CLI with the project's program against the
 * emulated tenant: the pwsh process dies mid-run, a cmdlet hangs past the
 * timeout, throttling, a failing connect, transient read errors during refresh,
 * and Ctrl-C of `pulumi up`. Each run either completes correctly or fails with a
 * clear message; either way the state stays consistent: a following `up`
 * converges, nothing in the tenant changed that was not declared, and a
 * preview afterwards has nothing to do.
 *
 * One workspace for the whole file: each case flips the declared type of six
 * domains, so every run has six Sets to make (and six to get wrong).
 */
import * as assert from "assert";
import { spawn } from "child_process";
import {
    changeTenant,
    createWorkspace,
    exchangeConfig,
    journal,
    pulumi,
    pulumiScript,
    removeWorkspace,
    seedTenant,
    tenant,
    writeStackConfig,
    type TenantState,
    type Workspace,
} from "./harness";
import { acceptedDomainState } from "../../emulator";

type DomainType = "Authoritative" | "InternalRelay";
const FAULT_DOMAINS = Array.from({ length: 6 }, (_, i) => `f${i}.fault.example`);
const OTHER = (t: DomainType): DomainType => (t === "Authoritative" ? "InternalRelay" : "Authoritative");

type Entry = ReturnType<typeof journal>[number];

/** The tenant's accepted domains without timestamps, sorted: what "nothing else changed" compares. */
function domainsOf(t: TenantState): string {
    return JSON.stringify(
        t.acceptedDomains
            .map(({ whenChangedUtc: _w, ...d }) => d)
            .sort((a, b) => a.domainName.localeCompare(b.domainName)),
    );
}

describe("faults end to end: every run completes or fails clearly, and the next up converges", function () {
    this.timeout(10 * 60 * 1000);
    let ws: Workspace;
    let baseConfig: Record<string, unknown>;
    /** The tenant as it must be once the declared type is applied. */
    let expected: (type: DomainType) => string;
    /** The type currently applied to the six domains. */
    let applied: DomainType = "Authoritative";

    const declare = (type: DomainType, extra: Record<string, unknown> = {}): void => {
        writeStackConfig(ws, {
            ...baseConfig,
            "exchange:domains": Object.fromEntries(FAULT_DOMAINS.map((d) => [d, { type }])),
            ...extra,
        });
    };
    const since = (from: number): Entry[] => journal(ws).slice(from);
    const calls = (entries: Entry[], cmdlet: string): Entry[] => entries.filter((e) => e.event === "cmdlet" && e.cmdlet === cmdlet);
    const faultDomainTypes = (): string[] =>
        FAULT_DOMAINS.map((d) => tenant(ws).acceptedDomains.find((a) => a.domainName === d)?.domainType ?? "missing");

    /** The run ended well, or failed clearly; the tenant holds only declared values either way. */
    const completedOrClear = (code: number, output: string, clear: RegExp, target: DomainType): void => {
        if (code === 0) {
            assert.deepStrictEqual(faultDomainTypes(), FAULT_DOMAINS.map(() => target), output);
        } else {
            assert.match(output, clear, `the failure must say what happened:\n${output}`);
            for (const t of faultDomainTypes()) {
                assert.ok(t === target || t === OTHER(target), `a domain ended as ${t}`);
            }
        }
        const others = (s: string) => (JSON.parse(s) as { domainName: string }[]).filter((d) => !FAULT_DOMAINS.includes(d.domainName));
        assert.deepStrictEqual(others(domainsOf(tenant(ws))), others(expected(target)), "a domain that was not declared changed");
    };

    /** A clean `up` converges to the declared state and a preview after it has nothing to do. */
    const converges = async (target: DomainType): Promise<void> => {
        await changeTenant(ws, (t) => {
            t.faults = { throttleNextCalls: 0, crashAfterCmdlets: null, hang: null, failConnect: null, transientReadErrors: 0, microDelayNextCalls: 0 };
        });
        const up = await pulumi(ws, ["up", "--yes", "--skip-preview"]);
        assert.strictEqual(up.code, 0, up.output);
        assert.strictEqual(domainsOf(tenant(ws)), expected(target));
        const preview = await pulumi(ws, ["preview", "--expect-no-changes"]);
        assert.strictEqual(preview.code, 0, preview.output);
        applied = target;
    };

    before(async () => {
        ws = await createWorkspace({ name: "faults" });
        const cert = await seedTenant(ws, (t) => {
            for (const d of FAULT_DOMAINS) {
                t.acceptedDomains.push(acceptedDomainState(d, "Authoritative"));
            }
        });
        const start = tenant(ws);
        expected = (type) => {
            const t = structuredClone(start);
            for (const d of t.acceptedDomains) if (FAULT_DOMAINS.includes(d.domainName)) d.domainType = type;
            return domainsOf(t);
        };
        baseConfig = await exchangeConfig(ws, cert, {}, { "exchange:commandTimeoutSeconds": 20 });
        declare("Authoritative");
        const adopt = await pulumi(ws, ["up", "--yes", "--skip-preview"]);
        assert.strictEqual(adopt.code, 0, adopt.output);
        assert.strictEqual(domainsOf(tenant(ws)), expected("Authoritative"), "adoption changes nothing");
    });
    after(() => removeWorkspace(ws));
    // Each case starts from a fault-free tenant, whatever the previous case left.
    beforeEach(async () => {
        await changeTenant(ws, (t) => {
            t.faults = { throttleNextCalls: 0, crashAfterCmdlets: null, hang: null, failConnect: null, transientReadErrors: 0, microDelayNextCalls: 0 };
            t.latency = { connectMs: 0, formatDataMs: 0, defaultCmdletMs: 0, cmdletMs: {}, pageMs: 0 };
        });
        applied = faultDomainTypes()[0] as DomainType;
    });

    it("the pwsh process dies mid-run: the session restarts, reconnects and finishes", async () => {
        const target = OTHER(applied);
        declare(target);
        // Connect is not counted; the four bulk reads and two Sets run, the third Set kills pwsh.
        await changeTenant(ws, (t) => (t.faults.crashAfterCmdlets = 6));
        const from = journal(ws).length;
        const r = await pulumi(ws, ["up", "--yes", "--skip-preview"]);
        const entries = since(from);
        assert.strictEqual(entries.filter((e) => e.event === "crash").length, 1, "the fault fired");
        completedOrClear(r.code, r.output, /pwsh session .* ended|exited during the call/, target);
        assert.strictEqual(r.code, 0, `a lost session is reconnected and retried:\n${r.output}`);
        assert.strictEqual(entries.filter((e) => e.event === "start").length, 2, "one restart");
        assert.match(r.output, /Set-AcceptedDomain 1\/5 session lost: retrying/);
        await converges(target);
    });

    it("a cmdlet hangs past exchange:commandTimeoutSeconds: the session is replaced and the Set retried", async () => {
        const target = OTHER(applied);
        declare(target, { "exchange:commandTimeoutSeconds": 3 });
        await changeTenant(ws, (t) => (t.faults.hang = { cmdlet: "Set-AcceptedDomain", remaining: 1, ms: null }));
        const from = journal(ws).length;
        const r = await pulumi(ws, ["up", "--yes", "--skip-preview"]);
        const entries = since(from);
        assert.strictEqual(entries.filter((e) => e.event === "hang").length, 1, "the fault fired");
        completedOrClear(r.code, r.output, /did not answer within 3 s \(exchange:commandTimeoutSeconds\)/, target);
        assert.strictEqual(r.code, 0, r.output);
        assert.match(r.output, /Set-AcceptedDomain \d\/5 timed out: retrying/);
        declare(target);
        await converges(target);
    });

    it("throttling for several calls is retried with a plain line per attempt", async () => {
        const target = OTHER(applied);
        declare(target);
        await changeTenant(ws, (t) => (t.faults.throttleNextCalls = 3));
        const from = journal(ws).length;
        const r = await pulumi(ws, ["up", "--yes", "--skip-preview"]);
        const entries = since(from);
        const throttled = entries.filter((e) => e.event === "cmdlet" && (e.error as { message?: string } | undefined)?.message?.includes("HttpStatusCode=429") === true);
        assert.strictEqual(throttled.length, 3, "the fault fired three times");
        completedOrClear(r.code, r.output, /throttled/, target);
        assert.strictEqual(r.code, 0, r.output);
        assert.match(r.output, /Get-[A-Za-z]+ 1\/5 throttled: retrying/);
        assert.strictEqual(calls(entries, "Connect-ExchangeOnline").length, 1, "throttling does not reconnect");
        await converges(target);
    });

    it("throttling beyond exchange:maxAttempts fails with the attempt count and changes nothing", async () => {
        const target = OTHER(applied);
        declare(target, { "exchange:maxAttempts": 2 });
        await changeTenant(ws, (t) => (t.faults.throttleNextCalls = 50));
        const r = await pulumi(ws, ["up", "--yes", "--skip-preview"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /HttpStatusCode=429 .*Exchange Online throttled the request/);
        assert.match(r.output, /gave up after 2 attempts/);
        assert.deepStrictEqual(faultDomainTypes(), FAULT_DOMAINS.map(() => applied), "no Set got through");
        completedOrClear(r.code, r.output, /throttled/, target);
        declare(target);
        await converges(target);
    });

    it("connect fails: the run fails with the auth error, nothing is retried or changed", async () => {
        const target = OTHER(applied);
        declare(target);
        await changeTenant(ws, (t) => (t.faults.failConnect = { remaining: 100 }));
        const from = journal(ws).length;
        const r = await pulumi(ws, ["up", "--yes", "--skip-preview"]);
        const entries = since(from);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /Connect-ExchangeOnline failed: AADSTS7000215/);
        assert.match(r.output, /check exchange:auth/);
        assert.strictEqual(calls(entries, "Set-AcceptedDomain").length, 0);
        assert.strictEqual(calls(entries, "Connect-ExchangeOnline").length, 1, "an auth failure is not retried");
        assert.deepStrictEqual(faultDomainTypes(), FAULT_DOMAINS.map(() => applied));
        completedOrClear(r.code, r.output, /AADSTS/, target);
        await converges(target);
    });

    it("transient read errors during refresh are retried; a domain is never dropped from the state", async () => {
        declare(applied);
        await changeTenant(ws, (t) => (t.faults.transientReadErrors = 2));
        const from = journal(ws).length;
        const r = await pulumi(ws, ["refresh", "--yes", "--skip-preview"]);
        const entries = since(from);
        const transient = entries.filter((e) => e.event === "cmdlet" && (e.error as { message?: string } | undefined)?.message?.includes("HttpStatusCode=500") === true);
        assert.strictEqual(transient.length, 2, "the fault fired twice");
        assert.strictEqual(r.code, 0, r.output);
        assert.match(r.output, /Get-AcceptedDomain 1\/5 transient error: retrying/);
        await assertAllInState();
        await converges(applied);
    });

    it("persistent read errors fail the refresh clearly and keep every domain in the state", async () => {
        declare(applied, { "exchange:maxAttempts": 2 });
        await changeTenant(ws, (t) => (t.faults.transientReadErrors = 50));
        const r = await pulumi(ws, ["refresh", "--yes", "--skip-preview"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /Get-AcceptedDomain failed: Error while querying REST service\. HttpStatusCode=500 .*a transient Exchange Online server error/);
        await assertAllInState();
        declare(applied);
        await converges(applied);
    });

    /**
     * Ctrl-C: the CLI cancels gracefully (in-flight operations finish, no new ones
     * start) and records what finished. What a user does next is a plain `pulumi up`:
     * updates interrupted before they finished leave no pending operation to clear,
     * because Pulumi lets in-flight steps complete on the first Ctrl-C. (A pending
     * *create* would need `pulumi refresh --clear-pending-creates`, or removing it from
     * `pulumi stack export` and `stack import`; this test asserts there is none.)
     */
    it("Ctrl-C of pulumi up mid-run cancels cleanly; the next up converges", async () => {
        const target = OTHER(applied);
        declare(target);
        await changeTenant(ws, (t) => (t.latency = { connectMs: 0, formatDataMs: 0, defaultCmdletMs: 0, cmdletMs: { "Set-AcceptedDomain": 1500 }, pageMs: 0 }));
        const from = journal(ws).length;
        // --parallel 1: with Pulumi's default parallelism all six updates are in flight at
        // once, and a graceful Ctrl-C lets in-flight steps finish, so nothing would be cut short.
        const child = spawn(pulumiScript, ["up", "--yes", "--skip-preview", "--parallel", "1", "--non-interactive", "--stack", ws.stack], {
            cwd: ws.dir,
            env: ws.env,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (b: Buffer) => (output += b.toString()));
        child.stderr.on("data", (b: Buffer) => (output += b.toString()));
        const exited = new Promise<number>((resolve) => child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : -1))));
        // Interrupt once the first Set has been journaled (the run is mid-way: five more to go).
        for (let i = 0; i < 600 && calls(since(from), "Set-AcceptedDomain").length === 0; i++) {
            await new Promise((r) => setTimeout(r, 100));
        }
        assert.ok(calls(since(from), "Set-AcceptedDomain").length > 0, `the run never reached a Set:\n${output}`);
        child.kill("SIGINT");
        const code = await exited;
        const sets = calls(since(from), "Set-AcceptedDomain").length;
        assert.ok(sets < FAULT_DOMAINS.length, `the interrupt came too late to test anything (${sets} Sets):\n${output}`);
        assert.notStrictEqual(code, 0, output);
        assert.match(output, /cancel|interrupt/i, output);
        completedOrClear(code, output, /cancel|interrupt/i, target);

        const exported = await pulumi(ws, ["stack", "export"]);
        assert.strictEqual(exported.code, 0, exported.output);
        const pending = (JSON.parse(exported.stdout) as { deployment: { pending_operations?: unknown[] } }).deployment.pending_operations ?? [];
        assert.deepStrictEqual(pending, [], "no pending operation is left for the user to clear");

        await changeTenant(ws, (t) => (t.latency = { connectMs: 0, formatDataMs: 0, defaultCmdletMs: 0, cmdletMs: {}, pageMs: 0 }));
        await converges(target);
    });

    async function assertAllInState(): Promise<void> {
        const r = await pulumi(ws, ["stack", "export"]);
        assert.strictEqual(r.code, 0, r.output);
        const resources = (JSON.parse(r.stdout) as { deployment: { resources?: { type: string; id?: string }[] } }).deployment.resources ?? [];
        const ids = resources.filter((x) => x.type === "pulumi-nodejs:dynamic/exchange:AcceptedDomain").map((x) => x.id).sort();
        assert.deepStrictEqual(ids, [...FAULT_DOMAINS].sort(), "every declared domain is still in the state");
    }
});
