/**
 * The connection check's findings and how they are printed (pure; scripts/check-connection.ts does
 * the I/O). What an admin needs before the first preview on a real tenant: did the sign-in work,
 * did every read a preview makes work, and per domain what the tenant has, what the stack declares,
 * the coexistence signals, and what a preview would then show.
 */
import type { CoexistenceSignals, DomainsConfig, DomainType } from "../../components/schema";
import type { LiveDomain } from "../../components/exchange/tenant-reader";
import { microsoftDomainKind } from "../../components/microsoft-domains";

/** One read a preview makes, as the check tried it. */
export interface ReadCheck {
    cmdlet: string;
    /** Why a preview makes it. */
    purpose: string;
    /** Undefined: it worked. */
    error?: string;
    /** Not tried (e.g. no domain needs it). */
    skipped?: string;
}

/** A declared entry as the check compares it (config parsed with the stack's own schema). */
export interface DeclaredEntry {
    type: DomainType;
    matchSubDomains?: boolean;
    outboundOnly?: boolean;
}

export interface DomainCheck {
    domain: string;
    live?: LiveDomain;
    declared?: DeclaredEntry;
    /** Undefined when the signal reads failed. */
    signals?: CoexistenceSignals;
}

export interface ConnectionCheck {
    stack: string;
    organization: string;
    /** How it signed in, without any secret ("certificate, app 6f1b…", "access token from EXO_ACCESS_TOKEN"). */
    signedInWith: string;
    pwshPath: string;
    /** Set when the connection itself failed: nothing else is known. */
    error?: string;
    reads: ReadCheck[];
    domains: DomainCheck[];
}

/** Declared settings from exchange:domains as validated by the stack's schema. */
export function declaredEntry(entry: DomainsConfig[string]): DeclaredEntry {
    return { type: entry.type, matchSubDomains: entry.matchSubDomains ?? false, outboundOnly: entry.outboundOnly ?? false };
}

/** The coexistence signals, short, for a table cell. */
export function signalSummary(s: CoexistenceSignals | undefined): string {
    if (s === undefined) return "(not read)";
    const parts: string[] = [];
    if (s.hybridDomain) parts.push("hybrid domain");
    if (s.onPremisesConnectors.length > 0) parts.push(`on-premises connector ${s.onPremisesConnectors.map((c) => `"${c}"`).join(", ")}`);
    if (s.syncedRecipients === "found") parts.push("directory-synced recipients");
    if (parts.length === 0) return s.syncedRecipients === "not-read" ? "none (synced recipients not asked: not Authoritative)" : "none";
    return parts.join("; ");
}

function hasSignals(s: CoexistenceSignals | undefined): boolean {
    return s !== undefined && (s.hybridDomain || s.onPremisesConnectors.length > 0 || s.syncedRecipients === "found");
}

/** What a preview (and then up) would do with the domain, in Exchange words. */
export function previewOutlook(d: DomainCheck): { text: string; problem: boolean } {
    const microsoft = microsoftDomainKind(d.domain);
    if (d.declared === undefined) {
        if (microsoft) {
            return { text: `not managed: Microsoft's ${microsoft} domain, leave it as Microsoft set it`, problem: false };
        }
        return { text: "not managed (npm run export declares it)", problem: false };
    }
    if (d.live === undefined) {
        return { text: "preview fails: not an accepted domain of this tenant (add and verify it in Microsoft 365 first, or remove it from exchange:domains)", problem: true };
    }
    const changes: string[] = [];
    if (d.live.domainType !== d.declared.type) changes.push(`DomainType ${d.live.domainType} -> ${d.declared.type}`);
    if ((d.declared.matchSubDomains ?? false) !== d.live.matchSubDomains) changes.push(`MatchSubDomains ${d.live.matchSubDomains} -> ${d.declared.matchSubDomains ?? false}`);
    if ((d.declared.outboundOnly ?? false) !== d.live.outboundOnly) changes.push(`OutboundOnly ${d.live.outboundOnly} -> ${d.declared.outboundOnly ?? false}`);
    if (d.live.ambiguous) {
        return { text: `preview fails: several accepted-domain objects for it and none named like it (${[d.live.identity, ...d.live.duplicates].join(", ")})`, problem: true };
    }
    if (d.declared.type === "Authoritative" && microsoft === undefined && hasSignals(d.signals)) {
        const what = changes.length > 0 ? `Set-AcceptedDomain ${changes.join(", ")}` : "keep it Authoritative";
        return { text: `${what}: refused by the policy pack and the provider (coexistence signals: ${signalSummary(d.signals)})`, problem: true };
    }
    if (changes.length === 0) return { text: "no change (adopted as it is)", problem: false };
    return { text: `up runs Set-AcceptedDomain: ${changes.join(", ")}`, problem: false };
}

