/**
 * The provider object is serialised into the state (__provider). It must carry no
 * credential, and the serialised text must work on its own in a fresh Node process
 * (as the engine's dynamic-provider host loads it: require-from-string + handler()).
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { acceptedDomainProvider } from "../../../components/accepted-domain";
import { resetSession } from "../../../components/exchange/session";
import { APP_ID, kbTenant, ORG, PASSWORD, PWSH, ROOT, type Tenant } from "../exchange/emulated-tenant";

describe("AcceptedDomain provider serialisation", () => {
    let tenant: Tenant;
    let text: string;

    before(async () => {
        tenant = kbTenant();
        // Configure first, so a credential captured by mistake would show up in the text.
        const config: Record<string, string> = {
            "exchange:organization": ORG,
            "exchange:auth": JSON.stringify({ kind: "certificate", appId: APP_ID, certificateFilePath: tenant.cert, certificatePassword: PASSWORD }),
        };
        await acceptedDomainProvider.configure({ config: { get: (k: string) => config[k], require: (k: string) => config[k] } });
        text = (await pulumi.runtime.serializeFunction(() => acceptedDomainProvider, { allowSecrets: false })).text;
    });
    after(async () => {
        await resetSession();
        tenant.cleanup();
    });

    it("holds no credential and no captured settings", () => {
        assert.ok(!text.includes(PASSWORD));
        assert.ok(!text.includes(APP_ID));
        assert.ok(!text.includes("certificatePassword\":"), "no auth object captured");
        assert.ok(text.length < 20_000, `serialised provider is ${text.length} chars: something large was captured`);
    });

    it("names the lifecycle module relative to the program directory, so a moved project still loads it", () => {
        assert.ok(!text.includes(ROOT), "no absolute path of the checkout in the state");
        const m = /LIFECYCLE_MODULE: "([^"]+)"/.exec(text);
        assert.ok(m, "the module path is captured as a string");
        assert.ok(!path.isAbsolute(m[1]), m[1]);
        assert.ok(fs.existsSync(path.resolve(ROOT, m[1])), `${m[1]} resolves from the project directory`);
    });

    it("runs in a fresh process: configure from stack config, then check against the emulator", () => {
        const file = path.join(tenant.dir, "provider.js");
        fs.writeFileSync(file, text);
        const script = `
            const requireFromString = require(${JSON.stringify(require.resolve("require-from-string", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] }))});
            const provider = requireFromString(require("fs").readFileSync(${JSON.stringify(file)}, "utf8")).handler();
            const raw = {
                "exchange:organization": ${JSON.stringify(ORG)},
                "exchange:auth": ${JSON.stringify(JSON.stringify({ kind: "certificate", appId: APP_ID, certificateFilePath: tenant.cert, certificatePassword: PASSWORD }))},
                "exchange:pwshPath": ${JSON.stringify(PWSH)},
            };
            (async () => {
                await provider.configure({ config: { get: (k) => raw[k], require: (k) => raw[k] } });
                const r = await provider.check({}, { domainName: "Contoso.com", domainType: "Shared" });
                process.stdout.write(JSON.stringify(r));
                process.exit(0);
            })().catch((e) => { console.error(e); process.exit(1); });
        `;
        const out = execFileSync(process.execPath, ["-e", script], { cwd: ROOT, env: process.env, encoding: "utf8", timeout: 60_000 });
        const result = JSON.parse(out) as { inputs: { domainName: string; domainType: string; coexistence: { hybridDomain: boolean } } };
        assert.equal(result.inputs.domainName, "contoso.com");
        assert.equal(result.inputs.domainType, "InternalRelay");
        assert.equal(result.inputs.coexistence.hybridDomain, true);
        assert.equal(tenant.calls("Connect-ExchangeOnline").length, 1);
    });
});
