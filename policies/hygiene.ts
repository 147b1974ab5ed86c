/**
 * Advisory rules for mistakes next to the coexistence outage: settings Exchange
 * Online ignores or refuses, domains Microsoft owns, and stacks that manage
 * nothing or the same domain twice. Advisory is the pack default; the policy
 * owner can raise any of them per rule (see README.md).
 *
 * Sources (learn.microsoft.com):
 *  - "Enable mail flow for subdomains in Exchange Online": match subdomains
 *    requires the accepted domain to be an internal relay domain.
 *  - Set-AcceptedDomain (exchangepowershell/set-accepteddomain): -OutboundOnly
 *    marks the accepted domain of an on-premises organization in coexistence;
 *    -MatchSubDomains enables subdomain mail flow.
 *  - "Manage accepted domains in Exchange Online": Authoritative vs Internal relay.
 *  - Hybrid deployments: <tenant>.mail.onmicrosoft.com is the coexistence (routing)
 *    domain the Hybrid Configuration Wizard sets as targetAddress of moved
 *    mailboxes; <tenant>.onmicrosoft.com is the initial domain Microsoft creates.
 */
import { microsoftDomainKind, microsoftDomainRole } from "../components/microsoft-domains";
import type { ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import { ACCEPTED_DOMAIN_TYPE } from "../components/schema";
import { parseAcceptedDomainProps, type AcceptedDomainProps } from "./props";
import { resourceSignals } from "./signals";

/**
 * Props of an AcceptedDomain, or notApplicable. Malformed props are reported by
 * synced-domain-not-authoritative (mandatory); advisory rules do not repeat it.
 */
export function acceptedDomainProps(args: ResourceValidationArgs): AcceptedDomainProps {
    if (args.type !== ACCEPTED_DOMAIN_TYPE) {
        return args.notApplicable(`applies only to ${ACCEPTED_DOMAIN_TYPE}`);
    }
    const parsed = parseAcceptedDomainProps(args.props);
    if (!parsed.ok) {
        return args.notApplicable("inputs do not parse; synced-domain-not-authoritative reports them");
    }
    return parsed.props;
}

/** @internal */
export const matchSubDomainsRequiresInternalRelay: ResourceValidationPolicy = {
    name: "match-subdomains-requires-internal-relay",
    description: "Checks whether matchSubDomains is enabled on an accepted domain that is not InternalRelay.",
    validateResource: (args, reportViolation) => {
        const props = acceptedDomainProps(args);
        // Exchange Online enables match subdomains only on internal relay domains.
        if (props.matchSubDomains && props.domainType !== "InternalRelay") {
            reportViolation(
                `${props.domainName} must not have matchSubDomains while it is ${props.domainType}: Exchange Online ` +
                    `matches subdomains only for InternalRelay domains ("Enable mail flow for subdomains in Exchange Online"); ` +
                    `set domainType to "InternalRelay" or matchSubDomains to false.`,
            );
        }
    },
};

/** What Microsoft sets on the domains it creates in every tenant. */
const MICROSOFT_SETTINGS = { domainType: "Authoritative", matchSubDomains: false, outboundOnly: false } as const;

/** @internal */
export const microsoftDomainsUnmanaged: ResourceValidationPolicy = {
    name: "microsoft-domains-unmanaged",
    description:
        "Checks whether the stack manages a Microsoft-created domain (<tenant>.onmicrosoft.com or <tenant>.mail.onmicrosoft.com).",
    validateResource: (args, reportViolation) => {
        const props = acceptedDomainProps(args);
        const kind = microsoftDomainKind(props.domainName);
        if (kind === undefined) {
            return;
        }
        const role = microsoftDomainRole(kind);
        const changes = (Object.keys(MICROSOFT_SETTINGS) as (keyof typeof MICROSOFT_SETTINGS)[])
            .filter((key) => props[key] !== MICROSOFT_SETTINGS[key])
            .map((key) => `${key} ${JSON.stringify(MICROSOFT_SETTINGS[key])} -> ${JSON.stringify(props[key])}`);
        const change = changes.length > 0 ? ` This stack would change it (${changes.join(", ")}).` : "";
        reportViolation(
            `${props.domainName} must stay as Microsoft set it (Authoritative, no matchSubDomains, not outboundOnly): ` +
                `it is ${role}.${change} Remove it from the stack.`,
        );
    },
};

/** @internal */
export const outboundOnlyNotAuthoritative: ResourceValidationPolicy = {
    name: "outbound-only-not-authoritative",
    description: "Checks whether outboundOnly is enabled on an Authoritative accepted domain.",
    validateResource: (args, reportViolation) => {
        const props = acceptedDomainProps(args);
        // OutboundOnly says the domain's recipients live on-premises; Authoritative says they all live here.
        if (props.outboundOnly && props.domainType === "Authoritative") {
            reportViolation(
                `${props.domainName} must not be outboundOnly while Authoritative: OutboundOnly marks the accepted domain ` +
                    `of an on-premises organization in coexistence (Set-AcceptedDomain -OutboundOnly), whose recipients ` +
                    `Exchange Online does not hold; set domainType to "InternalRelay" or outboundOnly to false.`,
            );
        }
    },
};

/** @internal */
export const restoreNotWithSignals: ResourceValidationPolicy = {
    name: "restore-not-with-coexistence-signals",
    description: 'Checks whether onDelete "restore" is set on an accepted domain that shows coexistence signals.',
    validateResource: (args, reportViolation) => {
        const props = acceptedDomainProps(args);
        const signals = resourceSignals(props);
        // Policy packs do not see deletes, so this is the only place to warn before one.
        if (props.onDelete === "restore" && signals.length > 0) {
            reportViolation(
                `${props.domainName} should not use onDelete "restore" while it shows coexistence signals ` +
                    `(${signals.map((s) => s.text).join("; ")}): restoring the type recorded at adoption can make it ` +
                    `Authoritative again and bring back the outage of Microsoft KB 2510049, so the provider refuses ` +
                    `that restore at delete time; use onDelete "retain".`,
            );
        }
    },
};

const stackDomainSchema = z.object({ domainName: z.string() });

/** @internal */
export const stackManagesAcceptedDomains: StackValidationPolicy = {
    name: "stack-manages-accepted-domains",
    description: "Checks whether the stack manages at least one accepted domain.",
    validateStack: (args, reportViolation) => {
        const domains = args.resources.filter((r) => r.type === ACCEPTED_DOMAIN_TYPE);
        if (domains.length === 0) {
            reportViolation(
                `This stack manages no accepted domain (no ${ACCEPTED_DOMAIN_TYPE} resource): an empty or misspelt ` +
                    `exchange:* domain list makes every run a no-op; list the domains this stack owns in its config.`,
            );
        }
    },
};

/** @internal */
export const acceptedDomainDeclaredOnce: StackValidationPolicy = {
    name: "accepted-domain-declared-once",
    description: "Checks whether two resources in the stack manage the same accepted domain.",
    validateStack: (args, reportViolation) => {
        const byDomain = new Map<string, string[]>();
        for (const r of args.resources.filter((res) => res.type === ACCEPTED_DOMAIN_TYPE)) {
            const parsed = stackDomainSchema.safeParse(r.props);
            if (!parsed.success) {
                continue; // shape problems are synced-domain-not-authoritative's to report
            }
            const name = parsed.data.domainName.toLowerCase();
            byDomain.set(name, [...(byDomain.get(name) ?? []), r.name]);
        }
        for (const [domain, names] of byDomain) {
            if (names.length > 1) {
                reportViolation(
                    `${domain} must be declared once, but ${names.length} resources manage it (${names.join(", ")}): ` +
                        `each would overwrite the other's Set-AcceptedDomain; keep one.`,
                );
            }
        }
    },
};

/** @internal */
export const hygienePolicies = [
    matchSubDomainsRequiresInternalRelay,
    microsoftDomainsUnmanaged,
    outboundOnlyNotAuthoritative,
    restoreNotWithSignals,
    stackManagesAcceptedDomains,
    acceptedDomainDeclaredOnce,
];
