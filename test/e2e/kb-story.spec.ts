/**
 * The KB story end to end, under the real CLI with the project's own program
 * and policy pack, against the emulated tenant: contoso.com is Authoritative in
 * a directory-synced coexistence, the code declares it Shared (InternalRelay),
 * preview shows the pending fix, up applies exactly that, mail to on-premises
 * users is routed instead of NDR'd, and a second preview has nothing to do.
 */
import * as assert from "assert";
import * as path from "path";
import { simulateRoute } from "../../emulator";
import {
    configureExchange,
    createWorkspace,
    journal,
    pulumi,
    removeWorkspace,
    repoRoot,
    runCommand,
    seedTenant,
    setConfig,
    tenant,
    Workspace,
    type ConfigValue,
} from "./harness";

const ON_PREM_USER = "megan.legacy@contoso.com";
const CORRUPTION = 'The value "*.fabrikam.com" of property "RecipientDomains" is used by another connector.';
const ESC = "\u001b";

describe("KB story: a synced domain made Authoritative is fixed by code", function () {
    this.timeout(10 * 60 * 1000);
    let ws: Workspace | undefined;

    before(async () => {
        ws = await createWorkspace({ name: "kb-story" });
        const cert = await seedTenant(ws, (t) => {
            // A warning over two lines ahead of every read (EXO's corrupted-object warning), and a
            // micro delay on the first tenant call (KB 2881759: a warning, not an error).
            t.acceptedDomains.find((d) => d.domainName === "fabrikam.com")!.validationErrors = [CORRUPTION];
            t.faults.microDelayNextCalls = 1;
        });
        await configureExchange(ws, cert, {
            "contoso.com": { type: "Shared", directorySynced: true },
            "fabrikam.com": { type: "InternalRelay" },
        });
    });
    after(() => removeWorkspace(ws));

    it("starts in the outage: mail from an online user to an on-premises user NDRs", () => {
        const route = simulateRoute(tenant(ws!), ON_PREM_USER);
        assert.strictEqual(route.outcome, "ndr", JSON.stringify(route));
    });

    it("preview shows contoso.com's pending type change and passes the policy pack", async () => {
        const r = await pulumi(ws!, ["preview", "--diff", "--policy-pack", "../../../policies"]);
        assert.strictEqual(r.code, 0, r.output);
        // pwsh's own output (DECCKM, coloured two-line warnings) never breaks a read and never reaches the CLI raw.
        const starts = journal(ws!).filter((e) => e.event === "start");
        assert.ok(starts.length > 0);
        for (const s of starts) {
            assert.deepStrictEqual(s.host, { nonInteractive: true, noProfile: true, virtualTerminal: true, plainText: false }, "pwsh started with -NonInteractive -NoProfile, default (VT, coloured) output");
        }
        assert.match(r.output, /Get-AcceptedDomain: WARNING: The object fabrikam\.com has been corrupted/);
        assert.ok(r.output.includes(`Get-AcceptedDomain: ${CORRUPTION}`), "the warning's second line, shown as a plain line");
        assert.match(r.output, /WARNING: Micro delay applied/, "the micro delay is shown, not failed on");
        assert.ok(!r.output.includes(ESC), "no terminal sequence reaches the CLI output");
        assert.match(r.output, /domainType: "Authoritative -> InternalRelay"/);
        assert.match(r.output, /exchange-accepted-domains\|local\|\.\.\/\.\.\/\.\.\/policies\s+0\.1\.0/, "the pack ran");
        assert.doesNotMatch(r.output, /\[(mandatory|advisory)\]/, "no violation");
        assert.strictEqual(tenant(ws!).acceptedDomains.find((d) => d.domainName === "contoso.com")?.domainType, "Authoritative",
            "preview must not change the tenant");
    });

    it("up sets exactly the declared change, with one pwsh start and one connect", async () => {
        const before = journal(ws!).length;
        const before_ = tenant(ws!);
        // --skip-preview: one engine run, so one provider process (a plain `up --yes`
        // previews first, in a provider process of its own).
        const r = await pulumi(ws!, ["up", "--yes", "--skip-preview", "--policy-pack", "../../../policies"]);
        assert.strictEqual(r.code, 0, r.output);

        const after = tenant(ws!);
        const contoso = after.acceptedDomains.find((d) => d.domainName === "contoso.com");
        assert.strictEqual(contoso?.domainType, "InternalRelay");
        // Nothing else in the tenant changed.
        const others = (t: typeof after) => JSON.stringify(t.acceptedDomains.filter((d) => d.domainName !== "contoso.com"));
        assert.strictEqual(others(after), others(before_));

        const entries = journal(ws!).slice(before);
        const count = (pred: (e: Record<string, unknown>) => boolean) => entries.filter(pred).length;
        assert.strictEqual(count((e) => e.event === "start"), 1, "one pwsh process for the whole run");
        assert.strictEqual(count((e) => e.cmdlet === "Connect-ExchangeOnline" && e.outcome === "ok"), 1, "one connect for the whole run");
        const sets = entries.filter((e) => e.cmdlet === "Set-AcceptedDomain");
        assert.strictEqual(sets.length, 1, JSON.stringify(sets));
        assert.deepStrictEqual(sets[0].params, { Identity: "contoso.com", DomainType: "InternalRelay", Confirm: false });
    });

    it("mail to the on-premises user is now routed on-premises", () => {
        const route = simulateRoute(tenant(ws!), ON_PREM_USER);
        assert.strictEqual(route.outcome, "relayed-on-premises", JSON.stringify(route));
    });

    it("a second preview --expect-no-changes exits 0", async () => {
        const r = await pulumi(ws!, ["preview", "--expect-no-changes"]);
        assert.strictEqual(r.code, 0, r.output);
    });

    describe("the provider's own guard, with no policy pack", () => {
        const setDomains = (domains: Record<string, ConfigValue>) => setConfig(ws!, { "exchange:domains": domains });

        it("up without --policy-pack that would make synced contoso.com Authoritative again fails and sends no Set", async () => {
            await setDomains({ "contoso.com": { type: "Hosted" }, "fabrikam.com": { type: "InternalRelay" } });
            const preview = await pulumi(ws!, ["preview"]);
            assert.match(preview.output, /contoso\.com: up will refuse to make it Authoritative while coexistence signals hold/, "preview already says so");
            const before = journal(ws!).length;
            const r = await pulumi(ws!, ["up", "--yes", "--skip-preview"]);
            assert.notStrictEqual(r.code, 0, r.output);
            assert.match(r.output, /refusing to make contoso\.com Authoritative: coexistence signals hold \(.*tenant lists it as a hybrid domain/);
            assert.match(r.output, /KB 2510049/);
            assert.match(r.output, /authoritativeDespiteCoexistence/);
            const sets = journal(ws!).slice(before).filter((e) => e.cmdlet === "Set-AcceptedDomain");
            assert.deepStrictEqual(sets, [], "nothing was sent");
            assert.strictEqual(tenant(ws!).acceptedDomains.find((d) => d.domainName === "contoso.com")?.domainType, "InternalRelay");
        });

        it("with a reviewed authoritativeDespiteCoexistence the run says whose override it is, and applies it", async () => {
            const override = { reason: "all mailboxes moved, on-premises retired", approvedBy: "exchange-admins@contoso.com", expires: "2999-12-31" };
            await setDomains({ "contoso.com": { type: "Hosted", authoritativeDespiteCoexistence: override }, "fabrikam.com": { type: "InternalRelay" } });
            const r = await pulumi(ws!, ["up", "--yes", "--skip-preview"]);
            assert.strictEqual(r.code, 0, r.output);
            assert.match(r.output, /contoso\.com: Authoritative despite coexistence signals .* by authoritativeDespiteCoexistence approved by exchange-admins@contoso\.com, valid until 2999-12-31/);
            assert.strictEqual(tenant(ws!).acceptedDomains.find((d) => d.domainName === "contoso.com")?.domainType, "Authoritative");
            // The drift report lists the exemption in use, and the outage it knowingly allows.
            const report = await runCommand(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "scripts", "drift-report.ts"), "--cwd", ws!.dir, "--stack", ws!.stack], { cwd: repoRoot, env: ws!.env });
            assert.match(report.stdout, /exemptions in use .*\n  contoso\.com: authoritativeDespiteCoexistence approved by exchange-admins@contoso\.com, valid until 2999-12-31: all mailboxes moved/);
            assert.match(report.stdout, /OUTAGE IN PROGRESS:\n  Exchange Online is rejecting mail to on-premises recipients of contoso\.com now/);
        });
    });
});
