/**
 * Setup failures under the real CLI, each failing fast, once, with what to do: no pwsh at
 * exchange:pwshPath, no ExchangeOnlineManagement, or only one that this PowerShell can't load.
 * None is retried (a retry can't install anything), and the tenant is untouched.
 */
import * as assert from "assert";
import { configureExchange, createWorkspace, changeTenant, journal, pulumi, removeWorkspace, seedTenant, setConfig, tenant, Workspace } from "./harness";

describe("setup errors end to end: fail fast, once, and say what to do", function () {
    this.timeout(10 * 60 * 1000);
    let ws: Workspace | undefined;
    let domainsBefore = "";

    before(async () => {
        ws = await createWorkspace({ name: "setup" });
        const cert = await seedTenant(ws);
        await configureExchange(ws, cert, { "contoso.com": { type: "Shared", directorySynced: true }, "fabrikam.com": { type: "InternalRelay" } }, { "exchange:maxAttempts": 5 });
        domainsBefore = JSON.stringify(tenant(ws).acceptedDomains);
    });
    after(() => removeWorkspace(ws));
    afterEach(() => assert.strictEqual(JSON.stringify(tenant(ws!).acceptedDomains), domainsBefore, "the tenant is untouched"));

    it("exchange:pwshPath: /no/such/pwsh fails the preview naming the path and the key, with no retry and no process started", async () => {
        await setConfig(ws!, { "exchange:pwshPath": "/no/such/pwsh" });
        const before = journal(ws!).length;
        const r = await pulumi(ws!, ["preview"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /exchange:pwshPath: \/no\/such\/pwsh was not found; install PowerShell 7\.4 or later/);
        assert.doesNotMatch(r.output, /retrying|gave up after/, "a missing pwsh is never retried");
        assert.strictEqual(journal(ws!).slice(before).length, 0, "nothing was started");
        const rm = await pulumi(ws!, ["config", "rm", "exchange:pwshPath"]);
        assert.strictEqual(rm.code, 0, rm.output);
    });

    it("no ExchangeOnlineManagement: names the module, the pwsh and PowerShell found, and the exact Install-Module line", async () => {
        await changeTenant(ws!, (t) => (t.host.exchangeOnlineManagement = []));
        const before = journal(ws!).length;
        const r = await pulumi(ws!, ["preview"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /ExchangeOnlineManagement is not installed for \S*emulator\/bin\/pwsh \(PowerShell 7\.4\.6\)/);
        assert.match(r.output, /pwsh -NoProfile -Command "Install-Module -Name ExchangeOnlineManagement -RequiredVersion 3\.9\.2 -Scope CurrentUser"/);
        assert.doesNotMatch(r.output, /retrying|gave up after/, "a missing module is never retried");
        const entries = journal(ws!).slice(before);
        assert.strictEqual(entries.filter((e) => e.event === "start").length, 1, "one pwsh for the run, not one per attempt or per domain");
        assert.strictEqual(entries.filter((e) => e.cmdlet === "Connect-ExchangeOnline").length, 0, "no connect without the module");
    });

    it("only a module that needs a newer PowerShell: says so and names the version that runs here", async () => {
        await changeTenant(ws!, (t) => (t.host.exchangeOnlineManagement = ["3.10.1"]));
        const r = await pulumi(ws!, ["preview"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /ExchangeOnlineManagement 3\.10\.1 can't load in \S+ \(PowerShell 7\.4\.6\): 3\.10\.1 needs PowerShell 7\.6\.0 or later/);
        assert.match(r.output, /-RequiredVersion 3\.9\.2/);
    });

    it("with a usable module beside a newer one, the run imports the usable one and converges", async () => {
        await changeTenant(ws!, (t) => (t.host.exchangeOnlineManagement = ["3.10.1", "3.9.2"]));
        const before = journal(ws!).length;
        const r = await pulumi(ws!, ["preview"]);
        assert.strictEqual(r.code, 0, r.output);
        const imports = journal(ws!).slice(before).filter((e) => e.cmdlet === "Import-Module");
        assert.ok(imports.length > 0 && imports.every((e) => (e.params as Record<string, unknown>).RequiredVersion === "3.9.2"), JSON.stringify(imports));
    });
});
