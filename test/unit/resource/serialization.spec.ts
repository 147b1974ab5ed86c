/**
 * The provider text stored in the state (__provider) must carry no credential, stay
 * small (it is stored twice per domain), name the lifecycle module relative to the
 * program directory, and work on its own in a fresh Node process (as the engine's
 * dynamic-provider host loads it: require-from-string + handler()).
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { AcceptedDomain, providerSource } from "../../../components/accepted-domain";
import { acceptedDomainProvider } from "../../../components/exchange/lifecycle";
import { resetSession } from "../../../components/exchange/session";
import { APP_ID, kbTenant, ORG, PASSWORD, PWSH, ROOT, type Tenant } from "../exchange/emulated-tenant";

/** The __provider input an AcceptedDomain registers, captured with Pulumi's mocks. */
async function registeredProviderText(): Promise<string> {
    let captured: unknown;
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                captured = args.inputs.__provider;
                return { id: "id", state: args.inputs };
            },
            call: () => ({}),
        },
        "project",
        "stack",
        true,
    );
    new AcceptedDomain("contoso.com", { domainName: "contoso.com", domainType: "InternalRelay" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(typeof captured, "string", "an AcceptedDomain registers a __provider string");
    return captured as string;
}

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
        text = await registeredProviderText();
    });
    after(async () => {
        await resetSession();
        tenant.cleanup();
    });

    it("holds no credential and no captured settings", () => {
        assert.ok(!text.includes(PASSWORD));
        assert.ok(!text.includes(APP_ID));
        assert.ok(!text.includes("certificatePassword\":"), "no auth object captured");
        assert.ok(text.length < 700, `the provider text is ${text.length} chars; it is stored twice per domain`);
    });

    it("names the lifecycle module relative to the @pulumi/pulumi package, so a moved checkout or another `main` still loads it", () => {
        assert.ok(!text.includes(ROOT), "no absolute path of the checkout in the state");
        const m = /\), ("[^"]+")\);/.exec(text);
        assert.ok(m, "the module path is captured as a string");
        const modulePath = JSON.parse(m[1]) as string;
        assert.ok(!path.isAbsolute(modulePath), modulePath);
        const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
        assert.ok(fs.existsSync(path.resolve(sdk, modulePath)), `${modulePath} resolves from ${sdk}`);
    });

    /** Runs the provider text with a stand-in require; returns what handler() gave and what was required. */
    function runText(modulePath: string, exists: boolean): { result: unknown; required: string[] } {
        const handler = new Function("exports", "require", "process", providerSource(modulePath));
        const exports: { handler?: () => unknown } = {};
        const required: string[] = [];
        const fakeRequire = (id: string) =>
            id === "path" ? path : id === "fs" ? { existsSync: () => exists } : (required.push(id), { acceptedDomainProvider: "ok" });
        handler(exports, Object.assign(fakeRequire, { resolve: () => "/sdk/package.json" }), process);
        return { result: exports.handler?.(), required };
    }

    it("quotes the module path as a JavaScript string literal", () => {
        const odd = `dir with "quotes"\\ and \u2028/lifecycle.js`;
        assert.deepEqual(runText(odd, true), { result: "ok", required: [path.resolve("/sdk", odd)] });
    });

    it("a module missing where the state says fails with what to do, not a TypeError", () => {
        assert.throws(() => runText("../../../dist/components/exchange/lifecycle.js", false), /AcceptedDomain provider not found in \/dist\/components\/exchange\/lifecycle\.js: build or update the project there \(npm run build\)/);
    });

    // The engine starts the provider in the program's directory; dist/ stands for another `main`.
    for (const where of [".", "dist"]) it(`runs in a fresh process started in ${where}: configure from stack config, then check against the emulator`, () => {
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
        const before = tenant.calls("Connect-ExchangeOnline").length;
        const out = execFileSync(process.execPath, ["-e", script], { cwd: path.join(ROOT, where), env: process.env, encoding: "utf8", timeout: 60_000 });
        const result = JSON.parse(out) as { inputs: { domainName: string; domainType: string; coexistence: { hybridDomain: boolean } } };
        assert.equal(result.inputs.domainName, "contoso.com");
        assert.equal(result.inputs.domainType, "InternalRelay");
        assert.equal(result.inputs.coexistence.hybridDomain, true);
        assert.equal(tenant.calls("Connect-ExchangeOnline").length, before + 1);
    });
});
