/**
 * The AcceptedDomain resource end to end, under the real CLI against the
 * emulated tenant: adoption of several domains, no-op preview, out-of-band
 * drift seen by plain preview and by refresh, update back, rename (replace),
 * delete retain / restore / refused restore, a domain missing from the tenant,
 * check refusals, read errors during refresh, throttling, bad config and secrets.
 *
 * Assertions run on exit codes, CLI output, the emulator's tenant state and its
 * journal, and the stack state (`stack export`).
 */
import * as assert from "assert";
import * as fs from "fs";
import {
    backendFiles,
    changeTenant,
    configureExchange,
    createWorkspace,
    DEMO_ACCESS_TOKEN,
    DEMO_CERT_PASSWORD,
    DEMO_ORGANIZATION,
    journal,
    leftoverProcesses,
    pulumi,
    removeWorkspace,
    RunResult,
    seedTenant,
    setConfig,
    tenant,
    TenantState,
    Workspace,
} from "./harness";

type Entry = ReturnType<typeof journal>[number];
type Domain = TenantState["acceptedDomains"][number];

const ACCEPTED_DOMAIN_TYPE = "pulumi-nodejs:dynamic/exchange:AcceptedDomain";

/** Extra accepted domains for the tests: verified in Microsoft 365, no coexistence signal. */
function addDomains(t: TenantState, domains: Record<string, Domain["domainType"]>): void {
    for (const [name, domainType] of Object.entries(domains)) {
        t.acceptedDomains.push({
            ...t.acceptedDomains.find((d) => d.domainName === "fabrikam.com")!,
            name,
            domainName: name,
            domainType,
            guid: `00000000-0000-4000-8000-${String(t.acceptedDomains.length).padStart(12, "0")}`,
        });
    }
}

function domainOf(ws: Workspace, name: string): Domain {
    const d = tenant(ws).acceptedDomains.find((x) => x.domainName === name);
    assert.ok(d, `${name} is in the tenant`);
    return d;
}

/** The managed settings of every accepted domain, for before/after comparisons. */
function settings(ws: Workspace): Record<string, string> {
    return Object.fromEntries(
        tenant(ws).acceptedDomains.map((d) => [d.domainName, `${d.domainType} matchSubDomains=${d.matchSubDomains} outboundOnly=${d.outboundOnly}`]),
    );
}

function cmdlets(entries: Entry[], name: string): Entry[] {
    return entries.filter((e) => e.event === "cmdlet" && e.cmdlet === name);
}

/** AcceptedDomain resources in the stack state: resource name -> outputs. */
async function stateDomains(ws: Workspace): Promise<Record<string, Record<string, unknown>>> {
    const r = await pulumi(ws, ["stack", "export"]);
    assert.strictEqual(r.code, 0, r.output);
    const deployment = JSON.parse(r.stdout) as { deployment: { resources?: { urn: string; type: string; outputs?: Record<string, unknown> }[] } };
    const out: Record<string, Record<string, unknown>> = {};
    for (const res of deployment.deployment.resources ?? []) {
        if (res.type === ACCEPTED_DOMAIN_TYPE) {
            out[res.urn.split("::").pop()!] = res.outputs ?? {};
        }
    }
    return out;
}

/** Runs the CLI and keeps every output for the secrets check. */
function recorder(outputs: string[]) {
    return async (ws: Workspace, args: string[]): Promise<RunResult> => {
        const r = await pulumi(ws, args);
        outputs.push(r.output);
        return r;
    };
}

