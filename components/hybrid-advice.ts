/**
 * The hybrid mistakes an Exchange admin expects to be told about, as pure findings over a domain's
 * checked inputs. The policy pack reports them as advisory rules (policies/hybrid.ts) and the drift
 * report lists them (scripts/drift/report.ts), from this one source.
 *
 * Sources (learn.microsoft.com):
 *  - "Manage accepted domains in Exchange Online": for Internal relay "you must create a connector for
 *    mail flow from Microsoft 365 or Office 365 to your on-premises email server; otherwise recipients
 *    on the domain who are not hosted in Microsoft 365 or Office 365 won't be able to receive mail".
 *  - "Fix error code 5.4.6 through 5.4.20 in Exchange Online": with the hybrid domain's MX pointing at
 *    Exchange Online, mail that is not routed on correctly loops ("5.4.14 Hop count exceeded - possible mail loop").
 *  - "Enable mail flow for subdomains in Exchange Online": after enabling match subdomains "you must also
 *    change the outbound connector": route all accepted domains through it, or add "*.contoso.com" as a
 *    recipient domain.
 *  - Duplicate accepted-domain objects for one DomainName (a "…_RELOCNF_…" copy): Microsoft365DSC#2193.
 */
import { microsoftDomainKind } from "./microsoft-domains";
import type { AcceptedDomainInputs } from "./schema";

export type AdviceRule = "internal-relay-routed-on-premises" | "match-subdomains-routed-on-premises" | "accepted-domain-objects-unique";

export interface Advice {
    rule: AdviceRule;
    domain: string;
    message: string;
}

/** What the advice reads: the checked inputs, without what no rule here needs. */
export type AdviceInputs = Pick<AcceptedDomainInputs, "domainName" | "domainType" | "matchSubDomains" | "coexistence" | "duplicates">;

export const ADVICE_DESCRIPTIONS: Record<AdviceRule, string> = {
    "internal-relay-routed-on-premises": "Checks whether an InternalRelay accepted domain has an enabled on-premises outbound connector to relay to.",
    "match-subdomains-routed-on-premises": "Checks whether a domain with matchSubDomains has an on-premises outbound connector that routes its subdomains.",
    "accepted-domain-objects-unique": "Checks whether the tenant holds more than one accepted-domain object for the domain.",
};

export function internalRelayRoute(d: AdviceInputs): Advice | undefined {
    if (d.domainType !== "InternalRelay" || d.coexistence.onPremisesConnectors.length > 0) {
        return undefined;
    }
    return {
        rule: "internal-relay-routed-on-premises",
        domain: d.domainName,
        message:
            `${d.domainName} is InternalRelay, but no enabled OnPremises outbound connector covers it (by RecipientDomains or ` +
            `AllAcceptedDomains): Exchange Online relays mail for recipients it doesn't know to the domain's MX, which in a hybrid ` +
            `usually points at Exchange Online itself, so that mail loops ("5.4.14 Hop count exceeded - possible mail loop") or bounces. ` +
            `"Manage accepted domains in Exchange Online": for internal relay "you must create a connector for mail flow from ` +
            `Microsoft 365 or Office 365 to your on-premises email server". Add the domain to the on-premises connector's ` +
            `RecipientDomains, or set domainType to "Authoritative" if all its recipients are in Exchange Online.`,
    };
}

export function subdomainRoute(d: AdviceInputs): Advice | undefined {
    if (!d.matchSubDomains || d.domainType !== "InternalRelay" || d.coexistence.onPremisesConnectors.length === 0) {
        return undefined; // without any route, internal-relay-routed-on-premises already says it
    }
    if (d.coexistence.subdomainConnectors.length > 0) {
        return undefined;
    }
    const names = d.coexistence.onPremisesConnectors.map((n) => `"${n}"`).join(", ");
    return {
        rule: "match-subdomains-routed-on-premises",
        domain: d.domainName,
        message:
            `${d.domainName} matches subdomains, but its on-premises outbound connector ${names} lists no "*.${d.domainName}" ` +
            `(and does not route all accepted domains), so mail for its subdomains is not routed on-premises. ` +
            `"Enable mail flow for subdomains in Exchange Online": after enabling match subdomains "you must also change the ` +
            `outbound connector"; add "*.${d.domainName}" to its RecipientDomains (Set-OutboundConnector), or route all ` +
            `accepted domains through it.`,
    };
}

export function uniqueObjects(d: AdviceInputs): Advice | undefined {
    if (d.duplicates.length === 0) {
        return undefined;
    }
    const names = d.duplicates.map((n) => `"${n}"`).join(", ");
    return {
        rule: "accepted-domain-objects-unique",
        domain: d.domainName,
        message:
            `${d.domainName} has more than one accepted-domain object in the tenant: besides the one this stack manages there is ${names} ` +
            `(such as a "…_RELOCNF_…" copy, Microsoft365DSC#2193). The provider writes only the object whose Name is the domain, by its ` +
            `Guid, and refuses to write when there is none; ask Microsoft support to remove the stale copy.`,
    };
}

/** Every finding for one domain; Microsoft's own domains are Microsoft's to route. */
export function hybridAdvice(d: AdviceInputs): Advice[] {
    const checks = microsoftDomainKind(d.domainName) === undefined ? [internalRelayRoute, subdomainRoute, uniqueObjects] : [uniqueObjects];
    return checks.map((c) => c(d)).filter((a): a is Advice => a !== undefined);
}
