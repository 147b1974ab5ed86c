import * as assert from "node:assert/strict";
import { hybridAdvice } from "../../../components/hybrid-advice";
import { hybridPolicies } from "../../../policies/hybrid";
import { coexistence, domainProps, runPolicy } from "./util";

const rule = (name: string) => {
    const p = hybridPolicies.find((x) => x.name === name);
    assert.ok(p, name);
    return p;
};

function only(violations: string[]): string {
    assert.equal(violations.length, 1, `expected one violation, got: ${JSON.stringify(violations)}`);
    return violations[0];
}

/** An InternalRelay contoso.com routed on-premises by one connector. */
const relayed = (over: Record<string, unknown> = {}, signals: Record<string, unknown> = {}) =>
    domainProps({ domainType: "InternalRelay", coexistence: coexistence({ onPremisesConnectors: ["To on-premises"], ...signals }), ...over });

describe("hybrid rules", () => {
    it("are advisory by the pack's default", () => {
        assert.deepEqual(
            hybridPolicies.map((p) => p.name),
            ["internal-relay-routed-on-premises", "match-subdomains-routed-on-premises", "accepted-domain-objects-unique"],
        );
        for (const p of hybridPolicies) {
            assert.equal(p.enforcementLevel, undefined, p.name);
            assert.match(p.description, /^Checks whether /, p.name);
        }
    });

    describe("#internal-relay-routed-on-premises", () => {
        const policy = rule("internal-relay-routed-on-premises");
        it("passes InternalRelay with an on-premises connector, and Authoritative without one", async () => {
            assert.deepEqual((await runPolicy(policy, relayed())).violations, []);
            assert.deepEqual((await runPolicy(policy, domainProps())).violations, []);
        });
        it("warns about InternalRelay with no route on-premises, with the loop and Microsoft's words", async () => {
            const message = only((await runPolicy(policy, relayed({}, { onPremisesConnectors: [] }))).violations);
            assert.match(message, /^contoso\.com is InternalRelay, but no enabled OnPremises outbound connector covers it/);
            assert.match(message, /5\.4\.14 Hop count exceeded - possible mail loop/);
            assert.match(message, /"Manage accepted domains in Exchange Online": for internal relay "you must create a connector/);
            assert.match(message, /Add the domain to the on-premises connector's RecipientDomains/);
        });
        it("leaves Microsoft's own domains to Microsoft", async () => {
            const run = await runPolicy(policy, relayed({ domainName: "contoso.mail.onmicrosoft.com" }, { onPremisesConnectors: [] }));
            assert.deepEqual(run.violations, []);
            assert.match(run.notApplicable ?? "", /Microsoft's own domain/);
        });
    });

    describe("#match-subdomains-routed-on-premises", () => {
        const policy = rule("match-subdomains-routed-on-premises");
        it("passes when a connector routes the subdomains", async () => {
            assert.deepEqual((await runPolicy(policy, relayed({ matchSubDomains: true }, { subdomainConnectors: ["To on-premises"] }))).violations, []);
            assert.deepEqual((await runPolicy(policy, relayed())).violations, [], "no matchSubDomains: nothing to route");
        });
        it("warns when no connector lists *.<domain>, naming the connector and the fix", async () => {
            const message = only((await runPolicy(policy, relayed({ matchSubDomains: true }))).violations);
            assert.match(message, /^contoso\.com matches subdomains, but its on-premises outbound connector "To on-premises" lists no "\*\.contoso\.com"/);
            assert.match(message, /"Enable mail flow for subdomains in Exchange Online"/);
            assert.match(message, /add "\*\.contoso\.com" to its RecipientDomains/);
        });
        it("says nothing when there is no route at all (the other rule says it)", async () => {
            assert.deepEqual((await runPolicy(policy, relayed({ matchSubDomains: true }, { onPremisesConnectors: [] }))).violations, []);
        });
    });

    describe("#accepted-domain-objects-unique", () => {
        const policy = rule("accepted-domain-objects-unique");
        it("names the other objects", async () => {
            assert.deepEqual((await runPolicy(policy, domainProps())).violations, []);
            const message = only((await runPolicy(policy, domainProps({ duplicates: ["contoso.com_RELOCNF_3f303621"] }))).violations);
            assert.match(message, /besides the one this stack manages there is "contoso\.com_RELOCNF_3f303621"/);
            assert.match(message, /Microsoft365DSC#2193/);
        });
    });

    it("hybridAdvice gives the drift report the same findings", () => {
        const d = { domainName: "contoso.com", domainType: "InternalRelay" as const, matchSubDomains: true, duplicates: ["x"], coexistence: { hybridDomain: true, onPremisesConnectors: [], subdomainConnectors: [], syncedRecipients: "not-read" as const } };
        assert.deepEqual(hybridAdvice(d).map((a) => a.rule), ["internal-relay-routed-on-premises", "accepted-domain-objects-unique"]);
        assert.deepEqual(hybridAdvice({ ...d, domainName: "contoso.mail.onmicrosoft.com" }).map((a) => a.rule), ["accepted-domain-objects-unique"]);
    });
});
