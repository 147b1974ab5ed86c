/**
 * The drift report's pure half: engine events + tenant -> rows, status, exit
 * code and renderings. Events are shaped like the Automation API's (see the
 * e2e spec for the same under the real engine).
 */
import * as assert from "assert";
import { step } from "./events";
import {
    buildReport,
    declaredDomains,
    errorReport,
    exitCode,
    liveFromDriftText,
    renderJson,
    renderMarkdown,
    renderTable,
    type TenantDomain,
} from "../../../scripts/drift/report";

const CONTOSO: TenantDomain = { domainName: "contoso.com", domainType: "InternalRelay", matchSubDomains: false, outboundOnly: false };
const FABRIKAM: TenantDomain = { domainName: "fabrikam.com", domainType: "InternalRelay", matchSubDomains: true, outboundOnly: false };
const INITIAL: TenantDomain = { domainName: "contoso.onmicrosoft.com", domainType: "Authoritative", matchSubDomains: false, outboundOnly: false };

function inputs(domain: string, settings: Partial<TenantDomain> = {}, drift: Record<string, string> = {}) {
    return { domainName: domain, domainType: "InternalRelay", matchSubDomains: false, outboundOnly: false, directorySynced: false, onDelete: "retain", drift, ...settings };
}


describe("drift report (pure)", () => {
    describe("declaredDomains", () => {
        it("takes the preview pass, not the refresh pass", () => {
            const events = [step("refresh", inputs("contoso.com", { domainType: "Authoritative" })), step("same", inputs("contoso.com"), inputs("contoso.com"))];
            const d = declaredDomains(events);
            assert.strictEqual(d.length, 1);
            assert.strictEqual(d[0].declared.domainType, "InternalRelay");
        });

        it("has no refreshed values for a domain not yet in the stack (create)", () => {
            const d = declaredDomains([step("create", inputs("contoso.com"), inputs("contoso.com", { domainType: "Authoritative" }))]);
            assert.strictEqual(d[0].refreshed, undefined);
        });
    });

    describe("liveFromDriftText", () => {
        it("types the live side like the declared value", () => {
            assert.strictEqual(liveFromDriftText("true -> false", false), true);
            assert.strictEqual(liveFromDriftText("Authoritative -> InternalRelay", "InternalRelay"), "Authoritative");
        });
    });

    describe("buildReport", () => {
        it("in sync: no rows, status in-sync, exit 0", () => {
            const r = buildReport("prod", [step("same", inputs("contoso.com"), inputs("contoso.com"))], [CONTOSO]);
            assert.deepStrictEqual(r.drift, []);
            assert.strictEqual(r.status, "in-sync");
            assert.strictEqual(exitCode(r), 0);
        });

        it("drifted (refreshed state): one row per property with both values, exit 1", () => {
            const live = inputs("fabrikam.com", { domainType: "Authoritative", outboundOnly: true });
            const r = buildReport("prod", [step("update", inputs("fabrikam.com"), live)], [{ ...FABRIKAM, domainType: "Authoritative", matchSubDomains: false, outboundOnly: true }]);
            assert.deepStrictEqual(r.drift, [
                { domain: "fabrikam.com", property: "domainType", exchangeProperty: "DomainType", declared: "InternalRelay", live: "Authoritative" },
                { domain: "fabrikam.com", property: "outboundOnly", exchangeProperty: "OutboundOnly", declared: false, live: true },
            ]);
            assert.strictEqual(r.status, "drift");
            assert.strictEqual(r.summary.drifted, 1);
            assert.strictEqual(exitCode(r), 1);
        });

        it("drifted, domain not yet in the stack: live values from the provider's check", () => {
            const r = buildReport("prod", [step("create", inputs("fabrikam.com", {}, { matchSubDomains: "true -> false" }))], [FABRIKAM]);
            assert.deepStrictEqual(r.drift.map((d) => [d.property, d.declared, d.live]), [["matchSubDomains", false, true]]);
        });

        it("a declared domain absent from the tenant is missing, and drift", () => {
            const r = buildReport("prod", [step("create", inputs("gone.example"))], [CONTOSO]);
            assert.deepStrictEqual(r.missing, [{ domain: "gone.example" }]);
            assert.strictEqual(r.status, "drift");
        });

        it("lists undeclared tenant domains as unmanaged without counting them as drift", () => {
            const r = buildReport("prod", [step("same", inputs("contoso.com"), inputs("contoso.com"))], [CONTOSO, INITIAL]);
            assert.deepStrictEqual(r.unmanaged, [{ domain: "contoso.onmicrosoft.com", domainType: "Authoritative", matchSubDomains: false, outboundOnly: false }]);
            assert.strictEqual(r.status, "in-sync");
        });
    });

    describe("advisories", () => {
        const checked = (domain: string, over: Record<string, unknown> = {}) => ({
            ...inputs(domain),
            coexistence: { hybridDomain: true, onPremisesConnectors: [], subdomainConnectors: [], syncedRecipients: "not-read" },
            duplicates: [],
            ...over,
        });

        it("lists the hybrid findings of the checked inputs, without changing the status", () => {
            const r = buildReport("prod", [step("same", checked("contoso.com"), inputs("contoso.com"))], [CONTOSO]);
            assert.strictEqual(r.status, "in-sync");
            assert.deepStrictEqual(r.advisories.map((a) => [a.domain, a.rule]), [["contoso.com", "internal-relay-routed-on-premises"]]);
            assert.strictEqual(r.summary.advisories, 1);
            assert.match(renderTable(r), /advisories[\s\S]*\[internal-relay-routed-on-premises\] contoso\.com is InternalRelay, but no enabled OnPremises outbound connector/);
            assert.match(renderMarkdown(r), /- `internal-relay-routed-on-premises`: contoso\.com is InternalRelay/);
        });

        it("none for a domain routed on-premises, or inputs without the facts (an older provider)", () => {
            const routed = checked("contoso.com", { coexistence: { hybridDomain: true, onPremisesConnectors: ["To on-premises"], subdomainConnectors: [], syncedRecipients: "not-read" } });
            assert.deepStrictEqual(buildReport("prod", [step("same", routed, inputs("contoso.com"))], [CONTOSO]).advisories, []);
            assert.deepStrictEqual(buildReport("prod", [step("same", inputs("contoso.com"), inputs("contoso.com"))], [CONTOSO]).advisories, []);
        });
    });

    describe("exemptions", () => {
        it("lists each domain's authoritativeDespiteCoexistence with approver and expiry, expired ones marked", () => {
            const withOverride = (domain: string, expires: string) => ({
                ...inputs(domain, { domainType: "Authoritative" }),
                coexistence: { hybridDomain: true, onPremisesConnectors: [], subdomainConnectors: [], syncedRecipients: "found" },
                duplicates: [],
                authoritativeDespiteCoexistence: { reason: "moved", approvedBy: "ann@contoso.com", expires },
            });
            const r = buildReport("prod", [step("same", withOverride("contoso.com", "2999-12-31"), inputs("contoso.com")), step("same", withOverride("fabrikam.com", "2020-01-31"), inputs("fabrikam.com"))], [CONTOSO, FABRIKAM]);
            assert.deepStrictEqual(r.exemptions.map((e) => [e.domain, e.approvedBy, e.expires, e.expired]), [["contoso.com", "ann@contoso.com", "2999-12-31", false], ["fabrikam.com", "ann@contoso.com", "2020-01-31", true]]);
            assert.match(renderTable(r), /exemptions in use.*\n  contoso\.com: authoritativeDespiteCoexistence approved by ann@contoso\.com, valid until 2999-12-31: moved/);
            assert.match(renderTable(r), /fabrikam\.com: .*EXPIRED on 2020-01-31/);
        });
    });

    describe("errors", () => {
        it("an error report is neither in sync nor drift: exit 2", () => {
            const r = errorReport("prod", "could not read the tenant's accepted domains: AADSTS7000215");
            assert.strictEqual(exitCode(r), 2);
            assert.match(renderTable(r), /ERROR/);
            assert.doesNotMatch(renderTable(r), /in sync|DRIFT/);
            assert.strictEqual(JSON.parse(renderJson(r)).status, "error");
            assert.match(renderMarkdown(r), /failed/);
        });
    });

    describe("renderings", () => {
        const r = buildReport("prod", [step("update", inputs("fabrikam.com"), inputs("fabrikam.com", { matchSubDomains: true }))], [FABRIKAM, INITIAL]);

        it("table: a row with domain, property, declared and live", () => {
            assert.match(renderTable(r), /^fabrikam\.com\s+matchSubDomains\s+false\s+true$/m);
            assert.match(renderTable(r), /unmanaged[\s\S]*contoso\.onmicrosoft\.com\s+Authoritative/);
        });

        it("JSON: the documented schema, version 1", () => {
            const j = JSON.parse(renderJson(r));
            assert.deepStrictEqual(Object.keys(j).sort(), ["advisories", "drift", "exemptions", "missing", "outages", "plan", "schemaVersion", "stack", "status", "summary", "unmanaged"]);
            assert.strictEqual(j.schemaVersion, 1);
            assert.deepStrictEqual(Object.keys(j.drift[0]).sort(), ["declared", "domain", "exchangeProperty", "live", "property"]);
        });

        it("markdown: a table row, and markdown in values is escaped", () => {
            assert.match(renderMarkdown(r), /\| fabrikam\.com \| matchSubDomains \| false \| true \|/);
            const hostile = buildReport("p|r", [], [{ ...INITIAL, domainType: "a|b" }]);
            assert.match(renderMarkdown(hostile), /a\\\|b/);
        });
    });
});
