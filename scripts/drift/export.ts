/**
 * Export, pure: the tenant's accepted domains -> the exchange:domains config that
 * declares them as they are, so that a first `up` adopts them without a single
 * Set-AcceptedDomain. Local-only fields already declared (directorySynced,
 * onDelete) are kept; a type Exchange Online refuses to set (ExternalRelay) can't
 * be declared and is reported instead.
 */
import { microsoftDomainKind, microsoftDomainRole } from "../../components/microsoft-domains";
import { domainTypeSchema, normalizeDomainName, type DomainConfigEntry } from "../../components/schema";
import type { TenantDomain } from "./report";

export interface ExportResult {
    domains: Record<string, DomainConfigEntry>;
    /** Domains that couldn't be declared, with the reason. */
    skipped: { domain: string; reason: string }[];
}

export interface ExportOptions {
    /** Only these domains (a single-domain "import"); the other declarations stay as they are. Default: all. */
    only?: readonly string[];
    /**
     * Also declare Microsoft's own domains (the initial and the coexistence domain). Default false: they
     * stay as Microsoft set them, and the advisory microsoft-domains-unmanaged rule asks to leave them out.
     */
    includeMicrosoftDomains?: boolean;
}

/** One config entry from a live domain, or the reason it can't be declared. */
export function entryFor(live: TenantDomain, existing?: DomainConfigEntry): DomainConfigEntry | { reason: string } {
    const type = domainTypeSchema.safeParse(live.domainType);
    if (!type.success) {
        return { reason: `its DomainType is ${live.domainType}, which Exchange Online doesn't let the code set (only Authoritative or InternalRelay); change it in the tenant first` };
    }
    const entry: DomainConfigEntry = { type: type.data, matchSubDomains: live.matchSubDomains, outboundOnly: live.outboundOnly };
    if (existing?.directorySynced !== undefined) entry.directorySynced = existing.directorySynced;
    if (existing?.onDelete !== undefined) entry.onDelete = existing.onDelete;
    return entry;
}

/** Normalised name -> the key it is declared under now (declarations may be written differently, e.g. Contoso.COM). */
function declaredKeys(current: Record<string, DomainConfigEntry>): Map<string, string> {
    const keys = new Map<string, string>();
    for (const key of Object.keys(current)) {
        const n = normalizeDomainName(key);
        keys.set(n.ok ? n.domain : key, key);
    }
    return keys;
}

export function exportDomains(tenant: readonly TenantDomain[], current: Record<string, DomainConfigEntry>, opts: ExportOptions = {}): ExportResult {
    const keys = declaredKeys(current);
    const live = new Map(tenant.map((t) => [t.domainName.toLowerCase(), t]));
    let wanted: string[];
    if (opts.only && opts.only.length > 0) {
        wanted = opts.only.map((d) => {
            const n = normalizeDomainName(d);
            if (!n.ok) throw new Error(`--domain ${d}: ${n.reason}`);
            if (!live.has(n.domain)) throw new Error(`--domain ${d}: ${n.domain} is not an accepted domain of this tenant (it has: ${[...live.keys()].join(", ")})`);
            return n.domain;
        });
    } else {
        wanted = [...live.keys()];
    }
    // A full export declares exactly the tenant; a partial one keeps the other declarations.
    const domains: Record<string, DomainConfigEntry> = opts.only && opts.only.length > 0 ? { ...current } : {};
    const skipped: ExportResult["skipped"] = [];
    for (const name of wanted.sort()) {
        const key = keys.get(name) ?? name;
        const microsoft = microsoftDomainKind(name);
        const asked = opts.only?.length ? true : opts.includeMicrosoftDomains === true;
        if (microsoft !== undefined && !asked && current[key] === undefined) {
            skipped.push({ domain: name, reason: `it is ${microsoftDomainRole(microsoft)}; it stays as Microsoft set it (--include-microsoft-domains declares it anyway)` });
            continue;
        }
        const entry = entryFor(live.get(name)!, current[key]);
        if ("reason" in entry) {
            skipped.push({ domain: name, reason: entry.reason });
            delete domains[key];
            continue;
        }
        domains[key] = entry;
    }
    return { domains, skipped };
}

/** The `pulumi config set-all --json` payload for exchange:domains (keeps booleans typed). */
export function domainsConfigJson(domains: Record<string, DomainConfigEntry>): string {
    return JSON.stringify({ "exchange:domains": { value: JSON.stringify(domains), objectValue: domains, secret: false } });
}
