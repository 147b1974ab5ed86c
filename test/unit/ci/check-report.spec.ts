import { strict as assert } from "assert";
import { checkExitCode, previewOutlook, signalSummary, type ConnectionCheck, type DomainCheck } from "../../../scripts/check/report";
import type { LiveDomain } from "../../../components/exchange/tenant-reader";

const live = (domainName: string, domainType: "Authoritative" | "InternalRelay", more: Partial<LiveDomain> = {}): LiveDomain => ({
    identity: domainName,
    domainName,
    domainType,
    matchSubDomains: false,
    outboundOnly: false,
    duplicates: [],
    ambiguous: false,
    ...more,
});
const quiet = { hybridDomain: false, onPremisesConnectors: [], subdomainConnectors: [], syncedRecipients: "none" as const };

describe("check-connection: what a preview would show", () => {
    it("per domain, in Exchange words", () => {
        const cases: [DomainCheck, RegExp, boolean][] = [
            [{ domain: "contoso.com", live: live("contoso.com", "Authoritative"), declared: { type: "InternalRelay" }, signals: quiet }, /^up runs Set-AcceptedDomain: DomainType Authoritative -> InternalRelay$/, false],
            [{ domain: "a.com", live: live("a.com", "InternalRelay", { matchSubDomains: true }), declared: { type: "InternalRelay" }, signals: quiet }, /MatchSubDomains true -> false/, false],
            [{ domain: "a.com", live: live("a.com", "InternalRelay"), declared: { type: "InternalRelay" }, signals: quiet }, /^no change/, false],
            [{ domain: "gone.com", declared: { type: "InternalRelay" } }, /^preview fails: not an accepted domain/, true],
            [{ domain: "x.com", live: live("x.com", "Authoritative") }, /^not managed \(npm run export declares it\)$/, false],
            [{ domain: "contoso.onmicrosoft.com", live: live("contoso.onmicrosoft.com", "Authoritative") }, /Microsoft's initial domain/, false],
            [{ domain: "s.com", live: live("s.com", "InternalRelay"), declared: { type: "Authoritative" }, signals: { ...quiet, syncedRecipients: "found" } }, /^Set-AcceptedDomain DomainType InternalRelay -> Authoritative: refused by the policy pack and the provider \(coexistence signals: directory-synced recipients\)$/, true],
            [{ domain: "d.com", live: live("d.com", "InternalRelay", { ambiguous: true, duplicates: ["d.com_RELOCNF_1"], identity: "d.com2" }), declared: { type: "InternalRelay" }, signals: quiet }, /several accepted-domain objects .*d\.com2, d\.com_RELOCNF_1/, true],
        ];
        for (const [d, text, problem] of cases) {
            const o = previewOutlook(d);
            assert.match(o.text, text, d.domain);
            assert.equal(o.problem, problem, d.domain);
        }
    });

    it("signals in short, and what was not asked", () => {
        assert.equal(signalSummary(undefined), "(not read)");
        assert.equal(signalSummary({ ...quiet, hybridDomain: true, onPremisesConnectors: ["To on-prem"] }), 'hybrid domain; on-premises connector "To on-prem"');
        assert.match(signalSummary({ ...quiet, syncedRecipients: "not-read" }), /not asked: not Authoritative/);
    });

    it("exit code: 2 for a failed sign-in or read, 1 for a domain a preview would fail or refuse, else 0", () => {
        const base: ConnectionCheck = { stack: "s", organization: "o", signedInWith: "x", pwshPath: "pwsh", reads: [{ cmdlet: "Get-AcceptedDomain", purpose: "" }], domains: [] };
        assert.equal(checkExitCode(base), 0);
        assert.equal(checkExitCode({ ...base, domains: [{ domain: "gone.com", declared: { type: "InternalRelay" } }] }), 1);
        assert.equal(checkExitCode({ ...base, reads: [{ cmdlet: "Get-OutboundConnector", purpose: "", error: "denied" }] }), 2);
        assert.equal(checkExitCode({ ...base, error: "AADSTS700027" }), 2);
    });
});
