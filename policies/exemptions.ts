/**
 * Exemptions from synced-domain-not-authoritative, written by whoever owns the
 * policy pack config: { domain, reason, approvedBy, expires }.
 *
 * Only a complete, unexpired exemption counts. The config schema lets an
 * incomplete one through on purpose, so that the violation can say which field is
 * missing instead of the CLI refusing the whole config. `expires` is the last day
 * the exemption holds, in UTC (an exemption expiring 2025-06-30 still counts on
 * 2025-06-30 and no longer on 2025-07-01). Domains match exactly, case-insensitively,
 * trailing dot ignored; no wildcards, so an exemption never covers more than it names.
 *
 * Pure functions: the provider may reuse evaluateExemptions to guard onDelete
 * "restore", since policy packs do not see deletes (DESIGN.md, Principles).
 */
import { z } from "zod";
import { isRealDate } from "../components/schema";
import { domainMatches, domainNameSchema } from "./domains";

export const exemptionSchema = z.strictObject({
    domain: domainNameSchema.describe("Accepted domain the exemption covers, e.g. contoso.com (no wildcards)."),
    reason: z.string().optional().describe("Why the domain may be Authoritative despite its coexistence signals."),
    approvedBy: z.string().optional().describe("Who approved the exemption (name or email)."),
    expires: z.string().optional().describe("Last day the exemption holds, YYYY-MM-DD (UTC)."),
});
export type Exemption = z.infer<typeof exemptionSchema>;

/**
 * Today's date as YYYY-MM-DD in UTC. A module-level clock so tests can pin the
 * date; nothing in the pack's config or environment can move it.
 */
export const clock = {
    today: (): string => new Date().toISOString().slice(0, 10),
};

export type ExemptionVerdict =
    | { exempt: true; exemption: Required<Exemption> }
    | { exempt: false; notes: string[] };

const REQUIRED_FIELDS = ["reason", "approvedBy", "expires"] as const;

/** Why one exemption does not count today, or undefined when it does. */
function problemsOf(exemption: Exemption, today: string): string | undefined {
    const missing = REQUIRED_FIELDS.filter((field) => (exemption[field] ?? "").trim() === "");
    if (missing.length > 0) {
        return `is incomplete (missing ${missing.join(", ")}); add ${missing.join(", ")} to the exemption`;
    }
    const expires = (exemption.expires ?? "").trim();
    if (!isRealDate(expires)) {
        return `has expires "${expires}", which is not a date in YYYY-MM-DD form; write e.g. 2030-12-31`;
    }
    if (expires < today) {
        return `expired on ${expires} (today is ${today}); renew it with a new approval or fix the domain`;
    }
    return undefined;
}

/**
 * Decides whether `domain` is exempt. Any complete, unexpired exemption for the
 * domain counts; otherwise every exemption that names the domain explains why it
 * did not count, so the violation can show it.
 */
export function evaluateExemptions(domain: string, exemptions: readonly Exemption[], today = clock.today()): ExemptionVerdict {
    const notes: string[] = [];
    for (const exemption of exemptions.filter((e) => domainMatches(e.domain, domain))) {
        const problem = problemsOf(exemption, today);
        if (problem === undefined) {
            return {
                exempt: true,
                exemption: {
                    domain: exemption.domain,
                    reason: (exemption.reason ?? "").trim(),
                    approvedBy: (exemption.approvedBy ?? "").trim(),
                    expires: (exemption.expires ?? "").trim(),
                },
            };
        }
        notes.push(`The exemption for ${domain} does not count: it ${problem}.`);
    }
    return { exempt: false, notes };
}
