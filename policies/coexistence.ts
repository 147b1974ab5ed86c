/**
 * Coexistence rules: a domain shared with a directory-synced on-premises
 * organization must not be Authoritative in Exchange Online.
 *
 * Why: Exchange Online delivers mail for an Authoritative domain only to
 * recipients it knows and rejects the rest. When the namespace is shared with
 * on-premises, mail from online users to on-premises recipients then bounces with
 * "recipient not found" (550 5.1.10 RESOLVER.ADR.RecipientNotFound).
 *  - Microsoft KB 2510049, "Users in the on-premises environment are not receiving
 *    mail from Office 365 users": cause, domain not set as shared; fix, set it to
 *    Shared (today's InternalRelay).
 *  - "Manage accepted domains in Exchange Online" (learn.microsoft.com,
 *    exchange/mail-flow-best-practices/manage-accepted-domains): Authoritative
 *    rejects unknown recipients; Internal relay relays them to your own servers.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import { microsoftDomainKind, microsoftDomainRole } from "../components/microsoft-domains";
import { ACCEPTED_DOMAIN_TYPE } from "../components/schema";
import { configSchemaOf, readConfig } from "./config";
import { domainPatternSchema } from "./domains";
import { evaluateExemptions, exemptionSchema, type Exemption } from "./exemptions";
import { parseAcceptedDomainProps } from "./props";
import { configSignals, resourceSignals, type Signal } from "./signals";

export const SYNCED_DOMAIN_NOT_AUTHORITATIVE = "synced-domain-not-authoritative";

export const syncedDomainNotAuthoritativeConfigSchema = z.object({
    syncedDomains: z
        .array(domainPatternSchema)
        .default([])
        .describe(
            "Domains the policy owner knows are directory-synced: contoso.com or *.contoso.com (subdomains only); " +
                "case-insensitive, trailing dot ignored. Default: none.",
        ),
    exemptions: z
        .array(exemptionSchema)
        .default([])
        .describe("Approved exceptions: { domain, reason, approvedBy, expires: YYYY-MM-DD }. Default: none."),
});
/** Config after defaults: `syncedDomains` and `exemptions` default to empty lists. */
export type SyncedDomainNotAuthoritativeConfig = z.infer<typeof syncedDomainNotAuthoritativeConfigSchema>;

/** The KB consequence and the fix, shared by every message of this rule. */
const CONSEQUENCE =
    "mail from Exchange Online users to on-premises recipients in it would bounce with an NDR " +
    '"550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found" (Microsoft KB 2510049)';
const FIX = 'set domainType to "InternalRelay" (formerly "Shared")';

export function syncedDomainMessage(domain: string, signals: readonly Signal[], notes: readonly string[]): string {
    const listed = signals.map((s) => s.text).join("; ");
    const head = `${domain} is directory-synced (signals: ${listed}) and must not be Authoritative: ${CONSEQUENCE}; ${FIX}.`;
    return [head, ...notes].join(" ");
}

export function malformedPropsMessage(resourceName: string, problems: readonly string[]): string {
    return (
        `AcceptedDomain ${resourceName} cannot be checked, so it is refused: its checked inputs are not what the ` +
        `provider's check produces (${problems.join("; ")}). Declare the domain through components/accepted-domain.ts, ` +
        `whose check attaches the tenant's coexistence signals.`
    );
}

/** @internal */
export const syncedDomainNotAuthoritative: ResourceValidationPolicy = {
    name: SYNCED_DOMAIN_NOT_AUTHORITATIVE,
    description:
        "Checks whether an accepted domain shared with a directory-synced on-premises organization would be Authoritative.",
    enforcementLevel: "mandatory",
    configSchema: configSchemaOf(syncedDomainNotAuthoritativeConfigSchema),
    remediationSteps: 'Set domainType to "InternalRelay", or add an approved, unexpired exemption to the policy config.',
    url: "https://learn.microsoft.com/exchange/mail-flow-best-practices/manage-accepted-domains/manage-accepted-domains",
    validateResource: (args, reportViolation) => {
        if (args.type !== ACCEPTED_DOMAIN_TYPE) {
            args.notApplicable(`applies only to ${ACCEPTED_DOMAIN_TYPE}`);
        }
        const config = readConfig(SYNCED_DOMAIN_NOT_AUTHORITATIVE, syncedDomainNotAuthoritativeConfigSchema, args.getConfig());
        const parsed = parseAcceptedDomainProps(args.props);
        // A mandatory rule must not pass what it cannot read.
        if (!parsed.ok) {
            reportViolation(malformedPropsMessage(args.name, parsed.problems));
            return;
        }
        const props = parsed.props;
        if (props.domainType !== "Authoritative") {
            return;
        }
        const microsoft = microsoftDomainKind(props.domainName);
        if (microsoft !== undefined) {
            // Every synced user has proxies here (MOERA, routing address): they are no sign of a shared namespace.
            return args.notApplicable(
                `${props.domainName} is ${microsoftDomainRole(microsoft)}; it stays Authoritative as Microsoft set it, whatever its recipients' addresses say (microsoft-domains-unmanaged advises leaving it out of the stack)`,
            );
        }
        if (props.coexistence.syncedRecipients === "not-read") {
            // The provider's check reads it for every domain that would be Authoritative: fail closed.
            reportViolation(
                malformedPropsMessage(args.name, [
                    'coexistence.syncedRecipients is "not-read" on an Authoritative domain, whose check must read whether it has directory-synced recipients',
                ]),
            );
            return;
        }
        const signals = [...resourceSignals(props), ...configSignals(props.domainName, config.syncedDomains)];
        if (signals.length === 0) {
            return;
        }
        const verdict = evaluateExemptions(props.domainName, config.exemptions);
        if (verdict.exempt) {
            const e = verdict.exemption;
            usedExemptions.set(args.urn, { domain: props.domainName, signals, exemption: e });
            // The CLI never shows this reason; synced-domain-exemption-used reports the exemption visibly.
            return args.notApplicable(`${props.domainName} is exempt until ${e.expires}, approved by ${e.approvedBy}: ${e.reason}`);
        }
        reportViolation(syncedDomainMessage(props.domainName, signals, verdict.notes));
    },
};

/**
 * Exemptions the mandatory rule used, by resource URN, for the rule after it. The SDK runs a pack's
 * rules one after another for each resource (@pulumi/policy server.js, analyze), and a rule reads only
 * its own config, so this is how the exemption becomes visible without being configured twice.
 */
const usedExemptions = new Map<string, { domain: string; signals: Signal[]; exemption: Required<Exemption> }>();

/** @internal */
export const syncedDomainExemptionUsed: ResourceValidationPolicy = {
    name: "synced-domain-exemption-used",
    description: "Checks whether synced-domain-not-authoritative let a domain pass under an exemption, and shows who approved it and until when.",
    validateResource: (args, reportViolation) => {
        const used = usedExemptions.get(args.urn);
        usedExemptions.delete(args.urn);
        if (!used) {
            return args.notApplicable("no exemption was used for this resource");
        }
        const e = used.exemption;
        reportViolation(
            `${used.domain} passes synced-domain-not-authoritative only by its exemption, approved by ${e.approvedBy}, valid until ` +
                `${e.expires}: ${e.reason}. It stays Authoritative despite coexistence signals (${used.signals.map((s) => s.text).join("; ")}). ` +
                `This is a record of the exemption, not a failure.`,
        );
    },
};

/** @internal The order matters: the exemption record follows the rule that uses the exemption. */
export const coexistencePolicies = [syncedDomainNotAuthoritative, syncedDomainExemptionUsed];
