/** The setup checks: a missing pwsh and a missing or unusable module, each with its exact fix. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { chooseModule, compareVersions, locatePwsh, moduleToInstall, usableModules } from "../../../components/exchange/host-check";

describe("host checks", () => {
    describe("#chooseModule", () => {
        it("takes the newest installed version this PowerShell can load", () => {
            assert.deepEqual(chooseModule({ psVersion: "7.4.6", modules: ["3.10.1", "3.9.2", "3.5.0"] }, "pwsh"), { version: "3.9.2" });
            assert.deepEqual(chooseModule({ psVersion: "7.6.0", modules: ["3.9.2", "3.10.1"] }, "pwsh"), { version: "3.10.1" });
        });

        it("not installed: names the module, the pwsh found and the Install-Module line for its version", () => {
            const r = chooseModule({ psVersion: "7.4.6", modules: [] }, "/usr/bin/pwsh");
            assert.ok("problem" in r);
            assert.match(r.problem, /^ExchangeOnlineManagement is not installed for \/usr\/bin\/pwsh \(PowerShell 7\.4\.6\)/);
            assert.ok(r.problem.includes('/usr/bin/pwsh -NoProfile -Command "Install-Module -Name ExchangeOnlineManagement -RequiredVersion 3.9.2 -Scope CurrentUser"'), r.problem);
        });

        it("only a version that needs a newer PowerShell: says which, and what runs here", () => {
            const r = chooseModule({ psVersion: "7.4.6", modules: ["3.10.0"] }, "pwsh");
            assert.ok("problem" in r);
            assert.match(r.problem, /3\.10\.0 needs PowerShell 7\.6\.0 or later/);
            assert.match(r.problem, /-RequiredVersion 3\.9\.2/);
        });

        it("too old (V2, remote PowerShell): says the minimum", () => {
            const r = chooseModule({ psVersion: "7.6.1", modules: ["2.0.5"] }, "pwsh");
            assert.ok("problem" in r);
            assert.match(r.problem, /2\.0\.5 .* is too old: this project needs 3\.1\.0 or later/);
            assert.match(r.problem, /-RequiredVersion 3\.10\.1/);
        });

        it("a PowerShell older than 7.2 gets no module line but the PowerShell to install", () => {
            const r = chooseModule({ psVersion: "7.0.3", modules: [] }, "pwsh");
            assert.ok("problem" in r);
            assert.match(r.problem, /too old for ExchangeOnlineManagement 3: install PowerShell 7\.4 or later/);
        });

        it("version arithmetic: numeric, pre-release counts as its release", () => {
            assert.ok(compareVersions("3.10.0", "3.9.2") > 0);
            assert.equal(compareVersions("7.6.0-preview.3", "7.6.0"), 0);
            assert.equal(moduleToInstall("7.5.2"), "3.9.2");
            assert.deepEqual(usableModules({ psVersion: "7.2.0", modules: ["3.0.0", "3.4.0", "3.5.0"] }), ["3.4.0"]);
        });
    });

    describe("#locatePwsh", () => {
        it("a path that doesn't exist names the path and the config key", () => {
            const r = locatePwsh("/no/such/pwsh");
            assert.ok("problem" in r);
            assert.match(r.problem, /^exchange:pwshPath: \/no\/such\/pwsh was not found; install PowerShell 7\.4 or later/);
        });

        it("a file that isn't executable says so", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pwsh-"));
            const file = path.join(dir, "pwsh");
            fs.writeFileSync(file, "#!/bin/sh\n", { mode: 0o644 });
            const r = locatePwsh(file);
            fs.rmSync(dir, { recursive: true });
            assert.ok("problem" in r && /is not an executable file/.test(r.problem));
        });

        it("a bare name is looked up on PATH", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pwsh-"));
            fs.writeFileSync(path.join(dir, "pwsh"), "#!/bin/sh\n", { mode: 0o755 });
            assert.deepEqual(locatePwsh("pwsh", { PATH: `/nowhere${path.delimiter}${dir}` }), { found: path.join(dir, "pwsh") });
            const missing = locatePwsh("pwsh", { PATH: "/nowhere" });
            fs.rmSync(dir, { recursive: true });
            assert.ok("problem" in missing && /pwsh was not found on PATH \(\/nowhere\)/.test(missing.problem));
        });
    });
});

describe("#hostProbeSchema", () => {
    const { hostProbeSchema } = require("../../../components/exchange/host-probe") as typeof import("../../../components/exchange/host-probe");
    it("reads an array, a single unrolled version and none", () => {
        assert.deepEqual(hostProbeSchema.parse({ psVersion: "7.4.6", modules: ["3.9.2", "3.5.0"] }).modules, ["3.9.2", "3.5.0"]);
        assert.deepEqual(hostProbeSchema.parse({ psVersion: "7.4.6", modules: "3.9.2" }).modules, ["3.9.2"]);
        assert.deepEqual(hostProbeSchema.parse({ psVersion: "7.4.6", modules: null }).modules, []);
    });
    it("refuses what isn't a probe answer", () => {
        assert.equal(hostProbeSchema.safeParse({ modules: [] }).success, false);
        assert.equal(hostProbeSchema.safeParse("PS /root>").success, false);
    });
});
