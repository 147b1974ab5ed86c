/**
 * The policy pack end to end, under the real CLI with the project's program
 * against the emulated tenant: synced-domain-not-authoritative fires on each
 * coexistence signal on its own, honours valid exemptions and reports expired
 * ones, passes a compliant stack, blocks `up` before anything reaches the
 * tenant (the KB scenario reversed), validates its config and follows an
 * enforcement level override.
 *
 * One workspace for the whole table: each case sets the domain's config, the
 * tenant and the policy config, then runs the CLI (a policy-blocked preview costs
 * ~10 s).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    changeTenant,
    configureExchange,
    createWorkspace,
    journal,
    pulumi,
    removeWorkspace,
    RunResult,
    seedTenant,
    setConfig,
    tenant,
    TenantState,
    Workspace,
} from "./harness";

const PACK = "../../../policies";
const RULE_LINE = "[mandatory]  synced-domain-not-authoritative  (pulumi-nodejs:dynamic/exchange:AcceptedDomain: contoso.com)";
const ADVISORY_LINE = "[advisory]  synced-domain-not-authoritative  (pulumi-nodejs:dynamic/exchange:AcceptedDomain: contoso.com)";
const HYBRID_SIGNAL = "tenant lists it as a hybrid domain of the on-premises organization (Get-OnPremisesOrganization HybridDomains)";

/**
 * The KB demo tenant without any coexistence signal for contoso.com (fabrikam.com
 * keeps its own): not a hybrid domain, no on-premises connector for it, no
 * directory-synced recipient in it.
 */
function withoutContosoSignals(t: TenantState): void {
    for (const org of t.onPremisesOrganizations) org.hybridDomains = org.hybridDomains.filter((d) => d !== "contoso.com");
    for (const c of t.outboundConnectors) {
        c.recipientDomains = c.recipientDomains.filter((d) => d !== "contoso.com");
        c.allAcceptedDomains = false;
    }
    for (const r of t.recipients) if (r.primarySmtpAddress.endsWith("@contoso.com")) r.isDirSynced = false;
}

/** The signals listed in the violation for contoso.com, one phrase each. */
function signalsIn(output: string): string[] {
    const m = /contoso\.com is directory-synced \(signals: (.*)\) and must not be Authoritative/.exec(output);
    assert.ok(m, `violation message with signals:\n${output}`);
    return m[1].split("; ");
}

interface SignalCase {
    name: string;
    directorySynced: boolean;
    tenant?: (t: TenantState) => void;
    policyConfig?: object;
    signal: string;
}

const SIGNAL_CASES: SignalCase[] = [
    { name: "the stack declares directorySynced", directorySynced: true, signal: "stack declares directorySynced: true" },
    {
        name: "the policy config lists it in syncedDomains",
        directorySynced: false,
        policyConfig: { "synced-domain-not-authoritative": { syncedDomains: ["Contoso.com."] } },
        signal: 'policy config syncedDomains lists "Contoso.com."',
    },
    {
        name: "the tenant lists it as a hybrid domain",
        directorySynced: false,
        tenant: (t) => t.onPremisesOrganizations[0].hybridDomains.push("contoso.com"),
        signal: HYBRID_SIGNAL,
    },
    {
        name: "an on-premises outbound connector routes it",
        directorySynced: false,
        tenant: (t) => t.outboundConnectors[0].recipientDomains.push("contoso.com"),
        signal: 'tenant routes it to on-premises through outbound connector "Outbound to Contoso On-Premises" (ConnectorType OnPremises, RecipientDomains or AllAcceptedDomains)',
    },
    {
        // New-OutboundConnector: AllAcceptedDomains routes every accepted domain on-premises, whatever RecipientDomains lists.
        name: "an on-premises outbound connector for all accepted domains (AllAcceptedDomains, no RecipientDomains entry)",
        directorySynced: false,
        tenant: (t) => {
            t.outboundConnectors[0].allAcceptedDomains = true;
        },
        signal: 'tenant routes it to on-premises through outbound connector "Outbound to Contoso On-Premises" (ConnectorType OnPremises, RecipientDomains or AllAcceptedDomains)',
    },
    {
        name: "the tenant has directory-synced recipients in it",
        directorySynced: false,
        tenant: (t) => {
            t.recipients.find((r) => r.primarySmtpAddress === "megan.bowen@contoso.com")!.isDirSynced = true;
        },
        signal: "tenant has directory-synced recipients with addresses in it (Get-EXORecipient -Filter IsDirSynced)",
    },
];

