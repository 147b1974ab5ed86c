/**
 * The domains Microsoft creates in every tenant: the initial domain <tenant>.onmicrosoft.com and, in
 * a hybrid, the coexistence (routing) domain <tenant>.mail.onmicrosoft.com. Both stay Authoritative
 * as Microsoft set them: no on-premises organization can own a namespace under onmicrosoft.com, so
 * they are never shared with one, whatever the directory says. Every synced user carries proxy
 * addresses in both (its MOERA and its routing address, the targetAddress hybrid mail flow uses), so
 * counting those recipients as "directory-synced" would demand InternalRelay and break hybrid routing.
 * One list for the policy pack, the provider's restore guard and export.
 */
export type MicrosoftDomainKind = "initial" | "coexistence";

/** Which Microsoft-created domain this is, by name (the form the resource's domainName has). */
export function microsoftDomainKind(domain: string): MicrosoftDomainKind | undefined {
    if (/^[a-z0-9-]+\.mail\.onmicrosoft\.com$/.test(domain)) {
        return "coexistence";
    }
    if (/^[a-z0-9-]+\.onmicrosoft\.com$/.test(domain)) {
        return "initial";
    }
    return undefined;
}

/** What the domain is, for messages. */
export function microsoftDomainRole(kind: MicrosoftDomainKind): string {
    return kind === "coexistence"
        ? "the tenant's coexistence domain, the routing address (targetAddress) hybrid mail flow uses for mailboxes moved to Exchange Online"
        : "the tenant's initial domain, which Microsoft creates and which cannot be removed";
}
