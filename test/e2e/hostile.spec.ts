/**
 * Hostile input: domain names and config values carrying quotes, `;`, `$()`,
 * backticks, the typographic quotes U+2018–U+201B, newlines, NUL, very long
 * strings, IDN, upper case and a trailing dot. Each is refused with a clear
 * message or reaches the tenant as inert data; the emulator's journal proves no
 * injected command ran (only the cmdlets the product sends appear, the
 * identities are the literal strings, and the tenant is unchanged).
 *
 * The bulk runs through the session layer against the emulator (cheap); a few
 * cases run through the real CLI with the project's program.
 */
import * as assert from "assert";
import { getAcceptedDomain, setAcceptedDomain } from "../../components/exchange/commands";
import { AuthError, NotFoundError } from "../../components/exchange/errors";
import { UnquotableValueError } from "../../components/exchange/quote";
import { ExchangeSession } from "../../components/exchange/session";
import { normalizeDomainName } from "../../components/schema";
import { emulatorBuilt, kbTenant, type Tenant } from "../unit/exchange/emulated-tenant";
import {
    createWorkspace,
    exchangeConfig,
    journal,
    pulumi,
    removeWorkspace,
    seedTenant,
    tenant,
    writeStackConfig,
    type TenantState,
    type Workspace,
} from "./harness";
import { acceptedDomainState } from "../../emulator";

/** Every payload tries to run `Write-Output PWNED` or a Set on contoso.com. */
const HOSTILE: Record<string, string> = {
    "single quote": "evil'; Set-AcceptedDomain -Identity 'contoso.com' -DomainType 'InternalRelay'; 'x.com",
    "double quote": 'evil"; Write-Output PWNED; ".com',
    semicolon: "evil.com; Write-Output PWNED",
    subexpression: "$(Write-Output PWNED).com",
    "dollar variable": "${env:PATH}$true.com",
    backtick: "evil.com`; Write-Output PWNED `u{27}",
    "U+2018": "evil\u2018; Write-Output PWNED; \u2018.com",
    "U+2019": "evil\u2019; Write-Output PWNED; \u2019.com",
    "U+201A": "evil\u201A; Write-Output PWNED; \u201A.com",
    "U+201B": "evil\u201B; Write-Output PWNED; \u201B.com",
    "mixed quotes": "evil'\u2019\u201B'; Write-Output PWNED; '.com",
    "very long": `${"a".repeat(60)}.`.repeat(2000) + "com",
    pipeline: "evil.com | Write-Output PWNED",
    "hash comment": "evil.com' # ",
};
/** Refused before anything is sent (they can't travel on pwsh's stdin as one literal). */
const UNSENDABLE: Record<string, string> = {
    newline: "evil.com\nWrite-Output PWNED",
    "carriage return": "evil.com\rWrite-Output PWNED",
    "line separator": "evil.com\u2028Write-Output PWNED",
    NUL: "evil.com\u0000Write-Output PWNED",
};

/** The only cmdlets the product sends (plus the helpers inside its command lines). */
const EXPECTED_CMDLETS = new Set([
    "Connect-ExchangeOnline",
    "ConvertTo-SecureString",
    "Get-AcceptedDomain",
    "Set-AcceptedDomain",
    "Get-OnPremisesOrganization",
    "Get-OutboundConnector",
    "Get-EXORecipient",
    "Select-Object",
    "ConvertTo-Json",
    // The host probe and the module import before each connect (session.ts).
    "Get-Module",
    "Import-Module",
]);

type Entry = Record<string, unknown>;

/** No injected command ran: only expected cmdlets, no parse errors, no PWNED output anywhere. */
function assertNoInjection(entries: Entry[]): void {
    for (const e of entries) {
        if (e.event === "cmdlet") {
            assert.ok(EXPECTED_CMDLETS.has(String(e.cmdlet)), `unexpected cmdlet ran: ${JSON.stringify(e).slice(0, 300)}`);
        }
        assert.notStrictEqual(e.event, "parse-error", `a value broke the command line: ${JSON.stringify(e).slice(0, 300)}`);
    }
}

function domainsOf(t: TenantState): string {
    return JSON.stringify(t.acceptedDomains.map(({ whenChangedUtc: _w, ...d }) => d));
}

