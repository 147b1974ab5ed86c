/** Export (pure) and the tools' argument parsing. */
import * as assert from "assert";
import { domainsConfigSchema } from "../../../components/schema";
import { domainsConfigJson, exportDomains } from "../../../scripts/drift/export";
import { parseReportArgs } from "../../../scripts/drift-report";
import { parseExportArgs } from "../../../scripts/export-domains";
import { projectRoot } from "../../../scripts/drift/pulumi-cli";
import type { TenantDomain } from "../../../scripts/drift/report";

const TENANT: TenantDomain[] = [
    { domainName: "contoso.com", domainType: "Authoritative", matchSubDomains: false, outboundOnly: false },
    { domainName: "fabrikam.com", domainType: "InternalRelay", matchSubDomains: true, outboundOnly: true },
    { domainName: "legacy.example", domainType: "ExternalRelay", matchSubDomains: false, outboundOnly: false },
];

describe("export (pure)", () => {
    it("declares every settable domain exactly as it is, and the result passes the config schema", () => {
        const r = exportDomains(TENANT, {});
        assert.deepStrictEqual(r.domains, {
            "contoso.com": { type: "Authoritative", matchSubDomains: false, outboundOnly: false },
            "fabrikam.com": { type: "InternalRelay", matchSubDomains: true, outboundOnly: true },
        });
        assert.ok(domainsConfigSchema.safeParse(r.domains).success);
    });

    it("leaves Microsoft's initial and coexistence domains out, with the reason, unless asked for or already declared", () => {
        const hybrid: TenantDomain[] = [
            ...TENANT,
            { domainName: "contoso.onmicrosoft.com", domainType: "Authoritative", matchSubDomains: false, outboundOnly: false },
            { domainName: "contoso.mail.onmicrosoft.com", domainType: "Authoritative", matchSubDomains: false, outboundOnly: false },
        ];
        const r = exportDomains(hybrid, {});
        assert.deepStrictEqual(Object.keys(r.domains).sort(), ["contoso.com", "fabrikam.com"]);
        const reasons = new Map(r.skipped.map((s) => [s.domain, s.reason]));
        assert.match(reasons.get("contoso.mail.onmicrosoft.com") ?? "", /coexistence domain, the routing address .*\(--include-microsoft-domains declares it anyway\)/);
        assert.match(reasons.get("contoso.onmicrosoft.com") ?? "", /initial domain/);
        assert.deepStrictEqual(Object.keys(exportDomains(hybrid, {}, { includeMicrosoftDomains: true }).domains).sort(), ["contoso.com", "contoso.mail.onmicrosoft.com", "contoso.onmicrosoft.com", "fabrikam.com"]);
        assert.ok("contoso.onmicrosoft.com" in exportDomains(hybrid, { "contoso.onmicrosoft.com": { type: "Authoritative" } }).domains, "a declared one stays declared");
        assert.ok("contoso.onmicrosoft.com" in exportDomains(hybrid, {}, { only: ["contoso.onmicrosoft.com"] }).domains, "--domain names it");
        assert.deepStrictEqual(parseExportArgs(["--include-microsoft-domains"], "/p").includeMicrosoftDomains, true);
    });

    it("skips ExternalRelay with the reason (Exchange Online can't set it)", () => {
        const r = exportDomains(TENANT, {});
        assert.strictEqual(r.skipped.length, 1);
        assert.strictEqual(r.skipped[0].domain, "legacy.example");
        assert.match(r.skipped[0].reason, /ExternalRelay/);
    });

    it("keeps local-only fields and the key as declared (Contoso.COM)", () => {
        const r = exportDomains(TENANT, { "Contoso.COM": { type: "InternalRelay", directorySynced: true, onDelete: "restore" } });
        assert.deepStrictEqual(r.domains["Contoso.COM"], { type: "Authoritative", matchSubDomains: false, outboundOnly: false, directorySynced: true, onDelete: "restore" });
        assert.strictEqual(r.domains["contoso.com"], undefined);
    });

    it("--domain exports one domain and keeps the other declarations", () => {
        const r = exportDomains(TENANT, { "other.example": { type: "InternalRelay" } }, { only: ["FABRIKAM.com."] });
        assert.deepStrictEqual(Object.keys(r.domains).sort(), ["fabrikam.com", "other.example"]);
    });

    it("--domain of a domain the tenant lacks fails, naming it and what the tenant has", () => {
        assert.throws(() => exportDomains(TENANT, {}, { only: ["nope.example"] }), /nope\.example is not an accepted domain.*contoso\.com/);
    });

    it("the set-all payload keeps booleans typed", () => {
        const j = JSON.parse(domainsConfigJson({ "a.example": { type: "InternalRelay", matchSubDomains: true } }));
        assert.strictEqual(j["exchange:domains"].objectValue["a.example"].matchSubDomains, true);
        assert.strictEqual(j["exchange:domains"].secret, false);
    });
});

describe("tool arguments", () => {
    it("drift-report: formats, stack and cwd", () => {
        assert.deepStrictEqual(parseReportArgs(["--json", "--stack", "prod", "--cwd", "sub"], "/p"), { workDir: "/p/sub", stack: "prod", format: "json" });
        assert.strictEqual(parseReportArgs([], "/p").format, "table");
    });

    it("drift-report: refuses unknown flags, a missing value and two formats", () => {
        assert.throws(() => parseReportArgs(["--yaml"], "/p"), /unknown argument "--yaml"; usage/);
        assert.throws(() => parseReportArgs(["--stack"], "/p"), /--stack needs a value/);
        assert.throws(() => parseReportArgs(["--json", "--markdown"], "/p"), /exclude each other/);
    });

    it("export: repeated --domain and --dry-run", () => {
        assert.deepStrictEqual(parseExportArgs(["-d", "a.example", "--domain", "b.example", "--dry-run"], "/p"), { workDir: "/p", only: ["a.example", "b.example"], dryRun: true, includeMicrosoftDomains: false });
    });

    it("export: the shared --stack/--cwd, and errors with its own usage", () => {
        assert.deepStrictEqual(parseExportArgs(["-s", "prod", "-C", "/q"], "/p"), { workDir: "/q", stack: "prod", only: [], dryRun: false, includeMicrosoftDomains: false });
        assert.throws(() => parseExportArgs(["--json"], "/p"), /unknown argument "--json"; usage: export-domains/);
        assert.throws(() => parseExportArgs(["--domain", "--dry-run"], "/p"), /--domain needs a value; usage: export-domains/);
    });
});

describe("the project's CLI helpers", () => {
    it("finds the repository root from the sources", () => {
        assert.ok(require("fs").existsSync(`${projectRoot()}/scripts/pulumi`));
    });
});
