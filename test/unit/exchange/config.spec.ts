import { strict as assert } from "assert";
import * as path from "path";
import { ConfigError, connectAuth, defaultPwshPath, readConnectionConfig, readStackConfig } from "../../../components/exchange/config";

const CERT = { kind: "certificate", appId: "app-1", certificateFilePath: "demo.pfx", certificatePassword: "S3cret-pw" };

/** A config getter over plain values; objects arrive as JSON strings, as the engine sends them. */
function getter(values: Record<string, unknown>) {
    return (key: string) => {
        const v = values[key];
        return v !== null && typeof v === "object" ? JSON.stringify(v) : v;
    };
}

function problems(fn: () => unknown): string[] {
    try {
        fn();
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
        return e.problems;
    }
    assert.fail("expected a ConfigError");
}

const base = {
    "exchange:organization": "contoso.onmicrosoft.com",
    "exchange:auth": CERT,
    "exchange:domains": { "contoso.com": { type: "Shared" } },
};

describe("config", () => {
    it("reads a valid stack config with documented defaults", () => {
        const c = readStackConfig(getter(base));
        assert.equal(c.organization, "contoso.onmicrosoft.com");
        assert.equal(c.auth.kind, "certificate");
        assert.equal(c.pwshPath, defaultPwshPath());
        assert.ok(c.pwshPath.endsWith(path.join("emulator", "bin", "pwsh")));
        assert.equal(c.commandTimeoutSeconds, 120);
        assert.equal(c.maxAttempts, 5);
        assert.equal(c.retryDelayMs, 2000);
        assert.equal(c.entra, false);
        assert.deepEqual(c.domains["contoso.com"], { type: "InternalRelay" });
    });

    it("numbers arrive as strings from the engine", () => {
        const c = readConnectionConfig(getter({ ...base, "exchange:maxAttempts": "3", "exchange:retryDelayMs": "10" }));
        assert.equal(c.maxAttempts, 3);
        assert.equal(c.retryDelayMs, 10);
    });

    it("pwshPath: a bare name stays a command, a path becomes absolute", () => {
        assert.equal(readConnectionConfig(getter({ ...base, "exchange:pwshPath": "pwsh" })).pwshPath, "pwsh");
        assert.equal(readConnectionConfig(getter({ ...base, "exchange:pwshPath": "./bin/pwsh" })).pwshPath, path.resolve("bin/pwsh"));
    });

    it("emulatorState resolves from the project root, not the current directory", () => {
        const c = readConnectionConfig(getter({ ...base, "exchange:emulatorState": ".tmp/demo/tenant.json" }));
        assert.equal(c.emulatorState, path.join(path.resolve(__dirname, "..", "..", ".."), ".tmp", "demo", "tenant.json"));
        assert.equal(readConnectionConfig(getter(base)).emulatorState, undefined);
    });

    it("refuses unknown exchange:* keys with did-you-mean, and leaves other namespaces alone", () => {
        const keys = [...Object.keys(base), "exchange:commandTimeoutSecond", "exchange:organisation", "aws:region", "exchange:retries"];
        const p = problems(() => readStackConfig(getter({ ...base, "exchange:commandTimeoutSecond": "30" }), keys));
        assert.ok(p.some((m) => m.startsWith("exchange:commandTimeoutSecond is not a setting of this project") && m.includes("did you mean exchange:commandTimeoutSeconds?")), p.join("\n"));
        assert.ok(p.some((m) => m.startsWith("exchange:organisation") && m.includes("did you mean exchange:organization?")), p.join("\n"));
        assert.ok(p.some((m) => m.startsWith("exchange:retries") && m.includes("the keys are exchange:organization")), p.join("\n"));
        assert.ok(!p.some((m) => m.includes("aws:region")));
        assert.equal(readStackConfig(getter(base), Object.keys(base)).organization, "contoso.onmicrosoft.com");
    });

    it("authoritativeDespiteCoexistence needs reason, approvedBy and a real expiry date", () => {
        const entry = (o: object) => ({ ...base, "exchange:domains": { "contoso.com": { type: "Hosted", authoritativeDespiteCoexistence: o } } });
        const ok = readStackConfig(getter(entry({ reason: "moved", approvedBy: "ann@contoso.com", expires: "2030-12-31" })));
        assert.deepEqual(ok.domains["contoso.com"].authoritativeDespiteCoexistence, { reason: "moved", approvedBy: "ann@contoso.com", expires: "2030-12-31" });
        const p = problems(() => readStackConfig(getter(entry({ reason: " ", expires: "2030-02-30" }))));
        assert.ok(p.some((m) => m.includes("exchange:domains.contoso.com.authoritativeDespiteCoexistence.reason") && m.includes("must not be empty")), p.join("\n"));
        assert.ok(p.some((m) => m.includes("authoritativeDespiteCoexistence.approvedBy") && m.includes("approvedBy is required")), p.join("\n"));
        assert.ok(p.some((m) => m.includes("authoritativeDespiteCoexistence.expires") && m.includes("YYYY-MM-DD")), p.join("\n"));
    });

    it("a missing key names the key and the fix", () => {
        const p = problems(() => readStackConfig(getter({ "exchange:auth": CERT, "exchange:domains": {} })));
        assert.ok(p.some((m) => m.startsWith("exchange:organization is required") && m.includes("contoso.onmicrosoft.com")), p.join("\n"));
    });

    it("a tenant id as organization: names the key, the value and the fix (Connect-ExchangeOnline refuses a GUID)", () => {
        const guid = "8d5a6c3e-1f2b-4c7d-9e0a-3b4c5d6e7f80";
        const p = problems(() => readConnectionConfig(getter({ ...base, "exchange:organization": guid })));
        assert.equal(p.length, 1, p.join("\n"));
        assert.ok(p[0].startsWith(`exchange:organization: got "${guid}": Connect-ExchangeOnline -Organization doesn't accept a tenant id`), p[0]);
        assert.match(p[0], /use the tenant's initial domain, e\.g\. contoso\.onmicrosoft\.com/);
    });

    it("a user-assigned managed identity takes its client id; an empty one is refused", () => {
        const ok = readConnectionConfig(getter({ ...base, "exchange:auth": { kind: "managedIdentity", accountId: "0b5e3c1a-2d4f-4a6b-8c9d-1e2f3a4b5c6d" } }));
        assert.deepEqual(ok.auth, { kind: "managedIdentity", accountId: "0b5e3c1a-2d4f-4a6b-8c9d-1e2f3a4b5c6d" });
        const p = problems(() => readConnectionConfig(getter({ ...base, "exchange:auth": { kind: "managedIdentity", accountId: "" } })));
        assert.ok(p.some((m) => m.startsWith("exchange:auth.accountId") && m.includes("client id")), p.join("\n"));
    });

    it("ExternalRelay: names the key, the value and what to write", () => {
        const p = problems(() => readStackConfig(getter({ ...base, "exchange:domains": { "contoso.com": { type: "ExternalRelay" } } })));
        assert.equal(p.length, 1);
        assert.match(p[0], /^exchange:domains\.contoso\.com\.type: got "ExternalRelay": ExternalRelay is not available in Exchange Online.*write InternalRelay/);
    });

    it("MatchSubDomains on Authoritative is refused with the fix", () => {
        const p = problems(() => readStackConfig(getter({ ...base, "exchange:domains": { "contoso.com": { type: "Hosted", matchSubDomains: true } } })));
        assert.match(p[0], /^exchange:domains\.contoso\.com\.matchSubDomains: got true: matchSubDomains is only valid on an InternalRelay domain.*set domainType: InternalRelay/);
    });

    it("a misspelt field is named", () => {
        const p = problems(() => readStackConfig(getter({ ...base, "exchange:domains": { "contoso.com": { type: "Shared", matchSubdomains: true } } })));
        assert.match(p[0], /exchange:domains\.contoso\.com: unknown field\(s\) matchSubdomains/);
    });

    it("the same domain written twice is refused", () => {
        const p = problems(() => readStackConfig(getter({ ...base, "exchange:domains": { "contoso.com": { type: "Shared" }, "Contoso.COM.": { type: "Shared" } } })));
        assert.ok(p.some((m) => /same domain \(contoso\.com\)/.test(m)), p.join("\n"));
    });

    it("an invalid domain key is refused with a reason", () => {
        const p = problems(() => readStackConfig(getter({ ...base, "exchange:domains": { "user@contoso.com": { type: "Shared" } } })));
        assert.match(p[0], /exchange:domains\.user@contoso\.com: .*email address/);
    });

    it("a bad auth kind lists the kinds", () => {
        const p = problems(() => readConnectionConfig(getter({ ...base, "exchange:auth": { kind: "password", password: "hunter2" } })));
        assert.match(p[0], /^exchange:auth\.kind: got "password": kind must be "certificate".*"managedIdentity".*"accessToken"/);
    });

    it("never prints a secret value, even in a bad auth block", () => {
        const bad = { kind: "certificate", appId: "", certificateFilePath: "c.pfx", certificatePassword: "S3cret-pw", extra: 1 };
        const p = problems(() => readConnectionConfig(getter({ ...base, "exchange:auth": bad })));
        assert.ok(p.length >= 2, p.join("\n"));
        assert.ok(!p.join("\n").includes("S3cret-pw"), p.join("\n"));
        const token = problems(() => readConnectionConfig(getter({ ...base, "exchange:auth": { kind: "accessToken", accessToken: 42 } })));
        assert.ok(token.some((m) => m.startsWith("exchange:auth.accessToken: got [secret]")), token.join("\n"));
    });

    it("accessToken auth takes the token from an environment variable named in config, read at connect", () => {
        const auth = readConnectionConfig(getter({ ...base, "exchange:auth": { kind: "accessToken", accessTokenEnv: "EXO_ACCESS_TOKEN" } })).auth;
        assert.deepEqual(auth, { kind: "accessToken", accessTokenEnv: "EXO_ACCESS_TOKEN" });
        assert.deepEqual(connectAuth(auth, { EXO_ACCESS_TOKEN: " eyJ.from.env\n" }), { auth: { kind: "accessToken", accessToken: "eyJ.from.env" } });
        const missing = connectAuth(auth, {});
        assert.ok("problem" in missing);
        assert.match(missing.problem, /^exchange:auth\.accessTokenEnv names EXO_ACCESS_TOKEN, which is not set in this run's environment; set EXO_ACCESS_TOKEN to an access token for https:\/\/outlook\.office365\.com/);
        const empty = connectAuth(auth, { EXO_ACCESS_TOKEN: "" });
        assert.ok("problem" in empty && /which is empty/.test(empty.problem));
        // The other kinds pass through untouched.
        assert.deepEqual(connectAuth(CERT as never, {}), { auth: CERT });
    });

    it("accessToken auth needs exactly one of accessToken and accessTokenEnv, and a valid variable name", () => {
        const neither = problems(() => readConnectionConfig(getter({ ...base, "exchange:auth": { kind: "accessToken" } })));
        assert.match(neither.join("\n"), /exchange:auth: .*set accessTokenEnv \(the environment variable that holds the token, e\.g\. EXO_ACCESS_TOKEN\) or accessToken \(as a secret\)/);
        const both = problems(() => readConnectionConfig(getter({ ...base, "exchange:auth": { kind: "accessToken", accessToken: "eyJ.x", accessTokenEnv: "T" } })));
        assert.match(both.join("\n"), /set accessToken or accessTokenEnv, not both/);
        assert.ok(!both.join("\n").includes("eyJ.x"), "the token is never echoed");
        const bad = problems(() => readConnectionConfig(getter({ ...base, "exchange:auth": { kind: "accessToken", accessTokenEnv: "EXO-TOKEN" } })));
        assert.match(bad.join("\n"), /exchange:auth\.accessTokenEnv: got "EXO-TOKEN": accessTokenEnv must be the name of an environment variable/);
    });

    it("an unparsable object says what shape is expected, without echoing the value (it may be the secret itself)", () => {
        const p = problems(() => readConnectionConfig((k) => (k === "exchange:auth" ? "eyJ0eXAiOi-a-token" : (base as Record<string, unknown>)[k])));
        assert.match(p[0], /^exchange:auth: got \[secret\]: kind must be "certificate"/);
        assert.ok(!p.join("\n").includes("eyJ0eXAiOi"), p.join("\n"));
    });
});
