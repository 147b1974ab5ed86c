import * as assert from "node:assert/strict";
import {
    syncedDomainExemptionUsed,
    syncedDomainNotAuthoritative,
    syncedDomainNotAuthoritativeConfigSchema,
} from "../../../policies/coexistence";
import { clock } from "../../../policies/exemptions";
import { coexistence, domainProps, runPolicy, validateAgainstConfigSchema } from "./util";

const TODAY = "2025-06-15";

describe("#synced-domain-not-authoritative", () => {
    const policy = syncedDomainNotAuthoritative;
    const realToday = clock.today;
    before(() => {
        clock.today = () => TODAY;
    });
    after(() => {
        clock.today = realToday;
    });

    /** contoso.com, Authoritative, no signal anywhere: compliant. */
    function happyPath(): Record<string, unknown> {
        return domainProps();
    }

    function only(violations: string[]): string {
        assert.equal(violations.length, 1, `expected one violation, got: ${JSON.stringify(violations)}`);
        return violations[0];
    }

    it("is mandatory and has a config schema", () => {
        assert.equal(policy.enforcementLevel, "mandatory");
        assert.ok(policy.configSchema?.properties.syncedDomains);
        assert.ok(policy.configSchema?.properties.exemptions);
        assert.equal(policy.configSchema?.properties.enforcementLevel, undefined);
    });

    describe("compliant", () => {
        it("passes an Authoritative domain without signals", async () => {
            assert.deepEqual((await runPolicy(policy, happyPath())).violations, []);
        });

        it("passes an InternalRelay domain with every signal", async () => {
            const props = domainProps({
                domainType: "InternalRelay",
                directorySynced: true,
                coexistence: coexistence({
                    hybridDomain: true,
                    onPremisesConnectors: ["To on-premises"],
                    syncedRecipients: "found",
                    entra: { federated: true, syncedUsers: 3 },
                }),
            });
            assert.deepEqual((await runPolicy(policy, props, { syncedDomains: ["contoso.com"] })).violations, []);
        });

        it("passes Entra signals that are present but clear", async () => {
            const props = domainProps({ coexistence: coexistence({ entra: { federated: false, syncedUsers: 0 } }) });
            assert.deepEqual((await runPolicy(policy, props)).violations, []);
        });

        it("never demands InternalRelay for Microsoft's initial or coexistence domain, whatever its recipients' addresses say", async () => {
            for (const domainName of ["contoso.onmicrosoft.com", "contoso.mail.onmicrosoft.com"]) {
                const props = domainProps({ domainName, coexistence: coexistence({ hybridDomain: true, syncedRecipients: "found" }) });
                const run = await runPolicy(policy, props, { syncedDomains: ["*.onmicrosoft.com"] });
                assert.deepEqual(run.violations, [], domainName);
                assert.match(run.notApplicable ?? "", /stays Authoritative as Microsoft set it/, domainName);
            }
            // A customer domain that merely ends alike is still checked.
            const lookalike = domainProps({ domainName: "contoso-onmicrosoft.com", coexistence: coexistence({ syncedRecipients: "found" }) });
            assert.equal((await runPolicy(policy, lookalike)).violations.length, 1);
        });

        it("is not applicable to other resource types", async () => {
            const run = await runPolicy(policy, happyPath(), {}, { type: "azuread:index/user:User" });
            assert.deepEqual(run.violations, []);
            assert.match(run.notApplicable ?? "", /applies only to/);
        });
    });

    describe("each signal on its own", () => {
        const cases: { signal: string; props: Record<string, unknown>; config?: object; expect: RegExp }[] = [
            { signal: "declared in the stack", props: domainProps({ directorySynced: true }), expect: /stack declares directorySynced: true/ },
            {
                signal: "policy config syncedDomains",
                props: happyPath(),
                config: { syncedDomains: ["contoso.com"] },
                expect: /policy config syncedDomains lists "contoso.com"/,
            },
            {
                signal: "tenant hybrid domain",
                props: domainProps({ coexistence: coexistence({ hybridDomain: true }) }),
                expect: /hybrid domain of the on-premises organization/,
            },
            {
                signal: "tenant on-premises connector",
                props: domainProps({ coexistence: coexistence({ onPremisesConnectors: ["Outbound to Contoso"] }) }),
                expect: /outbound connector "Outbound to Contoso"/,
            },
            {
                signal: "tenant synced recipients",
                props: domainProps({ coexistence: coexistence({ syncedRecipients: "found" }) }),
                expect: /tenant has directory-synced recipients with addresses in it \(Get-EXORecipient -Filter IsDirSynced\)/,
            },
            {
                signal: "Entra federated",
                props: domainProps({ coexistence: coexistence({ entra: { federated: true, syncedUsers: 0 } }) }),
                expect: /Entra ID shows it as a federated domain/,
            },
            {
                signal: "Entra synced users",
                props: domainProps({ coexistence: coexistence({ entra: { federated: false, syncedUsers: 7 } }) }),
                expect: /Entra ID has 7 users in it synced from on-premises/,
            },
        ];
        for (const c of cases) {
            it(`refuses Authoritative on ${c.signal}`, async () => {
                const message = only((await runPolicy(policy, c.props, c.config ?? {})).violations);
                assert.match(message, c.expect);
                assert.match(message, /^contoso\.com is directory-synced \(signals: /);
                assert.match(message, /must not be Authoritative/);
                assert.match(message, /550 5\.1\.10/);
                assert.match(message, /Recipient not found/);
                assert.match(message, /on-premises recipients/);
                assert.match(message, /set domainType to "InternalRelay" \(formerly "Shared"\)/);
            });
        }

        it("names every signal that fired, in one message", async () => {
            const props = domainProps({
                directorySynced: true,
                coexistence: coexistence({ hybridDomain: true, onPremisesConnectors: ["A", "B"], syncedRecipients: "found" }),
            });
            const message = only((await runPolicy(policy, props, { syncedDomains: ["CONTOSO.COM."] })).violations);
            for (const text of [
                "stack declares directorySynced",
                'syncedDomains lists "CONTOSO.COM."',
                "hybrid domain",
                'outbound connector "A", "B"',
                "has directory-synced recipients",
            ]) {
                assert.ok(message.includes(text), `missing "${text}" in: ${message}`);
            }
        });
    });

    describe("config syncedDomains matching", () => {
        const matches = async (pattern: string, domainName: string) =>
            (await runPolicy(policy, domainProps({ domainName }), { syncedDomains: [pattern] })).violations.length === 1;

        it("ignores case and a trailing dot", async () => {
            assert.equal(await matches("Contoso.COM.", "contoso.com"), true);
        });
        it("matches a subdomain with *.", async () => {
            assert.equal(await matches("*.contoso.com", "eu.contoso.com"), true);
            assert.equal(await matches("*.contoso.com", "a.eu.contoso.com"), true);
        });
        it("does not match the apex with *.", async () => {
            assert.equal(await matches("*.contoso.com", "contoso.com"), false);
        });
        it("does not match a lookalike suffix", async () => {
            assert.equal(await matches("*.contoso.com", "notcontoso.com"), false);
            assert.equal(await matches("contoso.com", "eu.contoso.com"), false);
        });
    });

    describe("exemptions", () => {
        const signalled = () => domainProps({ coexistence: coexistence({ hybridDomain: true }) });
        const valid = { domain: "contoso.com", reason: "cut-over weekend", approvedBy: "mail-team@contoso.com", expires: "2025-06-30" };

        it("a valid exemption lets the domain pass and leaves a trace", async () => {
            const run = await runPolicy(policy, signalled(), { exemptions: [valid] });
            assert.deepEqual(run.violations, []);
            assert.match(run.notApplicable ?? "", /exempt until 2025-06-30, approved by mail-team@contoso\.com: cut-over weekend/);
        });

        it("a used exemption is reported visibly by synced-domain-exemption-used, the rule after it", async () => {
            await runPolicy(policy, signalled(), { exemptions: [valid] });
            const message = only((await runPolicy(syncedDomainExemptionUsed, signalled())).violations);
            assert.match(message, /^contoso\.com passes synced-domain-not-authoritative only by its exemption, approved by mail-team@contoso\.com, valid until 2025-06-30: cut-over weekend\./);
            assert.match(message, /despite coexistence signals \(tenant lists it as a hybrid domain/);
            // Once: the next resource (or run) without an exemption gets nothing.
            const again = await runPolicy(syncedDomainExemptionUsed, signalled());
            assert.deepEqual(again.violations, []);
            assert.equal(syncedDomainExemptionUsed.enforcementLevel, undefined, "advisory, by the pack's default");
        });

        it("counts on its expiry day", async () => {
            const run = await runPolicy(policy, signalled(), { exemptions: [{ ...valid, expires: TODAY }] });
            assert.deepEqual(run.violations, []);
        });

        it("an expired exemption does not count and says so", async () => {
            const message = only((await runPolicy(policy, signalled(), { exemptions: [{ ...valid, expires: "2025-06-14" }] })).violations);
            assert.match(message, /The exemption for contoso\.com does not count: it expired on 2025-06-14 \(today is 2025-06-15\)/);
        });

        for (const field of ["reason", "approvedBy", "expires"] as const) {
            it(`an exemption without ${field} does not count and names it`, async () => {
                const { [field]: _dropped, ...incomplete } = valid;
                const message = only((await runPolicy(policy, signalled(), { exemptions: [incomplete] })).violations);
                assert.match(message, new RegExp(`is incomplete \\(missing ${field}\\)`));
            });
        }

        it("a blank field counts as missing", async () => {
            const message = only((await runPolicy(policy, signalled(), { exemptions: [{ ...valid, approvedBy: "  " }] })).violations);
            assert.match(message, /missing approvedBy/);
        });

        it("an impossible date does not count", async () => {
            const message = only((await runPolicy(policy, signalled(), { exemptions: [{ ...valid, expires: "2025-02-30" }] })).violations);
            assert.match(message, /expires "2025-02-30", which is not a date in YYYY-MM-DD form/);
        });

        it("an exemption for another domain does not apply", async () => {
            const message = only((await runPolicy(policy, signalled(), { exemptions: [{ ...valid, domain: "fabrikam.com" }] })).violations);
            assert.doesNotMatch(message, /exemption/);
        });

        it("one valid exemption among broken ones counts", async () => {
            const run = await runPolicy(policy, signalled(), { exemptions: [{ ...valid, expires: "2020-01-01" }, { ...valid, domain: "CONTOSO.com." }] });
            assert.deepEqual(run.violations, []);
        });
    });

    describe("props it cannot read", () => {
        it("refuses props without tenant signals", async () => {
            const props = happyPath();
            delete props.coexistence;
            const message = only((await runPolicy(policy, props, {}, { name: "contoso" })).violations);
            assert.match(message, /^AcceptedDomain contoso cannot be checked, so it is refused/);
            assert.match(message, /coexistence is missing/);
        });

        it("refuses a domainType it does not know, even if not Authoritative", async () => {
            const message = only((await runPolicy(policy, domainProps({ domainType: "ExternalRelay" }))).violations);
            assert.match(message, /domainType is "ExternalRelay"/);
        });

        it("refuses a synced-recipient answer it does not know (an old count)", async () => {
            const message = only((await runPolicy(policy, domainProps({ coexistence: coexistence({ syncedRecipients: 3 }) }))).violations);
            assert.match(message, /coexistence\.syncedRecipients is 3/);
        });

        it("fails closed when the synced recipients of an Authoritative domain were not read", async () => {
            const message = only((await runPolicy(policy, domainProps({ coexistence: coexistence({ syncedRecipients: "not-read" }) }))).violations);
            assert.match(message, /cannot be checked, so it is refused/);
            assert.match(message, /syncedRecipients is "not-read" on an Authoritative domain/);
            // InternalRelay needs no recipient read at all.
            const relay = domainProps({ domainType: "InternalRelay", coexistence: coexistence({ syncedRecipients: "not-read" }) });
            assert.deepEqual((await runPolicy(policy, relay)).violations, []);
        });

        it("refuses an uppercase domainName the provider's check would have normalised", async () => {
            const message = only((await runPolicy(policy, domainProps({ domainName: "Contoso.com" }))).violations);
            assert.match(message, /domainName is "Contoso.com"/);
        });

        it("leaves an unknown value to the SDK's preview handling instead of passing", async () => {
            // The SDK's sentinel for an unknown boolean (@pulumi/policy proxy.ts, unknownBooleanValue).
            const props = domainProps({ coexistence: coexistence({ hybridDomain: "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7" }) });
            const run = await runPolicy(policy, props);
            assert.deepEqual(run.violations, []);
            assert.match(run.unknownAtPreview ?? "", /coexistence\.hybridDomain can't be known during preview/);
        });
    });

    describe("config schema", () => {
        const schema = policy.configSchema;
        it("accepts an empty config and a full one", () => {
            assert.equal(validateAgainstConfigSchema(schema, {}), true);
            assert.equal(
                validateAgainstConfigSchema(schema, {
                    syncedDomains: ["contoso.com", "*.fabrikam.com", "Tailspin.COM."],
                    exemptions: [{ domain: "contoso.com", reason: "r", approvedBy: "a", expires: "2030-01-01" }],
                }),
                true,
            );
        });
        it("accepts an incomplete exemption, so the rule can say what is missing", () => {
            assert.equal(validateAgainstConfigSchema(schema, { exemptions: [{ domain: "contoso.com" }] }), true);
        });
        it("rejects a syncedDomains entry that is not a domain", () => {
            assert.equal(validateAgainstConfigSchema(schema, { syncedDomains: ["contoso"] }), false);
            assert.equal(validateAgainstConfigSchema(schema, { syncedDomains: ["*contoso.com"] }), false);
            assert.equal(validateAgainstConfigSchema(schema, { syncedDomains: "contoso.com" }), false);
        });
        it("rejects an exemption without domain or with a misspelt key", () => {
            assert.equal(validateAgainstConfigSchema(schema, { exemptions: [{ reason: "r" }] }), false);
            assert.equal(validateAgainstConfigSchema(schema, { exemptions: [{ domain: "contoso.com", approvedby: "a" }] }), false);
        });
        it("declares defaults the engine fills in", () => {
            assert.deepEqual(schema?.properties.syncedDomains, { ...schema?.properties.syncedDomains, default: [] });
            assert.deepEqual(syncedDomainNotAuthoritativeConfigSchema.parse({}), { syncedDomains: [], exemptions: [] });
        });
        it("fails loudly on a config the CLI did not validate", async () => {
            await assert.rejects(runPolicy(policy, happyPath(), { syncedDomains: ["not a domain"] }), /synced-domain-not-authoritative\.syncedDomains\.0 = "not a domain"/);
        });
    });
});
