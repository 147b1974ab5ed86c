/** Fault injection, concurrency, journal redaction, state validation and the people CLI. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import type { PowerShell } from "node-powershell";
import { runCli } from "../../../emulator/cli";
import { DEMO_ACCESS_TOKEN, DEMO_CERT_PASSWORD } from "../../../emulator/demo";
import { simulateRoute } from "../../../emulator/route";
import { StateFileError, acquireLock, loadTenantState } from "../../../emulator/state";
import { connectCommand, connected, makeTenant, run, startShell, wrap, type Tenant } from "./helpers";

const caught = (stderr: string) => JSON.parse(stderr.trim()) as { reason: string; message: string; errorId: string };

describe("emulator faults, concurrency, journal, state and CLI", function () {
    let t: Tenant;
    const shells: PowerShell[] = [];
    beforeEach(() => {
        t = makeTenant();
    });
    afterEach(async () => {
        await Promise.all(shells.splice(0).map((s) => s.dispose().catch(() => undefined)));
        t.remove();
    });
    const open = async () => {
        const s = await connected(t);
        shells.push(s);
        return s;
    };

    describe("faults", () => {
        it("throttles the next N calls with HTTP 429, as after the V3 module's own retries, counting across processes", async () => {
            t.edit((s) => {
                s.faults.throttleNextCalls = 2;
            });
            const a = await open();
            const first = caught((await run(a, wrap("Get-AcceptedDomain -ErrorAction Stop"))).stderr);
            assert.strictEqual(first.reason, "RestClientException");
            assert.match(first.message, /^Error while querying REST service\. HttpStatusCode=429 ErrorMessage=\{"error":\{"code":"TooManyRequests"/);
            assert.match(first.errorId, /^\[Server=[A-Z0-9]+,RequestId=[0-9a-f-]{36},TimeStamp=[^\]]+\],Write-ErrorMessage$/);
            const b = await open();
            assert.match(caught((await run(b, wrap("Get-AcceptedDomain -ErrorAction Stop"))).stderr).message, /HttpStatusCode=429/);
            assert.strictEqual((await run(a, wrap("Get-AcceptedDomain -ErrorAction Stop"))).hadErrors, false);
            assert.strictEqual(t.read().faults.throttleNextCalls, 0);
        });
        it("fails the next N reads with a transient server error, but not writes", async () => {
            t.edit((s) => {
                s.faults.transientReadErrors = 1;
            });
            const a = await open();
            assert.strictEqual((await run(a, wrap("Set-AcceptedDomain -Identity fabrikam.com -OutboundOnly $true -Confirm:$false -ErrorAction Stop"))).hadErrors, false);
            const c = caught((await run(a, wrap("Get-Recipient -ErrorAction Stop"))).stderr);
            // office-docs-powershell#10972: the status is in the message only.
            assert.strictEqual(c.reason, "RestClientException");
            assert.match(c.message, /^Error while querying REST service\. HttpStatusCode=500 ErrorMessage=\{"error":\{"code":"InternalServerError"/);
            assert.strictEqual((await run(a, wrap("Get-Recipient -ErrorAction Stop"))).hadErrors, false);
        });
        it("fails the next connect with an auth error", async () => {
            t.edit((s) => {
                s.faults.failConnect = { remaining: 1 };
            });
            const s1 = startShell(t);
            shells.push(s1);
            const c = caught((await run(s1, wrap(connectCommand(t)))).stderr);
            assert.deepStrictEqual([c.reason, c.message.slice(0, 14)], ["MsalServiceException", "AADSTS7000215:"]);
            assert.strictEqual((await run(s1, wrap(connectCommand(t)))).hadErrors, false);
        });
        it("crashes the process after N cmdlets", async () => {
            t.edit((s) => {
                s.faults.crashAfterCmdlets = 1;
            });
            const a = await open();
            assert.strictEqual((await run(a, "Get-AcceptedDomain | Out-Null")).hadErrors, false);
            await assert.rejects(a.invoke("Get-AcceptedDomain"), (e: Error) => e.name === "ProcessError" || /process/i.test(e.message));
            assert.strictEqual(t.events().filter((e) => e.event === "crash").length, 1);
            assert.strictEqual(t.read().faults.crashAfterCmdlets, null);
        });
        it("hangs on a named cmdlet until the client gives up", async () => {
            t.edit((s) => {
                s.faults.hang = { cmdlet: "Get-Recipient", remaining: 1, ms: null };
            });
            const a = await open();
            const pending = a.invoke("Get-Recipient");
            while (!t.events().some((e) => e.event === "hang")) await new Promise((r) => setTimeout(r, 20));
            let settled = false;
            void pending.then(() => (settled = true), () => (settled = true));
            await new Promise((r) => setImmediate(r));
            assert.strictEqual(settled, false);
            await a.dispose();
            await pending.catch(() => undefined);
            assert.strictEqual(t.read().faults.hang, null);
            const b = await open();
            assert.strictEqual((await run(b, "Get-Recipient | Out-Null")).hadErrors, false);
        });
    });

    describe("concurrent writers", () => {
        it("two emulator processes setting different domains at once both keep their change", async () => {
            const [a, b] = await Promise.all([open(), open()]);
            t.edit((s) => {
                for (let i = 0; i < 10; i++) s.acceptedDomains.push({ ...s.acceptedDomains[0], name: `d${i}.example`, domainName: `d${i}.example`, default: false, guid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}` });
            });
            const work = (ps: PowerShell, ids: number[]) => Promise.all(ids.map((i) => run(ps, wrap(`Set-AcceptedDomain -Identity 'd${i}.example' -DomainType InternalRelay -Confirm:$false -ErrorAction Stop`))));
            await Promise.all([work(a, [0, 2, 4, 6, 8]), work(b, [1, 3, 5, 7, 9])]);
            const types = t.read().acceptedDomains.filter((d) => d.name.endsWith(".example")).map((d) => d.domainType);
            assert.deepStrictEqual(types, Array(10).fill("InternalRelay"));
        });
        it("does not take over a lock its owner has created but not yet stamped", async () => {
            fs.writeFileSync(`${t.state}.lock`, ""); // created, "<pid> <ms>" not written yet
            let acquired = false;
            const pending = acquireLock(t.state).then((release) => {
                acquired = true;
                return release;
            });
            await new Promise((r) => setTimeout(r, 150));
            assert.strictEqual(acquired, false, "a fresh empty lock was taken over as stale");
            fs.unlinkSync(`${t.state}.lock`); // the owner releases it
            (await pending)();
            assert.strictEqual(acquired, true);
        });
        it("takes over a stale lock left by a dead process", async () => {
            fs.writeFileSync(`${t.state}.lock`, `999999999 ${Date.now()}`);
            const release = await acquireLock(t.state);
            assert.match(fs.readFileSync(`${t.state}.lock`, "utf8"), new RegExp(`^${process.pid} `));
            release();
            assert.strictEqual(fs.existsSync(`${t.state}.lock`), false);
        });
    });

    describe("journal", () => {
        it("has one line per start, cmdlet call and exit, and never a secret", async () => {
            const a = await open();
            await run(a, `Connect-ExchangeOnline -AccessToken '${DEMO_ACCESS_TOKEN}' -Organization 'contoso.onmicrosoft.com' -ShowBanner:$false`);
            await run(a, "Set-AcceptedDomain -Identity nope -DomainType InternalRelay");
            await a.dispose();
            shells.length = 0;
            const text = fs.readFileSync(t.journal, "utf8");
            for (const secret of [DEMO_CERT_PASSWORD, DEMO_ACCESS_TOKEN]) assert.ok(!text.includes(secret), `journal leaks ${secret}`);
            const events = t.events();
            assert.deepStrictEqual([events[0].event, events[events.length - 1].event], ["start", "exit"]);
            const connects = events.filter((e) => e.cmdlet === "Connect-ExchangeOnline");
            assert.strictEqual(connects.length, 2);
            assert.deepStrictEqual((connects[0].params as Record<string, unknown>).CertificatePassword, "[REDACTED]");
            assert.deepStrictEqual((connects[1].params as Record<string, unknown>).AccessToken, "[REDACTED]");
            const failed = events.find((e) => e.cmdlet === "Set-AcceptedDomain");
            assert.strictEqual(failed?.outcome, "error");
            assert.strictEqual((failed?.error as Record<string, unknown>).reason, "ManagementObjectNotFoundException");
            assert.ok(!fs.readFileSync(t.state, "utf8").includes(DEMO_CERT_PASSWORD));
        });
    });

    describe("state file", () => {
        it("names the file, the bad key, its value and the fix", () => {
            const s = JSON.parse(fs.readFileSync(t.state, "utf8"));
            s.acceptedDomains[0].domainType = "Relay";
            s.acceptedDomains[1].colour = "red";
            fs.writeFileSync(t.state, JSON.stringify(s));
            assert.throws(
                () => loadTenantState(t.state),
                (e: Error) =>
                    e instanceof StateFileError &&
                    e.message.includes(t.state) &&
                    e.message.includes('key "acceptedDomains[0].domainType" (value: "Relay")') &&
                    e.message.includes('unknown key "acceptedDomains[1].colour"') &&
                    e.message.includes("emulator/README.md"),
            );
        });
        it("a missing state file is named as given and as resolved, also where the lock would be taken", async () => {
            const relative = path.relative(process.cwd(), path.join(t.dir, "nowhere", "tenant.json"));
            const check = (e: Error) => e instanceof StateFileError && e.message.includes(`${relative} (relative, resolved from ${process.cwd()} to ${path.resolve(relative)})`) && !e.message.includes(".lock");
            assert.throws(() => loadTenantState(relative), check);
            await assert.rejects(acquireLock(relative), check);
        });
        it("a bad state file makes the cmdlet fail with that message", async () => {
            const s = startShell(t);
            shells.push(s);
            fs.writeFileSync(t.state, "{ not json");
            const r = await run(s, wrap(connectCommand(t)));
            assert.match(caught(r.stderr).message, /is not valid JSON/);
        });
    });

    describe("people CLI", () => {
        const cli = (...args: string[]) => {
            const out: string[] = [];
            const err: string[] = [];
            const code = runCli(args, (s) => out.push(s), (s) => err.push(s));
            return { code, out: out.join("\n"), err: err.join("\n") };
        };
        it("init-kb-demo refuses to overwrite; show renders the tenant", () => {
            assert.strictEqual(cli("init-kb-demo", t.state).code, 1);
            const file = path.join(t.dir, "fresh.json");
            assert.strictEqual(cli("init-kb-demo", file).code, 0);
            const shown = cli("show", file);
            assert.match(shown.out, /contoso\.com\s+Authoritative\s+default/);
            assert.match(shown.out, /fabrikam\.com\s+InternalRelay/);
            assert.match(shown.out, /contoso\.mail\.onmicrosoft\.com\s+Authoritative\s+coexistence/);
        });
        it("route follows the KB table", () => {
            assert.match(cli("route", t.state, "legacy.user@contoso.com").out, /^ndr: .*550 5\.1\.10 RESOLVER\.ADR\.RecipientNotFound/);
            assert.match(cli("route", t.state, "someone@fabrikam.com").out, /^relayed-on-premises: .*connector 'Outbound to Contoso On-Premises'/);
            assert.match(cli("route", t.state, "adele.vance@contoso.com").out, /^delivered:/);
            assert.strictEqual(cli("route", t.state, "not-an-address").code, 1);
            assert.strictEqual(cli("bogus").code, 2);
        });
        it("switching contoso.com to InternalRelay routes unknown users on-premises instead of NDR", () => {
            t.edit((s) => {
                s.acceptedDomains[0].domainType = "InternalRelay";
            });
            assert.strictEqual(simulateRoute(t.read(), "legacy.user@contoso.com").outcome, "relayed-on-premises");
            t.edit((s) => {
                s.outboundConnectors = [];
            });
            assert.strictEqual(simulateRoute(t.read(), "legacy.user@contoso.com").outcome, "relay-without-connector");
        });
    });
});
