/** The fleet's result, its exit code and its table, from engine events shaped like the Automation API's. */
import * as assert from "assert";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { ACCEPTED_DOMAIN_TYPE } from "../../../components/schema";
import { buildReport, errorReport, type TenantDomain } from "../../../scripts/drift/report";
import { domainRows, failedStack, fleetExitCode, fleetResult, policyFindings, stackResult, type FleetRunInfo, type StackResult } from "../../../scripts/fleet/result";
import { policyCell, renderFleetTable, settingsCell } from "../../../scripts/fleet/table";
import { step } from "../drift/events";

function inputs(domain: string, settings: Record<string, unknown> = {}) {
    return { domainName: domain, domainType: "InternalRelay", matchSubDomains: false, outboundOnly: false, directorySynced: false, onDelete: "retain", drift: {}, ...settings };
}
const tenantDomain = (domainName: string, over: Partial<TenantDomain> = {}): TenantDomain => ({ domainName, domainType: "InternalRelay", matchSubDomains: false, outboundOnly: false, ...over });
const urn = (domain: string) => `urn:pulumi:s::p::${ACCEPTED_DOMAIN_TYPE}::${domain}`;

function policy(resourceUrn: string | undefined, policyName: string, enforcementLevel: string, message: string): EngineEvent {
    return {
        sequence: 0,
        timestamp: 0,
        policyEvent: { ...(resourceUrn ? { resourceUrn } : {}), policyName, policyPackName: "exchange-accepted-domains", policyPackVersion: "", policyPackVersionTag: "", enforcementLevel, message, color: "never" },
    } as EngineEvent;
}

const MANDATORY = "synced-domain-not-authoritative";
const VIOLATION = policy(urn("contoso.com"), MANDATORY, "mandatory", "\u001b[31mChecks whether a synced domain would be Authoritative.\n<{%reset%}>contoso.com is directory-synced (signals: stack declares directorySynced: true)\nand must not be Authoritative\u001b[0m");

/** A stack with contoso.com (declared Authoritative, live InternalRelay) and fabrikam.com (in sync). */
function tenantA(extra: EngineEvent[] = []) {
    const events = [
        step("refresh", inputs("contoso.com")),
        step("update", inputs("contoso.com", { domainType: "Authoritative" }), inputs("contoso.com")),
        step("same", inputs("fabrikam.com", { matchSubDomains: true }), inputs("fabrikam.com", { matchSubDomains: true })),
        ...extra,
    ];
    const report = buildReport("tenant-a", events, [tenantDomain("contoso.com"), tenantDomain("fabrikam.com", { matchSubDomains: true })]);
    return { events, report };
}

function outcome(stack: string, tenant: string | null, x: { events: EngineEvent[]; report: ReturnType<typeof buildReport> }, policyRan: boolean, more: { locked?: boolean; attempts?: number } = {}): StackResult {
    return stackResult({ stack, tenant, ...x, policyRan, attempts: more.attempts ?? 1, locked: more.locked ?? false, durationMs: 1200 });
}

const INFO: FleetRunInfo = { mode: "preview", workDir: "/p", parallel: 4, policyPacks: ["/p/policies"], policyPackConfigs: [], startedAt: "2026-01-05T10:00:00.000Z", durationMs: 12345 };

