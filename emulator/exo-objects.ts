/**
 * Tenant state -> the objects EXO's cmdlets return, with EXO's property names.
 * Property lists follow the Exchange object model pages (AcceptedDomain members,
 * https://learn.microsoft.com/en-us/previous-versions/office/exchange-server-api/ff328703(v=exchg.150);
 * OnPremisesOrganization members, .../jj955936(v=exchg.150)). Enum-valued properties are strings,
 * as the REST-backed V3 module returns them.
 */
import type { AcceptedDomainState, OnPremisesOrganizationState, OutboundConnectorState, RecipientState, TenantState } from "./state";
import { PSObject, type Value } from "./values";

export function acceptedDomainObject(d: AcceptedDomainState, state: TenantState): PSObject {
    const entra = state.entra.domains.find((x) => x.id.toLowerCase() === d.domainName.toLowerCase());
    const entries: [string, Value][] = [
        ["Name", d.name],
        ["DomainName", d.domainName],
        ["DomainType", d.domainType],
        ["Default", d.default],
        ["InitialDomain", d.initialDomain],
        ["IsCoexistenceDomain", d.isCoexistenceDomain],
        ["MatchSubDomains", d.matchSubDomains],
        ["OutboundOnly", d.outboundOnly],
        ["AuthenticationType", entra?.authenticationType ?? "Managed"],
        ["AddressBookEnabled", d.domainType === "Authoritative"],
        ["CatchAllRecipientID", null],
        ["EnableNego2Authentication", false],
        ["FederatedOrganizationLink", null],
        ["PendingCompletion", false],
        ["PendingRemoval", false],
        ["SendingFromDomainDisabled", false],
        ["SendingToDomainDisabled", false],
        ["Identity", d.name],
        ["Id", d.name],
        ["Guid", d.guid],
        ["DistinguishedName", `CN=${d.name},CN=Accepted Domains,CN=Transport Settings,CN=${state.organization.name},CN=Microsoft Exchange,CN=Services,CN=Configuration`],
        ["WhenChangedUTC", d.whenChangedUtc ?? null],
        ["IsValid", d.validationErrors.length === 0],
        ["ObjectState", "Unchanged"],
    ];
    return new PSObject("Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.AcceptedDomain", entries);
}

export function recipientObject(r: RecipientState): PSObject {
    return new PSObject("Deserialized.Microsoft.Exchange.Data.Directory.Management.ReducedRecipient", [
        ["Name", r.name],
        ["DisplayName", r.displayName ?? r.name],
        ["Identity", r.name],
        ["PrimarySmtpAddress", r.primarySmtpAddress],
        ["EmailAddresses", [...r.emailAddresses]],
        ["ExternalEmailAddress", r.externalEmailAddress ? `SMTP:${r.externalEmailAddress}` : null],
        ["RecipientType", r.recipientType],
        ["RecipientTypeDetails", r.recipientTypeDetails ?? r.recipientType],
        ["IsDirSynced", r.isDirSynced],
        ["Guid", r.guid],
        ["ExchangeObjectId", r.guid],
    ]);
}

export function onPremisesOrganizationObject(o: OnPremisesOrganizationState): PSObject {
    return new PSObject("Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.OnPremisesOrganization", [
        ["Identity", o.name],
        ["Name", o.name],
        ["HybridDomains", [...o.hybridDomains]],
        ["InboundConnector", o.inboundConnector],
        ["OutboundConnector", o.outboundConnector],
        ["OrganizationName", o.organizationName],
        ["OrganizationGuid", o.organizationGuid],
        ["OrganizationRelationship", o.organizationRelationship],
        ["Comment", o.comment],
        ["Guid", o.guid],
    ]);
}

export function outboundConnectorObject(c: OutboundConnectorState): PSObject {
    return new PSObject("Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.TenantOutboundConnector", [
        ["Identity", c.name],
        ["Name", c.name],
        ["Enabled", c.enabled],
        ["ConnectorType", c.connectorType],
        ["ConnectorSource", c.connectorSource],
        ["Comment", c.comment],
        ["UseMXRecord", c.useMXRecord],
        ["SmartHosts", [...c.smartHosts]],
        ["RecipientDomains", [...c.recipientDomains]],
        ["TlsSettings", null],
        ["TlsDomain", null],
        ["IsTransportRuleScoped", c.isTransportRuleScoped],
        ["RouteAllMessagesViaOnPremises", c.routeAllMessagesViaOnPremises],
        ["CloudServicesMailEnabled", c.connectorType === "OnPremises"],
        ["AllAcceptedDomains", c.allAcceptedDomains],
        ["Guid", c.guid],
    ]);
}

/** Identity resolution (…IdParameter): name, domain/address or GUID, case-insensitive. */
export function matchesIdentity(identity: string, candidates: (string | undefined)[]): boolean {
    const id = identity.trim().toLowerCase();
    return candidates.some((c) => c !== undefined && c.toLowerCase() === id);
}

/** An accepted domain by -Identity (Name, DomainName or Guid): one, none, or several (ambiguous). */
export function findAcceptedDomain<T extends { name: string; domainName: string; guid: string }>(
    domains: readonly T[],
    identity: string,
): { kind: "one"; domain: T } | { kind: "none" } | { kind: "many"; names: string[] } {
    const hits = domains.filter((x) => matchesIdentity(identity, [x.name, x.domainName, x.guid]));
    if (hits.length === 0) return { kind: "none" };
    if (hits.length > 1) return { kind: "many", names: hits.map((h) => h.name) };
    return { kind: "one", domain: hits[0] };
}