describe("policy pack under the real CLI: synced-domain-not-authoritative", function () {
    this.timeout(20 * 60 * 1000);
    let ws: Workspace | undefined;
    let configFile = "";

    /** Writes the policy config file for the next run. */
    const policyConfig = (config: object): string[] => {
        fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
        return ["--policy-pack-config", configFile];
    };
    /** Resets contoso.com's coexistence signals, then applies one. */
    const shapeTenant = async (mutate?: (t: TenantState) => void): Promise<void> => {
        await changeTenant(ws!, (t) => {
            withoutContosoSignals(t);
            mutate?.(t);
        });
    };
    const declareContoso = (entry: object): Promise<void> =>
        setConfig(ws!, { "exchange:domains": { "contoso.com": { directorySynced: false, ...entry } } });
    const preview = (extra: string[] = []): Promise<RunResult> => pulumi(ws!, ["preview", "--policy-pack", PACK, ...extra]);
    const assertRefused = (r: RunResult): void => {
        assert.notStrictEqual(r.code, 0, r.output);
        assert.ok(r.output.includes(RULE_LINE), `the mandatory line:\n${r.output}`);
        assert.match(r.output, /550 5\.1\.10 RESOLVER\.ADR\.RecipientNotFound/, "names the KB consequence");
        assert.match(r.output, /set domainType to "InternalRelay" \(formerly "Shared"\)/, "names the fix");
    };

    before(async () => {
        ws = await createWorkspace({ name: "policy" });
        configFile = path.join(ws.dir, "policy-config.json");
        const cert = await seedTenant(ws, withoutContosoSignals);
        await configureExchange(ws, cert, {
            "contoso.com": { type: "Authoritative", directorySynced: false },
            "fabrikam.com": { type: "InternalRelay" },
        });
    });
    after(() => removeWorkspace(ws));

    it("without any signal, an Authoritative contoso.com passes (control for the cases below)", async () => {
        const r = await preview(policyConfig({}));
        assert.strictEqual(r.code, 0, r.output);
        assert.doesNotMatch(r.output, /synced-domain-not-authoritative/);
    });

    for (const c of SIGNAL_CASES) {
        it(`refuses Authoritative when only ${c.name}`, async () => {
            await declareContoso({ type: "Authoritative", directorySynced: c.directorySynced });
            await shapeTenant(c.tenant);
            const r = await preview(policyConfig(c.policyConfig ?? {}));
            assertRefused(r);
            assert.deepStrictEqual(signalsIn(r.output), [c.signal], "exactly this one signal");
        });
    }

    it("a tenant that can't be read fails the preview; it never passes as 'no signals'", async () => {
        await declareContoso({ type: "Authoritative" });
        await shapeTenant((t) => {
            t.onPremisesOrganizations[0].hybridDomains.push("contoso.com");
            t.faults.transientReadErrors = 100;
        });
        try {
            const r = await preview(policyConfig({}));
            assert.notStrictEqual(r.code, 0, r.output);
            assert.match(r.output, /HttpStatusCode=500 .*a transient Exchange Online server error/);
        } finally {
            await changeTenant(ws!, (t) => {
                t.faults.transientReadErrors = 0;
            });
        }
    });

    it("a valid exemption lets the violating domain pass", async () => {
        await declareContoso({ type: "Authoritative" });
        await shapeTenant((t) => t.onPremisesOrganizations[0].hybridDomains.push("contoso.com"));
        const r = await preview(
            policyConfig({
                "synced-domain-not-authoritative": {
                    exemptions: [{ domain: "contoso.com", reason: "cut-over weekend", approvedBy: "mail-team@contoso.com", expires: "2099-12-31" }],
                },
            }),
        );
        assert.strictEqual(r.code, 0, r.output);
        assert.doesNotMatch(r.output, /\[mandatory\]/);
    });

    it("an expired exemption does not count and says so", async () => {
        const r = await preview(
            policyConfig({
                "synced-domain-not-authoritative": {
                    exemptions: [{ domain: "contoso.com", reason: "cut-over weekend", approvedBy: "mail-team@contoso.com", expires: "2020-01-31" }],
                },
            }),
        );
        assertRefused(r);
        assert.match(r.output, /The exemption for contoso\.com does not count: it expired on 2020-01-31/);
    });

    it("an enforcement level override to advisory lets it pass with an [advisory] line", async () => {
        const r = await preview(policyConfig({ "synced-domain-not-authoritative": { enforcementLevel: "advisory" } }));
        assert.strictEqual(r.code, 0, r.output);
        assert.ok(r.output.includes(ADVISORY_LINE), r.output);
        assert.ok(!r.output.includes("[mandatory]"), r.output);
    });

    it("a bad policy config is refused with the schema error", async () => {
        const r = await preview(
            policyConfig({
                "synced-domain-not-authoritative": {
                    syncedDomains: ["contoso com"],
                    exemptions: [{ domain: "contoso.com", reason: "x", approvedby: "someone", expires: "2099-12-31" }],
                },
            }),
        );
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /error: validating policy config/);
        assert.match(r.output, /synced-domain-not-authoritative: exemptions\.0: Additional property approvedby is not allowed/);
        assert.match(r.output, /synced-domain-not-authoritative: syncedDomains\.0: Does not match pattern/);
        assert.doesNotMatch(r.output, /\[mandatory\]/, "no policy ran");
    });

    it("a compliant stack passes preview and up applies it", async () => {
        // The full KB picture: every tenant signal holds, and the code says Shared.
        await changeTenant(ws!, (t) => {
            t.onPremisesOrganizations[0].hybridDomains.push("contoso.com");
            t.outboundConnectors[0].recipientDomains.push("contoso.com");
            for (const r of t.recipients) if (r.primarySmtpAddress.endsWith("@contoso.com") && r.recipientType === "MailUser") r.isDirSynced = true;
        });
        await declareContoso({ type: "Shared", directorySynced: true });
        const p = await preview(policyConfig({ "synced-domain-not-authoritative": { syncedDomains: ["contoso.com"] } }));
        assert.strictEqual(p.code, 0, p.output);
        assert.doesNotMatch(p.output, /\[mandatory\]/);

        const u = await pulumi(ws!, ["up", "--yes", "--skip-preview", "--policy-pack", PACK, "--policy-pack-config", configFile]);
        assert.strictEqual(u.code, 0, u.output);
        assert.strictEqual(tenant(ws!).acceptedDomains.find((d) => d.domainName === "contoso.com")?.domainType, "InternalRelay");
    });

    it("the KB scenario reversed (code sets contoso.com Authoritative, tenant shows it hybrid) is refused by preview and up; nothing changes", async () => {
        // Tenant: contoso.com is InternalRelay and only the hybrid-domain signal holds; the code
        // claims nothing and the policy config lists nothing. A second pending change (fabrikam.com)
        // shows that up applies nothing at all.
        await shapeTenant((t) => t.onPremisesOrganizations[0].hybridDomains.push("contoso.com"));
        await declareContoso({ type: "Authoritative", directorySynced: false });
        await setConfig(ws!, { "exchange:domains": { "fabrikam.com": { matchSubDomains: true } } });
        const config = policyConfig({});

        const tenantBefore = fs.readFileSync(ws!.statePath, "utf8");
        const stateBefore = await stackResources(ws!);
        const journalBefore = journal(ws!).length;

        const p = await preview(config);
        assertRefused(p);
        assert.deepStrictEqual(signalsIn(p.output), [HYBRID_SIGNAL]);

        const u = await pulumi(ws!, ["up", "--yes", "--policy-pack", PACK, ...config]);
        assertRefused(u);

        assert.strictEqual(fs.readFileSync(ws!.statePath, "utf8"), tenantBefore, "tenant unchanged");
        const sets = journal(ws!)
            .slice(journalBefore)
            .filter((e) => e.event === "cmdlet" && e.cmdlet === "Set-AcceptedDomain");
        assert.deepStrictEqual(sets, [], "no Set-AcceptedDomain");
        assert.deepStrictEqual(await stackResources(ws!), stateBefore, "stack state unchanged");
    });

    it("up --skip-preview with the violation never sets contoso.com either", async () => {
        const journalBefore = journal(ws!).length;
        const u = await pulumi(ws!, ["up", "--yes", "--skip-preview", "--policy-pack", PACK, ...policyConfig({})]);
        assertRefused(u);
        assert.strictEqual(tenant(ws!).acceptedDomains.find((d) => d.domainName === "contoso.com")?.domainType, "InternalRelay");
        const contosoSets = journal(ws!)
            .slice(journalBefore)
            .filter((e) => e.event === "cmdlet" && e.cmdlet === "Set-AcceptedDomain" && (e.params as Record<string, unknown>).Identity === "contoso.com");
        assert.deepStrictEqual(contosoSets, []);
    });
});

/** The stack state's resources (urn, type, inputs, outputs), from `stack export`. */
async function stackResources(ws: Workspace): Promise<unknown[]> {
    const r = await pulumi(ws, ["stack", "export"]);
    assert.strictEqual(r.code, 0, r.output);
    const resources = (JSON.parse(r.stdout) as { deployment: { resources?: Record<string, unknown>[] } }).deployment.resources ?? [];
    assert.ok(resources.some((res) => res.type === "pulumi-nodejs:dynamic/exchange:AcceptedDomain"), "the stack manages domains");
    return resources.map(({ urn, type, inputs, outputs }) => ({ urn, type, inputs, outputs }));
}