describe("hostile input through the session layer (emulated tenant)", function () {
    this.timeout(120_000);
    let t: Tenant;
    let session: ExchangeSession;
    let initial: string;

    before(function () {
        if (!emulatorBuilt()) throw new Error("dist/emulator/main.js is missing: run `npx tsc -p tsconfig.json` first");
        t = kbTenant();
        session = new ExchangeSession(t.settings(), { log: () => undefined });
        initial = domainsOf(t.read());
    });
    after(async () => {
        await session.dispose();
        t.cleanup();
    });

    for (const [name, value] of Object.entries(HOSTILE)) {
        it(`${name}: refused as a domain name, and inert as an identity`, async () => {
            const normalised = normalizeDomainName(value);
            assert.strictEqual(normalised.ok, false, `accepted as a domain: ${JSON.stringify(normalised)}`);
            assert.match((normalised as { reason: string }).reason, /domain/, "the reason says what is wrong");

            const from = t.events().length;
            await assert.rejects(session.run(setAcceptedDomain(value, { domainType: "InternalRelay" })), (e: unknown) => e instanceof NotFoundError);
            await assert.rejects(session.run(getAcceptedDomain(value)), (e: unknown) => e instanceof NotFoundError);
            const entries = t.events().slice(from);
            assertNoInjection(entries);
            const identities = entries.filter((e) => e.event === "cmdlet" && String(e.cmdlet).endsWith("-AcceptedDomain")).map((e) => (e.params as Entry).Identity);
            assert.deepStrictEqual(identities, [value, value], "the identity arrived as one literal, unchanged");
            assert.strictEqual(domainsOf(t.read()), initial, "the tenant did not change");
        });
    }

    for (const [name, value] of Object.entries(UNSENDABLE)) {
        it(`${name}: refused before anything is sent`, async () => {
            assert.strictEqual(normalizeDomainName(value).ok, false);
            const from = t.events().length;
            assert.throws(() => setAcceptedDomain(value, { domainType: "InternalRelay" }), (e: unknown) => e instanceof UnquotableValueError && /remove it/.test(e.message));
            assert.strictEqual(t.events().length, from, "nothing reached pwsh");
        });
    }

    it("IDN, upper case and a trailing dot are normalised, not refused", () => {
        assert.deepStrictEqual(normalizeDomainName("Bücher.Example."), { ok: true, domain: "xn--bcher-kva.example" });
        assert.deepStrictEqual(normalizeDomainName("CONTOSO.COM."), { ok: true, domain: "contoso.com" });
    });

    it("hostile connection settings are sent as literals and fail sign-in; nothing else runs", async () => {
        const payload = "contoso.onmicrosoft.com'; Write-Output PWNED; '\u2019$(Write-Output PWNED)`";
        for (const over of [
            { organization: payload },
            { auth: { kind: "certificate" as const, appId: payload, certificateFilePath: t.cert, certificatePassword: payload } },
            { auth: { kind: "accessToken" as const, accessToken: payload } },
        ]) {
            const s = new ExchangeSession(t.settings(over), { log: () => undefined });
            const from = t.events().length;
            try {
                await assert.rejects(s.run(getAcceptedDomain("contoso.com")), (e: unknown) => e instanceof AuthError);
            } finally {
                await s.dispose();
            }
            const entries = t.events().slice(from);
            assertNoInjection(entries);
            const connects = entries.filter((e) => e.cmdlet === "Connect-ExchangeOnline");
            assert.strictEqual(connects.length, 1);
            const params = connects[0].params as Entry;
            if ("organization" in over) assert.strictEqual(params.Organization, payload);
            if ("auth" in over && over.auth?.kind === "certificate") assert.strictEqual(params.AppId, payload);
            assert.strictEqual(entries.filter((e) => e.cmdlet === "Get-AcceptedDomain").length, 0, "no tenant cmdlet without a connection");
        }
        assert.strictEqual(domainsOf(t.read()), initial);
    });
});

