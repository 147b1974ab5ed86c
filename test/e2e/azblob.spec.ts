/**
 * Shared state on a real object store: Pulumi's DIY Azure Blob backend (azblob://) against
 * Azurite, Microsoft's Azure Storage emulator, started and stopped by this file (backends.ts).
 * Each workspace keeps its state under a prefix of its own in one container.
 *
 * What a team or an MSP running this project from several places relies on:
 * - the whole KB story works with the state in blob storage, and nothing is written locally;
 * - two `up`s of one stack at once never both apply: the DIY backend's lock is a blob per update
 *   under .pulumi/locks/, written and then listed (pkg/backend/diy/lock.go Lock, checkForLock),
 *   so the one that finds another's lock fails at once, without waiting ("the stack is currently
 *   locked by 1 lock(s)"). When both write before either lists, both fail and neither applies;
 *   that is accepted here, "both applied" never is;
 * - a CLI killed outright (kill -9) leaves its lock behind; the next `up` says how to clear it
 *   (`pulumi cancel`), after which it converges; and no process of the dead run lives on
 *   (the language host and the provider watch their parent: orphan.go, parent-watchdog.ts).
 *
 * Pulumi's DIY backends: https://www.pulumi.com/docs/iac/operations/stack-management/using-a-diy-backend/
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import { startAzurite, stopAzurite, type AzuriteServer } from "./backends";
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
    leftoverProcesses,
    workspaceProcesses,
    writeStackConfig,
    type RunResult,
    type TenantState,
    type Workspace,
} from "./harness";
import { acceptedDomainState } from "../../emulator";

const PACK = "../../../policies";
const PROJECT = "exchange-accepted-domains";
const RULE_LINE = "[mandatory]  synced-domain-not-authoritative  (pulumi-nodejs:dynamic/exchange:AcceptedDomain: contoso.com)";
const LOCKED = /the stack is currently locked by 1 lock\(s\)\. Either wait for the other process\(es\) to end or delete the lock file with `pulumi cancel`/;
const NO_LATENCY: TenantState["latency"] = { connectMs: 0, formatDataMs: 0, defaultCmdletMs: 0, cmdletMs: {}, pageMs: 0 };

type Entry = ReturnType<typeof journal>[number];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const domainType = (ws: Workspace, name: string): string | undefined => tenant(ws).acceptedDomains.find((d) => d.domainName === name)?.domainType;
const sets = (entries: Entry[], domain?: string): Entry[] =>
    entries.filter((e) => e.event === "cmdlet" && e.cmdlet === "Set-AcceptedDomain" && (domain === undefined || (e.params as Record<string, unknown>).Identity === domain));

/** Keys of the workspace's blobs, relative to its prefix. */
async function blobs(ws: Workspace): Promise<string[]> {
    const { backend, prefix } = ws.remote!;
    return (await backend.listKeys(prefix)).map((k) => k.slice(prefix.length));
}

const lockBlobs = async (ws: Workspace): Promise<string[]> => (await blobs(ws)).filter((k) => k.startsWith(".pulumi/locks/"));

/** Files under the workspace's (unused) file backend directory. */
function localStateFiles(ws: Workspace): string[] {
    return fs.readdirSync(ws.backendDir, { recursive: true }).map(String);
}

/** The stack's resources and pending operations, from `stack export`. */
async function exported(ws: Workspace): Promise<{ domains: string[]; pending: unknown[] }> {
    const r = await pulumi(ws, ["stack", "export"]);
    assert.strictEqual(r.code, 0, r.output);
    const d = (JSON.parse(r.stdout) as { deployment: { resources?: { type: string; id?: string }[]; pending_operations?: unknown[] } }).deployment;
    const domains = (d.resources ?? []).filter((x) => x.type === "pulumi-nodejs:dynamic/exchange:AcceptedDomain").map((x) => x.id ?? "");
    return { domains: domains.sort(), pending: d.pending_operations ?? [] };
}

/**
 * Fails the test if a process of the workspace outlived its run, after ending them (by PID) so the
 * run leaks nothing; returns how long they took to end.
 */
async function assertNoProcessLeft(ws: Workspace, ms: number, what: string): Promise<number> {
    const started = Date.now();
    const left = await leftoverProcesses(ws, ms);
    for (const p of left) {
        try {
            process.kill(p.pid, "SIGKILL");
        } catch {
            // gone meanwhile
        }
    }
    assert.deepStrictEqual(left.map((p) => `${p.pid} (parent ${p.ppid}) ${p.command.slice(0, 160)}`), [], `${what}: processes of the run still alive after ${ms / 1000} s`);
    return Date.now() - started;
}

