/**
 * How a domain pattern as people write it covers a domain name: case-insensitive,
 * one trailing dot (the DNS root) ignored, and a leading `*.` covering every
 * subdomain at any depth but not the parent itself (the usual DNS wildcard
 * reading; it keeps a wildcard from silently widening to the apex). Used for the
 * policy pack's syncedDomains and exemptions and for the RecipientDomains of
 * Exchange's outbound connectors.
 */

/** Lowercase and drop one trailing dot: the form the resource's domainName uses. */
export function normalizeDomain(name: string): string {
    const lower = name.trim().toLowerCase();
    return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/** Whether `domain` (already lowercase, as the resource carries it) is covered by a config `pattern`. */
export function domainMatches(pattern: string, domain: string): boolean {
    const p = normalizeDomain(pattern);
    const d = normalizeDomain(domain);
    if (p.startsWith("*.")) {
        return d.endsWith(p.slice(1));
    }
    return p === d;
}