describe("hostile input through the real CLI", function () {
    this.timeout(10 * 60 * 1000);
    let ws: Workspace;
    let base: Record<string, unknown>;
    let start: string;

    before(async () => {
        ws = await createWorkspace({ name: "hostile" });
        const cert = await seedTenant(ws, (t) => {
            t.acceptedDomains.push(acceptedDomainState("xn--bcher-kva.example", "Authoritative"));
        });
        base = await exchangeConfig(ws, cert, {});
        start = domainsOf(tenant(ws));
    });
    after(() => removeWorkspace(ws));

    it("hostile domain names in exchange:domains are refused, naming the key; nothing reaches the tenant", async () => {
        const domains = Object.fromEntries(
            ["single quote", "subexpression", "backtick", "U+2019", "semicolon"].map((k) => [HOSTILE[k], { type: "InternalRelay" }]),
        );
        writeStackConfig(ws, { ...base, "exchange:domains": domains });
        const from = journal(ws).length;
        const r = await pulumi(ws, ["preview"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /exchange:domains/);
        assert.match(r.output, /can't be part of a domain name|is not a valid domain name/);
        assert.ok(r.output.includes(HOSTILE["subexpression"]) || r.output.includes(HOSTILE["single quote"]), "the message names the bad key");
        assertNoInjection(journal(ws).slice(from));
        assert.strictEqual(journal(ws).slice(from).filter((e) => e.cmdlet === "Set-AcceptedDomain").length, 0);
        assert.strictEqual(domainsOf(tenant(ws)), start);
    });

    it("a hostile domainType is refused with the fix", async () => {
        writeStackConfig(ws, { ...base, "exchange:domains": { "contoso.com": { type: "InternalRelay'; Write-Output PWNED; '" } } });
        const from = journal(ws).length;
        const r = await pulumi(ws, ["preview"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /is not a domain type; write Authoritative/);
        assertNoInjection(journal(ws).slice(from));
        assert.strictEqual(domainsOf(tenant(ws)), start);
    });

    it("a hostile organization is passed as one literal and fails sign-in clearly", async () => {
        const payload = "contoso.onmicrosoft.com'; Set-AcceptedDomain -Identity 'contoso.com' -DomainType 'InternalRelay'; '";
        writeStackConfig(ws, { ...base, "exchange:organization": payload, "exchange:domains": { "fabrikam.com": { type: "InternalRelay" } } });
        const from = journal(ws).length;
        const r = await pulumi(ws, ["up", "--yes", "--skip-preview"]);
        const entries = journal(ws).slice(from);
        if (r.code === 0) assert.fail(`a hostile organization signed in:\n${r.output}`);
        assert.match(r.output, /AADSTS90002|exchange:organization/);
        assertNoInjection(entries);
        for (const c of entries.filter((e) => e.cmdlet === "Connect-ExchangeOnline")) {
            assert.strictEqual((c.params as Entry).Organization, payload);
        }
        assert.strictEqual(entries.filter((e) => e.cmdlet === "Set-AcceptedDomain").length, 0);
        assert.strictEqual(domainsOf(tenant(ws)), start);
    });

    it("upper case, a trailing dot and IDN are normalised and applied to exactly those domains", async () => {
        writeStackConfig(ws, {
            ...base,
            // fabrikam.com is a synced hybrid domain: InternalRelay with matchSubDomains (Authoritative would be refused by the guard).
            "exchange:domains": { "FABRIKAM.COM.": { type: "InternalRelay", matchSubDomains: true }, "BÜCHER.example": { type: "InternalRelay" } },
        });
        const from = journal(ws).length;
        const r = await pulumi(ws, ["up", "--yes", "--skip-preview"]);
        assert.strictEqual(r.code, 0, r.output);
        const entries = journal(ws).slice(from);
        assertNoInjection(entries);
        const sets = entries.filter((e) => e.cmdlet === "Set-AcceptedDomain").map((e) => (e.params as Entry).Identity).sort();
        assert.deepStrictEqual(sets, ["fabrikam.com", "xn--bcher-kva.example"]);
        const after = tenant(ws);
        assert.strictEqual(after.acceptedDomains.find((d) => d.domainName === "fabrikam.com")?.matchSubDomains, true);
        assert.strictEqual(after.acceptedDomains.find((d) => d.domainName === "xn--bcher-kva.example")?.domainType, "InternalRelay");
        const others = (list: { domainName: string }[]) => list.filter((d) => !["fabrikam.com", "xn--bcher-kva.example"].includes(d.domainName));
        assert.deepStrictEqual(others(JSON.parse(domainsOf(after))), others(JSON.parse(start)), "no other domain changed");
    });
});
