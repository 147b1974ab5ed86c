/**
 * The pull-request gate's comment, composed from what the preview itself recorded: the engine's
 * event log (`pulumi preview --event-log <file>`, one JSON engine event per line, the same events
 * the Automation API streams) for every policy result with its full reason, and the drift report's
 * Markdown for what `up` would do per domain, in Exchange words. Pure, for the tests.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { policyFindings } from "../drift/policy-events";

/** A policy result for the comment: the finding, named by the resource it is about. */
export interface PolicyResult {
    policyName: string;
    policyPackName: string;
    enforcementLevel: string;
    /** The domain (the resource's name from its URN), or "(stack)" for a stack policy. */
    resource: string;
    /** The rule's message (the engine's PolicyViolationEventPayload.Message, pkg/engine/events.go), without colour tokens. */
    message: string;
}

/** The rule the policy pack uses to report each exemption it applied (policies/coexistence.ts). */
export const EXEMPTION_USED_RULE = "synced-domain-exemption-used";

/** The policy results in an event log (one JSON engine event per line), in order, once each. */
export function policyResults(eventLog: string): PolicyResult[] {
    const events: EngineEvent[] = [];
    for (const line of eventLog.split("\n")) {
        if (!line.trim().startsWith("{")) continue;
        try {
            events.push(JSON.parse(line) as EngineEvent);
        } catch {
            // a line cut short by a killed run: the rest still counts
        }
    }
    return policyFindings(events).map((f) => ({
        policyName: f.policyName,
        policyPackName: f.policyPackName,
        enforcementLevel: f.enforcementLevel,
        resource: f.resourceUrn ? f.resourceUrn.slice(f.resourceUrn.lastIndexOf("::") + 2) : "(stack)",
        message: f.message,
    }));
}

export interface CommentInput {
    /** The preview step's outcome. */
    passed: boolean;
    /** The base branch the gate's policy pack and policy config came from. */
    baseRef: string;
    results: PolicyResult[];
    /** The drift report's Markdown for this pull request's code (what up would do), if it ran. */
    report?: string;
}

const quoteBlock = (text: string) =>
    text
        .split("\n")
        .map((l) => `> ${l}`)
        .join("\n");

export function composePullRequestComment(c: CommentInput): string {
    const out = ["## Accepted domains: pull request check", ""];
    out.push(
        `Preview with the policy pack and policy-config.json of \`${c.baseRef}\` (the rules this pull request merges into): **${c.passed ? "passed" : "failed"}**.`,
        "",
    );
    const violations = c.results.filter((r) => r.policyName !== EXEMPTION_USED_RULE);
    const exemptions = c.results.filter((r) => r.policyName === EXEMPTION_USED_RULE);
    if (violations.length > 0) {
        out.push("### Policy violations", "");
        for (const v of violations) {
            out.push(`**[${v.enforcementLevel}] \`${v.policyName}\`** on \`${v.resource}\``, "", quoteBlock(v.message), "");
        }
    }
    if (exemptions.length > 0) {
        out.push("### Exemptions used", "", ...exemptions.map((e) => `- \`${e.resource}\`: ${e.message.replace(/\s*\n\s*/g, " ")}`), "");
    }
    out.push("### What `up` would do after merging", "");
    out.push(c.report?.trim() ? c.report.trim() : "(the drift report did not run: see the workflow log)", "");
    return out.join("\n");
}
