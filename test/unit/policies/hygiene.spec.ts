import * as assert from "node:assert/strict";
import {
    acceptedDomainDeclaredOnce,
    matchSubDomainsRequiresInternalRelay,
    microsoftDomainsUnmanaged,
    outboundOnlyNotAuthoritative,
    restoreNotWithSignals,
    stackManagesAcceptedDomains,
    hygienePolicies,
} from "../../../policies/hygiene";
import { coexistence, domainProps, runPolicy, runStackPolicy } from "./util";

/** An Authoritative contoso.com with no signal and no optional setting: no advisory applies. */
function happyPath(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return domainProps(overrides);
}

function only(violations: string[]): string {
    assert.equal(violations.length, 1, `expected one violation, got: ${JSON.stringify(violations)}`);
    return violations[0];
}

describe("hygiene rules", () => {
    it("are advisory by the pack's default (no level of their own)", () => {
        for (const policy of hygienePolicies) {
            assert.equal(policy.enforcementLevel, undefined, policy.name);
            assert.match(policy.description, /^Checks whether /, policy.name);
        }
    });

    it("skip props that do not parse (the mandatory rule reports them)", async () => {
        const props = happyPath({ matchSubDomains: "yes" });
        const run = await runPolicy(matchSubDomainsRequiresInternalRelay, props);
        assert.deepEqual(run.violations, []);
        assert.match(run.notApplicable ?? "", /synced-domain-not-authoritative reports them/);
    });
});

describe("#match-subdomains-requires-internal-relay", () => {
    const policy = matchSubDomainsRequiresInternalRelay;
    it("passes the happy path", async () => {
        assert.deepEqual((await runPolicy(policy, happyPath())).violations, []);
    });
    it("passes matchSubDomains on InternalRelay", async () => {
        assert.deepEqual((await runPolicy(policy, happyPath({ domainType: "InternalRelay", matchSubDomains: true }))).violations, []);
    });
    it("flags matchSubDomains on Authoritative", async () => {
        const message = only((await runPolicy(policy, happyPath({ matchSubDomains: true }))).violations);
        assert.match(message, /^contoso\.com must not have matchSubDomains while it is Authoritative/);
        assert.match(message, /set domainType to "InternalRelay" or matchSubDomains to false/);
    });
});

describe("#microsoft-domains-unmanaged", () => {
    const policy = microsoftDomainsUnmanaged;
    it("passes a custom domain", async () => {
        assert.deepEqual((await runPolicy(policy, happyPath())).violations, []);
    });
    it("flags the coexistence domain even when left as Microsoft set it", async () => {
        const message = only((await runPolicy(policy, happyPath({ domainName: "contoso.mail.onmicrosoft.com" }))).violations);
        assert.match(message, /^contoso\.mail\.onmicrosoft\.com must stay as Microsoft set it/);
        assert.match(message, /coexistence domain/);
        assert.doesNotMatch(message, /would change it/);
        assert.match(message, /Remove it from the stack/);
    });
    it("names what the stack would change on the coexistence domain", async () => {
        const props = happyPath({ domainName: "contoso.mail.onmicrosoft.com", domainType: "InternalRelay" });
        const message = only((await runPolicy(policy, props)).violations);
        assert.match(message, /would change it \(domainType "Authoritative" -> "InternalRelay"\)/);
    });
    it("flags the initial domain", async () => {
        const message = only((await runPolicy(policy, happyPath({ domainName: "contoso.onmicrosoft.com", outboundOnly: true }))).violations);
        assert.match(message, /initial domain/);
        assert.match(message, /outboundOnly false -> true/);
    });
    it("does not flag a lookalike domain", async () => {
        assert.deepEqual((await runPolicy(policy, happyPath({ domainName: "onmicrosoft.com.contoso.com" }))).violations, []);
    });
});

describe("#outbound-only-not-authoritative", () => {
    const policy = outboundOnlyNotAuthoritative;
    it("passes the happy path", async () => {
        assert.deepEqual((await runPolicy(policy, happyPath())).violations, []);
    });
    it("passes outboundOnly on InternalRelay", async () => {
        assert.deepEqual((await runPolicy(policy, happyPath({ domainType: "InternalRelay", outboundOnly: true }))).violations, []);
    });
    it("flags outboundOnly on Authoritative", async () => {
        const message = only((await runPolicy(policy, happyPath({ outboundOnly: true }))).violations);
        assert.match(message, /^contoso\.com must not be outboundOnly while Authoritative/);
    });
});

describe("#restore-not-with-coexistence-signals", () => {
    const policy = restoreNotWithSignals;
    it("passes restore without signals", async () => {
        assert.deepEqual((await runPolicy(policy, happyPath({ onDelete: "restore" }))).violations, []);
    });
    it("passes retain with signals", async () => {
        assert.deepEqual((await runPolicy(policy, happyPath({ coexistence: coexistence({ hybridDomain: true }) }))).violations, []);
    });
    it("flags restore on a domain with a tenant signal, even while InternalRelay", async () => {
        const props = happyPath({ onDelete: "restore", domainType: "InternalRelay", coexistence: coexistence({ syncedRecipients: "found" }) });
        const message = only((await runPolicy(policy, props)).violations);
        assert.match(message, /^contoso\.com should not use onDelete "restore"/);
        assert.match(message, /has directory-synced recipients with addresses in it/);
        assert.match(message, /use onDelete "retain"/);
    });
});

describe("#stack-manages-accepted-domains", () => {
    const policy = stackManagesAcceptedDomains;
    it("passes a stack with one domain", async () => {
        assert.deepEqual((await runStackPolicy(policy, [{ name: "contoso", props: happyPath() }])).violations, []);
    });
    it("flags a stack without any accepted domain", async () => {
        const run = await runStackPolicy(policy, [{ type: "pulumi:pulumi:Stack", name: "stack", props: {} }]);
        assert.match(only(run.violations), /^This stack manages no accepted domain/);
    });
});

describe("#accepted-domain-declared-once", () => {
    const policy = acceptedDomainDeclaredOnce;
    it("passes distinct domains", async () => {
        const run = await runStackPolicy(policy, [
            { name: "contoso", props: happyPath() },
            { name: "fabrikam", props: happyPath({ domainName: "fabrikam.com" }) },
        ]);
        assert.deepEqual(run.violations, []);
    });
    it("flags two resources managing the same domain", async () => {
        const run = await runStackPolicy(policy, [
            { name: "contoso", props: happyPath() },
            { name: "contoso-again", props: happyPath({ domainName: "CONTOSO.com" }) },
        ]);
        assert.match(only(run.violations), /^contoso\.com must be declared once, but 2 resources manage it \(contoso, contoso-again\)/);
    });
});