describe("AcceptedDomain under the real CLI: the project's program with several domains", function () {
    this.timeout(15 * 60 * 1000);
    let ws: Workspace | undefined;
    const outputs: string[] = [];
    const run = recorder(outputs);
    let mark = 0;
    /** Journal entries since the last call. */
    const since = (): Entry[] => {
        const all = journal(ws!);
        const fresh = all.slice(mark);
        mark = all.length;
        return fresh;
    };

    before(async () => {
        ws = await createWorkspace({ name: "resource" });
        const cert = await seedTenant(ws, (t) => addDomains(t, { "northwind.com": "Authoritative", "tailspin.com": "Authoritative" }));
        await configureExchange(ws, cert, {
            // Type change (Shared = InternalRelay); restore later is refused (signals hold).
            "contoso.com": { type: "Shared", directorySynced: true, onDelete: "restore" },
            // Only MatchSubDomains changes.
            "fabrikam.com": { type: "InternalRelay", matchSubDomains: true },
            // Already as declared: no Set.
            "northwind.com": { type: "Authoritative" },
            // Type change; restore later is allowed (no signal).
            "tailspin.com": { type: "InternalRelay", onDelete: "restore" },
        });
        since();
    });
    after(() => removeWorkspace(ws));

    it("up changes exactly the declared properties, one pwsh process and one connect", async () => {
        const before = settings(ws!);
        const r = await run(ws!, ["up", "--yes", "--skip-preview"]);
        assert.strictEqual(r.code, 0, r.output);

        const entries = since();
        const sets = cmdlets(entries, "Set-AcceptedDomain").map((e) => e.params as Record<string, unknown>);
        assert.deepStrictEqual(
            sets.sort((a, b) => String(a.Identity).localeCompare(String(b.Identity))),
            [
                { Identity: "contoso.com", DomainType: "InternalRelay", Confirm: false },
                { Identity: "fabrikam.com", MatchSubDomains: true, Confirm: false },
                { Identity: "tailspin.com", DomainType: "InternalRelay", Confirm: false },
            ],
        );
        assert.strictEqual(entries.filter((e) => e.event === "start").length, 1, "one pwsh process for the run");
        assert.strictEqual(cmdlets(entries, "Connect-ExchangeOnline").length, 1, "one connect for the run");
        assert.strictEqual(cmdlets(entries, "Get-AcceptedDomain").length, 1, "one shared bulk read");

        const after = settings(ws!);
        assert.deepStrictEqual(after, {
            ...before,
            "contoso.com": "InternalRelay matchSubDomains=false outboundOnly=false",
            "fabrikam.com": "InternalRelay matchSubDomains=true outboundOnly=false",
            "tailspin.com": "InternalRelay matchSubDomains=false outboundOnly=false",
        });
        const state = await stateDomains(ws!);
        assert.deepStrictEqual(Object.keys(state).sort(), ["contoso.com", "fabrikam.com", "northwind.com", "tailspin.com"]);
        assert.deepStrictEqual(state["tailspin.com"].original, { domainType: "Authoritative", matchSubDomains: false, outboundOnly: false });
    });

    it("a second preview --expect-no-changes exits 0 and sets nothing", async () => {
        const r = await run(ws!, ["preview", "--expect-no-changes"]);
        assert.strictEqual(r.code, 0, r.output);
        assert.strictEqual(cmdlets(since(), "Set-AcceptedDomain").length, 0);
    });

    it("an out-of-band Set is shown by plain preview as a pending update of that property", async () => {
        await changeTenant(ws!, (t) => {
            t.acceptedDomains.find((d) => d.domainName === "northwind.com")!.domainType = "InternalRelay";
        });
        // Plain preview: the update is listed; a dynamic provider can't return a detailed diff, so the
        // property shows inside the drift input ("<live> -> <declared>"), spelled out by --diff.
        const plain = await run(ws!, ["preview"]);
        assert.strictEqual(plain.code, 0, plain.output);
        assert.match(plain.output, /~\s+pulumi-nodejs:dynamic\/exchange:AcceptedDomain northwind\.com update \[diff: ~drift\]/);
        assert.match(plain.output, /~ 1 to update/);

        const r = await run(ws!, ["preview", "--diff"]);
        assert.strictEqual(r.code, 0, r.output);
        assert.match(r.output, /~ pulumi-nodejs:dynamic\/exchange:AcceptedDomain: \(update\)[\s\S]*?northwind\.com/);
        assert.match(r.output, /domainType\s*:\s*"InternalRelay -> Authoritative"/);
        assert.match(r.output, /1 to update/);
        assert.strictEqual(r.output.match(/\(update\)/g)?.length, 1, "only northwind.com is updated");
        assert.strictEqual(cmdlets(since(), "Set-AcceptedDomain").length, 0, "preview sets nothing");
    });

    it("preview --refresh --expect-no-changes fails, and refresh records the live value", async () => {
        const p = await run(ws!, ["preview", "--refresh", "--expect-no-changes"]);
        assert.notStrictEqual(p.code, 0, p.output);
        assert.match(p.output, /AcceptedDomain northwind\.com update/);
        assert.match(p.output, /no changes were expected/i);

        const r = await run(ws!, ["refresh", "--yes"]);
        assert.strictEqual(r.code, 0, r.output);
        const state = await stateDomains(ws!);
        assert.strictEqual(state["northwind.com"].domainType, "InternalRelay", "refresh records the live type");
        assert.strictEqual(state["contoso.com"].domainType, "InternalRelay");
        assert.strictEqual(cmdlets(since(), "Set-AcceptedDomain").length, 0, "refresh sets nothing");
        assert.strictEqual(domainOf(ws!, "northwind.com").domainType, "InternalRelay");
    });

    it("up updates it back with only that parameter", async () => {
        const r = await run(ws!, ["up", "--yes", "--skip-preview"]);
        assert.strictEqual(r.code, 0, r.output);
        assert.deepStrictEqual(
            cmdlets(since(), "Set-AcceptedDomain").map((e) => e.params),
            [{ Identity: "northwind.com", DomainType: "Authoritative", Confirm: false }],
        );
        assert.strictEqual(domainOf(ws!, "northwind.com").domainType, "Authoritative");
        assert.strictEqual((await stateDomains(ws!))["northwind.com"].domainType, "Authoritative");
    });

    it("a plain up --yes (its preview, then the update) signs in once and reads the tenant once: both provider processes use the run's session keeper", async () => {
        await changeTenant(ws!, (t) => {
            (t.acceptedDomains.find((d) => d.domainName === "northwind.com") as Domain).domainType = "InternalRelay";
        });
        since();
        const r = await run(ws!, ["up", "--yes"]);
        assert.strictEqual(r.code, 0, r.output);
        const entries = since();
        assert.strictEqual(entries.filter((e) => e.event === "start").length, 1, "one pwsh process for the preview and the update");
        assert.strictEqual(cmdlets(entries, "Connect-ExchangeOnline").length, 1, "one connect for the preview and the update");
        for (const read of ["Get-AcceptedDomain", "Get-OnPremisesOrganization", "Get-OutboundConnector"]) {
            assert.strictEqual(cmdlets(entries, read).length, 1, `${read}: the update reuses what its preview read`);
        }
        assert.deepStrictEqual(cmdlets(entries, "Set-AcceptedDomain").map((e) => e.params), [{ Identity: "northwind.com", DomainType: "Authoritative", Confirm: false }]);
        assert.strictEqual(domainOf(ws!, "northwind.com").domainType, "Authoritative");
        assert.deepStrictEqual(await leftoverProcesses(ws!, 1_000), [], "the keeper and its pwsh end with the CLI");
    });

    it("a transient read error during refresh fails the refresh and drops nothing from the state", async () => {
        const before = await stateDomains(ws!);
        await changeTenant(ws!, (t) => {
            t.faults.transientReadErrors = 100;
        });
        const r = await run(ws!, ["refresh", "--yes"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /HttpStatusCode=500 .*a transient Exchange Online server error/);
        const after = await stateDomains(ws!);
        assert.deepStrictEqual(Object.keys(after).sort(), Object.keys(before).sort(), "no resource dropped");
        assert.deepStrictEqual(after, before);
        await changeTenant(ws!, (t) => {
            t.faults.transientReadErrors = 0;
        });
        since();
    });

    it("throttling for a few calls is retried and the run succeeds", async () => {
        await changeTenant(ws!, (t) => {
            t.acceptedDomains.find((d) => d.domainName === "fabrikam.com")!.matchSubDomains = false;
            t.faults.throttleNextCalls = 3;
        });
        const r = await run(ws!, ["up", "--yes", "--skip-preview"]);
        assert.strictEqual(r.code, 0, r.output);
        const entries = since().filter((e) => e.event === "cmdlet" && e.cmdlet !== "Connect-ExchangeOnline");
        const throttled = entries.filter((e) => (e.error as { message?: string } | undefined)?.message?.includes("HttpStatusCode=429") === true);
        assert.strictEqual(throttled.length, 3, JSON.stringify(entries));
        // Each throttled call is retried: the same cmdlet later succeeds.
        for (const t of throttled) {
            assert.ok(entries.some((e) => e.cmdlet === t.cmdlet && e.outcome === "ok" && Number(e.seq) > Number(t.seq)), `${t.cmdlet} retried`);
        }
        assert.deepStrictEqual(
            cmdlets(entries, "Set-AcceptedDomain").filter((e) => e.outcome === "ok").map((e) => e.params),
            [{ Identity: "fabrikam.com", MatchSubDomains: true, Confirm: false }],
        );
        assert.strictEqual(domainOf(ws!, "fabrikam.com").matchSubDomains, true);
        assert.strictEqual(tenant(ws!).faults.throttleNextCalls, 0);
    });

    it("a domain that is not in the tenant fails with 'add and verify it in Microsoft 365 first', nothing changed", async () => {
        await setConfig(ws!, { "exchange:domains": { "litware.com": { type: "InternalRelay" } } });
        const p = await run(ws!, ["preview"]);
        assert.match(p.output, /litware\.com is not an accepted domain of this tenant\. .*add and verify it in Microsoft 365 first.*\(up will fail on it\)/, "preview says so");
        const before = fs.readFileSync(ws!.statePath, "utf8");
        const r = await run(ws!, ["up", "--yes", "--skip-preview"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /litware\.com is not an accepted domain of this tenant/);
        assert.match(r.output, /add and verify it in Microsoft 365 first/);
        assert.strictEqual(fs.readFileSync(ws!.statePath, "utf8"), before, "tenant unchanged");
        assert.strictEqual(cmdlets(since(), "Set-AcceptedDomain").length, 0);
        assert.ok(!("litware.com" in (await stateDomains(ws!))), "not in the stack state");
        await removeDomainConfig(ws!, "litware.com");
    });

    it("delete with the default retain leaves the domain as it is and says so", async () => {
        await removeDomainConfig(ws!, "northwind.com");
        const before = fs.readFileSync(ws!.statePath, "utf8");
        const r = await run(ws!, ["up", "--yes", "--skip-preview"]);
        assert.strictEqual(r.code, 0, r.output);
        assert.match(r.output, /left northwind\.com as it is \(onDelete: retain\)/);
        assert.strictEqual(fs.readFileSync(ws!.statePath, "utf8"), before, "tenant unchanged");
        assert.strictEqual(cmdlets(since(), "Set-AcceptedDomain").length, 0);
        assert.ok(!("northwind.com" in (await stateDomains(ws!))));
    });

    it("delete with onDelete restore sets back the original settings", async () => {
        await removeDomainConfig(ws!, "tailspin.com");
        const r = await run(ws!, ["up", "--yes", "--skip-preview"]);
        assert.strictEqual(r.code, 0, r.output);
        assert.match(r.output, /restored tailspin\.com to its original settings \(domainType=Authoritative\)/);
        assert.deepStrictEqual(
            cmdlets(since(), "Set-AcceptedDomain").map((e) => e.params),
            [{ Identity: "tailspin.com", DomainType: "Authoritative", Confirm: false }],
        );
        assert.strictEqual(domainOf(ws!, "tailspin.com").domainType, "Authoritative");
    });

    it("restore to Authoritative while coexistence signals hold is refused, tenant unchanged", async () => {
        await removeDomainConfig(ws!, "contoso.com");
        const before = fs.readFileSync(ws!.statePath, "utf8");
        const r = await run(ws!, ["up", "--yes", "--skip-preview"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /refusing to restore contoso\.com to Authoritative: coexistence signals hold/);
        // The way out from where the user stands: the domain has left the code, so it must come back first.
        assert.match(r.output, /add it back to exchange:domains as \{ type: "InternalRelay", onDelete: "retain" \}, run up, then remove it and run up again/);
        assert.doesNotMatch(r.output, /^\s+at .*:\d+:\d+\)?$/m, "no stack-trace line");
        assert.doesNotMatch(r.output, /Error: refusing/, "printed once, as the engine's error, not as the host's `${e}: ${e.stack}`");
        assert.strictEqual(fs.readFileSync(ws!.statePath, "utf8"), before, "tenant unchanged");
        assert.strictEqual(cmdlets(since(), "Set-AcceptedDomain").length, 0);
        assert.ok("contoso.com" in (await stateDomains(ws!)), "still managed");
        assert.strictEqual(domainOf(ws!, "contoso.com").domainType, "InternalRelay");
    });

    it("the refusal's advice works: onDelete retain is recorded without a Set, then destroy leaves every domain as it is", async () => {
        await setConfig(ws!, { "exchange:domains": { "contoso.com": { type: "Shared", directorySynced: true, onDelete: "retain" } } });
        const tenantBefore = fs.readFileSync(ws!.statePath, "utf8");
        const u = await run(ws!, ["up", "--yes", "--skip-preview"]);
        assert.strictEqual(u.code, 0, u.output);
        assert.match(u.output, /1 updated/);
        assert.strictEqual((await stateDomains(ws!))["contoso.com"].onDelete, "retain");

        const d = await run(ws!, ["destroy", "--yes", "--skip-preview"]);
        assert.strictEqual(d.code, 0, d.output);
        assert.match(d.output, /left contoso\.com as it is/);
        assert.match(d.output, /left fabrikam\.com as it is/);
        assert.deepStrictEqual(await stateDomains(ws!), {});
        assert.strictEqual(fs.readFileSync(ws!.statePath, "utf8"), tenantBefore, "tenant unchanged by the update and the destroy");
        assert.strictEqual(cmdlets(since(), "Set-AcceptedDomain").length, 0);
    });

    it("after up, the certificate password is in no backend file, journal or CLI output", () => {
        assert.ok(outputs.length >= 10);
        for (const file of backendFiles(ws!)) {
            assert.ok(!file.includes(DEMO_CERT_PASSWORD), "backend file holds the password");
        }
        assert.ok(!fs.readFileSync(ws!.journalPath, "utf8").includes(DEMO_CERT_PASSWORD), "journal holds the password");
        for (const out of outputs) {
            assert.ok(!out.includes(DEMO_CERT_PASSWORD), "CLI output holds the password");
        }
        // The password is in the stack config, encrypted.
        const stackConfig = fs.readFileSync(`${ws!.dir}/Pulumi.${ws!.stack}.yaml`, "utf8");
        assert.match(stackConfig, /certificatePassword:\s*\n\s*secure:/);
    });
});

async function removeDomainConfig(ws: Workspace, domain: string): Promise<void> {
    const r = await pulumi(ws, ["config", "rm", "--path", `exchange:domains["${domain}"]`]);
    assert.strictEqual(r.code, 0, r.output);
}

/**
 * A program of the user's own (components/accepted-domain.ts used directly):
 * resources by name from e2e:resources, so a domain name can change under the
 * same resource name, and inputs reach the provider's check unvalidated.
 */
const SCRATCH_PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import { AcceptedDomain, type AcceptedDomainArgs } from "../../../components/accepted-domain";

const resources = new pulumi.Config("e2e").requireObject<Record<string, AcceptedDomainArgs>>("resources");
for (const [name, args] of Object.entries(resources)) {
    new AcceptedDomain(name, args);
}
`;

describe("AcceptedDomain under the real CLI: a program of the user's own", function () {
    this.timeout(15 * 60 * 1000);
    let ws: Workspace | undefined;
    let mark = 0;
    const since = (): Entry[] => {
        const all = journal(ws!);
        const fresh = all.slice(mark);
        mark = all.length;
        return fresh;
    };

    before(async () => {
        ws = await createWorkspace({ name: "resource-own", files: { "index.ts": SCRATCH_PROGRAM } });
        const cert = await seedTenant(ws, (t) => addDomains(t, { "northwind.com": "Authoritative", "tailspin.com": "Authoritative" }));
        await configureExchange(ws, cert, {}, { "e2e:resources": { primary: { domainName: "Northwind.COM.", domainType: "Shared" } } });
        const r = await pulumi(ws, ["up", "--yes", "--skip-preview"]);
        assert.strictEqual(r.code, 0, r.output);
        assert.strictEqual(domainOf(ws, "northwind.com").domainType, "InternalRelay", "normalised name and KB type name");
        since();
    });
    after(() => removeWorkspace(ws));

    it("ExternalRelay is refused at check with the reason and what to write instead", async () => {
        await setConfig(ws!, { "e2e:resources": { primary: { domainType: "ExternalRelay" } } });
        const before = fs.readFileSync(ws!.statePath, "utf8");
        const r = await pulumi(ws!, ["preview"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /ExternalRelay is not available in Exchange Online/);
        assert.match(r.output, /write InternalRelay \(the KB's Shared\)/);
        assert.strictEqual(fs.readFileSync(ws!.statePath, "utf8"), before);
        assert.strictEqual(cmdlets(since(), "Set-AcceptedDomain").length, 0);
    });

    it("MatchSubDomains on an Authoritative domain is refused at check", async () => {
        await setConfig(ws!, { "e2e:resources": { primary: { domainType: "Authoritative", matchSubDomains: true } } });
        const r = await pulumi(ws!, ["preview"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /matchSubDomains is only valid on an InternalRelay domain/);
        assert.match(r.output, /set domainType: InternalRelay, or remove matchSubDomains/);
        assert.strictEqual(cmdlets(since(), "Set-AcceptedDomain").length, 0);
    });

    it("a new domain name replaces the resource; no domain leaves the tenant", async () => {
        await setConfig(ws!, { "e2e:resources": { primary: { domainName: "tailspin.com", domainType: "InternalRelay", matchSubDomains: false } } });
        const domainsBefore = tenant(ws!).acceptedDomains.map((d) => d.domainName).sort();
        const p = await pulumi(ws!, ["preview"]);
        assert.strictEqual(p.code, 0, p.output);
        assert.match(p.output, /\+- pulumi-nodejs:dynamic\/exchange:AcceptedDomain primary replace \[diff: ~domainName\]/);
        assert.match(p.output, /\+-1 to replace/);

        const r = await pulumi(ws!, ["up", "--yes", "--skip-preview"]);
        assert.strictEqual(r.code, 0, r.output);
        assert.match(r.output, /left northwind\.com as it is/);
        assert.deepStrictEqual(tenant(ws!).acceptedDomains.map((d) => d.domainName).sort(), domainsBefore, "no domain removed");
        assert.strictEqual(domainOf(ws!, "tailspin.com").domainType, "InternalRelay");
        assert.strictEqual(domainOf(ws!, "northwind.com").domainType, "InternalRelay", "the old domain is left as it is");
        assert.deepStrictEqual(
            cmdlets(since(), "Set-AcceptedDomain").map((e) => e.params),
            [{ Identity: "tailspin.com", DomainType: "InternalRelay", Confirm: false }],
        );
        const state = await stateDomains(ws!);
        assert.strictEqual(state.primary.domainName, "tailspin.com");
        assert.deepStrictEqual(state.primary.original, { domainType: "Authoritative", matchSubDomains: false, outboundOnly: false });
    });

    it("refresh drops the resource only when the tenant no longer has the domain (not found)", async () => {
        await changeTenant(ws!, (t) => {
            t.acceptedDomains = t.acceptedDomains.filter((d) => d.domainName !== "tailspin.com");
        });
        const r = await pulumi(ws!, ["refresh", "--yes"]);
        assert.strictEqual(r.code, 0, r.output);
        assert.match(r.output, /AcceptedDomain primary delete/);
        assert.deepStrictEqual(await stateDomains(ws!), {}, "gone from the stack state");
        assert.strictEqual(cmdlets(since(), "Set-AcceptedDomain").length, 0);
    });
});

describe("AcceptedDomain under the real CLI: bad stack config", function () {
    this.timeout(10 * 60 * 1000);
    let ws: Workspace | undefined;
    let tenantBefore = "";

    before(async () => {
        ws = await createWorkspace({ name: "resource-config" });
        const cert = await seedTenant(ws);
        await configureExchange(ws, cert, { "contoso.com": { type: "Primary" } });
        tenantBefore = fs.readFileSync(ws.statePath, "utf8");
    });
    after(() => removeWorkspace(ws));

    it("exchange:domains with a bad type names the key, the value and the fix; tenant untouched", async () => {
        const r = await pulumi(ws!, ["up", "--yes"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /exchange:domains\.contoso\.com\.type: got "Primary": "Primary" is not a domain type; write Authoritative \(the KB's Hosted\) or InternalRelay \(the KB's Shared\)/);
        assert.doesNotMatch(r.output, /\n\s+at .*\.ts:\d+/, "no stack trace");
        assert.strictEqual(fs.readFileSync(ws!.statePath, "utf8"), tenantBefore);
        assert.strictEqual(cmdlets(journal(ws!), "Set-AcceptedDomain").length, 0);
    });

    it("exchange:domains that is not a map names the key, the value and the fix", async () => {
        const rm = await pulumi(ws!, ["config", "rm", "exchange:domains"]);
        assert.strictEqual(rm.code, 0, rm.output);
        const set = await pulumi(ws!, ["config", "set", "exchange:domains", "contoso.com"]);
        assert.strictEqual(set.code, 0, set.output);
        const r = await pulumi(ws!, ["preview"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /exchange:domains: got "contoso\.com": set it to a map from domain name to \{ type: \.\.\. \}/);
        assert.strictEqual(fs.readFileSync(ws!.statePath, "utf8"), tenantBefore);
        const rm2 = await pulumi(ws!, ["config", "rm", "exchange:domains"]);
        assert.strictEqual(rm2.code, 0, rm2.output);
    });

    it("a missing exchange:organization names the key and the fix; tenant untouched", async () => {
        await setConfig(ws!, { "exchange:domains": { "contoso.com": { type: "InternalRelay" } } });
        const rm = await pulumi(ws!, ["config", "rm", "exchange:organization"]);
        assert.strictEqual(rm.code, 0, rm.output);
        const r = await pulumi(ws!, ["up", "--yes"]);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /exchange:organization is required: set it to the tenant's initial domain, e\.g\. contoso\.onmicrosoft\.com/);
        assert.strictEqual(fs.readFileSync(ws!.statePath, "utf8"), tenantBefore);
        assert.strictEqual(cmdlets(journal(ws!), "Set-AcceptedDomain").length, 0);
        assert.ok(!r.output.includes(DEMO_CERT_PASSWORD));
    });
});

describe("AcceptedDomain under the real CLI: access-token auth keeps the token secret", function () {
    this.timeout(10 * 60 * 1000);
    let ws: Workspace | undefined;
    after(() => removeWorkspace(ws));

    it("up connects with the token, and the token is in no backend file, journal or CLI output", async () => {
        ws = await createWorkspace({ name: "resource-token" });
        await seedTenant(ws);
        await setConfig(ws, {
            "exchange:organization": DEMO_ORGANIZATION,
            "exchange:auth": { kind: "accessToken" },
            "exchange:domains": { "contoso.com": { type: "Shared" } },
        });
        const secret = await pulumi(ws, ["config", "set", "--secret", "--path", "exchange:auth.accessToken", DEMO_ACCESS_TOKEN]);
        assert.strictEqual(secret.code, 0, secret.output);

        const r = await pulumi(ws, ["up", "--yes"]);
        assert.strictEqual(r.code, 0, r.output);
        assert.strictEqual(domainOf(ws, "contoso.com").domainType, "InternalRelay", "connected and applied");
        const connects = cmdlets(journal(ws), "Connect-ExchangeOnline");
        assert.ok(connects.length > 0 && connects.every((e) => e.outcome === "ok"), JSON.stringify(connects));

        assert.ok(!r.output.includes(DEMO_ACCESS_TOKEN), "CLI output holds the token");
        assert.ok(!fs.readFileSync(ws.journalPath, "utf8").includes(DEMO_ACCESS_TOKEN), "journal holds the token");
        for (const file of backendFiles(ws)) {
            assert.ok(!file.includes(DEMO_ACCESS_TOKEN), "backend file holds the token");
        }
    });
});
