/**
 * Where does a message from an online (EXO) sender to `address` go? Pure simulation of the KB table
 * for hybrid/coexistence mail flow ("Manage accepted domains in Exchange Online"; NDR 550 5.1.10,
 * https://learn.microsoft.com/exchange/troubleshoot/email-delivery/ndr/fix-error-code-550-5-1-10-in-exchange-online):
 *   - known cloud mailbox                       -> delivered in Exchange Online
 *   - known mail user/contact (e.g. synced)     -> forwarded to its external (on-premises) address
 *   - unknown address, Authoritative domain     -> NDR 550 5.1.10 RESOLVER.ADR.RecipientNotFound
 *   - unknown address, InternalRelay domain     -> relayed via the OnPremises outbound connector
 *   - domain not accepted                       -> sent to the internet (MX lookup)
 */
import type { AcceptedDomainState, OutboundConnectorState, TenantState } from "./state";

export type RouteResult =
    | { outcome: "delivered"; address: string; recipient: string; summary: string }
    | { outcome: "forwarded"; address: string; recipient: string; target: string; connector: string | null; summary: string }
    | { outcome: "ndr"; address: string; domain: string; code: string; summary: string }
    | { outcome: "relayed-on-premises"; address: string; domain: string; connector: string; smartHosts: string[]; summary: string }
    | { outcome: "relay-without-connector"; address: string; domain: string; summary: string }
    | { outcome: "external"; address: string; domain: string; summary: string };

export const NDR_RECIPIENT_NOT_FOUND = "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup";

function domainOf(address: string): string {
    const at = address.lastIndexOf("@");
    if (at <= 0 || at === address.length - 1) throw new Error(`"${address}" is not an SMTP address: expected user@domain, e.g. alex@contoso.com`);
    return address.slice(at + 1).toLowerCase();
}

/** The accepted domain that covers `domain` (exact, or a parent with MatchSubDomains). */
export function acceptedDomainFor(state: TenantState, domain: string): AcceptedDomainState | undefined {
    const d = domain.toLowerCase();
    return (
        state.acceptedDomains.find((x) => x.domainName.toLowerCase() === d) ??
        state.acceptedDomains.find((x) => x.matchSubDomains && d.endsWith("." + x.domainName.toLowerCase()))
    );
}

function coversDomain(pattern: string, domain: string): boolean {
    const p = pattern.toLowerCase();
    if (p === "*") return true;
    if (p.startsWith("*.")) return domain.endsWith(p.slice(1)) || domain === p.slice(2);
    return p === domain;
}

/** Enabled OnPremises connector whose RecipientDomains cover the domain, or that serves AllAcceptedDomains. */
export function onPremisesConnectorFor(state: TenantState, domain: string): OutboundConnectorState | undefined {
    return state.outboundConnectors.find(
        (c) => c.enabled && c.connectorType === "OnPremises" && ((c.allAcceptedDomains && acceptedDomainFor(state, domain) !== undefined) || c.recipientDomains.some((p) => coversDomain(p, domain))),
    );
}

export function simulateRoute(state: TenantState, rawAddress: string): RouteResult {
    const address = rawAddress.trim();
    const domain = domainOf(address);
    const lower = address.toLowerCase();
    const recipient = state.recipients.find(
        (r) => r.primarySmtpAddress.toLowerCase() === lower || r.emailAddresses.some((a) => a.replace(/^smtp:/i, "").toLowerCase() === lower),
    );
    if (recipient) {
        if (recipient.recipientType === "UserMailbox" || recipient.recipientType === "GroupMailbox" || recipient.recipientType === "MailUniversalDistributionGroup") {
            return { outcome: "delivered", address, recipient: recipient.name, summary: `Delivered in Exchange Online to ${recipient.recipientType} '${recipient.name}'.` };
        }
        const target = recipient.externalEmailAddress ?? address;
        const c = onPremisesConnectorFor(state, domainOf(target));
        return {
            outcome: "forwarded",
            address,
            recipient: recipient.name,
            target,
            connector: c?.name ?? null,
            summary: `Known to Exchange Online as ${recipient.recipientType} '${recipient.name}'${recipient.isDirSynced ? " (directory-synced)" : ""}: forwarded to ${target}${c ? ` via connector '${c.name}'` : " by MX lookup"}.`,
        };
    }
    const accepted = acceptedDomainFor(state, domain);
    if (!accepted) return { outcome: "external", address, domain, summary: `${domain} is not an accepted domain: sent to the internet by MX lookup.` };
    if (accepted.domainType === "Authoritative") {
        return {
            outcome: "ndr",
            address,
            domain,
            code: NDR_RECIPIENT_NOT_FOUND,
            summary: `${accepted.domainName} is Authoritative and Exchange Online has no recipient ${address}: the sender gets an NDR ${NDR_RECIPIENT_NOT_FOUND}. If this user lives on-premises, the domain should be InternalRelay.`,
        };
    }
    const connector = onPremisesConnectorFor(state, domain);
    if (!connector) {
        return {
            outcome: "relay-without-connector",
            address,
            domain,
            summary: `${accepted.domainName} is ${accepted.domainType} but no enabled OnPremises outbound connector covers ${domain}: the message leaves by MX lookup, which for a domain whose MX points at Exchange Online loops and ends in an NDR.`,
        };
    }
    return {
        outcome: "relayed-on-premises",
        address,
        domain,
        connector: connector.name,
        smartHosts: [...connector.smartHosts],
        summary: `${accepted.domainName} is ${accepted.domainType} and Exchange Online has no recipient ${address}: relayed on-premises via connector '${connector.name}' (${connector.smartHosts.join(", ") || "MX"}).`,
    };
}
