/** A stack names its emulated tenant in its own config (exchange:emulatorState), without EXO_EMULATOR_STATE. */
import * as assert from "assert";
import * as path from "path";
import { configureExchange, createWorkspace, journal, pulumi, removeWorkspace, repoRoot, seedTenant, setConfig, Workspace } from "./harness";

describe("exchange:emulatorState", function () {
    this.timeout(10 * 60 * 1000);
    let ws: Workspace | undefined;
    after(() => removeWorkspace(ws));

    it("a path relative to the project root names the tenant; the environment variable is not needed", async () => {
        ws = await createWorkspace({ name: "emulator-config" });
        const cert = await seedTenant(ws);
        await configureExchange(ws, cert, { "contoso.com": { type: "Shared" } });
        await setConfig(ws, { "exchange:emulatorState": path.relative(repoRoot, ws.statePath) });
        const env = { EXO_EMULATOR_STATE: "" }; // empty: the config must be what names the tenant
        const before = journal(ws).length;
        const r = await pulumi(ws, ["preview", "--diff"], env);
        assert.strictEqual(r.code, 0, r.output);
        assert.match(r.output, /domainType: "Authoritative -> InternalRelay"/, "the stack read its own tenant");
        assert.ok(journal(ws).slice(before).some((e) => e.cmdlet === "Get-AcceptedDomain"));
    });
});
