/**
 * The fleet end to end, under the real CLI against three emulated tenants: three stacks of one
 * project (e2e, b, c), each naming its own tenant file (exchange:emulatorState) and organization.
 * `fleet drift` prints one table over all of them, names the drifted one, writes the JSON and exits 1;
 * the same with --parallel 1; a stack with broken config exits 2 while the others still report; a lock
 * held on a stack is never broken; `fleet preview` reports a mandatory violation per domain. The
 * workspace's selected stack is never changed, and nothing is written to any tenant.
 *
 * One workspace for the whole story (each CLI command costs seconds).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { FleetResult } from "../../scripts/fleet/result";
import { changeTenant, createWorkspace, exchangeConfig, pulumi, removeWorkspace, repoRoot, runCommand, seedTenant, setConfig, writeStackConfig, type RunResult, type Workspace } from "./harness";

const TENANTS: Record<string, string> = { e2e: "contoso.onmicrosoft.com", b: "tenant-b.onmicrosoft.com", c: "tenant-c.onmicrosoft.com" };
const STACKS = Object.keys(TENANTS).sort();

/** The table's cells of one stack's row for `domain` (columns are two or more spaces apart). */
function cells(stdout: string, stack: string, domain: string): string[] {
    const line = stdout.split("\n").find((l) => l.split(/\s{2,}/)[0] === stack && l.split(/\s{2,}/)[2] === domain);
    assert.ok(line, `no row for ${stack} ${domain} in:\n${stdout}`);
    return line.split(/\s{2,}/);
}

function readResult(file: string): FleetResult {
    assert.ok(fs.existsSync(file), `no JSON at ${file}`);
    return JSON.parse(fs.readFileSync(file, "utf8")) as FleetResult;
}

