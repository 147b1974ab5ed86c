/**
 * Errors as the CLI shows them: one clear line each, no stack trace, a connection error said once for
 * the run (each resource points to it), and a misspelt exchange:* key refused with did-you-mean.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { configureExchange, createWorkspace, journal, pulumi, pulumiScript, removeWorkspace, runCommand, seedTenant, setConfig, Workspace } from "./harness";

const STACK_TRACE_LINE = /^\s+at .*:\d+:\d+\)?$/m;

/** A preview refused for its config signs in nowhere: no pwsh started (the program's early reads wait for valid config). */
async function refusedPreview(ws: Workspace) {
    const starts = journal(ws).filter((e) => e.event === "start").length;
    const r = await pulumi(ws, ["preview"]);
    assert.notStrictEqual(r.code, 0, r.output);
    assert.strictEqual(journal(ws).filter((e) => e.event === "start").length, starts, "no pwsh started for a refused config");
    return r;
}

describe("errors under the real CLI", function () {
    this.timeout(10 * 60 * 1000);
    let ws: Workspace | undefined;

    beforeEach(async () => {
        ws = await createWorkspace({ name: "errors" });
        const cert = await seedTenant(ws);
        await configureExchange(ws, cert, { "contoso.com": { type: "Shared" }, "fabrikam.com": { type: "Shared" } });
    });
    afterEach(() => removeWorkspace(ws));

    it("a wrong access token: one line for the run, a pointer per resource, no stack trace, no doubling", async () => {
        const r0 = await pulumi(ws!, ["config", "rm", "exchange:auth"]);
        assert.strictEqual(r0.code, 0, r0.output);
        await setConfig(ws!, { "exchange:auth": { kind: "accessToken", accessToken: "not-the-token" } }, ["exchange:auth"]);
        const r = await pulumi(ws!, ["preview"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /error: Connect-ExchangeOnline failed: The access token is invalid or expired/);
        assert.match(r.output, /not done: Exchange Online could not be reached for this run \(sign-in failed/);
        assert.doesNotMatch(r.output, STACK_TRACE_LINE, "no stack-trace line");
        assert.doesNotMatch(r.output, /AuthError/, "no class names, no `${e}: ${e.stack}`");
        assert.doesNotMatch(r.output, /not-the-token/, "the secret is never printed");
    });

    it("a wrong exchange:organization is blamed on exchange:organization, not on exchange:auth", async () => {
        await setConfig(ws!, { "exchange:organization": "fabrikam-typo.onmicrosoft.com" });
        const r = await pulumi(ws!, ["preview"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /AADSTS90002/);
        assert.match(r.output, /exchange:organization/);
        assert.doesNotMatch(r.output, /check exchange:auth/);
        assert.doesNotMatch(r.output, STACK_TRACE_LINE);
    });

    it("exchange:commandTimeoutSecond is refused, naming exchange:commandTimeoutSeconds", async () => {
        await setConfig(ws!, { "exchange:commandTimeoutSecond": 30 });
        const r = await refusedPreview(ws!);
        assert.match(r.output, /exchange:commandTimeoutSecond is not a setting of this project \(it would be ignored\): did you mean exchange:commandTimeoutSeconds\?/);
        assert.doesNotMatch(r.output, STACK_TRACE_LINE);
    });

    it("a stray typographic quote in a domain name is refused as a typo, naming the character, never turned into punycode", async () => {
        await setConfig(ws!, { "exchange:domains": { "contoso.com\u2019": { type: "Shared" } } });
        const r = await refusedPreview(ws!);
        assert.match(r.output, /contains a right single quotation mark \(U\+2019\) at position 12, which can't be part of a domain name/);
        assert.doesNotMatch(r.output, /xn--/, "no punycode form of the typo");
    });

    it("run from a subdirectory with a relative EXO_EMULATOR_STATE, the error names the state file as resolved, not its lock", async () => {
        const sub = path.join(ws!.dir, "components-of-mine");
        fs.mkdirSync(sub);
        const r = await runCommand(pulumiScript, ["preview", "--cwd", ws!.dir, "--stack", ws!.stack, "--non-interactive", "--color", "never"], {
            cwd: sub,
            env: { ...ws!.env, EXO_EMULATOR_STATE: "tenant.json" },
        });
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /Cannot read tenant state file tenant\.json \(relative, resolved from \S+ to \S+tenant\.json\): ENOENT/);
        assert.doesNotMatch(r.output, /tenant\.json\.lock/);
    });

    it("exchange:organisation and exchange:domain are named as what they are", async () => {
        await setConfig(ws!, { "exchange:organisation": "contoso.onmicrosoft.com", "exchange:domain": "contoso.com" });
        const r = await pulumi(ws!, ["preview"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /exchange:organisation is not a setting of this project .*did you mean exchange:organization\?/);
        assert.match(r.output, /exchange:domain is not a setting of this project .*did you mean exchange:domains\?/);
    });
});
