/**
 * The Entra ID signal path (@pulumi/azuread) stays off unless exchange:entra
 * enables it, and, since the azuread provider plugin can't be downloaded here,
 * fails with a clear message instead of trying to fetch it.
 */
import * as assert from "assert";
import { configureExchange, createWorkspace, journal, pulumi, removeWorkspace, seedTenant, setConfig, tenant, Workspace } from "./harness";

describe("Entra ID signals through @pulumi/azuread", function () {
    this.timeout(5 * 60 * 1000);
    let ws: Workspace | undefined;

    before(async () => {
        ws = await createWorkspace({ name: "entra" });
        const cert = await seedTenant(ws);
        await configureExchange(ws, cert, { "fabrikam.com": { type: "InternalRelay" } });
    });
    after(() => removeWorkspace(ws));

    it("is off by default: a preview needs no azuread plugin", async () => {
        const r = await pulumi(ws!, ["preview"]);
        assert.strictEqual(r.code, 0, r.output);
        assert.doesNotMatch(r.output, /azuread/i);
    });

    it("when enabled without the plugin, fails with what to do, downloads nothing and changes nothing", async () => {
        await setConfig(ws!, { "exchange:entra": true });
        const before = JSON.stringify(tenant(ws!));
        const r = await pulumi(ws!, ["up", "--yes"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /azuread provider plugin is not available/);
        assert.match(r.output, /set exchange:entra to false/);
        assert.doesNotMatch(r.output, /Downloading|downloading plugin/i);
        assert.strictEqual(JSON.stringify(tenant(ws!)), before);
        assert.strictEqual(journal(ws!).filter((e) => e.cmdlet === "Set-AcceptedDomain").length, 0);
    });
});