describe("shared state on Pulumi's DIY Azure Blob backend (Azurite): locking, a killed CLI", function () {
    this.timeout(15 * 60 * 1000);
    let azurite: AzuriteServer | undefined;
    const workspaces: Workspace[] = [];
    /** Per workspace: rewrites its stack config with other declared domains. */
    const declarations = new Map<Workspace, (d: Record<string, object>) => void>();
    const declare = (ws: Workspace, domains: Record<string, object>) => declarations.get(ws)!(domains);

    /** A workspace on Azurite with the KB demo tenant (and `mutate` applied to it) and `domains` declared. */
    const azblobWorkspace = async (name: string, domains: Record<string, object>, mutate?: (t: TenantState) => void): Promise<Workspace> => {
        const ws = await createWorkspace({ name, backend: azurite! });
        workspaces.push(ws);
        const cert = await seedTenant(ws, mutate);
        const base = await exchangeConfig(ws, cert, {});
        const write = (d: Record<string, object>) => writeStackConfig(ws, { ...base, "exchange:domains": d });
        write(domains);
        declarations.set(ws, write);
        return ws;
    };

    before(async () => {
        azurite = await startAzurite();
    });
    after(async () => {
        for (const ws of workspaces) removeWorkspace(ws);
        if (azurite) await stopAzurite(azurite.pidFile);
    });

    describe("the KB story with the state in blob storage", () => {
        let ws: Workspace;
        const KB = { "contoso.com": { type: "Shared", directorySynced: true }, "fabrikam.com": { type: "InternalRelay" } };

        before(async () => {
            ws = await azblobWorkspace("azblob-kb", KB);
        });

        it("stack init wrote the stack to Azurite under the workspace's prefix, nothing to the local disk", async () => {
            const keys = await blobs(ws);
            assert.ok(keys.includes(".pulumi/meta.yaml"), keys.join("\n"));
            assert.ok(keys.includes(`.pulumi/stacks/${PROJECT}/${ws.stack}.json`), keys.join("\n"));
            assert.deepStrictEqual(localStateFiles(ws), []);
            assert.ok((await azurite!.listKeys("")).every((k) => !k.startsWith(".pulumi/")), "every workspace keeps to its prefix");
        });

        it("preview shows contoso.com's pending fix and passes the policy pack", async () => {
            const r = await pulumi(ws, ["preview", "--diff", "--policy-pack", PACK]);
            assert.strictEqual(r.code, 0, r.output);
            assert.match(r.output, /domainType: "Authoritative -> InternalRelay"/);
            assert.doesNotMatch(r.output, /\[(mandatory|advisory)\]/);
        });

        it("up sets contoso.com to InternalRelay, once", async () => {
            const from = journal(ws).length;
            const started = Date.now();
            const r = await pulumi(ws, ["up", "--yes", "--skip-preview", "--policy-pack", PACK]);
            const seconds = (Date.now() - started) / 1000;
            assert.strictEqual(r.code, 0, r.output);
            assert.strictEqual(domainType(ws, "contoso.com"), "InternalRelay");
            assert.deepStrictEqual(sets(journal(ws).slice(from)).map((e) => e.params), [{ Identity: "contoso.com", DomainType: "InternalRelay", Confirm: false }]);
            console.log(`      (up on azblob: ${seconds.toFixed(1)} s)`);
        });

        it("a pull request making synced contoso.com Hosted again is refused by the policy pack; nothing changes", async () => {
            declare(ws, { ...KB, "contoso.com": { type: "Hosted", directorySynced: true } });
            const from = journal(ws).length;
            const r = await pulumi(ws, ["preview", "--policy-pack", PACK]);
            assert.notStrictEqual(r.code, 0, r.output);
            assert.ok(r.output.includes(RULE_LINE), r.output);
            assert.deepStrictEqual(sets(journal(ws).slice(from)), []);
            assert.strictEqual(domainType(ws, "contoso.com"), "InternalRelay");
            declare(ws, KB);
        });

        it("preview --expect-no-changes passes, reading the state back from Azurite", async () => {
            const r = await pulumi(ws, ["preview", "--expect-no-changes"]);
            assert.strictEqual(r.code, 0, r.output);
        });

        it("the state, its history and no lock are in Azurite; the local backend stays empty", async () => {
            assert.deepStrictEqual((await exported(ws)).domains, ["contoso.com", "fabrikam.com"]);
            const keys = await blobs(ws);
            assert.ok(keys.some((k) => k.startsWith(`.pulumi/history/${PROJECT}/${ws.stack}/`)), keys.join("\n"));
            assert.deepStrictEqual(await lockBlobs(ws), []);
            assert.deepStrictEqual(localStateFiles(ws), []);
        });

        it("destroy empties the stack and leaves the tenant as it is (onDelete: retain)", async () => {
            const r = await pulumi(ws, ["destroy", "--yes", "--skip-preview"]);
            assert.strictEqual(r.code, 0, r.output);
            assert.deepStrictEqual((await exported(ws)).domains, []);
            assert.strictEqual(domainType(ws, "contoso.com"), "InternalRelay");
            assert.deepStrictEqual(await lockBlobs(ws), []);
            assert.deepStrictEqual(await leftoverProcesses(ws, 1_000), [], "the session keeper ends with the CLI");
        });
    });

    describe("two ups of one stack at once", () => {
        let ws: Workspace;

        before(async () => {
            ws = await azblobWorkspace("azblob-race", { "contoso.com": { type: "Shared", directorySynced: true }, "fabrikam.com": { type: "InternalRelay" } });
            // A slow Set keeps the winner's lock held long after the other CLI has started.
            await changeTenant(ws, (t) => (t.latency = { ...NO_LATENCY, cmdletMs: { "Set-AcceptedDomain": 3_000 } }));
        });

        it("never both apply: one wins and the other fails on the lock, or both fail without applying", async () => {
            const from = journal(ws).length;
            const runs = await Promise.all([1, 2].map(() => pulumi(ws, ["up", "--yes", "--skip-preview"])));
            const entries = journal(ws).slice(from);
            const out = runs.map((r, i) => `--- up ${i + 1} (exit ${r.code}):\n${r.output}`).join("\n");
            const won = runs.filter((r) => r.code === 0);
            const lost = runs.filter((r) => r.code !== 0);

            assert.ok(won.length <= 1, `both ups applied:\n${out}`);
            for (const r of lost) assert.match(r.output, LOCKED, `a loser must fail on the lock:\n${out}`);
            assert.strictEqual(sets(entries, "contoso.com").length, won.length, `Set-AcceptedDomain contoso.com once per winner:\n${out}`);
            assert.strictEqual(domainType(ws, "contoso.com"), won.length === 1 ? "InternalRelay" : "Authoritative");
            assert.deepStrictEqual(await lockBlobs(ws), [], "no lock is left behind");
            console.log(`      (${won.length === 1 ? "one up won, the other failed on its lock" : "both ups failed on the lock; rerunning"})`);

            if (won.length === 0) {
                // Both wrote their lock before either listed the locks: a plain rerun converges.
                const again = await pulumi(ws, ["up", "--yes", "--skip-preview"]);
                assert.strictEqual(again.code, 0, again.output);
            }
        });

        it("the state is intact: a preview afterwards has nothing to do", async () => {
            await changeTenant(ws, (t) => (t.latency = NO_LATENCY));
            const r = await pulumi(ws, ["preview", "--expect-no-changes"]);
            assert.strictEqual(r.code, 0, r.output);
            const state = await exported(ws);
            assert.deepStrictEqual(state.domains, ["contoso.com", "fabrikam.com"]);
            assert.deepStrictEqual(state.pending, []);
            assert.strictEqual(domainType(ws, "contoso.com"), "InternalRelay");
            assert.deepStrictEqual(await leftoverProcesses(ws, 1_000), [], "the session keeper ends with the CLI");
        });
    });

    describe("kill -9 of the CLI mid-up", () => {
        const KILL_DOMAINS = ["k0.kill.example", "k1.kill.example", "k2.kill.example"];
        const declareAll = (type: string) => Object.fromEntries(KILL_DOMAINS.map((d) => [d, { type }]));
        let ws: Workspace;
        let killed: RunResult;

        before(async () => {
            ws = await azblobWorkspace("azblob-kill", declareAll("Authoritative"), (t) => {
                for (const d of KILL_DOMAINS) t.acceptedDomains.push(acceptedDomainState(d, "Authoritative"));
            });
            // Our language host exits with a killed CLI; the official one waits for its 5-minute health
            // check (README, "The Pulumi CLI"), so this proves the CLI built here even where one is installed.
            ws.env.PULUMI_CLI = "built";
            // Adopt first, so the interrupted run has updates in flight (a pending create would need more than `cancel`).
            const adopt = await pulumi(ws, ["up", "--yes", "--skip-preview"]);
            assert.strictEqual(adopt.code, 0, adopt.output);
        });

        it("a CLI killed while a Set is in flight leaves no process of its run behind", async () => {
            declare(ws, declareAll("InternalRelay"));
            // The provider's one pwsh runs the three Sets one after another and the journal has a call once it
            // ends: killed right after the first, the run is mid-way, with the second Set in flight.
            await changeTenant(ws, (t) => (t.latency = { ...NO_LATENCY, cmdletMs: { "Set-AcceptedDomain": 4_000 } }));
            const from = journal(ws).length;
            // scripts/pulumi execs the CLI, so this PID is the CLI's.
            const child = spawn(pulumiScript, ["up", "--yes", "--skip-preview", "--non-interactive", "--color", "never", "--stack", ws.stack], {
                cwd: ws.dir,
                env: ws.env,
                stdio: ["ignore", "pipe", "pipe"],
            });
            let output = "";
            child.stdout.on("data", (b: Buffer) => (output += b.toString()));
            child.stderr.on("data", (b: Buffer) => (output += b.toString()));
            const exited = new Promise<RunResult>((resolve) =>
                child.on("close", (code, sig) => resolve({ code: code ?? (sig ? 128 : -1), stdout: output, stderr: "", output })),
            );
            for (let i = 0; i < 900 && sets(journal(ws).slice(from)).length === 0; i++) await sleep(100);
            assert.ok(sets(journal(ws).slice(from)).length > 0, `the run never reached a Set:\n${output}`);
            const during = workspaceProcesses(ws).map((p) => p.command);
            for (const part of ["pulumi-language-nodejs", "cmd/dynamic-provider", "emulator/main.js"]) {
                assert.ok(during.some((c) => c.includes(part)), `no ${part} process during the run:\n${during.join("\n")}`);
            }

            child.kill("SIGKILL");
            killed = await exited;
            assert.strictEqual(killed.code, 128, killed.output);
            // The host and the provider check their parent once a second; the provider then closes pwsh.
            const gone = await assertNoProcessLeft(ws, 5_000, "after kill -9 of the CLI");
            console.log(`      (every process of the killed run gone ${(gone / 1000).toFixed(1)} s after the kill)`);
            assert.strictEqual((await lockBlobs(ws)).length, 1, "the killed run's lock is still there");
        });

        it("the next up fails on the lock and says how to clear it (pulumi cancel)", async () => {
            await changeTenant(ws, (t) => (t.latency = NO_LATENCY));
            const from = journal(ws).length;
            const r = await pulumi(ws, ["up", "--yes", "--skip-preview"]);
            assert.notStrictEqual(r.code, 0, r.output);
            assert.match(r.output, LOCKED);
            assert.deepStrictEqual(sets(journal(ws).slice(from)), [], "a locked up changes nothing");
        });

        it("after pulumi cancel --yes the next up converges and a preview has nothing to do", async () => {
            const cancel = await pulumi(ws, ["cancel", "--yes"]);
            assert.strictEqual(cancel.code, 0, cancel.output);
            assert.match(cancel.output, /has been canceled/);
            assert.deepStrictEqual(await lockBlobs(ws), []);

            const up = await pulumi(ws, ["up", "--yes", "--skip-preview"]);
            assert.strictEqual(up.code, 0, up.output);
            assert.deepStrictEqual(KILL_DOMAINS.map((d) => domainType(ws, d)), KILL_DOMAINS.map(() => "InternalRelay"));
            const preview = await pulumi(ws, ["preview", "--expect-no-changes"]);
            assert.strictEqual(preview.code, 0, preview.output);
            const state = await exported(ws);
            assert.deepStrictEqual(state.domains, [...KILL_DOMAINS].sort());
            assert.deepStrictEqual(state.pending, []);
            assert.deepStrictEqual(await leftoverProcesses(ws, 1_000), [], "the session keeper ends with the CLI");
        });
    });
});
