/**
 * What `up` would do to each domain, and which domains are in the KB 2510049 outage right now, in
 * Exchange words, from a refresh-preview's engine events (pure; the drift report renders them).
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { guardAuthoritative, guardClock } from "../../components/authoritative-guard";
import { coexistenceSignalList } from "../../components/coexistence-signals";
import { microsoftDomainKind } from "../../components/microsoft-domains";
import { ACCEPTED_DOMAIN_TYPE, acceptedDomainInputsSchema, acceptedDomainOutputsSchema } from "../../components/schema";
import { signalsFor } from "../../components/exchange/tenant-reader";
import type { SnapshotFacts } from "../../components/exchange/snapshot";

export interface PlanStep {
    domain: string;
    action: "adopt" | "update" | "none" | "stop-managing" | "restore";
    /** The step in Exchange words, e.g. "adopt, then Set-AcceptedDomain DomainType Authoritative → InternalRelay". */
    exchange: string;
    /** Set when the provider will refuse the step: why, in one line. */
    refused?: string;
}

export interface Outage {
    domain: string;
    declared: boolean;
    signals: string[];
    message: string;
}

const EXCHANGE_PARAMETER: Record<string, string> = { domainType: "DomainType", matchSubDomains: "MatchSubDomains", outboundOnly: "OutboundOnly" };

/** "DomainType Authoritative → InternalRelay, MatchSubDomains false → true", from check's drift map. */
function setText(drift: Record<string, string>): string {
    return Object.entries(drift)
        .map(([k, v]) => `${EXCHANGE_PARAMETER[k] ?? k} ${v.replace(" -> ", " → ")}`)
        .join(", ");
}

/** The plan for every domain the preview touched: declared ones (create/same/update) and removed ones (delete). */
export function planSteps(events: readonly EngineEvent[]): PlanStep[] {
    const steps = new Map<string, PlanStep>();
    for (const e of events) {
        const m = e.resourcePreEvent?.metadata;
        if (!m || m.type !== ACCEPTED_DOMAIN_TYPE || m.op === "refresh") continue;
        if (m.op === "delete") {
            const old = acceptedDomainOutputsSchema.safeParse(m.old?.outputs);
            if (!old.success) continue;
            const o = old.data;
            if (o.onDelete !== "restore") {
                steps.set(o.domainName, { domain: o.domainName, action: "stop-managing", exchange: "stop managing, left as it is (onDelete: retain)" });
                continue;
            }
            const verdict = guardAuthoritative({
                domainName: o.domainName,
                desiredType: o.original.domainType,
                liveType: o.domainType,
                signals: coexistenceSignalList(o.coexistence, o.directorySynced),
                override: o.authoritativeDespiteCoexistence,
                today: guardClock.today(),
            });
            const exchange = `restore to ${o.original.domainType} (Set-AcceptedDomain back to the settings recorded at adoption)`;
            steps.set(o.domainName, verdict.allowed ? { domain: o.domainName, action: "restore", exchange } : { domain: o.domainName, action: "restore", exchange, refused: "coexistence signals hold (KB 2510049); up fails and leaves it as it is" });
            continue;
        }
        const inputs = acceptedDomainInputsSchema.safeParse(m.new?.inputs);
        if (!inputs.success) continue;
        const d = inputs.data;
        const set = setText(d.drift);
        const exchange =
            m.op === "create" ? (set ? `adopt, then Set-AcceptedDomain ${set}` : "adopt, no change") : set ? `Set-AcceptedDomain ${set}` : "no change";
        const action = m.op === "create" ? "adopt" : set ? "update" : "none";
        const liveType = d.drift.domainType?.split(" -> ")[0] ?? d.domainType;
        const verdict = guardAuthoritative({
            domainName: d.domainName,
            desiredType: d.domainType,
            liveType,
            signals: coexistenceSignalList(d.coexistence, d.directorySynced),
            override: d.authoritativeDespiteCoexistence,
            today: guardClock.today(),
        });
        steps.set(d.domainName, verdict.allowed ? { domain: d.domainName, action, exchange } : { domain: d.domainName, action, exchange, refused: "coexistence signals hold (KB 2510049); up fails and sends no Set" });
    }
    return [...steps.values()].sort((a, b) => a.domain.localeCompare(b.domain));
}

/** One plan step as a line. */
export function planLine(p: PlanStep): string {
    return p.refused ? `${p.exchange} (refused: ${p.refused})` : p.exchange;
}

/**
 * Domains that are Authoritative in the tenant now while coexistence signals hold: the outage of
 * KB 2510049 in progress, declared or not. Signals: the run's facts (hybrid domains, on-premises
 * connectors) for every domain, plus the checked inputs' own signals for declared ones.
 */
export function outages(
    tenantDomains: readonly { domainName: string; domainType: string }[],
    facts: SnapshotFacts | undefined,
    declaredSignals: ReadonlyMap<string, string[]>,
): Outage[] {
    const out: Outage[] = [];
    for (const t of tenantDomains) {
        const domain = t.domainName.toLowerCase();
        if (t.domainType !== "Authoritative" || microsoftDomainKind(domain) !== undefined) continue;
        const signals = new Set(declaredSignals.get(domain) ?? []);
        if (facts) {
            const tenant = signalsFor({ hybridDomains: new Set(facts.hybridDomains.map((h) => h.toLowerCase())), onPremisesConnectors: facts.onPremisesConnectors }, domain, "not-read");
            for (const s of coexistenceSignalList(tenant, false)) signals.add(s.text);
        }
        if (signals.size === 0) continue;
        out.push({
            domain,
            declared: declaredSignals.has(domain),
            signals: [...signals],
            message:
                `Exchange Online is rejecting mail to on-premises recipients of ${domain} now (NDR "550 5.1.10 RESOLVER.ADR.RecipientNotFound", ` +
                `Microsoft KB 2510049): it is Authoritative while coexistence signals hold (${[...signals].join("; ")}); ` +
                `make it InternalRelay (formerly "Shared")${declaredSignals.has(domain) ? "" : " by declaring it in exchange:domains"}.`,
        });
    }
    return out.sort((a, b) => a.domain.localeCompare(b.domain));
}
