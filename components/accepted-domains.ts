/**
 * AcceptedDomains: a component declaring one AcceptedDomain per entry of a map
 * (the shape of exchange:domains), with a summary output.
 */
import * as pulumi from "@pulumi/pulumi";
import { AcceptedDomain } from "./accepted-domain";
import { normalizeDomainName, type DomainConfigEntry, type EntraSignals } from "./schema";

export interface AcceptedDomainsArgs {
    /** Domain name -> { type, matchSubDomains?, outboundOnly?, directorySynced?, onDelete? }. */
    domains: Record<string, DomainConfigEntry>;
    /** Optional Entra ID signals per (normalised) domain name, from the azuread lookup. */
    entra?: pulumi.Input<Record<string, EntraSignals>>;
}

/** One line of the summary output. */
export interface DomainSummary {
    domainType: string;
    matchSubDomains: boolean;
    outboundOnly: boolean;
    /** The type the domain had when the stack adopted it. */
    originalDomainType: string;
}

export class AcceptedDomains extends pulumi.ComponentResource {
    /** The declared resources, by normalised domain name. */
    readonly domains: Record<string, AcceptedDomain>;
    /** Domain -> its managed settings after the run, and the type it had before. */
    readonly summary: pulumi.Output<Record<string, DomainSummary>>;

    constructor(name: string, args: AcceptedDomainsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("exchange:index:AcceptedDomains", name, {}, opts);
        this.domains = {};
        for (const [written, entry] of Object.entries(args.domains)) {
            const normalised = normalizeDomainName(written);
            if (!normalised.ok) {
                throw new Error(`exchange:domains.${written}: ${normalised.reason}`);
            }
            const domain = normalised.domain;
            const entra = args.entra ? pulumi.output(args.entra).apply((all) => all[domain]) : undefined;
            this.domains[domain] = new AcceptedDomain(
                domain,
                {
                    domainName: domain,
                    domainType: entry.type,
                    matchSubDomains: entry.matchSubDomains,
                    outboundOnly: entry.outboundOnly,
                    directorySynced: entry.directorySynced,
                    onDelete: entry.onDelete,
                    entra,
                    ...(entry.authoritativeDespiteCoexistence ? { authoritativeDespiteCoexistence: entry.authoritativeDespiteCoexistence } : {}),
                },
                { parent: this },
            );
        }
        const lines = Object.entries(this.domains).map(([domain, r]) =>
            pulumi.all([r.domainType, r.matchSubDomains, r.outboundOnly, r.original]).apply(([domainType, matchSubDomains, outboundOnly, original]) => ({
                domain,
                line: { domainType, matchSubDomains, outboundOnly, originalDomainType: original?.domainType ?? domainType } satisfies DomainSummary,
            })),
        );
        this.summary = pulumi.all(lines).apply((all) => Object.fromEntries(all.map(({ domain, line }) => [domain, line])));
        this.registerOutputs({ summary: this.summary });
    }
}