describe("fleet: preview and drift across the stacks of a project", function () {
    this.timeout(25 * 60 * 1000);
    let ws: Workspace | undefined;
    /** The workspace as seen for one stack, with that stack's own tenant file. */
    const of = (stack: string): Workspace => ({ ...ws!, stack, statePath: path.join(ws!.dir, `tenant-${stack}.json`) });
    const tenantFiles = (): string[] => STACKS.map((s) => fs.readFileSync(of(s).statePath, "utf8"));
    // The stacks name their tenants in config; an empty variable proves nothing else does.
    const env = (): NodeJS.ProcessEnv => ({ ...ws!.env, EXO_EMULATOR_STATE: "" });
    const fleet = (args: string[]): Promise<RunResult> =>
        runCommand(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "scripts", "fleet.ts"), "--cwd", ws!.dir, ...args], { cwd: repoRoot, env: env() });
    const selected = async (): Promise<string> => (await pulumi(ws!, ["stack", "--show-name"])).stdout.trim();
    let firstBody = "";

    before(async () => {
        ws = await createWorkspace({ name: "fleet" });
        for (const stack of ["b", "c"]) {
            const init = await pulumi(ws, ["stack", "init", stack]);
            assert.strictEqual(init.code, 0, init.output);
        }
        const domains: Record<string, Record<string, object>> = {
            e2e: { "contoso.com": { type: "Shared", directorySynced: true }, "fabrikam.com": { type: "InternalRelay" } },
            b: { "contoso.com": { type: "Shared", directorySynced: true } },
            c: { "contoso.com": { type: "Shared", directorySynced: true }, "fabrikam.com": { type: "InternalRelay" } },
        };
        for (const stack of STACKS) {
            const w = of(stack);
            const cert = await seedTenant(w, (t) => {
                t.organization.name = TENANTS[stack];
            });
            writeStackConfig(w, await exchangeConfig(w, cert, domains[stack], { "exchange:organization": TENANTS[stack], "exchange:emulatorState": path.relative(repoRoot, w.statePath) }));
        }
        const ups = await Promise.all(STACKS.map((s) => pulumi(of(s), ["up", "--yes", "--skip-preview"], { EXO_EMULATOR_STATE: "" })));
        ups.forEach((u, i) => assert.strictEqual(u.code, 0, `${STACKS[i]}: ${u.output}`));
        const select = await pulumi(ws, ["stack", "select", "b"]);
        assert.strictEqual(select.code, 0, select.output);
    });
    after(() => removeWorkspace(ws));

    it("drift: one table over every stack, the drifted one named, the JSON written, exit 1; no tenant written, the selected stack unchanged", async () => {
        await changeTenant(of("c"), (t) => {
            t.acceptedDomains.find((d) => d.domainName === "contoso.com")!.domainType = "Authoritative";
        });
        const before = tenantFiles();
        const json = path.join(ws!.dir, "out", "drift-p3.json");
        const started = Date.now();
        const r = await fleet(["drift", "--parallel", "3", "--json-out", json]);
        const p3 = Date.now() - started;
        assert.strictEqual(r.code, 1, r.output);
        assert.deepStrictEqual(cells(r.stdout, "c", "contoso.com"), ["c", TENANTS.c, "contoso.com", "InternalRelay", "Authoritative", "-", "DRIFT"]);
        assert.deepStrictEqual(cells(r.stdout, "c", "fabrikam.com"), ["c", TENANTS.c, "fabrikam.com", "InternalRelay", "InternalRelay", "-", "ok"]);
        assert.deepStrictEqual(cells(r.stdout, "b", "contoso.com"), ["b", TENANTS.b, "contoso.com", "InternalRelay", "InternalRelay", "-", "ok"]);
        assert.deepStrictEqual(cells(r.stdout, "e2e", "fabrikam.com"), ["e2e", TENANTS.e2e, "fabrikam.com", "InternalRelay", "InternalRelay", "-", "ok"]);
        assert.match(r.stdout, /^drift: c \(tenant-c\.onmicrosoft\.com\): contoso\.com$/m);
        assert.doesNotMatch(r.stdout, /^drift: (b|e2e)/m);
        assert.match(r.stdout, /^result: 1 drifting \(c\); exit 1$/m);

        const result = readResult(json);
        assert.strictEqual(result.exitCode, 1);
        assert.deepStrictEqual(result.stacks.map((s) => [s.stack, s.tenant, s.status, s.attempts]), [
            ["b", TENANTS.b, "in-sync", 1],
            ["c", TENANTS.c, "drift", 1],
            ["e2e", TENANTS.e2e, "in-sync", 1],
        ]);
        assert.deepStrictEqual(result.drifted, ["c"]);
        const c = result.stacks.find((s) => s.stack === "c")!;
        assert.deepStrictEqual(c.report.drift.map((d) => [d.domain, d.exchangeProperty, d.declared, d.live]), [["contoso.com", "DomainType", "InternalRelay", "Authoritative"]]);
        assert.ok(result.stacks.every((s) => s.domains.every((d) => d.policy === null)), "drift runs no policy pack");
        // Each tenant was read with its own organization: the unmanaged initial domain is the seeded one.
        assert.ok(c.report.unmanaged.some((u) => u.domain === "contoso.onmicrosoft.com"));

        assert.deepStrictEqual(tenantFiles(), before, "a drift run writes nothing to any tenant");
        assert.strictEqual(await selected(), "b", "no stack select: the workspace's selected stack stays");
        firstBody = r.stdout.split("\n").slice(1).join("\n");
        console.log(`      fleet drift over 3 stacks, --parallel 3: ${(p3 / 1000).toFixed(1)} s (fleet's own count ${(result.durationMs / 1000).toFixed(1)} s)`);
    });

    it("--parallel 1 prints the same table (stacks in the same order), one stack at a time", async () => {
        const json = path.join(ws!.dir, "out", "drift-p1.json");
        const started = Date.now();
        const r = await fleet(["drift", "--parallel", "1", "--json-out", json]);
        const p1 = Date.now() - started;
        assert.strictEqual(r.code, 1, r.output);
        assert.strictEqual(r.stdout.split("\n").slice(1).join("\n"), firstBody);
        assert.match(r.stdout, /^fleet drift: 3 stack\(s\), parallel 1, /);
        // One at a time: each stack's run ends before the next one starts.
        const order = [...r.stderr.matchAll(/^\[(\S+)\] drift (started|done)/gm)].map((m) => `${m[1]} ${m[2]}`);
        assert.deepStrictEqual(order, ["b started", "b done", "c started", "c done", "e2e started", "e2e done"]);
        const result = readResult(json);
        console.log(`      fleet drift over 3 stacks, --parallel 1: ${(p1 / 1000).toFixed(1)} s (fleet's own count ${(result.durationMs / 1000).toFixed(1)} s)`);
    });

    it("a stack with broken config fails (exit 2, named with its error) while the others still report, drift included", async () => {
        const b = of("b");
        const set = await pulumi(b, ["config", "set", "exchange:commandTimeoutSecond", "5"]);
        assert.strictEqual(set.code, 0, set.output);
        try {
            const json = path.join(ws!.dir, "out", "broken.json");
            const r = await fleet(["drift", "--json-out", json]);
            assert.strictEqual(r.code, 2, r.output);
            assert.deepStrictEqual(cells(r.stdout, "b", "-"), ["b", TENANTS.b, "-", "-", "-", "-", "ERROR"]);
            assert.match(r.stdout, /^FAILED b \(tenant-b\.onmicrosoft\.com\): .*exchange:commandTimeoutSecond.*exchange:commandTimeoutSeconds/m);
            assert.deepStrictEqual(cells(r.stdout, "c", "contoso.com").slice(3), ["InternalRelay", "Authoritative", "-", "DRIFT"], "the others still report");
            assert.deepStrictEqual(cells(r.stdout, "e2e", "contoso.com").slice(6), ["ok"]);
            assert.match(r.stdout, /^result: 1 failed \(b\), 1 drifting \(c\); exit 2$/m);
            const result = readResult(json);
            assert.deepStrictEqual(result.failed.map((f) => [f.stack, f.status]), [["b", "error"]]);
            assert.deepStrictEqual(result.drifted, ["c"]);
            assert.strictEqual(result.exitCode, 2);
        } finally {
            const rm = await pulumi(b, ["config", "rm", "exchange:commandTimeoutSecond"]);
            assert.strictEqual(rm.code, 0, rm.output);
        }
    });

    it("--stacks runs only those; an unknown one is a failure named as such; in sync is exit 0", async () => {
        const some = await fleet(["drift", "--stacks", "e2e,b", "--json-out", path.join(ws!.dir, "out", "some.json")]);
        assert.strictEqual(some.code, 0, some.output);
        assert.doesNotMatch(some.stdout, /^c\s/m, "c was not asked for");
        assert.match(some.stdout, /^result: every stack in sync and compliant; exit 0$/m);
        const unknown = await fleet(["drift", "--stacks", "nope", "--json-out", path.join(ws!.dir, "out", "unknown.json")]);
        assert.strictEqual(unknown.code, 2, unknown.output);
        assert.match(unknown.stdout, /^FAILED nope: no stack named "nope" in this project \(its stacks: b, c, e2e\)$/m);
    });

    it("a lock held on a stack is left alone: the refresh-preview takes none, and the fleet never cancels it", async () => {
        // The file backend's lock, as another process's `up` holds it (pkg/backend/diy/lock.go).
        const stackFile = (function find(d: string): string | undefined {
            for (const e of fs.readdirSync(d, { withFileTypes: true })) {
                const p = path.join(d, e.name);
                if (e.isDirectory()) {
                    const hit = find(p);
                    if (hit) return hit;
                } else if (e.name === "b.json" && path.basename(path.dirname(path.dirname(p))) === "stacks") return p;
            }
            return undefined;
        })(path.join(ws!.backendDir, ".pulumi"));
        assert.ok(stackFile, "stack b's state file in the backend");
        const project = path.basename(path.dirname(stackFile));
        const lockDir = path.join(ws!.backendDir, ".pulumi", "locks", "organization", project, "b");
        fs.mkdirSync(lockDir, { recursive: true });
        const lock = path.join(lockDir, "6a3c1f0e-2b9d-4c7e-9f1a-0d5e8b7c6a41.json");
        fs.writeFileSync(lock, JSON.stringify({ pid: 999999, username: "someone", hostname: os.hostname(), timestamp: new Date().toISOString() }));
        try {
            const up = await pulumi(of("b"), ["up", "--yes", "--skip-preview"], { EXO_EMULATOR_STATE: "" });
            assert.notStrictEqual(up.code, 0, "the lock is real: up refuses");
            assert.match(up.output, /the stack is currently locked by 1 lock\(s\)/);

            const r = await fleet(["drift", "--stacks", "b", "--lock-retry-delay-ms", "100", "--json-out", path.join(ws!.dir, "out", "lock.json")]);
            assert.strictEqual(r.code, 0, r.output);
            assert.deepStrictEqual(cells(r.stdout, "b", "contoso.com").slice(6), ["ok"]);
            assert.doesNotMatch(r.output, /LOCKED|locked \(attempt/);
            assert.ok(fs.existsSync(lock), "the fleet never removes a lock (no pulumi cancel)");
        } finally {
            fs.rmSync(lock, { force: true });
        }
    });

    it("preview: a pull request making a synced domain Authoritative is a mandatory violation on its row; the others pass; JSON at the default place", async () => {
        await setConfig(ws!, { "exchange:domains": { "contoso.com": { type: "Authoritative" } } });
        const before = tenantFiles();
        const r = await fleet(["preview", "--parallel", "3"]);
        assert.strictEqual(r.code, 1, r.output);
        assert.deepStrictEqual(cells(r.stdout, "e2e", "contoso.com"), ["e2e", TENANTS.e2e, "contoso.com", "Authoritative", "InternalRelay", "[mandatory] synced-domain-not-authoritative", "DRIFT+VIOLATION"]);
        assert.deepStrictEqual(cells(r.stdout, "b", "contoso.com").slice(5), ["ok", "ok"]);
        assert.deepStrictEqual(cells(r.stdout, "c", "contoso.com").slice(3), ["InternalRelay", "Authoritative", "ok", "DRIFT"], "drift without a violation");
        assert.match(r.stdout, /^policy: e2e \(contoso\.onmicrosoft\.com\): contoso\.com: \[mandatory\] synced-domain-not-authoritative: .*contoso\.com is directory-synced/m);
        assert.match(r.stdout, /^result: 2 drifting \(c, e2e\), 1 violating a mandatory policy \(e2e\); exit 1$/m);

        const result = readResult(path.join(ws!.dir, ".pulumi", "fleet-preview.json"));
        assert.strictEqual(result.mode, "preview");
        assert.deepStrictEqual(result.policyPacks, [path.join(repoRoot, "policies")]);
        assert.deepStrictEqual(result.policyPackConfigs, [path.join(repoRoot, "policy-config.json")]);
        assert.deepStrictEqual(result.violating, ["e2e"]);
        const contoso = result.stacks.find((s) => s.stack === "e2e")!.domains.find((d) => d.domain === "contoso.com")!;
        assert.strictEqual(contoso.violation, true);
        assert.deepStrictEqual(contoso.policy?.filter((f) => f.enforcementLevel === "mandatory").map((f) => f.policyName), ["synced-domain-not-authoritative"]);
        assert.deepStrictEqual(tenantFiles(), before, "a preview writes nothing to any tenant");
        assert.strictEqual(await selected(), "b");
    });
});
