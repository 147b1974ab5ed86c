/**
 * The coexistence signals: evidence that a domain is shared with a
 * directory-synced on-premises organization. Each becomes one phrase in a
 * violation message, so an admin can see exactly why the rule fired.
 *
 * Tenant signals are attached by the provider's check (components/schema.ts,
 * coexistenceSignalsSchema); the stack's own `directorySynced` claim is one signal
 * among several because the author of a pull request controls it.
 */
import { coexistenceSignalList, type Signal } from "../components/coexistence-signals";
import type { AcceptedDomainProps } from "./props";
import { domainMatches } from "./domains";

export type { Signal };

/** Signals carried by the resource itself: the stack's claim, the tenant and Entra ID. */
export function resourceSignals(props: AcceptedDomainProps): Signal[] {
    return coexistenceSignalList(props.coexistence, props.directorySynced);
}

/** The signal from the policy owner's own list, naming the entry that matched. */
export function configSignals(domain: string, syncedDomains: readonly string[]): Signal[] {
    const matched = syncedDomains.filter((pattern) => domainMatches(pattern, domain));
    return matched.length === 0
        ? []
        : [{ kind: "policy-config", text: `policy config syncedDomains lists ${matched.map((m) => `"${m}"`).join(", ")}` }];
}
