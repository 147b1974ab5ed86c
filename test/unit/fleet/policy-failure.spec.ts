/** When a preview with a policy pack failed only for a mandatory violation, the drift report still holds. */
import * as assert from "assert";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { failedOnlyForPolicy } from "../../../scripts/drift/run";
import { step } from "../drift/events";

const policy = (enforcementLevel: "mandatory" | "warning"): EngineEvent =>
    ({
        sequence: 0,
        timestamp: 0,
        policyEvent: { policyName: "synced-domain-not-authoritative", policyPackName: "p", policyPackVersion: "", policyPackVersionTag: "", enforcementLevel, message: "m", color: "never" },
    }) as EngineEvent;
const diagnostic = (severity: "error" | "info", message: string): EngineEvent =>
    ({ sequence: 0, timestamp: 0, diagnosticEvent: { message, color: "never", severity } }) as EngineEvent;
const domain = step("same", { domainName: "contoso.com", domainType: "Authoritative", matchSubDomains: false, outboundOnly: false }, {});

describe("failedOnlyForPolicy", () => {
    it("a mandatory violation and the CLI's generic failure line: only the policy failed", () => {
        assert.strictEqual(failedOnlyForPolicy([domain, policy("mandatory"), diagnostic("error", "preview failed")]), true);
    });

    it("any other error diagnostic: the run failed for that too, nothing is known", () => {
        assert.strictEqual(failedOnlyForPolicy([domain, policy("mandatory"), diagnostic("error", "exchange:commandTimeoutSecond is not a setting")]), false);
        assert.strictEqual(failedOnlyForPolicy([policy("mandatory"), diagnostic("info", "error: Connect-ExchangeOnline failed: AADSTS7000222")]), false, "a run-level error said as a plain line");
    });

    it("no mandatory violation: the failure is something else", () => {
        assert.strictEqual(failedOnlyForPolicy([domain, policy("warning"), diagnostic("error", "preview failed")]), false);
        assert.strictEqual(failedOnlyForPolicy([]), false);
    });
});
