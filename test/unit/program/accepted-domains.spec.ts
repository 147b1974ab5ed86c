/**
 * The AcceptedDomains component under Pulumi's mocks: one AcceptedDomain per
 * declared domain, with the exported type token and normalised names.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ACCEPTED_DOMAIN_TYPE } from "../../../components/schema";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

describe("AcceptedDomains component", () => {
    const registered: Registered[] = [];

    before(() => {
        pulumi.runtime.setMocks(
            {
                newResource: (args) => {
                    registered.push({ type: args.type, name: args.name, inputs: args.inputs });
                    // Echo inputs as outputs, plus what create would record.
                    const original = { domainType: "Authoritative", matchSubDomains: false, outboundOnly: false };
                    return { id: String(args.inputs.domainName ?? args.name), state: { ...args.inputs, original } };
                },
                call: () => ({}),
            },
            "exchange-accepted-domains",
            "test",
        );
    });

    it("declares one AcceptedDomain per domain, with the type token and normalised names", async () => {
        const { AcceptedDomains } = await import("../../../components/accepted-domains");
        const c = new AcceptedDomains("domains", {
            domains: { "Contoso.COM.": { type: "Shared", directorySynced: true }, "fabrikam.com": { type: "InternalRelay", onDelete: "restore" } },
        });
        const summary = await new Promise<Record<string, unknown>>((resolve) => c.summary.apply(resolve));
        const domains = registered.filter((r) => r.type === ACCEPTED_DOMAIN_TYPE);
        assert.deepEqual(domains.map((d) => d.name).sort(), ["contoso.com", "fabrikam.com"]);
        const contoso = domains.find((d) => d.name === "contoso.com")!;
        assert.equal(contoso.inputs.domainName, "contoso.com");
        assert.equal(contoso.inputs.domainType, "Shared", "the KB name is passed as written; the provider's check normalises it");
        assert.equal(contoso.inputs.directorySynced, true);
        assert.ok(!JSON.stringify(contoso.inputs).includes("certificatePassword"), "no credential in resource inputs");
        assert.deepEqual(Object.keys(summary).sort(), ["contoso.com", "fabrikam.com"]);
        assert.equal((summary["contoso.com"] as { originalDomainType: string }).originalDomainType, "Authoritative");
    });

    it("refuses an invalid domain name with the key and the reason", async () => {
        const { AcceptedDomains } = await import("../../../components/accepted-domains");
        assert.throws(() => new AcceptedDomains("bad", { domains: { "*.contoso.com": { type: "Shared" } } }), /exchange:domains\.\*\.contoso\.com: .*wildcard/);
    });
});
