/**
 * The coexistence signals: evidence that a domain is shared with a
 * directory-synced on-premises organization. Each becomes one phrase in a
 * violation message, so an admin can see exactly why the rule fired.
 *
 * Tenant signals are attached by the provider's check (components/schema.ts,
 * coexistenceSignalsSchema); the stack's own `directorySynced` claim is one signal
 * among several because the author of a pull request controls it.
 */
import type { AcceptedDomainProps } from "./props";
import { domainMatches } from "./domains";

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

/** Signals carried by the resource itself: the stack's claim, the tenant and Entra ID. */
export function resourceSignals(props: AcceptedDomainProps): Signal[] {
    const signals: Signal[] = [];
    const c = props.coexistence;
    if (props.directorySynced) {
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
            text: `tenant routes it to on-premises through outbound connector ${names} (ConnectorType OnPremises, RecipientDomains)`,
        });
    }
    if (c.syncedRecipients > 0) {
        signals.push({
            kind: "tenant-synced-recipients",
            text: `tenant has ${plural(c.syncedRecipients, "directory-synced recipient", "directory-synced recipients")} in it (IsDirSynced)`,
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

/** The signal from the policy owner's own list, naming the entry that matched. */
export function configSignals(domain: string, syncedDomains: readonly string[]): Signal[] {
    const matched = syncedDomains.filter((pattern) => domainMatches(pattern, domain));
    return matched.length === 0
        ? []
        : [{ kind: "policy-config", text: `policy config syncedDomains lists ${matched.map((m) => `"${m}"`).join(", ")}` }];
}
