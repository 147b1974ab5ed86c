import { strict as assert } from "assert";
import { z } from "zod";
import { ExchangeError, NotFoundError } from "../../../components/exchange/errors";
import { ExchangeSession } from "../../../components/exchange/session";
import { parseJsonRows, recipientDomainCovers, syncedRecipientRow, TenantReader } from "../../../components/exchange/tenant-reader";
import { kbTenant, type Tenant } from "./emulated-tenant";

describe("tenant reader", () => {
    describe("#syncedRecipientRow", () => {
        it("a single proxy address that came back as a plain string reads as a list of one", () => {
            const rows = parseJsonRows("Get-EXORecipient", '#exo-result:{"Name":"u1","EmailAddresses":"SMTP:u1@contoso.com"}', syncedRecipientRow);
            assert.deepEqual(rows, [{ Name: "u1", EmailAddresses: ["SMTP:u1@contoso.com"] }]);
            const many = parseJsonRows("Get-EXORecipient", '#exo-result:{"Name":"u2","EmailAddresses":["SMTP:u2@a.com","smtp:u2@b.com"]}', syncedRecipientRow);
            assert.deepEqual(many[0].EmailAddresses, ["SMTP:u2@a.com", "smtp:u2@b.com"]);
        });
    });

    describe("#parseJsonRows booleans", () => {
        it('reads "True"/"False" strings as booleans (V3 may serialise some that way; unverified)', async () => {
            const reader = new TenantReader({
                run: async () => '\u001b[?1h\u001b[?1l#exo-result:[{"Name":"a.com","DomainName":"a.com","DomainType":"InternalRelay","MatchSubDomains":"True","OutboundOnly":"false"}]',
            });
            const live = await reader.liveDomain("a.com");
            assert.deepEqual([live.matchSubDomains, live.outboundOnly], [true, false]);
            const bad = new TenantReader({ run: async () => '#exo-result:[{"DomainName":"a.com","DomainType":"InternalRelay","MatchSubDomains":"yes"}]' });
            await assert.rejects(bad.liveDomain("a.com"), /MatchSubDomains/, "anything else is an unexpected shape, never a guess");
        });
    });

    describe("#readAhead", () => {
        /** A runner that answers from a table and records the order of the cmdlets it ran. */
        function fakeTenant(failFirst?: string) {
            const ran: string[] = [];
            const replies: Record<string, string> = {
                "Get-AcceptedDomain": '#exo-result:[{"Name":"a.com","DomainName":"a.com","DomainType":"Authoritative"}]',
                "Get-OnPremisesOrganization": '#exo-result:{"HybridDomains":["a.com"]}',
                "Get-OutboundConnector": "#exo-result:",
                "Get-EXORecipient": "#exo-result:",
            };
            let failed = false;
            const reader = new TenantReader({
                run: async (c) => {
                    ran.push(c.cmdlet);
                    await new Promise((resolve) => setTimeout(resolve, 1)); // a tenant answers later, never in the same turn
                    if (c.cmdlet === failFirst && !failed) {
                        failed = true;
                        throw new ExchangeError(c.cmdlet, `${c.cmdlet} failed`);
                    }
                    return replies[c.cmdlet];
                },
            });
            return { reader, ran };
        }
        const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

        it("starts every read of the run at once, the bulk list first, and the answers serve the callers without a second read", async () => {
            const { reader, ran } = fakeTenant();
            reader.readAhead(["a.com"]);
            await settle();
            // A refresh waits on the bulk list: it goes first. Every check needs both tenant-wide facts
            // and then its own recipient query: the facts go before the queries.
            assert.deepEqual(ran, ["Get-AcceptedDomain", "Get-OnPremisesOrganization", "Get-OutboundConnector", "Get-EXORecipient"]);
            const signals = await reader.coexistence("a.com", { syncedRecipients: true });
            assert.equal((await reader.liveDomain("a.com")).domainType, "Authoritative");
            assert.deepEqual([signals.hybridDomain, signals.syncedRecipients], [true, "none"]);
            assert.equal(ran.length, 4, ran.join(", "));
        });

        it("a read ahead that failed is asked again by the caller that needs it, never taken for 'no signal'", async () => {
            const { reader, ran } = fakeTenant("Get-OnPremisesOrganization");
            reader.readAhead([]);
            await settle();
            const signals = await reader.coexistence("a.com", { syncedRecipients: false });
            assert.equal(signals.hybridDomain, true);
            assert.equal(ran.filter((c) => c === "Get-OnPremisesOrganization").length, 2);
        });
    });

    describe("#parseJsonRows", () => {
        const row = z.object({ a: z.number() });
        it("nothing is an empty list", () => assert.deepEqual(parseJsonRows("Get-X", " \n", row), []));
        it("one object is a list of one", () => assert.deepEqual(parseJsonRows("Get-X", '{"a":1}', row), [{ a: 1 }]));
        it("skips WARNING lines before the JSON", () => assert.deepEqual(parseJsonRows("Get-X", 'WARNING: Micro delay applied\n[{"a":1},{"a":2}]', row), [{ a: 1 }, { a: 2 }]));
        it("bad JSON is an error, never an empty list", () => assert.throws(() => parseJsonRows("Get-X", "<html>", row), ExchangeError));
        it("a wrong shape is an error naming the path", () => assert.throws(() => parseJsonRows("Get-X", '[{"a":"x"}]', row), /0\.a/));
    });

    it("#recipientDomainCovers", () => {
        assert.equal(recipientDomainCovers("contoso.com", "contoso.com"), true);
        assert.equal(recipientDomainCovers("*", "contoso.com"), true);
        assert.equal(recipientDomainCovers("*.contoso.com", "eu.contoso.com"), true);
        assert.equal(recipientDomainCovers("*.contoso.com", "contoso.com"), false);
        assert.equal(recipientDomainCovers("Contoso.com", "contoso.com"), true);
        assert.equal(recipientDomainCovers("fabrikam.com", "contoso.com"), false);
        assert.equal(recipientDomainCovers("contoso.com.", "contoso.com"), true, "a trailing dot (DNS root) is ignored, as in the policy config");
    });

    it("a not-found error from the bulk read is a read failure, never 'the domain is gone'", async () => {
        const { NotFoundError } = await import("../../../components/exchange/errors");
        const reader = new TenantReader({
            run: async (command) => {
                throw new NotFoundError(command.cmdlet, "The operation couldn't be performed because object 'DC01' couldn't be found on 'X.PROD.OUTLOOK.COM'.");
            },
        });
        await assert.rejects(reader.liveDomain("contoso.com"), (e: unknown) => {
            assert.ok(e instanceof ExchangeError, String(e));
            assert.ok(!(e instanceof NotFoundError), "must not read as gone");
            assert.match((e as Error).message, /does not mean the domain is gone/);
            return true;
        });
    });

    describe("against the emulated tenant", () => {
        let tenant: Tenant;
        let session: ExchangeSession;
        let reader: TenantReader;
        beforeEach(() => {
            tenant = kbTenant();
            session = new ExchangeSession(tenant.settings(), { log: () => undefined });
            reader = new TenantReader(session);
        });
        afterEach(async () => {
            await session.dispose();
            tenant.cleanup();
        });

        it("one bulk Get-AcceptedDomain serves every domain", async () => {
            const [a, b] = await Promise.all([reader.liveDomain("contoso.com"), reader.liveDomain("fabrikam.com")]);
            await reader.liveDomain("CONTOSO.com");
            const guid = tenant.read().acceptedDomains.find((d) => d.name === "contoso.com")?.guid;
            assert.deepEqual(a, { identity: "contoso.com", domainName: "contoso.com", domainType: "Authoritative", matchSubDomains: false, outboundOnly: false, guid, duplicates: [], ambiguous: false });
            assert.equal(b.domainType, "InternalRelay");
            assert.equal(b.matchSubDomains, true);
            assert.equal(tenant.calls("Get-AcceptedDomain").length, 1);
            assert.equal(tenant.calls("Get-AcceptedDomain")[0].params && (tenant.calls("Get-AcceptedDomain")[0].params as Record<string, unknown>).Identity, undefined);
        });

        it("a domain missing from a complete list is NotFound", async () => {
            await assert.rejects(reader.liveDomain("missing.example"), NotFoundError);
        });

        it("a failed read is an error (not absent) and is not cached", async () => {
            // One attempt: transient errors are retried by the session, which would hide the failure.
            await session.dispose();
            session = new ExchangeSession(tenant.settings({ maxAttempts: 1 }), { log: () => undefined });
            reader = new TenantReader(session);
            tenant.edit((s) => (s.faults.transientReadErrors = 1));
            await assert.rejects(reader.liveDomain("contoso.com"), (e: unknown) => e instanceof ExchangeError && !(e instanceof NotFoundError));
            assert.equal((await reader.liveDomain("contoso.com")).domainType, "Authoritative");
            assert.equal(tenant.calls("Get-AcceptedDomain").length, 2);
        });

        it("coexistence signals: two reads shared by all domains, one bounded recipient query per domain that needs it", async () => {
            const all = { syncedRecipients: true };
            const contoso = await reader.coexistence("contoso.com", all);
            const fabrikam = await reader.coexistence("fabrikam.com", all);
            const tailspin = await reader.coexistence("tailspin.com", { syncedRecipients: false });
            assert.deepEqual(contoso, { hybridDomain: true, onPremisesConnectors: ["Outbound to on-premises"], subdomainConnectors: [], syncedRecipients: "found" });
            assert.deepEqual(fabrikam, { hybridDomain: false, onPremisesConnectors: [], subdomainConnectors: [], syncedRecipients: "none" }, "a Partner connector is no signal");
            assert.deepEqual(tailspin, { hybridDomain: false, onPremisesConnectors: [], subdomainConnectors: [], syncedRecipients: "not-read" });
            await reader.coexistence("contoso.com", all);
            for (const cmdlet of ["Get-OnPremisesOrganization", "Get-OutboundConnector"]) {
                assert.equal(tenant.calls(cmdlet).length, 1, cmdlet);
            }
            assert.equal(tenant.calls("Get-Recipient").length, 0, "the whole directory is never read");
            const queries = tenant.calls("Get-EXORecipient").map((c) => c.params as Record<string, unknown>);
            assert.deepEqual(
                queries.map((q) => q.Filter),
                ["IsDirSynced -eq 'True' -and (EmailAddresses -like '*@contoso.com')", "IsDirSynced -eq 'True' -and (EmailAddresses -like '*@fabrikam.com')"],
                "asked one after the other: one query each, cached for the run",
            );
            assert.ok(queries.every((q) => q.ResultSize === 1), "bounded to one object");
        });

        it("concurrent questions are pooled: one query answers every domain without synced recipients", async () => {
            const domains = ["a.example", "b.example", "c.example", "contoso.com", "d.example"];
            const answers = await Promise.all(domains.map((d) => reader.hasSyncedRecipients(d)));
            assert.deepEqual(answers, [false, false, false, true, false]);
            const filters = tenant.calls("Get-EXORecipient").map((c) => String((c.params as Record<string, unknown>).Filter));
            assert.ok(domains.every((d) => filters[0].includes(`'*@${d}'`)), `the first query asks about all five: ${filters[0]}`);
            assert.ok(filters.length <= 4, `one group query plus about log2(5) halvings for the one domain with some, got ${filters.length}`);
        });

        it("a failed recipient query fails the read and is asked again, never read as 'none'", async () => {
            await session.dispose();
            session = new ExchangeSession(tenant.settings({ maxAttempts: 1 }), { log: () => undefined });
            reader = new TenantReader(session);
            await reader.coexistence("contoso.com", { syncedRecipients: false }); // the shared reads succeed first
            tenant.edit((s) => (s.faults.transientReadErrors = 1));
            await assert.rejects(reader.coexistence("contoso.com", { syncedRecipients: true }), (e: unknown) => e instanceof ExchangeError);
            assert.equal((await reader.coexistence("contoso.com", { syncedRecipients: true })).syncedRecipients, "found");
            assert.equal(tenant.calls("Get-EXORecipient").length, 2);
        });

        it("an OnPremises connector with AllAcceptedDomains covers every domain", async () => {
            tenant.edit((s) => {
                s.outboundConnectors.push({ ...s.outboundConnectors[0], name: "Hybrid all domains", recipientDomains: [], allAcceptedDomains: true, guid: "5f2c1d7e-8a9b-4c3d-9e1f-2a3b4c5d6e7f" });
            });
            const tailspin = await reader.coexistence("tailspin.com", { syncedRecipients: true });
            assert.deepEqual(tailspin, { hybridDomain: false, onPremisesConnectors: ["Hybrid all domains"], subdomainConnectors: ["Hybrid all domains"], syncedRecipients: "none" });
            assert.deepEqual((await reader.coexistence("contoso.com", { syncedRecipients: false })).onPremisesConnectors, ["Hybrid all domains", "Outbound to on-premises"]);
        });

        it("several objects for one DomainName: the one named like the domain is read, the others listed; none so named is ambiguous", async () => {
            tenant.edit((s) => {
                const contoso = s.acceptedDomains.find((d) => d.name === "contoso.com")!;
                s.acceptedDomains.push({ ...contoso, name: "contoso.com_RELOCNF_3f303621", domainType: "InternalRelay", guid: "7a2c1d7e-8a9b-4c3d-9e1f-2a3b4c5d6e71" });
                const fabrikam = s.acceptedDomains.find((d) => d.name === "fabrikam.com")!;
                fabrikam.name = "fabrikam.com_RELOCNF_1";
                s.acceptedDomains.push({ ...fabrikam, name: "fabrikam.com_RELOCNF_2", guid: "7a2c1d7e-8a9b-4c3d-9e1f-2a3b4c5d6e72" });
            });
            const contoso = await reader.liveDomain("contoso.com");
            assert.equal(contoso.identity, "contoso.com");
            assert.equal(contoso.domainType, "Authoritative", "the copy's settings are not read as the domain's");
            assert.deepEqual(contoso.duplicates, ["contoso.com_RELOCNF_3f303621"]);
            assert.equal(contoso.ambiguous, false);
            assert.match(contoso.guid ?? "", /^[0-9a-f-]{36}$/);
            const fabrikam = await reader.liveDomain("fabrikam.com");
            assert.equal(fabrikam.ambiguous, true);
            assert.deepEqual([fabrikam.identity, ...fabrikam.duplicates], ["fabrikam.com_RELOCNF_1", "fabrikam.com_RELOCNF_2"]);
        });

        it("subdomain routes: a connector's *.<domain>, * or AllAcceptedDomains", async () => {
            tenant.edit((s) => {
                s.outboundConnectors[0].recipientDomains = ["contoso.com", "*.contoso.com", "fabrikam.com"];
            });
            const contoso = await reader.coexistence("contoso.com", { syncedRecipients: false });
            assert.deepEqual(contoso.subdomainConnectors, ["Outbound to on-premises"]);
            assert.deepEqual((await reader.coexistence("fabrikam.com", { syncedRecipients: false })).subdomainConnectors, []);
        });

        it("recordSettings makes later reads in the run see a Set", async () => {
            await reader.liveDomain("contoso.com");
            await reader.recordSettings("contoso.com", { domainType: "InternalRelay", matchSubDomains: false, outboundOnly: false });
            assert.equal((await reader.liveDomain("contoso.com")).domainType, "InternalRelay");
            assert.equal(tenant.calls("Get-AcceptedDomain").length, 1);
        });
    });
});
