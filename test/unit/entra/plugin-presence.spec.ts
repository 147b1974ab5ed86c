import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { assertAzureadPluginInstalled, EntraPluginMissingError, findAzureadPlugin } from "../../../components/entra-signals";

describe("azuread plugin presence (fail fast when exchange:entra is on)", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "azuread-plugin-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("is missing when neither PULUMI_HOME nor PATH holds it, with the fix in the message", () => {
        const env = { PULUMI_HOME: path.join(dir, "home"), PATH: dir };
        assert.strictEqual(findAzureadPlugin(env), undefined);
        assert.throws(() => assertAzureadPluginInstalled(env), (e: unknown) => {
            assert.ok(e instanceof EntraPluginMissingError);
            assert.match(e.message, /pulumi plugin install resource azuread v\d+\.\d+\.\d+ --file/);
            assert.match(e.message, /set exchange:entra to false/);
            return true;
        });
    });

    it("is found as an executable on PATH, but not as a non-executable file", () => {
        const file = path.join(dir, "pulumi-resource-azuread");
        fs.writeFileSync(file, "#!/bin/sh\n", { mode: 0o644 });
        assert.strictEqual(findAzureadPlugin({ PATH: dir, PULUMI_HOME: dir }), undefined);
        fs.chmodSync(file, 0o755);
        assert.strictEqual(findAzureadPlugin({ PATH: dir, PULUMI_HOME: dir }), file);
    });

    it("is found in PULUMI_HOME's plugin cache at the pinned version", () => {
        const version = require("@pulumi/azuread/package.json").version as string;
        const pluginDir = path.join(dir, "plugins", `resource-azuread-v${version}`);
        fs.mkdirSync(pluginDir, { recursive: true });
        fs.writeFileSync(path.join(pluginDir, "pulumi-resource-azuread"), "#!/bin/sh\n", { mode: 0o755 });
        assert.strictEqual(findAzureadPlugin({ PULUMI_HOME: dir, PATH: "" }), path.join(pluginDir, "pulumi-resource-azuread"));
    });
});
