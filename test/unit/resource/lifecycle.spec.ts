/**
 * The AcceptedDomain provider's lifecycle methods called in-process (as pulumi-command's
 * provider tests do) against the emulated tenant. Scenario names follow M365DSC's list.
 * Each "run" starts from a fresh session, as each Pulumi run has a fresh provider process.
 */
import { strict as assert } from "assert";
import type { AcceptedDomainInputs, AcceptedDomainOutputs } from "../../../components/accepted-domain";
import { acceptedDomainProvider as provider } from "../../../components/exchange/lifecycle";
import { resetSession } from "../../../components/exchange/session";
import { APP_ID, kbTenant, PASSWORD, PWSH, ORG, type Tenant } from "../exchange/emulated-tenant";

const PROVIDER_STRING_KEY = "__provider";

describe("AcceptedDomain provider (emulated tenant)", () => {
    let tenant: Tenant;
    let lines: string[];
    let logged: typeof console.log;

    /** Starts a new "run": fresh session, configure from stack config as the engine passes it. */
    async function run(extra: Record<string, string> = {}): Promise<void> {
        await resetSession();
        const config: Record<string, string> = {
            "exchange:organization": ORG,
            "exchange:auth": JSON.stringify({ kind: "certificate", appId: APP_ID, certificateFilePath: tenant.cert, certificatePassword: PASSWORD }),
            "exchange:pwshPath": PWSH,
            "exchange:retryDelayMs": "0",
            ...extra,
        };
        await provider.configure({ config: { get: (k: string) => config[k], require: (k: string) => config[k] } });
    }

    async function checked(news: Record<string, unknown>): Promise<AcceptedDomainInputs> {
        const r = await provider.check({} as AcceptedDomainInputs, { ...news, [PROVIDER_STRING_KEY]: "serialized" } as unknown as AcceptedDomainInputs);
        assert.deepEqual(r.failures ?? [], []);
        return r.inputs as AcceptedDomainInputs;
    }

    const liveType = (d: string) => tenant.read().acceptedDomains.find((x) => x.domainName === d)?.domainType;

    beforeEach(async () => {
        tenant = kbTenant();
        lines = [];
        logged = console.log;
        console.log = (...a: unknown[]) => void lines.push(a.join(" "));
        await run();
    });
    afterEach(async () => {
        console.log = logged;
        await resetSession();
        tenant.cleanup();
    });

    describe("check", () => {
        it("normalises the KB's names and the domain, attaches coexistence and drift", async () => {
            const inputs = await checked({ domainName: "Contoso.COM.", domainType: "Shared", directorySynced: true });
            assert.deepEqual(inputs, {
                domainName: "contoso.com",
                domainType: "InternalRelay",
                matchSubDomains: false,
                outboundOnly: false,
                directorySynced: true,
                onDelete: "retain",
                coexistence: { hybridDomain: true, onPremisesConnectors: ["Outbound to on-premises"], subdomainConnectors: [], syncedRecipients: "not-read" },
                drift: { domainType: "Authoritative -> InternalRelay" },
                duplicates: [],
            });
        });

        it("passes Entra signals into coexistence", async () => {
            const inputs = await checked({ domainName: "tailspin.com", domainType: "Hosted", entra: { federated: true, syncedUsers: 3 } });
            assert.deepEqual(inputs.coexistence.entra, { federated: true, syncedUsers: 3 });
        });

        it("refuses ExternalRelay and MatchSubDomains on Authoritative, touching nothing", async () => {
            const r1 = await provider.check({} as AcceptedDomainInputs, { domainName: "contoso.com", domainType: "ExternalRelay" } as unknown as AcceptedDomainInputs);
            assert.equal(r1.failures?.[0].property, "domainType");
            assert.match(r1.failures![0].reason, /write InternalRelay/);
            const r2 = await provider.check({} as AcceptedDomainInputs, { domainName: "contoso.com", domainType: "Authoritative", matchSubDomains: true } as unknown as AcceptedDomainInputs);
            assert.equal(r2.failures?.[0].property, "matchSubDomains");
            assert.equal(tenant.calls("Set-AcceptedDomain").length, 0);
        });

        it("reads each kind of tenant data once for many resources, and no recipients for InternalRelay", async () => {
            for (const d of ["contoso.com", "fabrikam.com", "tailspin.com"]) {
                await checked({ domainName: d, domainType: "InternalRelay" });
            }
            for (const c of ["Get-AcceptedDomain", "Get-OnPremisesOrganization", "Get-OutboundConnector"]) {
                assert.equal(tenant.calls(c).length, 1, c);
            }
            assert.equal(tenant.calls("Get-EXORecipient").length + tenant.calls("Get-Recipient").length, 0);
            assert.equal(tenant.calls("Connect-ExchangeOnline").length, 1);
        });

        it("asks for synced recipients only where the domain would be Authoritative, declared or restored", async () => {
            const authoritative = await checked({ domainName: "contoso.com", domainType: "Authoritative" });
            assert.equal(authoritative.coexistence.syncedRecipients, "found");
            const restored = await checked({ domainName: "fabrikam.com", domainType: "InternalRelay", onDelete: "restore" });
            assert.equal(restored.coexistence.syncedRecipients, "none");
            const microsoft = await checked({ domainName: "contoso.onmicrosoft.com", domainType: "Authoritative" });
            assert.equal(microsoft.coexistence.syncedRecipients, "not-read", "Microsoft's own domains are exempt from the rules that read it");
            const filters = tenant.calls("Get-EXORecipient").map((c) => (c.params as Record<string, unknown>).Filter);
            assert.deepEqual(filters, ["IsDirSynced -eq 'True' -and (EmailAddresses -like '*@contoso.com')", "IsDirSynced -eq 'True' -and (EmailAddresses -like '*@fabrikam.com')"]);
        });
    });

    describe("reading ahead: the engine checks resources one after another", () => {
        it("asks the synced-recipient question of every domain exchange:domains would make Authoritative in one query at the first check", async () => {
            await run({
                "exchange:domains": JSON.stringify({
                    "contoso.com": { type: "Hosted" },
                    "tailspin.com": { type: "Authoritative" },
                    "fabrikam.com": { type: "Shared", onDelete: "restore" },
                    "northwind.example": { type: "InternalRelay" },
                    "contoso.onmicrosoft.com": { type: "Authoritative" },
                }),
            });
            const answers: Record<string, string> = {};
            for (const [domainName, domainType] of [["tailspin.com", "Authoritative"], ["contoso.com", "Authoritative"], ["fabrikam.com", "InternalRelay"]]) {
                const onDelete = domainName === "fabrikam.com" ? "restore" : "retain";
                answers[domainName] = (await checked({ domainName, domainType, onDelete })).coexistence.syncedRecipients;
            }
            assert.deepEqual(answers, { "tailspin.com": "none", "contoso.com": "found", "fabrikam.com": "none" });
            const filters = tenant.calls("Get-EXORecipient").map((c) => String((c.params as Record<string, unknown>).Filter));
            assert.match(filters[0], /^IsDirSynced -eq 'True' -and \(EmailAddresses -like '\*@contoso\.com' -or EmailAddresses -like '\*@fabrikam\.com' -or EmailAddresses -like '\*@tailspin\.com'\)$/);
            assert.ok(!filters.some((f) => f.includes("northwind") || f.includes("onmicrosoft")), "InternalRelay and Microsoft's domains are not asked about");
            assert.ok(filters.length <= 3, `one group query and two halvings to find contoso.com, got ${filters.length}`);
        });
    });

    describe("reading ahead at a refresh: the program starts only after it", () => {
        const signalReads = () => ["Get-OnPremisesOrganization", "Get-OutboundConnector", "Get-EXORecipient"].map((c) => tenant.calls(c).length);

        it("the first read starts the coexistence reads, so the checks after it read nothing more", async () => {
            const { outs } = await provider.create(await checked({ domainName: "tailspin.com", domainType: "Hosted" }));
            await run({ "exchange:domains": JSON.stringify({ "tailspin.com": { type: "Authoritative" } }) });
            const before = signalReads();
            const gets = () => tenant.events("cmdlet").filter((e) => String(e.cmdlet).startsWith("Get-") && e.module === "ExchangeOnlineManagement").length;
            assert.equal((await provider.read("tailspin.com", outs)).id, "tailspin.com");
            // No check has run yet: the signal reads come from the read alone.
            for (let i = 0; i < 100 && signalReads().some((n, k) => n === before[k]); i++) await new Promise((r) => setTimeout(r, 50));
            assert.deepEqual(signalReads(), before.map((n) => n + 1));
            const readsSoFar = gets();
            const inputs = await checked({ domainName: "tailspin.com", domainType: "Authoritative" });
            assert.equal(inputs.coexistence.syncedRecipients, "none");
            assert.equal(gets(), readsSoFar, "the check was answered from what the refresh read ahead");
        });

        it("a delete that leaves the domain as it is starts no pwsh at all", async () => {
            const { outs } = await provider.create(await checked({ domainName: "contoso.com", domainType: "Shared" }));
            await run({ "exchange:domains": JSON.stringify({}) });
            const starts = tenant.events("start").length;
            await provider.delete("contoso.com", outs!);
            assert.equal(tenant.events("start").length, starts);
        });
    });

    describe("duplicate accepted-domain objects (Microsoft365DSC#2193)", () => {
        it("writes the object named like the domain, by its Guid, and lists the copy in the checked inputs", async () => {
            tenant.edit((s) => {
                const contoso = s.acceptedDomains.find((d) => d.name === "contoso.com")!;
                s.acceptedDomains.push({ ...contoso, name: "contoso.com_RELOCNF_3f303621", guid: "7a2c1d7e-8a9b-4c3d-9e1f-2a3b4c5d6e71" });
            });
            const inputs = await checked({ domainName: "contoso.com", domainType: "Shared" });
            assert.deepEqual(inputs.duplicates, ["contoso.com_RELOCNF_3f303621"]);
            await provider.create(inputs);
            const [set] = tenant.calls("Set-AcceptedDomain");
            const guid = tenant.read().acceptedDomains.find((d) => d.name === "contoso.com")!.guid;
            assert.equal((set.params as Record<string, unknown>).Identity, guid);
            const types = Object.fromEntries(tenant.read().acceptedDomains.map((d) => [d.name, d.domainType]));
            assert.equal(types["contoso.com"], "InternalRelay");
            assert.equal(types["contoso.com_RELOCNF_3f303621"], "Authoritative", "the copy is left as it was");
        });

        it("refuses to write when no object is named like the domain, naming them all", async () => {
            tenant.edit((s) => {
                const contoso = s.acceptedDomains.find((d) => d.name === "contoso.com")!;
                contoso.name = "contoso.com_RELOCNF_1";
                s.acceptedDomains.push({ ...contoso, name: "contoso.com_RELOCNF_2", guid: "7a2c1d7e-8a9b-4c3d-9e1f-2a3b4c5d6e72" });
            });
            const inputs = await checked({ domainName: "contoso.com", domainType: "Shared" });
            await assert.rejects(provider.create(inputs), /refusing to change contoso\.com: the tenant has 2 accepted-domain objects for it \("contoso\.com_RELOCNF_1", "contoso\.com_RELOCNF_2"\).*Nothing was changed/s);
            assert.equal(tenant.calls("Set-AcceptedDomain").length, 0);
        });
    });

    describe("the guard: no write makes a domain with coexistence signals Authoritative (KB 2510049)", () => {
        /** contoso.com adopted as InternalRelay first, so that the next update would make it Authoritative. */
        async function adoptedShared(): Promise<AcceptedDomainOutputs> {
            const { outs } = await provider.create(await checked({ domainName: "contoso.com", domainType: "Shared" }));
            await run();
            return outs!;
        }

        it("refuses an update to Authoritative with the signals and the KB, and sends no Set", async () => {
            const olds = await adoptedShared();
            const sets = tenant.calls("Set-AcceptedDomain").length;
            const news = await checked({ domainName: "contoso.com", domainType: "Authoritative" });
            assert.ok(lines.some((l) => /^contoso\.com: up will refuse to make it Authoritative while coexistence signals hold \(tenant lists it/.test(l)), "said at preview already");
            await assert.rejects(
                provider.update("contoso.com", olds, news),
                /^Error: refusing to make contoso\.com Authoritative: coexistence signals hold \(tenant lists it as a hybrid domain.*KB 2510049.*Nothing was changed\..*authoritativeDespiteCoexistence: \{ reason, approvedBy, expires: YYYY-MM-DD \} to exchange:domains\.contoso\.com\.$/s,
            );
            assert.equal(tenant.calls("Set-AcceptedDomain").length, sets);
            assert.equal(liveType("contoso.com"), "InternalRelay");
        });

        it("refuses when the only signal is synced recipients", async () => {
            tenant.edit((s) => {
                for (const o of s.onPremisesOrganizations) o.hybridDomains = [];
                for (const c of s.outboundConnectors) c.recipientDomains = c.recipientDomains.filter((d) => d !== "contoso.com");
            });
            const olds = await adoptedShared();
            const sets = tenant.calls("Set-AcceptedDomain").length;
            const news = await checked({ domainName: "contoso.com", domainType: "Authoritative" });
            assert.equal(news.coexistence.syncedRecipients, "found");
            await assert.rejects(provider.update("contoso.com", olds, news), /coexistence signals hold \(tenant has directory-synced recipients with addresses in it/);
            assert.equal(tenant.calls("Set-AcceptedDomain").length, sets);
        });

        it("a valid override lets it through and the run says whose it is; an expired one does not", async () => {
            const olds = await adoptedShared();
            const override = { reason: "cut-over weekend, all mailboxes moved", approvedBy: "exchange-admins@contoso.com", expires: "2999-12-31" };
            const news = await checked({ domainName: "contoso.com", domainType: "Authoritative", authoritativeDespiteCoexistence: override });
            assert.ok(lines.some((l) => l.includes("contoso.com: Authoritative despite coexistence signals") && l.includes("approved by exchange-admins@contoso.com, valid until 2999-12-31: cut-over weekend")));
            await provider.update("contoso.com", olds, news);
            assert.equal(liveType("contoso.com"), "Authoritative");

            tenant.edit((s) => (s.acceptedDomains.find((d) => d.name === "contoso.com")!.domainType = "InternalRelay"));
            await run();
            const expired = await checked({ domainName: "contoso.com", domainType: "Authoritative", authoritativeDespiteCoexistence: { ...override, expires: "2020-01-31" } });
            await assert.rejects(provider.update("contoso.com", olds, expired), /expired on 2020-01-31 \(today is \d{4}-\d{2}-\d{2}\)/);
        });

        it("an incomplete override is refused at check, naming the field", async () => {
            const r = await provider.check({} as AcceptedDomainInputs, { domainName: "contoso.com", domainType: "Authoritative", authoritativeDespiteCoexistence: { reason: "x", expires: "2999-12-31" } } as unknown as AcceptedDomainInputs);
            assert.equal(r.failures?.[0].property, "authoritativeDespiteCoexistence.approvedBy");
            assert.match(r.failures![0].reason, /approvedBy is required/);
        });

        it("makes nothing worse it did not make: adopting a domain that is Authoritative already sends no Set and is allowed", async () => {
            await provider.create(await checked({ domainName: "contoso.com", domainType: "Authoritative" }));
            assert.equal(tenant.calls("Set-AcceptedDomain").length, 0);
        });
    });

    describe("missing: the domain is not in the tenant", () => {
        it("create fails with 'add and verify it in Microsoft 365 first' and changes nothing", async () => {
            const inputs = await checked({ domainName: "missing.example", domainType: "InternalRelay" });
            await assert.rejects(provider.create(inputs), /add and verify it in Microsoft 365 first.*Nothing was changed/s);
            assert.equal(tenant.calls("Set-AcceptedDomain").length, 0);
        });
    });

    describe("drifted: contoso.com is Authoritative, the code declares Shared (the KB story)", () => {
        it("diff reports an update; create adopts, records the original and Sets only DomainType", async () => {
            const inputs = await checked({ domainName: "contoso.com", domainType: "Shared" });
            const { id, outs } = await provider.create(inputs);
            assert.equal(id, "contoso.com");
            assert.deepEqual(outs!.original, { domainType: "Authoritative", matchSubDomains: false, outboundOnly: false });
            assert.equal(outs!.identity, "contoso.com");
            assert.deepEqual(outs!.drift, {});
            const sets = tenant.calls("Set-AcceptedDomain");
            assert.equal(sets.length, 1);
            assert.deepEqual(Object.keys(sets[0].params as object).sort(), ["Confirm", "DomainType", "Identity"]);
            assert.equal(liveType("contoso.com"), "InternalRelay");
        });
    });

    describe("in the desired state", () => {
        it("diff has no changes and create issues no Set", async () => {
            const inputs = await checked({ domainName: "fabrikam.com", domainType: "InternalRelay", matchSubDomains: true });
            const { outs } = await provider.create(inputs);
            assert.equal(tenant.calls("Set-AcceptedDomain").length, 0);
            await run();
            const again = await checked({ domainName: "fabrikam.com", domainType: "InternalRelay", matchSubDomains: true });
            assert.deepEqual(await provider.diff("fabrikam.com", outs!, again), { changes: false, replaces: [] });
        });
    });

    describe("changed out of band after adoption", () => {
        it("the next run's diff (plain preview) sees it, with the drift in the checked inputs; update fixes only that", async () => {
            const { outs } = await provider.create(await checked({ domainName: "contoso.com", domainType: "Shared" }));
            tenant.edit((s) => (s.acceptedDomains.find((d) => d.domainName === "contoso.com")!.domainType = "Authoritative"));
            await run();
            const news = await checked({ domainName: "contoso.com", domainType: "Shared" });
            assert.deepEqual(news.drift, { domainType: "Authoritative -> InternalRelay" });
            assert.deepEqual(await provider.diff("contoso.com", outs!, news), { changes: true, replaces: [] });
            const before = tenant.calls("Set-AcceptedDomain").length;
            const updated = await provider.update("contoso.com", outs!, news);
            assert.equal(tenant.calls("Set-AcceptedDomain").length, before + 1);
            assert.equal(liveType("contoso.com"), "InternalRelay");
            assert.deepEqual(updated.outs!.original, outs!.original, "the original stays the one recorded at adoption");
        });

        it("read (refresh) returns the live values", async () => {
            const { outs } = await provider.create(await checked({ domainName: "contoso.com", domainType: "Shared" }));
            tenant.edit((s) => (s.acceptedDomains.find((d) => d.domainName === "contoso.com")!.outboundOnly = true));
            await run();
            const r = await provider.read("contoso.com", outs);
            assert.equal(r.id, "contoso.com");
            assert.equal(r.props!.outboundOnly, true);
            assert.equal(r.props!.domainType, "InternalRelay");
        });
    });

    describe("read errors", () => {
        it("only not-found means gone", async () => {
            const { outs } = await provider.create(await checked({ domainName: "tailspin.com", domainType: "Hosted" }));
            tenant.edit((s) => (s.acceptedDomains = s.acceptedDomains.filter((d) => d.domainName !== "tailspin.com")));
            await run();
            assert.deepEqual(await provider.read("tailspin.com", outs), {});
        });

        it("a transient read error fails the refresh and never reports the domain absent", async () => {
            const { outs } = await provider.create(await checked({ domainName: "tailspin.com", domainType: "Hosted" }));
            // More errors than exchange:maxAttempts: transient errors are retried, so one alone would pass.
            tenant.edit((s) => (s.faults.transientReadErrors = 50));
            await run();
            await assert.rejects(provider.read("tailspin.com", outs), /transient.*gave up after 5 attempts/i);
        });

        it("throttling during refresh is retried", async () => {
            const { outs } = await provider.create(await checked({ domainName: "tailspin.com", domainType: "Hosted" }));
            tenant.edit((s) => (s.faults.throttleNextCalls = 1));
            await run();
            assert.equal((await provider.read("tailspin.com", outs)).id, "tailspin.com");
            assert.ok(lines.includes("Get-AcceptedDomain 1/5 throttled: retrying"), lines.join("\n"));
        });
    });

    describe("a different domain name", () => {
        it("is a replacement", async () => {
            const { outs } = await provider.create(await checked({ domainName: "fabrikam.com", domainType: "InternalRelay", matchSubDomains: true }));
            const news = await checked({ domainName: "tailspin.com", domainType: "Hosted" });
            assert.deepEqual(await provider.diff("fabrikam.com", outs!, news), { changes: true, replaces: ["domainName"] });
        });
    });

    describe("should not be managed (delete)", () => {
        it("retain (default) leaves the domain as it is and says so", async () => {
            const { outs } = await provider.create(await checked({ domainName: "contoso.com", domainType: "Shared" }));
            await run();
            const sets = tenant.calls("Set-AcceptedDomain").length;
            await provider.delete("contoso.com", outs!);
            assert.equal(tenant.calls("Set-AcceptedDomain").length, sets);
            assert.equal(liveType("contoso.com"), "InternalRelay");
            assert.ok(lines.some((l) => l.startsWith("delete: left contoso.com as it is")), lines.join("\n"));
        });

        it("restore sets back the recorded original when no coexistence signal holds", async () => {
            const { outs } = await provider.create(await checked({ domainName: "tailspin.com", domainType: "Shared", onDelete: "restore" }));
            assert.equal(liveType("tailspin.com"), "InternalRelay");
            await run();
            await provider.delete("tailspin.com", outs!);
            assert.equal(liveType("tailspin.com"), "Authoritative");
            assert.ok(lines.some((l) => l.startsWith("delete: restored tailspin.com")), lines.join("\n"));
        });

        it("restore of a domain adopted as ExternalRelay (which the cloud refuses to set) leaves it as it is and says why", async () => {
            tenant.edit((t) => {
                t.acceptedDomains.find((d) => d.domainName === "tailspin.com")!.domainType = "ExternalRelay";
            });
            const { outs } = await provider.create(await checked({ domainName: "tailspin.com", domainType: "Shared", onDelete: "restore" }));
            assert.equal(outs!.original?.domainType, "ExternalRelay");
            assert.equal(liveType("tailspin.com"), "InternalRelay");
            await run();
            const sets = tenant.calls("Set-AcceptedDomain").length;
            await provider.delete("tailspin.com", outs!);
            assert.equal(tenant.calls("Set-AcceptedDomain").length, sets, "no Set that Exchange Online would refuse");
            assert.equal(liveType("tailspin.com"), "InternalRelay");
            assert.ok(lines.some((l) => /^delete: tailspin\.com was ExternalRelay when adopted.*refuses.*left as it is \(InternalRelay\)/.test(l)), lines.join("\n"));
        });

        it("restore to Authoritative is refused while coexistence signals hold, with the reason", async () => {
            const { outs } = await provider.create(await checked({ domainName: "contoso.com", domainType: "Shared", onDelete: "restore" }));
            await run();
            await assert.rejects(provider.delete("contoso.com", outs!), /refusing to restore contoso\.com to Authoritative.*tenant lists it as a hybrid domain of the on-premises organization.*NDR/s);
            // The way out starts from where the user stands: the domain is no longer in the code.
            await assert.rejects(provider.delete("contoso.com", outs!), /add it back to exchange:domains as \{ type: "InternalRelay", onDelete: "retain" \}, run up, then remove it and run up again/);
            assert.equal(liveType("contoso.com"), "InternalRelay");
        });
    });

    it("the whole run used one process and one connect", async () => {
        await run();
        const inputs = await Promise.all(["contoso.com", "fabrikam.com", "tailspin.com"].map((d) => checked({ domainName: d, domainType: "Shared" })));
        for (const i of inputs) await provider.create(i);
        assert.equal(tenant.events("start").length, 1, "configure alone starts nothing; the first command starts one process");
        assert.equal(tenant.calls("Connect-ExchangeOnline").length, 1);
        assert.equal(tenant.calls("Get-AcceptedDomain").length, 1);
        assert.equal(tenant.calls("Set-AcceptedDomain").length, 3, "one Set per domain that differed");
    });
});
