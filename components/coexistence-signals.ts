/**
 * The coexistence signals: evidence that a domain is shared with a
 * directory-synced on-premises organization, each as one phrase, so an admin can
 * see exactly why something was refused. One list for both places that refuse an
 * Authoritative type: the policy pack (policies/signals.ts) and the provider's
 * restore guard on delete, which policy packs don't see (exchange/lifecycle.ts).
 */
import type { CoexistenceSignals } from "./schema";

export interface Signal {
    /** Stable identifier, for tests and tooling. */
    kind:
        | "declared"
        | "policy-config"
        | "tenant-hybrid-domain"
        | "tenant-onprem-connector"
        | "tenant-synced-recipients"
        | "entra-federated"
        | "entra-synced-users";
    /** The phrase shown in the violation. */
    text: string;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/**
 * The signals that hold for one domain: the stack's directorySynced claim, the
 * tenant's facts and Entra ID's, each as a phrase for a message.
 */
export function coexistenceSignalList(c: CoexistenceSignals, directorySynced: boolean): Signal[] {
    const signals: Signal[] = [];
    if (directorySynced) {
        signals.push({ kind: "declared", text: "stack declares directorySynced: true" });
    }
    if (c.hybridDomain) {
        signals.push({
            kind: "tenant-hybrid-domain",
            text: "tenant lists it as a hybrid domain of the on-premises organization (Get-OnPremisesOrganization HybridDomains)",
        });
    }
    if (c.onPremisesConnectors.length > 0) {
        const names = c.onPremisesConnectors.map((n) => `"${n}"`).join(", ");
        signals.push({
            kind: "tenant-onprem-connector",
            text: `tenant routes it to on-premises through outbound connector ${names} (ConnectorType OnPremises, RecipientDomains or AllAcceptedDomains)`,
        });
    }
    if (c.syncedRecipients === "found") {
        signals.push({
            kind: "tenant-synced-recipients",
            // What one bounded query can tell: that there are some, not how many.
            text: "tenant has directory-synced recipients with addresses in it (Get-EXORecipient -Filter IsDirSynced)",
        });
    }
    if (c.entra?.federated) {
        signals.push({ kind: "entra-federated", text: "Entra ID shows it as a federated domain (authenticationType Federated)" });
    }
    if (c.entra !== undefined && c.entra.syncedUsers > 0) {
        signals.push({
            kind: "entra-synced-users",
            text: `Entra ID has ${plural(c.entra.syncedUsers, "user", "users")} in it synced from on-premises`,
        });
    }
    return signals;
}
