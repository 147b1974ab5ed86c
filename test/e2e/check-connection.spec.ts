/**
 * `npm run check-connection`: the read-only first command of docs/real-tenant.md, against the
 * emulated KB tenant through the stack's own config (secrets decrypted by the real CLI), checked on
 * the emulator's journal: one connect, only Get- cmdlets, nothing written.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { configureExchange, createWorkspace, DEMO_ACCESS_TOKEN, DEMO_CERT_PASSWORD, journal, pulumi, removeWorkspace, repoRoot, runCommand, seedTenant, setConfig, stackConfigPath, type RunResult, type Workspace } from "./harness";

const TSNODE = path.join(repoRoot, "node_modules", ".bin", "ts-node");
const SCRIPT = path.join(repoRoot, "scripts", "check-connection.ts");

describe("check-connection: read-only, against the emulated tenant", function () {
    this.timeout(5 * 60 * 1000);
    let ws: Workspace | undefined;

    const check = (args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<RunResult> =>
        runCommand(TSNODE, ["--transpile-only", SCRIPT, "--cwd", ws!.dir, "--stack", ws!.stack, ...args], { cwd: repoRoot, env: { ...ws!.env, ...env } });
    const digest = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
    const cmdlets = () => journal(ws!).filter((e) => e.event === "cmdlet").map((e) => String(e.cmdlet));

    before(async () => {
        ws = await createWorkspace({ name: "check-connection" });
        const cert = await seedTenant(ws);
        await configureExchange(ws, cert, {
            "contoso.com": { type: "Shared", directorySynced: true },
            "fabrikam.com": { type: "InternalRelay" },
        });
    });
    after(() => removeWorkspace(ws));

    it("connects once, lists every domain with its signals and what a preview would show, and changes nothing", async () => {
        const tenantBefore = digest(ws!.statePath);
        const configBefore = digest(stackConfigPath(ws!));
        fs.rmSync(ws!.journalPath, { force: true });
        const r = await check();
        assert.strictEqual(r.code, 0, r.output);
        assert.match(r.stdout, /^Connection check for stack e2e: read-only, nothing in the tenant or the stack was changed\./m);
        assert.match(r.stdout, /Signed in to contoso\.onmicrosoft\.com with certificate auth \(app [0-9a-f-]+, /);
        assert.match(r.stdout, /^contoso\.com\s+Authoritative\s+InternalRelay\s+hybrid domain; on-premises connector "Outbound to Contoso On-Premises"\s+up runs Set-AcceptedDomain: DomainType Authoritative -> InternalRelay$/m);
        assert.match(r.stdout, /^fabrikam\.com\s+InternalRelay\s+InternalRelay\s+.*no change \(adopted as it is\)$/m);
        assert.match(r.stdout, /^contoso\.onmicrosoft\.com\s+Authoritative\s+\(not declared\)\s+.*not managed: Microsoft's initial domain/m);
        assert.match(r.stdout, /^contoso\.mail\.onmicrosoft\.com\s+Authoritative\s+\(not declared\)\s+.*not managed: Microsoft's coexistence domain/m);
        assert.match(r.stdout, /^ {2}Get-AcceptedDomain\s+ok {2}\(every accepted domain, one bulk read: 4 found\)$/m);
        assert.match(r.stdout, /^ {2}Get-EXORecipient\s+not asked: no domain would be Authoritative/m);
        assert.match(r.stdout, /up: would run Set-AcceptedDomain for contoso\.com; Set-AcceptedDomain was not tried/);

        const calls = cmdlets();
        assert.strictEqual(calls.filter((c) => c === "Connect-ExchangeOnline").length, 1, calls.join(", "));
        assert.ok(calls.includes("Get-AcceptedDomain") && calls.includes("Get-OutboundConnector"), calls.join(", "));
        assert.deepStrictEqual(calls.filter((c) => /^(Set|New|Remove|Enable|Disable|Update|Add)-/.test(c)), [], "only reads");
        assert.strictEqual(digest(ws!.statePath), tenantBefore, "the tenant is unchanged");
        assert.strictEqual(digest(stackConfigPath(ws!)), configBefore, "the stack config is unchanged");
        assert.ok(!r.output.includes(DEMO_CERT_PASSWORD), "no secret printed");
    });

    it("a domain that would be Authoritative is asked about synced recipients; a refused or missing domain exits 1", async () => {
        await setConfig(ws!, { "exchange:domains": { "contoso.com": { type: "Hosted" }, "nowhere.example": { type: "InternalRelay" } } });
        fs.rmSync(ws!.journalPath, { force: true });
        const r = await check(["--json"]);
        assert.strictEqual(r.code, 1, r.output);
        const found = JSON.parse(r.stdout) as { domains: { domain: string; live?: unknown; signals?: { syncedRecipients: string } }[]; reads: { cmdlet: string; error?: string; skipped?: string }[] };
        assert.strictEqual(found.domains.find((d) => d.domain === "contoso.com")?.signals?.syncedRecipients, "found");
        assert.strictEqual(found.domains.find((d) => d.domain === "nowhere.example")?.live, undefined);
        assert.ok(found.reads.every((x) => x.error === undefined && x.skipped === undefined), JSON.stringify(found.reads));
        assert.strictEqual(cmdlets().filter((c) => c === "Get-EXORecipient").length, 1, "one bounded query");

        const table = await check();
        assert.strictEqual(table.code, 1);
        assert.match(table.stdout, /^contoso\.com\s+Authoritative\s+Authoritative\s+.*directory-synced recipients\s+keep it Authoritative: refused by the policy pack and the provider/m);
        assert.match(table.stdout, /^nowhere\.example\s+\(not in tenant\)\s+InternalRelay\s+.*preview fails: not an accepted domain of this tenant/m);
        assert.match(table.stdout, /declared domains: 2 would fail or be refused \(contoso\.com, nowhere\.example\)/);
    });

    it("a failed sign-in exits 2 with the error and what to fix, and prints no secret", async () => {
        const r0 = await pulumi(ws!, ["config", "set", "--secret", "--path", "exchange:auth.certificatePassword", "wrong-password-xyz"]);
        assert.strictEqual(r0.code, 0, r0.output);
        try {
            const r = await check();
            assert.strictEqual(r.code, 2, r.output);
            assert.match(r.stdout, /Connect-ExchangeOnline to contoso\.onmicrosoft\.com \(certificate auth .*\) failed:/);
            assert.match(r.stdout, /fix exchange:organization \/ exchange:auth/);
            assert.ok(!r.output.includes("wrong-password-xyz"), "the password is not printed");
        } finally {
            await pulumi(ws!, ["config", "set", "--secret", "--path", "exchange:auth.certificatePassword", DEMO_CERT_PASSWORD]);
        }
    });

    it("accessTokenEnv: the token comes from the named variable; unset, the check says which variable, and nothing starts", async () => {
        assert.strictEqual((await pulumi(ws!, ["config", "rm", "exchange:domains"])).code, 0);
        await setConfig(ws!, { "exchange:domains": { "fabrikam.com": { type: "InternalRelay" } } });
        const r1 = await pulumi(ws!, ["config", "rm", "exchange:auth"]);
        assert.strictEqual(r1.code, 0, r1.output);
        await setConfig(ws!, { "exchange:auth": { kind: "accessToken", accessTokenEnv: "EXO_ACCESS_TOKEN" } });
        const ok = await check([], { EXO_ACCESS_TOKEN: DEMO_ACCESS_TOKEN });
        assert.strictEqual(ok.code, 0, ok.output);
        assert.match(ok.stdout, /Signed in to contoso\.onmicrosoft\.com with an access token from EXO_ACCESS_TOKEN/);
        assert.ok(!ok.output.includes(DEMO_ACCESS_TOKEN), "the token is not printed");
        assert.ok(!fs.readFileSync(stackConfigPath(ws!), "utf8").includes(DEMO_ACCESS_TOKEN), "nor stored");

        fs.rmSync(ws!.journalPath, { force: true });
        const missing = await check([], { EXO_ACCESS_TOKEN: undefined });
        assert.strictEqual(missing.code, 2, missing.output);
        assert.match(missing.stdout, /exchange:auth\.accessTokenEnv names EXO_ACCESS_TOKEN, which is not set in this run's environment/);
        assert.deepStrictEqual(cmdlets(), [], "no pwsh was started");
    });
});
