import { strict as assert } from "assert";
import { changedSettings, decideDiff, driftOf } from "../../../components/exchange/diff";
import type { AcceptedDomainInputs } from "../../../components/schema";

/** Declared state for contoso.com (the KB fix: InternalRelay). */
function desired(over: Partial<AcceptedDomainInputs> = {}): AcceptedDomainInputs {
    return {
        domainName: "contoso.com",
        domainType: "InternalRelay",
        matchSubDomains: false,
        outboundOnly: false,
        directorySynced: true,
        onDelete: "retain",
        coexistence: { hybridDomain: true, onPremisesConnectors: [], subdomainConnectors: [], syncedRecipients: "found" },
        drift: {},
        duplicates: [],
        ...over,
    };
}
const live = (over: Partial<{ domainType: string; matchSubDomains: boolean; outboundOnly: boolean }> = {}) => ({
    domainType: "InternalRelay",
    matchSubDomains: false,
    outboundOnly: false,
    ...over,
});

describe("diff (desired vs live)", () => {
    describe("in the desired state", () => {
        it("reports no changes, so no Set is issued", () => {
            assert.deepEqual(decideDiff(desired(), desired(), live()), { changes: false, replaces: [], changed: [] });
            assert.deepEqual(changedSettings(desired(), live()), {});
            assert.deepEqual(driftOf(desired(), live()), {});
        });
    });

    describe("drifted out of band (live Authoritative, declared InternalRelay)", () => {
        it("is an update of domainType only", () => {
            const d = decideDiff(desired(), desired(), live({ domainType: "Authoritative" }));
            assert.deepEqual(d, { changes: true, replaces: [], changed: ["domainType"] });
        });
        it("Sets only domainType", () => {
            assert.deepEqual(changedSettings(desired(), live({ domainType: "Authoritative" })), { domainType: "InternalRelay" });
        });
        it("drift names the property, live and declared values", () => {
            assert.deepEqual(driftOf(desired(), live({ domainType: "Authoritative" })), { domainType: "Authoritative -> InternalRelay" });
        });
    });

    describe("several properties differ", () => {
        it("lists each one", () => {
            const d = decideDiff(desired(), desired({ matchSubDomains: true }), live({ outboundOnly: true }));
            assert.deepEqual(d.changed.sort(), ["matchSubDomains", "outboundOnly"]);
            assert.deepEqual(changedSettings(desired({ matchSubDomains: true }), live({ outboundOnly: true })), { matchSubDomains: true, outboundOnly: false });
        });
    });

    describe("a different domain name", () => {
        it("is a replacement", () => {
            const d = decideDiff(desired(), desired({ domainName: "fabrikam.com" }), undefined);
            assert.deepEqual(d.replaces, ["domainName"]);
            assert.equal(d.changes, true);
        });
    });

    describe("local-only inputs", () => {
        it("a new onDelete is an update (delete reads it from the outputs)", () => {
            assert.equal(decideDiff(desired(), desired({ onDelete: "restore" }), live()).changes, true);
        });
        it("coexistence and drift alone are not changes", () => {
            const news = desired({ coexistence: { hybridDomain: false, onPremisesConnectors: ["x"], subdomainConnectors: [], syncedRecipients: "none" }, drift: { a: "b" } });
            assert.equal(decideDiff(desired(), news, live()).changes, false);
        });
    });

    describe("the domain is missing in the tenant", () => {
        it("reports a change (update then fails with the add-and-verify message)", () => {
            assert.deepEqual(decideDiff(desired(), desired(), undefined), { changes: true, replaces: [], changed: [] });
        });
    });
});
