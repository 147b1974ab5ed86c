/**
 * The session layer against the emulated tenant (emulator/bin/pwsh through node-powershell).
 * Requires dist/emulator (npx tsc -p tsconfig.json). Assertions run on the emulator's journal.
 */
import { strict as assert } from "assert";
import { getAcceptedDomain, getAcceptedDomains, setAcceptedDomain } from "../../../components/exchange/commands";
import { AuthError, NotFoundError, SessionLostError, SetupError, ThrottledError, ValidationError } from "../../../components/exchange/errors";
import { ExchangeSession } from "../../../components/exchange/session";
import { APP_ID, emulatorBuilt, kbTenant, PASSWORD, TOKEN, type Tenant } from "./emulated-tenant";

describe("ExchangeSession (emulated tenant)", function () {
    let tenant: Tenant;
    let session: ExchangeSession | undefined;
    let lines: string[];
    const open = (over: Parameters<Tenant["settings"]>[0] = {}) => (session = new ExchangeSession(tenant.settings(over), { log: (l) => lines.push(l) }));

    before(function () {
        if (!emulatorBuilt()) {
            throw new Error("dist/emulator/main.js is missing: run `npx tsc -p tsconfig.json` first");
        }
    });
    beforeEach(() => {
        tenant = kbTenant();
        lines = [];
    });
    afterEach(async () => {
        await session?.dispose();
        session = undefined;
        tenant.cleanup();
    });

    it("starts one process and connects once for many commands", async () => {
        const s = open();
        for (let i = 0; i < 3; i++) {
            assert.match(await s.run(getAcceptedDomains()), /"DomainName":"contoso.com"/);
        }
        assert.equal(tenant.events("start").length, 1);
        assert.equal(tenant.calls("Connect-ExchangeOnline").length, 1);
        assert.equal(tenant.calls("Get-AcceptedDomain").length, 3);
        assert.deepEqual(s.stats, { starts: 1, connects: 1 });
    });

    it("connects with -ShowBanner:$false and only the cmdlets it uses", async () => {
        await open().run(getAcceptedDomains());
        const [connect] = tenant.calls("Connect-ExchangeOnline");
        const params = connect.params as Record<string, unknown>;
        assert.equal(params.ShowBanner, false);
        assert.deepEqual(params.CommandName, ["Get-AcceptedDomain", "Set-AcceptedDomain", "Get-OnPremisesOrganization", "Get-OutboundConnector"]);
    });

    it("never writes the certificate password or the token to the journal or state", async () => {
        await open().run(getAcceptedDomains());
        await session!.dispose();
        await open({ auth: { kind: "accessToken", accessToken: TOKEN } }).run(getAcceptedDomains());
        assert.equal(tenant.calls("Connect-ExchangeOnline").length, 2);
        const files = tenant.files();
        assert.ok(!files.includes(PASSWORD), "password leaked");
        assert.ok(!files.includes(TOKEN), "token leaked");
    });

    it("accessTokenEnv: the token comes from the provider's environment at connect, and is never written anywhere", async () => {
        process.env.EXO_TEST_ACCESS_TOKEN = TOKEN;
        try {
            await open({ auth: { kind: "accessToken", accessTokenEnv: "EXO_TEST_ACCESS_TOKEN" } }).run(getAcceptedDomains());
        } finally {
            delete process.env.EXO_TEST_ACCESS_TOKEN;
        }
        const [connect] = tenant.calls("Connect-ExchangeOnline");
        assert.ok(connect, "connected");
        assert.ok(!tenant.files().includes(TOKEN), "token leaked");
    });

    it("accessTokenEnv naming an unset variable: a setup error naming the key and the variable, and no pwsh is started", async () => {
        delete process.env.EXO_TEST_ACCESS_TOKEN;
        const s = open({ auth: { kind: "accessToken", accessTokenEnv: "EXO_TEST_ACCESS_TOKEN" } });
        await assert.rejects(s.run(getAcceptedDomains()), (e: unknown) => e instanceof SetupError && /^exchange:auth\.accessTokenEnv names EXO_TEST_ACCESS_TOKEN, which is not set/.test(e.message));
        assert.equal(tenant.events("start").length, 0);
        assert.deepEqual(s.stats, { starts: 0, connects: 0 });
    });

    it("EXO's not-found is a NotFoundError, and a hostile identity stays one literal", async () => {
        const hostile = "x'; Set-AcceptedDomain -Identity 'contoso.com' -DomainType 'InternalRelay'; '\u2019";
        await assert.rejects(open().run(getAcceptedDomain(hostile)), (e: unknown) => e instanceof NotFoundError && e.message.includes(hostile));
        assert.equal(tenant.calls("Set-AcceptedDomain").length, 0);
        assert.equal(tenant.read().acceptedDomains.find((d) => d.domainName === "contoso.com")?.domainType, "Authoritative");
    });

    it("a validation error is not retried", async () => {
        await assert.rejects(open().run(setAcceptedDomain("contoso.com", { matchSubDomains: true })), ValidationError);
        assert.equal(tenant.calls("Set-AcceptedDomain").length, 1);
        assert.deepEqual(lines, []);
    });

    it("throttling is retried with a plain line per failed attempt", async () => {
        tenant.edit((s) => (s.faults.throttleNextCalls = 2));
        assert.match(await open().run(getAcceptedDomains()), /contoso\.com/);
        assert.deepEqual(lines, ["Get-AcceptedDomain 1/4 throttled: retrying", "Get-AcceptedDomain 2/4 throttled: retrying"]);
        assert.equal(tenant.calls("Get-AcceptedDomain").length, 3);
        assert.equal(tenant.calls("Connect-ExchangeOnline").length, 1, "throttling does not reconnect");
    });

    it("gives up after maxAttempts with the count in the error", async () => {
        tenant.edit((s) => (s.faults.throttleNextCalls = 10));
        await assert.rejects(open({ maxAttempts: 3 }).run(getAcceptedDomains()), (e: unknown) => e instanceof ThrottledError && /gave up after 3 attempts/.test(e.message));
        assert.equal(tenant.calls("Get-AcceptedDomain").length, 3);
    });

    it("a crashed session is disposed, reconnected and the command retried", async () => {
        const s = open();
        await s.run(getAcceptedDomains());
        tenant.edit((st) => (st.faults.crashAfterCmdlets = 0));
        assert.match(await s.run(getAcceptedDomains()), /contoso\.com/);
        assert.deepEqual(lines, ["Get-AcceptedDomain 1/4 session lost: retrying"]);
        assert.equal(tenant.events("start").length, 2);
        assert.equal(tenant.calls("Connect-ExchangeOnline").length, 2);
    });

    it("a hung command is treated as a lost session: disposed, reconnected, retried", async () => {
        tenant.edit((st) => (st.faults.hang = { cmdlet: "Get-AcceptedDomain", remaining: 1, ms: null }));
        assert.match(await open({ commandTimeoutSeconds: 1 }).run(getAcceptedDomains()), /contoso\.com/);
        assert.deepEqual(lines, ["Get-AcceptedDomain 1/4 timed out: retrying"]);
        assert.equal(tenant.calls("Connect-ExchangeOnline").length, 2);
    });

    it("a wrong certificate password is an AuthError and is not retried", async () => {
        const bad = { kind: "certificate" as const, appId: APP_ID, certificateFilePath: tenant.cert, certificatePassword: "wrong" };
        await assert.rejects(open({ auth: bad }).run(getAcceptedDomains()), AuthError);
        assert.equal(tenant.calls("Connect-ExchangeOnline").length, 1);
        assert.equal(tenant.calls("Get-AcceptedDomain").length, 0);
        assert.deepEqual(lines, []);
    });

    it("a missing pwsh is a setup error naming the path and the key, never retried", async () => {
        const session = open({ pwshPath: "/nonexistent/pwsh", maxAttempts: 5 });
        await assert.rejects(
            session.run(getAcceptedDomains()),
            (e: unknown) => e instanceof SetupError && e.message.startsWith("exchange:pwshPath: /nonexistent/pwsh was not found") && !/attempts/.test(e.message),
        );
        assert.deepEqual(lines, [], "no retry line");
        assert.equal(session.stats.starts, 0, "nothing was started");
        await assert.rejects(session.run(getAcceptedDomains()), SetupError, "the second call fails the same way, at once");
    });
});

describe("#scrubSecrets", () => {
    const { scrubSecrets } = require("../../../components/exchange/session") as typeof import("../../../components/exchange/session");
    it("removes a certificate password from an echoed Connect line, quoted or plain", () => {
        const line = "ParserError: Connect-ExchangeOnline -CertificatePassword (ConvertTo-SecureString -String 'it''s-S3cret' -AsPlainText -Force) | it's-S3cret";
        const out = scrubSecrets(line, { kind: "certificate", appId: "a", certificateFilePath: "c.pfx", certificatePassword: "it's-S3cret" });
        if (out.includes("S3cret")) throw new Error(out);
        if (!out.includes("-String '[secret]'")) throw new Error(out);
    });
    it("removes an access token and leaves other text alone", () => {
        const out = scrubSecrets("-AccessToken 'eyJ.tok' failed at line 1", { kind: "accessToken", accessToken: "eyJ.tok" });
        if (out !== "-AccessToken '[secret]' failed at line 1") throw new Error(out);
    });
});
