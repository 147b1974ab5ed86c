/**
 * Drift end to end, under the real CLI (Automation API with the project's CLI)
 * against the emulated tenant: out-of-band changes of DomainType,
 * MatchSubDomains and OutboundOnly appear in the report with both values and
 * `preview --refresh --expect-no-changes` fails; an undeclared domain is listed
 * as unmanaged and left alone; after `up` both are clean; an unreachable tenant
 * is an error (exit 2), never "in sync"; export then up changes nothing.
 *
 * One workspace for the whole story (each CLI command costs seconds).
 */
import * as assert from "assert";
import { randomUUID } from "crypto";
import * as path from "path";
import type { DriftReport } from "../../scripts/drift/report";
import { changeTenant, configureExchange, createWorkspace, journal, pulumi, removeWorkspace, repoRoot, runCommand, seedTenant, tenant, type RunResult, type Workspace } from "./harness";

/** Runs one of the tools the way a user would (no npm script needed). */
export function runTool(ws: Workspace, script: string, args: string[]): Promise<RunResult> {
    return runCommand(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "scripts", script), "--cwd", ws.dir, "--stack", ws.stack, ...args], {
        cwd: repoRoot,
        env: ws.env,
    });
}

async function report(ws: Workspace): Promise<{ code: number; json: DriftReport; run: RunResult }> {
    const run = await runTool(ws, "drift-report.ts", ["--json"]);
    let json: DriftReport;
    try {
        json = JSON.parse(run.stdout) as DriftReport;
    } catch {
        throw new Error(`drift report printed no JSON (exit ${run.code}):\n${run.output}`);
    }
    return { code: run.code, json, run };
}

function domainOf(ws: Workspace, name: string) {
    return tenant(ws).acceptedDomains.find((d) => d.domainName === name);
}

