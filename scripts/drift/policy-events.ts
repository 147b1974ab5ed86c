/**
 * The policy results of a run, from the engine's policyEvent events (the Automation API streams
 * them; `pulumi preview --event-log` writes the same events as JSON lines). One parser for the
 * fleet's table and the pull-request gate's comment.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { z } from "zod";

/** One policy result, as the engine's policyEvent carries it. */
export interface PolicyFinding {
    policyName: string;
    policyPackName: string;
    /** "mandatory" fails the preview; "advisory" (or another level) only reports. */
    enforcementLevel: string;
    message: string;
    resourceUrn?: string;
}

const policyEventSchema = z.object({
    policyName: z.string(),
    policyPackName: z.string().default(""),
    enforcementLevel: z.string(),
    message: z.string().default(""),
    resourceUrn: z.string().optional(),
});

/** Terminal sequences, and the engine's colour tokens (<{%reset%}>) should a CLI leave them in. */
export const plain = (text: string): string => text.replace(/<\{%[^%]*%\}>/g, "").replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "").trim();

/** The run's policy results, once each (the engine may repeat one, e.g. for a remediation). */
export function policyFindings(events: readonly EngineEvent[]): PolicyFinding[] {
    const seen = new Map<string, PolicyFinding>();
    for (const e of events) {
        const parsed = policyEventSchema.safeParse(e.policyEvent);
        if (!parsed.success) continue;
        const p = parsed.data;
        const finding: PolicyFinding = {
            policyName: p.policyName,
            policyPackName: p.policyPackName,
            enforcementLevel: p.enforcementLevel,
            message: plain(p.message),
            ...(p.resourceUrn ? { resourceUrn: p.resourceUrn } : {}),
        };
        seen.set(JSON.stringify([finding.policyName, finding.resourceUrn ?? "", finding.message]), finding);
    }
    return [...seen.values()];
}
