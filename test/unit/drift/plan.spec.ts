/** The plan in Exchange words and the outage call-out, from engine events shaped like the Automation API's. */
import * as assert from "assert";
import { step } from "./events";
import { outages, planLine, planSteps } from "../../../scripts/drift/plan";

const NO_SIGNALS = { hybridDomain: false, onPremisesConnectors: [], subdomainConnectors: [], syncedRecipients: "none" };
const HYBRID = { ...NO_SIGNALS, hybridDomain: true };

function inputs(domain: string, over: Record<string, unknown> = {}) {
    return { domainName: domain, domainType: "InternalRelay", matchSubDomains: false, outboundOnly: false, directorySynced: false, onDelete: "retain", coexistence: NO_SIGNALS, drift: {}, duplicates: [], ...over };
}


describe("drift plan (pure)", () => {
    it("says per domain what up would do, in Exchange words", () => {
        const original = { domainType: "Authoritative", matchSubDomains: false, outboundOnly: false };
        const steps = planSteps([
            step("create", inputs("a.example")),
            step("create", inputs("b.example", { drift: { domainType: "Authoritative -> InternalRelay" } })),
            step("same", inputs("c.example")),
            step("update", inputs("d.example", { drift: { matchSubDomains: "false -> true" }, matchSubDomains: true })),
            step("delete", undefined, { ...inputs("e.example"), identity: "e.example", original }),
            step("delete", undefined, { ...inputs("f.example", { onDelete: "restore", coexistence: HYBRID }), identity: "f.example", original }),
            step("update", inputs("g.example", { domainType: "Authoritative", coexistence: HYBRID, drift: { domainType: "InternalRelay -> Authoritative" } })),
        ]);
        assert.deepStrictEqual(
            steps.map((p) => [p.domain, planLine(p)]),
            [
                ["a.example", "adopt, no change"],
                ["b.example", "adopt, then Set-AcceptedDomain DomainType Authoritative → InternalRelay"],
                ["c.example", "no change"],
                ["d.example", "Set-AcceptedDomain MatchSubDomains false → true"],
                ["e.example", "stop managing, left as it is (onDelete: retain)"],
                ["f.example", "restore to Authoritative (Set-AcceptedDomain back to the settings recorded at adoption) (refused: coexistence signals hold (KB 2510049); up fails and leaves it as it is)"],
                ["g.example", "Set-AcceptedDomain DomainType InternalRelay → Authoritative (refused: coexistence signals hold (KB 2510049); up fails and sends no Set)"],
            ],
        );
    });

    it("an outage is an Authoritative domain with coexistence signals, declared or not; Microsoft's own domains are none", () => {
        const facts = { hybridDomains: ["undeclared.example"], onPremisesConnectors: [{ name: "To on-premises", recipientDomains: ["*.sub.example"], allAcceptedDomains: false }] };
        const found = outages(
            [
                { domainName: "declared.example", domainType: "Authoritative" },
                { domainName: "undeclared.example", domainType: "Authoritative" },
                { domainName: "x.sub.example", domainType: "Authoritative" },
                { domainName: "relay.example", domainType: "InternalRelay" },
                { domainName: "quiet.example", domainType: "Authoritative" },
                { domainName: "contoso.mail.onmicrosoft.com", domainType: "Authoritative" },
            ],
            facts,
            new Map([["declared.example", ["tenant has directory-synced recipients with addresses in it (Get-EXORecipient -Filter IsDirSynced)"]], ["relay.example", ["x"]]]),
        );
        assert.deepStrictEqual(found.map((o) => [o.domain, o.declared]), [["declared.example", true], ["undeclared.example", false], ["x.sub.example", false]]);
        assert.match(found[0].message, /rejecting mail to on-premises recipients of declared\.example now .*directory-synced recipients/);
        assert.match(found[1].message, /by declaring it in exchange:domains/);
        assert.match(found[2].message, /outbound connector "To on-premises"/);
    });
});