describe("fleet result (pure)", () => {
    describe("domain rows", () => {
        it("declared from the program, live = declared with the drift applied; flags shown when on", () => {
            const { events, report } = tenantA();
            const { rows } = domainRows(report, events, false);
            assert.deepStrictEqual(
                rows.map((r) => [r.domain, settingsCell(r.declared), settingsCell(r.live), r.drift, policyCell(r.policy), r.status]),
                [
                    ["contoso.com", "Authoritative", "InternalRelay", "drift", "-", "DRIFT"],
                    ["fabrikam.com", "InternalRelay+matchSubDomains", "InternalRelay+matchSubDomains", "in-sync", "-", "ok"],
                ],
            );
        });

        it("a declared domain the tenant lacks is missing, live (missing)", () => {
            const events = [step("create", inputs("gone.example"))];
            const { rows } = domainRows(buildReport("s", events, []), events, true);
            assert.deepStrictEqual([rows[0].live, rows[0].drift, rows[0].status, settingsCell(rows[0].live), policyCell(rows[0].policy)], [null, "missing", "MISSING", "(missing)", "ok"]);
        });

        it("policy results go to their domain by URN (the resource's name needn't be the domain); mandatory is a violation, advisory is not", () => {
            const advisory = policy(urn("fabrikam.com"), "internal-relay-routed-on-premises", "advisory", "fabrikam.com has no connector");
            const named = step("same", inputs("northwind.example"), inputs("northwind.example"));
            named.resourcePreEvent!.metadata.urn = `urn:pulumi:s::p::${ACCEPTED_DOMAIN_TYPE}::northwind`;
            const onNamed = policy(`urn:pulumi:s::p::${ACCEPTED_DOMAIN_TYPE}::northwind`, "accepted-domain-objects-unique", "advisory", "two objects");
            const stackLevel = policy(undefined, "stack-rule", "mandatory", "the stack as a whole");
            const events = [...tenantA([VIOLATION, VIOLATION, advisory, onNamed, stackLevel]).events, named];
            const report = buildReport("s", events, [tenantDomain("contoso.com"), tenantDomain("fabrikam.com", { matchSubDomains: true }), tenantDomain("northwind.example")]);
            const { rows, otherPolicy } = domainRows(report, events, true);
            const by = new Map(rows.map((r) => [r.domain, r]));
            assert.strictEqual(by.get("contoso.com")!.policy!.length, 1, "a repeated event counts once");
            assert.deepStrictEqual([by.get("contoso.com")!.violation, by.get("contoso.com")!.status], [true, "DRIFT+VIOLATION"]);
            assert.strictEqual(by.get("contoso.com")!.policy![0].message, "Checks whether a synced domain would be Authoritative.\ncontoso.com is directory-synced (signals: stack declares directorySynced: true)\nand must not be Authoritative", "colours stripped");
            assert.deepStrictEqual([by.get("fabrikam.com")!.violation, policyCell(by.get("fabrikam.com")!.policy), by.get("fabrikam.com")!.status], [false, "[advisory] internal-relay-routed-on-premises", "ok"]);
            assert.deepStrictEqual(policyCell(by.get("northwind.example")!.policy), "[advisory] accepted-domain-objects-unique");
            assert.deepStrictEqual(otherPolicy?.map((f) => f.policyName), ["stack-rule"]);
        });

        it("events that aren't policy results, or are malformed, are no findings", () => {
            const odd = { sequence: 0, timestamp: 0, policyEvent: { message: "no name" } } as unknown as EngineEvent;
            assert.deepStrictEqual(policyFindings([odd, step("same", inputs("contoso.com"), inputs("contoso.com"))]), []);
        });

        it("the policy cell lists mandatory rules first, each once", () => {
            const f = (policyName: string, enforcementLevel: string) => ({ policyName, enforcementLevel, policyPackName: "", message: "" });
            assert.strictEqual(policyCell([f("b-advice", "advisory"), f("a-rule", "mandatory"), f("b-advice", "advisory")]), "[mandatory] a-rule, [advisory] b-advice");
            assert.strictEqual(policyCell([]), "ok");
            assert.strictEqual(policyCell(null), "-");
        });
    });

    describe("stack status and exit code", () => {
        it("drift, violation, both, in sync", () => {
            const inSync = (() => {
                const events = [step("same", inputs("fabrikam.com"), inputs("fabrikam.com"))];
                return { events, report: buildReport("s", events, [tenantDomain("fabrikam.com")]) };
            })();
            assert.strictEqual(outcome("a", "a.onmicrosoft.com", tenantA(), false).status, "drift");
            assert.strictEqual(outcome("a", "a.onmicrosoft.com", tenantA([VIOLATION]), true).status, "drift+violation");
            assert.strictEqual(outcome("a", "a.onmicrosoft.com", tenantA([VIOLATION]), false).status, "drift", "without a pack, policy events are not read");
            assert.strictEqual(outcome("b", null, inSync, true).status, "in-sync");
            const violatingOnly = (() => {
                const events = [step("same", inputs("contoso.com"), inputs("contoso.com")), VIOLATION];
                return { events, report: buildReport("s", events, [tenantDomain("contoso.com")]) };
            })();
            assert.strictEqual(outcome("c", null, violatingOnly, true).status, "violation");
        });

        it("an error report is error, or locked when the last attempt was still locked; no rows", () => {
            const err = { events: [], report: errorReport("d", "the refresh-preview failed:\nthe stack is currently locked by 1 lock(s).") };
            const locked = outcome("d", "d.onmicrosoft.com", err, true, { locked: true, attempts: 4 });
            assert.deepStrictEqual([locked.status, locked.attempts, locked.domains, locked.otherPolicy], ["locked", 4, [], null]);
            assert.strictEqual(outcome("d", null, err, true).status, "error");
        });

        it("exit 2 when any stack failed (over drift and violations), 1 for drift or a violation, else 0", () => {
            const drift = outcome("a", null, tenantA(), false);
            const violation = outcome("a", null, tenantA([VIOLATION]), true);
            const failed = failedStack("x", null, "bad config");
            const clean = { ...drift, status: "in-sync" as const };
            assert.strictEqual(fleetExitCode([clean, clean]), 0);
            assert.strictEqual(fleetExitCode([clean, drift]), 1);
            assert.strictEqual(fleetExitCode([violation, clean]), 1);
            assert.strictEqual(fleetExitCode([drift, failed, violation]), 2);
            assert.strictEqual(fleetExitCode([{ ...failed, status: "locked" }]), 2);
            assert.strictEqual(fleetExitCode([]), 0);
        });
    });

    describe("the table", () => {
        const stacks = [
            outcome("tenant-a", "a.onmicrosoft.com", tenantA([VIOLATION]), true),
            outcome("tenant-b", "b.onmicrosoft.com", { events: [], report: errorReport("tenant-b", "the refresh-preview failed:\nerror: exchange:commandTimeoutSecond is not a setting\n  did you mean exchange:commandTimeoutSeconds?") }, true),
            outcome("tenant-c", null, { events: [], report: errorReport("tenant-c", "the stack is currently locked by 1 lock(s).") }, true, { locked: true, attempts: 4 }),
        ];
        const result = fleetResult(INFO, stacks);
        const text = renderFleetTable(result);

        it("one row per stack and domain, aligned; a failed stack is one row with its status", () => {
            assert.strictEqual(
                text.split("\n").slice(0, 7).join("\n"),
                [
                    "fleet preview: 3 stack(s), parallel 4, 12.3 s",
                    "",
                    "STACK     TENANT             DOMAIN        DECLARED                       LIVE                           POLICY                                       STATUS",
                    "tenant-a  a.onmicrosoft.com  contoso.com   Authoritative                  InternalRelay                  [mandatory] synced-domain-not-authoritative  DRIFT+VIOLATION",
                    "tenant-a  a.onmicrosoft.com  fabrikam.com  InternalRelay+matchSubDomains  InternalRelay+matchSubDomains  ok                                           ok",
                    "tenant-b  b.onmicrosoft.com  -             -                              -                              -                                            ERROR",
                    "tenant-c  ?                  -             -                              -                              -                                            LOCKED",
                ].join("\n"),
            );
        });

        it("then a line per drifting stack, per mandatory violation and per failed stack, each naming it; then the result", () => {
            const notes = text.split("\n").slice(8);
            assert.deepStrictEqual(notes, [
                "drift: tenant-a (a.onmicrosoft.com): contoso.com",
                "policy: tenant-a (a.onmicrosoft.com): contoso.com: [mandatory] synced-domain-not-authoritative: contoso.com is directory-synced (signals: stack declares directorySynced: true) and must not be Authoritative",
                "FAILED tenant-b (b.onmicrosoft.com): the refresh-preview failed: error: exchange:commandTimeoutSecond is not a setting did you mean exchange:commandTimeoutSeconds?",
                "LOCKED tenant-c after 4 attempt(s), not cancelled (wait for the other update; `pulumi cancel --stack tenant-c` only if it died): the stack is currently locked by 1 lock(s).",
                "",
                "result: 2 failed (tenant-b, tenant-c), 1 drifting (tenant-a), 1 violating a mandatory policy (tenant-a); exit 2",
                "",
            ]);
        });

        it("the JSON names the drifting, violating and failed stacks", () => {
            assert.deepStrictEqual([result.drifted, result.violating, result.failed.map((f) => [f.stack, f.status]), result.exitCode], [["tenant-a"], ["tenant-a"], [["tenant-b", "error"], ["tenant-c", "locked"]], 2]);
            assert.strictEqual(result.schemaVersion, 1);
        });

        it("a clean fleet says so; a stack without domains still has its row", () => {
            const empty = outcome("empty", "e.onmicrosoft.com", { events: [], report: buildReport("empty", [], []) }, false);
            const clean = renderFleetTable(fleetResult({ ...INFO, mode: "drift" }, [empty]));
            assert.match(clean, /^empty  e\.onmicrosoft\.com  \(none declared\)  -  +-  +-  +ok$/m);
            assert.match(clean, /^result: every stack in sync and compliant; exit 0\n$/m);
        });
    });
});