/** 0: a preview has everything it needs; 1: it would fail or be refused for a domain; 2: the connection or a read failed. */
export function checkExitCode(c: ConnectionCheck): 0 | 1 | 2 {
    if (c.error !== undefined || c.reads.some((r) => r.error !== undefined)) return 2;
    return c.domains.some((d) => previewOutlook(d).problem) ? 1 : 0;
}

function table(header: string[], rows: string[][]): string[] {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
    return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

export function renderCheck(c: ConnectionCheck): string {
    const out: string[] = [`Connection check for stack ${c.stack}: read-only, nothing in the tenant or the stack was changed.`, ""];
    if (c.error !== undefined) {
        out.push(`Connect-ExchangeOnline to ${c.organization} (${c.signedInWith}, pwsh ${c.pwshPath}) failed:`, `  ${c.error}`, "");
        out.push("A preview needs this sign-in first: fix exchange:organization / exchange:auth (docs/real-tenant.md), then run the check again.");
        return out.join("\n") + "\n";
    }
    out.push(`Signed in to ${c.organization} with ${c.signedInWith} (pwsh ${c.pwshPath}).`, "", "Reads a preview makes:");
    for (const r of c.reads) {
        const status = r.error !== undefined ? `FAILED: ${r.error}` : r.skipped !== undefined ? `not asked: ${r.skipped}` : "ok";
        out.push(`  ${r.cmdlet.padEnd(28)} ${status}  (${r.purpose})`);
    }
    out.push("");
    const rows = c.domains.map((d) => [
        d.domain,
        d.live ? `${d.live.domainType}${d.live.matchSubDomains ? " +subdomains" : ""}${d.live.outboundOnly ? " outbound-only" : ""}` : "(not in tenant)",
        d.declared ? `${d.declared.type}${d.declared.matchSubDomains ? " +subdomains" : ""}${d.declared.outboundOnly ? " outbound-only" : ""}` : "(not declared)",
        signalSummary(d.signals),
        previewOutlook(d).text,
    ]);
    out.push(...table(["domain", "tenant", "exchange:domains", "coexistence signals", "a preview would show"], rows), "");
    const changes = c.domains.filter((d) => /^up runs Set-AcceptedDomain/.test(previewOutlook(d).text));
    const problems = c.domains.filter((d) => previewOutlook(d).problem);
    out.push("What a preview needs:");
    out.push(`  sign-in and reads: ${c.reads.every((r) => r.error === undefined) ? "ok" : "a read failed (above): the app's role lacks it, see docs/real-tenant.md"}`);
    out.push(`  declared domains: ${problems.length === 0 ? "all present and allowed" : `${problems.length} would fail or be refused (${problems.map((d) => d.domain).join(", ")})`}`);
    out.push(
        `  up: ${changes.length === 0 ? "would change nothing" : `would run Set-AcceptedDomain for ${changes.map((d) => d.domain).join(", ")}`}; ` +
            "Set-AcceptedDomain was not tried (this check changes nothing): the app needs a role that includes it (docs/real-tenant.md)",
    );
    return out.join("\n") + "\n";
}
