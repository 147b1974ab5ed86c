import { strict as assert } from "assert";
import { acceptedDomainRawInputsSchema, normalizeDomainName } from "../../../components/schema";

function reasons(input: unknown): { property: string; reason: string }[] {
    const r = acceptedDomainRawInputsSchema.safeParse(input);
    assert.equal(r.success, false, "expected a refusal");
    return r.error!.issues.map((i) => ({ property: i.path.join("."), reason: i.message }));
}

describe("AcceptedDomain inputs (check's validation)", () => {
    describe("#normalizeDomainName", () => {
        const OK: Array<[string, string]> = [
            ["contoso.com", "contoso.com"],
            ["Contoso.COM", "contoso.com"],
            ["contoso.com.", "contoso.com"],
            ["  contoso.com ", "contoso.com"],
            ["bücher.example", "xn--bcher-kva.example"],
            ["XN--BCHER-KVA.example", "xn--bcher-kva.example"],
        ];
        for (const [raw, expected] of OK) {
            it(`${JSON.stringify(raw)} -> ${expected}`, () => {
                assert.deepEqual(normalizeDomainName(raw), { ok: true, domain: expected });
            });
        }
        const REFUSED: Array<[string, RegExp]> = [
            ["", /empty/],
            ["admin@contoso.com", /email address.*domain part/],
            ["*.contoso.com", /wildcard.*matchSubDomains: true/],
            ["contoso", /not a valid domain name/],
            ["con toso.com", /contains a space \(U\+0020\) at position 4, which can't be part of a domain name/],
            ["contoso.com\u2019", /contains a right single quotation mark \(U\+2019\) at position 12/],
            ['"contoso.com"', /contains a double quote \(U\+0022\) at position 1/],
            ["conto\u200Bso.com", /contains a zero-width space \(U\+200B\)/],
            ["contoso.com\u0007", /contains the character \(U\+0007\)/],
            ["contoso\u00A0.com", /contains a no-break space \(U\+00A0\)/],
            ["-contoso.com", /not a valid domain name/],
            ["contoso.123", /not a valid domain name/],
            [`${"a".repeat(64)}.com`, /not a valid domain name/],
        ];
        for (const [raw, why] of REFUSED) {
            it(`refuses ${JSON.stringify(raw.length > 20 ? raw.slice(0, 20) + "…" : raw)}`, () => {
                const r = normalizeDomainName(raw);
                assert.equal(r.ok, false);
                assert.match((r as { reason: string }).reason, why);
            });
        }
    });

    describe("domain types", () => {
        const TYPES: Array<[string, string]> = [
            ["Authoritative", "Authoritative"],
            ["InternalRelay", "InternalRelay"],
            ["internalrelay", "InternalRelay"],
            ["Shared", "InternalRelay"],
            ["Hosted", "Authoritative"],
            ["shared", "InternalRelay"],
        ];
        for (const [written, canonical] of TYPES) {
            it(`${written} is ${canonical}`, () => {
                const r = acceptedDomainRawInputsSchema.parse({ domainName: "contoso.com", domainType: written });
                assert.equal(r.domainType, canonical);
            });
        }

        it("ExternalRelay is refused: why, and what to write", () => {
            const [f] = reasons({ domainName: "contoso.com", domainType: "ExternalRelay" });
            assert.equal(f.property, "domainType");
            assert.match(f.reason, /not available in Exchange Online/);
            assert.match(f.reason, /write InternalRelay/);
        });

        it("an unknown type lists the accepted names", () => {
            const [f] = reasons({ domainName: "contoso.com", domainType: "Relay" });
            assert.match(f.reason, /"Relay" is not a domain type.*Authoritative.*Hosted.*InternalRelay.*Shared/);
        });
    });

    it("MatchSubDomains on Authoritative is refused on the matchSubDomains property", () => {
        const [f] = reasons({ domainName: "contoso.com", domainType: "Hosted", matchSubDomains: true });
        assert.equal(f.property, "matchSubDomains");
        assert.match(f.reason, /only valid on an InternalRelay domain.*set domainType: InternalRelay/);
    });

    it("applies the documented defaults", () => {
        const r = acceptedDomainRawInputsSchema.parse({ domainName: "Contoso.com.", domainType: "Shared", __provider: "ignored" });
        assert.deepEqual(r, {
            domainName: "contoso.com",
            domainType: "InternalRelay",
            matchSubDomains: false,
            outboundOnly: false,
            directorySynced: false,
            onDelete: "retain",
        });
    });

    it("a bad onDelete names both choices", () => {
        const [f] = reasons({ domainName: "contoso.com", domainType: "Shared", onDelete: "remove" });
        assert.equal(f.property, "onDelete");
        assert.match(f.reason, /"retain".*"restore"/);
    });
});