describe("drift report and export against the emulated tenant", function () {
    this.timeout(10 * 60 * 1000);
    let ws: Workspace | undefined;

    before(async () => {
        ws = await createWorkspace({ name: "drift" });
        const cert = await seedTenant(ws);
        await configureExchange(ws, cert, {
            "contoso.com": { type: "Shared", directorySynced: true },
            "fabrikam.com": { type: "InternalRelay" },
        });
        const up = await pulumi(ws, ["up", "--yes", "--skip-preview"]);
        assert.strictEqual(up.code, 0, up.output);
    });
    after(() => removeWorkspace(ws));

    it("after up the report is clean (exit 0) and lists the undeclared domains as unmanaged, from one session", async () => {
        const journalBefore = journal(ws!).length;
        const { code, json, run } = await report(ws!);
        assert.strictEqual(code, 0, run.output);
        assert.strictEqual(json.status, "in-sync");
        assert.deepStrictEqual(json.drift, []);
        assert.deepStrictEqual(json.unmanaged.map((u) => u.domain), ["contoso.mail.onmicrosoft.com", "contoso.onmicrosoft.com"]);
        // The unmanaged list comes from the refresh-preview's own session (the tenant snapshot), not a second one.
        const entries = journal(ws!).slice(journalBefore);
        assert.strictEqual(entries.filter((e) => e.event === "start").length, 1, JSON.stringify(entries));
        assert.strictEqual(entries.filter((e) => e.cmdlet === "Connect-ExchangeOnline").length, 1);
        assert.strictEqual(entries.filter((e) => e.cmdlet === "Get-AcceptedDomain").length, 1);
    });

    it("an out-of-band change of DomainType, MatchSubDomains and OutboundOnly: each row has both values, exit 1; an extra domain is unmanaged and untouched", async () => {
        await changeTenant(ws!, (t) => {
            const contoso = t.acceptedDomains.find((d) => d.domainName === "contoso.com")!;
            contoso.domainType = "Authoritative";
            const fabrikam = t.acceptedDomains.find((d) => d.domainName === "fabrikam.com")!;
            fabrikam.matchSubDomains = true;
            fabrikam.outboundOnly = true;
            t.acceptedDomains.push({ ...fabrikam, name: "northwind.example", domainName: "northwind.example", guid: randomUUID(), matchSubDomains: false, outboundOnly: false });
        });
        const before = JSON.stringify(tenant(ws!));
        const journalBefore = journal(ws!).length;

        const { code, json, run } = await report(ws!);
        assert.strictEqual(code, 1, run.output);
        assert.strictEqual(json.status, "drift");
        assert.deepStrictEqual(
            json.drift.map((r) => [r.domain, r.exchangeProperty, r.declared, r.live]),
            [
                ["contoso.com", "DomainType", "InternalRelay", "Authoritative"],
                ["fabrikam.com", "MatchSubDomains", false, true],
                ["fabrikam.com", "OutboundOnly", false, true],
            ],
        );
        assert.ok(json.unmanaged.some((u) => u.domain === "northwind.example" && u.domainType === "InternalRelay"), JSON.stringify(json.unmanaged));

        // Reading is all it did.
        assert.strictEqual(JSON.stringify(tenant(ws!)), before);
        assert.deepStrictEqual(journal(ws!).slice(journalBefore).filter((e) => e.cmdlet === "Set-AcceptedDomain"), []);
    });

    it("the table and markdown show the same rows", async () => {
        const table = await runTool(ws!, "drift-report.ts", []);
        assert.strictEqual(table.code, 1, table.output);
        assert.match(table.stdout, /^contoso\.com\s+domainType\s+InternalRelay\s+Authoritative$/m);
        const md = await runTool(ws!, "drift-report.ts", ["--markdown"]);
        assert.strictEqual(md.code, 1, md.output);
        assert.match(md.stdout, /\| fabrikam\.com \| outboundOnly \| false \| true \|/);
    });

    it("`preview --refresh --expect-no-changes` exits non-zero on the drift", async () => {
        const r = await pulumi(ws!, ["preview", "--refresh", "--expect-no-changes"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /no changes were expected for preview but changes were proposed/i);
    });

    it("after up both are clean; the extra domain is left as it was", async () => {
        const up = await pulumi(ws!, ["up", "--yes", "--skip-preview"]);
        assert.strictEqual(up.code, 0, up.output);
        assert.strictEqual(domainOf(ws!, "contoso.com")?.domainType, "InternalRelay");
        const { code, json, run } = await report(ws!);
        assert.strictEqual(code, 0, run.output);
        assert.deepStrictEqual(json.drift, []);
        const preview = await pulumi(ws!, ["preview", "--refresh", "--expect-no-changes"]);
        assert.strictEqual(preview.code, 0, preview.output);
        assert.strictEqual(domainOf(ws!, "northwind.example")?.matchSubDomains, false);
    });

    it("an unreachable tenant (every connect fails) is exit 2 with a clear message, never in sync or drift", async () => {
        await changeTenant(ws!, (t) => {
            t.faults.failConnect = { remaining: 20, message: "AADSTS7000222: The provided client certificate is expired." };
        });
        try {
            const { code, json, run } = await report(ws!);
            assert.strictEqual(code, 2, run.output);
            assert.strictEqual(json.status, "error");
            assert.match(json.error ?? "", /the refresh-preview (failed|reported errors):.*AADSTS7000222/s);
            assert.match(run.stderr, /drift-report: error: .*AADSTS7000222/s);
        } finally {
            await changeTenant(ws!, (t) => {
                t.faults.failConnect = null;
            });
        }
    });

    it("calls out an outage in progress, declared or not, and says per domain what up would do, in Exchange words", async () => {
        await changeTenant(ws!, (t) => {
            t.acceptedDomains.find((d) => d.domainName === "contoso.com")!.domainType = "Authoritative";
            const fabrikam = t.acceptedDomains.find((d) => d.domainName === "fabrikam.com")!;
            t.acceptedDomains.push({ ...fabrikam, name: "tailspin.example", domainName: "tailspin.example", domainType: "Authoritative", guid: randomUUID() });
            t.onPremisesOrganizations[0].hybridDomains.push("tailspin.example");
        });
        try {
            const { json, run } = await report(ws!);
            const outage = (d: string) => json.outages.find((o) => o.domain === d);
            assert.match(outage("contoso.com")?.message ?? "", /Exchange Online is rejecting mail to on-premises recipients of contoso\.com now \(NDR "550 5\.1\.10/);
            assert.strictEqual(outage("contoso.com")?.declared, true);
            assert.match(outage("tailspin.example")?.message ?? "", /tailspin\.example now .*hybrid domain.*by declaring it in exchange:domains/, "an undeclared domain too");
            assert.strictEqual(outage("fabrikam.com"), undefined, "InternalRelay is no outage");
            assert.deepStrictEqual(
                json.plan.map((p) => [p.domain, p.exchange]),
                [
                    ["contoso.com", "Set-AcceptedDomain DomainType Authoritative → InternalRelay"],
                    ["fabrikam.com", "no change"],
                ],
            );
            const table = await runTool(ws!, "drift-report.ts", []);
            assert.match(table.stdout, /OUTAGE IN PROGRESS:\n  Exchange Online is rejecting mail to on-premises recipients of contoso\.com now/);
            assert.match(table.stdout, /what up would do:\n  contoso\.com: Set-AcceptedDomain DomainType Authoritative → InternalRelay/);
            const markdown = await runTool(ws!, "drift-report.ts", ["--markdown"]);
            assert.match(markdown.stdout, /> \*\*Outage in progress:\*\* Exchange Online is rejecting mail/);
            assert.ok(run.code === 1);
        } finally {
            await changeTenant(ws!, (t) => {
                t.acceptedDomains = t.acceptedDomains.filter((d) => d.domainName !== "tailspin.example");
                t.acceptedDomains.find((d) => d.domainName === "contoso.com")!.domainType = "InternalRelay";
                t.onPremisesOrganizations[0].hybridDomains = t.onPremisesOrganizations[0].hybridDomains.filter((d) => d !== "tailspin.example");
            });
        }
    });

    describe("the tools' own errors and help", () => {
        const tool = (script: string, args: string[], env: NodeJS.ProcessEnv = ws!.env) =>
            runCommand(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "scripts", script), "--cwd", ws!.dir, ...args], { cwd: repoRoot, env });

        it("--help prints the usage, options and exit codes, exit 0", async () => {
            for (const script of ["drift-report.ts", "export-domains.ts"]) {
                const r = await tool(script, ["--help"]);
                assert.strictEqual(r.code, 0, r.output);
                assert.match(r.stdout, /^usage: (drift-report|export-domains) /);
                assert.match(r.stdout, /--stack, -s <name>/);
                assert.match(r.stdout, /Exit codes: 0 /);
            }
        });

        it("an unknown stack or a wrong passphrase is one clear line, not the Automation API's internals", async () => {
            const unknown = await tool("drift-report.ts", ["--stack", "no-such-stack"]);
            assert.strictEqual(unknown.code, 2, unknown.output);
            assert.match(unknown.output, /could not select the stack: .*no-such-stack/);
            const wrong = await tool("drift-report.ts", ["--stack", ws!.stack, "--json"], { ...ws!.env, PULUMI_CONFIG_PASSPHRASE: "not-the-passphrase" });
            assert.strictEqual(wrong.code, 2, wrong.output);
            assert.match(wrong.stderr, /drift-report: error: .*incorrect passphrase/is);
            const exported = await tool("export-domains.ts", ["--stack", "no-such-stack"]);
            assert.strictEqual(exported.code, 2, exported.output);
            for (const r of [unknown, wrong, exported]) {
                assert.doesNotMatch(r.output, /code: -?\d+|err\?:|Command failed/, "no command-result dump");
                assert.doesNotMatch(r.output, /^\s+at .*:\d+:\d+\)?$/m, "no stack trace");
            }
            assert.strictEqual(unknown.output.split("could not select the stack").length - 1, 1, "said once");
        });
    });

    it("export declares the tenant as it is; the next up sets nothing and preview --refresh --expect-no-changes exits 0", async () => {
        const ex = await runTool(ws!, "export-domains.ts", []);
        assert.strictEqual(ex.code, 0, ex.output);
        const config = await pulumi(ws!, ["config", "get", "exchange:domains", "--json"]);
        const domains = (JSON.parse(config.stdout) as { objectValue: Record<string, Record<string, unknown>> }).objectValue;
        // Microsoft's initial and coexistence domains stay as Microsoft set them: left out, and said why.
        assert.deepStrictEqual(Object.keys(domains).sort(), ["contoso.com", "fabrikam.com", "northwind.example"]);
        assert.match(ex.stderr, /export: skipped contoso\.mail\.onmicrosoft\.com: it is the tenant's coexistence domain/);
        assert.match(ex.stderr, /export: skipped contoso\.onmicrosoft\.com: it is the tenant's initial domain/);
        assert.deepStrictEqual(domains["northwind.example"], { type: "InternalRelay", matchSubDomains: false, outboundOnly: false });
        assert.strictEqual(domains["contoso.com"].directorySynced, true, "local-only fields are kept");

        const before = journal(ws!).length;
        const tenantBefore = JSON.stringify(tenant(ws!).acceptedDomains);
        const up = await pulumi(ws!, ["up", "--yes", "--skip-preview"]);
        assert.strictEqual(up.code, 0, up.output);
        assert.deepStrictEqual(journal(ws!).slice(before).filter((e) => e.cmdlet === "Set-AcceptedDomain"), []);
        assert.strictEqual(JSON.stringify(tenant(ws!).acceptedDomains), tenantBefore);

        const preview = await pulumi(ws!, ["preview", "--refresh", "--expect-no-changes"]);
        assert.strictEqual(preview.code, 0, preview.output);
        const { code, json } = await report(ws!);
        assert.strictEqual(code, 0);
        assert.deepStrictEqual(json.unmanaged.map((u) => u.domain), ["contoso.mail.onmicrosoft.com", "contoso.onmicrosoft.com"]);

        // The exported code passes the policy pack on this hybrid tenant, and so does the code with
        // Microsoft's domains declared too: every synced user has proxies in them (MOERA, routing
        // address), and that never demands InternalRelay there.
        const gate = await pulumi(ws!, ["preview", "--policy-pack", "../../../policies"]);
        assert.strictEqual(gate.code, 0, gate.output);
        const all = await runTool(ws!, "export-domains.ts", ["--include-microsoft-domains"]);
        assert.strictEqual(all.code, 0, all.output);
        const synced = tenant(ws!).recipients.filter((r) => r.isDirSynced && r.emailAddresses.some((a) => /@contoso\.mail\.onmicrosoft\.com$/i.test(a)));
        assert.ok(synced.length > 0, "the tenant has synced users with routing addresses");
        const gateAll = await pulumi(ws!, ["preview", "--policy-pack", "../../../policies"]);
        assert.strictEqual(gateAll.code, 0, gateAll.output);
        assert.doesNotMatch(gateAll.output, /\[mandatory\]/);
        assert.match(gateAll.output, /\[advisory\]\s+microsoft-domains-unmanaged/, "the advisory rule still says to leave them out");
    });
});

describe("drift report of a stack that manages no domain yet", function () {
    this.timeout(5 * 60 * 1000);
    let ws: Workspace | undefined;
    after(() => removeWorkspace(ws));

    it("lists every tenant domain as unmanaged, reading the tenant itself (no provider ran): still one connect", async () => {
        ws = await createWorkspace({ name: "drift-empty" });
        const cert = await seedTenant(ws);
        await configureExchange(ws, cert, {});
        // An empty map has no leaves for configureExchange to set; Pulumi reads a JSON string as the object.
        const set = await pulumi(ws, ["config", "set", "exchange:domains", "{}"]);
        assert.strictEqual(set.code, 0, set.output);
        const journalBefore = journal(ws).length;
        const { code, json, run } = await report(ws);
        assert.strictEqual(code, 0, run.output);
        assert.strictEqual(json.status, "in-sync");
        assert.deepStrictEqual(json.unmanaged.map((u) => u.domain), ["contoso.com", "contoso.mail.onmicrosoft.com", "contoso.onmicrosoft.com", "fabrikam.com"]);
        const entries = journal(ws).slice(journalBefore);
        assert.strictEqual(entries.filter((e) => e.cmdlet === "Connect-ExchangeOnline").length, 1, JSON.stringify(entries));
        assert.strictEqual(entries.filter((e) => e.cmdlet === "Get-AcceptedDomain").length, 1);
    });
});
