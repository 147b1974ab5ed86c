/**
 * The drift report, pure: engine events of a refresh-preview plus the tenant's
 * accepted domains -> rows of {domain, property, declared, live}, and their
 * renderings (table, JSON, markdown). No I/O here; scripts/drift-report.ts runs
 * the engine and reads the tenant.
 *
 * JSON schema (schemaVersion 1, documented in docs/drift.md; add fields, never
 * rename or remove them):
 *   { schemaVersion: 1, stack, status: "in-sync" | "drift" | "error",
 *     drift: [{ domain, property, exchangeProperty, declared, live }],
 *     missing: [{ domain }], unmanaged: [{ domain, domainType, matchSubDomains, outboundOnly }],
 *     advisories: [{ domain, rule, message }],
 *     plan: [{ domain, action, exchange, refused? }], outages: [{ domain, declared, signals, message }],
 *     exemptions: [{ domain, key, reason, approvedBy, expires, expired }],
 *     summary: { declared, drifted, missing, unmanaged, advisories, outages }, error?: string }
 * Advisories are the hybrid findings the policy pack's advisory rules report (components/hybrid-advice.ts);
 * they never change the status.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { guardClock } from "../../components/authoritative-guard";
import { coexistenceSignalList } from "../../components/coexistence-signals";
import type { SnapshotFacts } from "../../components/exchange/snapshot";
import { hybridAdvice, type Advice } from "../../components/hybrid-advice";
import { outages, planLine, planSteps, type Outage, type PlanStep } from "./plan";
import { ACCEPTED_DOMAIN_TYPE, acceptedDomainInputsSchema, MANAGED_SETTINGS, type DomainSettings } from "../../components/schema";

export const REPORT_SCHEMA_VERSION = 1;

export type ManagedProperty = (typeof MANAGED_SETTINGS)[number];

/** The Set-AcceptedDomain parameter behind each resource property. */
export const EXCHANGE_PROPERTY: Record<ManagedProperty, string> = {
    domainType: "DomainType",
    matchSubDomains: "MatchSubDomains",
    outboundOnly: "OutboundOnly",
};

export type SettingValue = string | boolean;

export interface DriftRow {
    domain: string;
    property: ManagedProperty;
    exchangeProperty: string;
    declared: SettingValue;
    live: SettingValue;
}

/** A tenant accepted domain as the report needs it (the session layer's LiveDomain fits). */
export interface TenantDomain {
    domainName: string;
    domainType: string;
    matchSubDomains: boolean;
    outboundOnly: boolean;
}

/** An accepted domain of the tenant that the code doesn't declare. */
export interface UnmanagedDomain {
    domain: string;
    domainType: string;
    matchSubDomains: boolean;
    outboundOnly: boolean;
}

export interface DriftReport {
    schemaVersion: typeof REPORT_SCHEMA_VERSION;
    stack: string;
    status: "in-sync" | "drift" | "error";
    drift: DriftRow[];
    /** Declared in code, absent from the tenant. */
    missing: { domain: string }[];
    /** In the tenant, not declared in code (listed only; never touched). */
    unmanaged: UnmanagedDomain[];
    /** Hybrid mistakes found in the declared domains' checked inputs (advisory; the status ignores them). */
    advisories: Advice[];
    /** What `up` would do to each domain, in Exchange words. */
    plan: PlanStep[];
    /** Domains in the KB 2510049 outage now (Authoritative while coexistence signals hold), declared or not. */
    outages: Outage[];
    /** The stack's reviewed exceptions to the provider's guard, with who approved them and until when. */
    exemptions: StackExemption[];
    summary: { declared: number; drifted: number; missing: number; unmanaged: number; advisories: number; outages: number };
    error?: string;
}

/** A domain's authoritativeDespiteCoexistence, as the report lists it. */
export interface StackExemption {
    domain: string;
    key: "authoritativeDespiteCoexistence";
    reason: string;
    approvedBy: string;
    expires: string;
    /** Past its last day: no longer counts. */
    expired: boolean;
}

/** What the program declares for one domain, and what the engine saw live. */
export interface DeclaredDomain {
    domain: string;
    declared: DomainSettings;
    /** Live values from the refreshed state (absent when the domain isn't in the stack yet). */
    refreshed?: Partial<Record<ManagedProperty, SettingValue>>;
    /** The provider's check: property -> "<live> -> <declared>". */
    drift: Record<string, string>;
    /** The hybrid findings of its checked inputs (none when they lack the facts, e.g. an older provider). */
    advice: Advice[];
    /** Its coexistence signals, as phrases (none when the inputs lack them). */
    signals: string[];
    /** Its override of the provider's guard, when declared. */
    override?: { reason: string; approvedBy: string; expires: string };
}

const adviceInputsSchema = acceptedDomainInputsSchema.pick({ domainName: true, domainType: true, matchSubDomains: true, coexistence: true, duplicates: true });
const overrideInputsSchema = acceptedDomainInputsSchema.pick({ authoritativeDespiteCoexistence: true });

type Props = Record<string, unknown>;

function isSetting(v: unknown): v is SettingValue {
    return typeof v === "string" || typeof v === "boolean";
}

/**
 * The AcceptedDomain resources of the preview pass (not the refresh pass): the
 * program's checked inputs (declared) and the refreshed old outputs (live).
 */
export function declaredDomains(events: readonly EngineEvent[]): DeclaredDomain[] {
    const byDomain = new Map<string, DeclaredDomain>();
    for (const e of events) {
        const m = e.resourcePreEvent?.metadata;
        if (!m || m.type !== ACCEPTED_DOMAIN_TYPE || m.op === "refresh" || m.op === "delete" || !m.new) {
            continue;
        }
        const inputs = m.new.inputs as Props;
        const domain = inputs.domainName;
        if (typeof domain !== "string") {
            continue; // unknown at preview: nothing to compare yet
        }
        const declared = {} as Record<ManagedProperty, SettingValue>;
        for (const p of MANAGED_SETTINGS) {
            const v = inputs[p];
            declared[p] = isSetting(v) ? v : String(v);
        }
        const old = m.op === "create" ? undefined : (m.old?.outputs as Props | undefined);
        let refreshed: DeclaredDomain["refreshed"];
        if (old) {
            refreshed = {};
            for (const p of MANAGED_SETTINGS) {
                if (isSetting(old[p])) refreshed[p] = old[p];
            }
        }
        const drift = (inputs.drift ?? {}) as Record<string, string>;
        const checked = adviceInputsSchema.safeParse(inputs);
        const advice = checked.success ? hybridAdvice(checked.data) : [];
        const signals = checked.success ? coexistenceSignalList(checked.data.coexistence, inputs.directorySynced === true).map((x) => x.text) : [];
        const override = overrideInputsSchema.safeParse(inputs);
        byDomain.set(domain, {
            domain,
            declared: declared as DomainSettings,
            refreshed,
            drift,
            advice,
            signals,
            ...(override.success && override.data.authoritativeDespiteCoexistence ? { override: override.data.authoritativeDespiteCoexistence } : {}),
        });
    }
    return [...byDomain.values()].sort((a, b) => a.domain.localeCompare(b.domain));
}

/** The live side of the check's "<live> -> <declared>", typed like the declared value. */
export function liveFromDriftText(text: string, declared: SettingValue): SettingValue {
    const live = text.split(" -> ")[0];
    return typeof declared === "boolean" ? live === "true" : live;
}

/**
 * The rows for one domain. The live value is the engine's: the refreshed state
 * (what `preview --refresh` compares), else the provider's check text (a domain
 * not yet in the stack), else the tenant read; a row when it differs from the declared value.
 */
export function driftRows(d: DeclaredDomain, tenant?: TenantDomain): DriftRow[] {
    const rows: DriftRow[] = [];
    for (const p of MANAGED_SETTINGS) {
        const declared = d.declared[p];
        const fromCheck = d.drift[p] !== undefined ? liveFromDriftText(d.drift[p], declared) : undefined;
        const live = d.refreshed?.[p] ?? fromCheck ?? tenant?.[p] ?? declared;
        if (live !== declared) {
            rows.push({ domain: d.domain, property: p, exchangeProperty: EXCHANGE_PROPERTY[p], declared, live });
        }
    }
    return rows;
}

/** Builds the report from the preview's events, the tenant's accepted domains and the run's coexistence facts. */
export function buildReport(stack: string, events: readonly EngineEvent[], tenantDomains: readonly TenantDomain[], facts?: SnapshotFacts): DriftReport {
    const live = new Map(tenantDomains.map((t) => [t.domainName.toLowerCase(), t]));
    const declared = declaredDomains(events);
    const declaredNames = new Set(declared.map((d) => d.domain));
    const drift: DriftRow[] = [];
    const missing: { domain: string }[] = [];
    for (const d of declared) {
        const t = live.get(d.domain);
        if (!t) {
            missing.push({ domain: d.domain });
            continue;
        }
        drift.push(...driftRows(d, t));
    }
    const unmanaged = tenantDomains
        .filter((t) => !declaredNames.has(t.domainName.toLowerCase()))
        .map((t) => ({ domain: t.domainName.toLowerCase(), domainType: t.domainType, matchSubDomains: t.matchSubDomains, outboundOnly: t.outboundOnly }))
        .sort((a, b) => a.domain.localeCompare(b.domain));
    const advisories = declared.flatMap((d) => d.advice);
    const plan = planSteps(events);
    const inOutage = outages(tenantDomains, facts, new Map(declared.map((d) => [d.domain, d.signals])));
    return {
        schemaVersion: REPORT_SCHEMA_VERSION,
        stack,
        status: drift.length > 0 || missing.length > 0 ? "drift" : "in-sync",
        drift,
        missing,
        unmanaged,
        advisories,
        plan,
        outages: inOutage,
        exemptions: declared.flatMap((d) =>
            d.override ? [{ domain: d.domain, key: "authoritativeDespiteCoexistence" as const, ...d.override, expired: d.override.expires < guardClock.today() }] : [],
        ),
        summary: {
            declared: declared.length,
            drifted: new Set(drift.map((r) => r.domain)).size,
            missing: missing.length,
            unmanaged: unmanaged.length,
            advisories: advisories.length,
            outages: inOutage.length,
        },
    };
}

/** The report of a run that failed: never "in sync", never "drift". */
export function errorReport(stack: string, message: string): DriftReport {
    return {
        schemaVersion: REPORT_SCHEMA_VERSION,
        stack,
        status: "error",
        drift: [],
        missing: [],
        unmanaged: [],
        advisories: [],
        plan: [],
        outages: [],
        exemptions: [],
        summary: { declared: 0, drifted: 0, missing: 0, unmanaged: 0, advisories: 0, outages: 0 },
        error: message,
    };
}

/** Exit codes: 0 in sync, 1 drift, 2 error. */
export function exitCode(report: DriftReport): 0 | 1 | 2 {
    return report.status === "in-sync" ? 0 : report.status === "drift" ? 1 : 2;
}

// ---------------------------------------------------------------------------
// Renderings
// ---------------------------------------------------------------------------

function table(header: string[], rows: string[][]): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
    return [line(header), ...rows.map(line)].join("\n");
}

function unmanagedCells(u: UnmanagedDomain): string[] {
    return [u.domain, u.domainType, String(u.matchSubDomains), String(u.outboundOnly)];
}

function exemptionLine(e: StackExemption): string {
    return `${e.domain}: ${e.key} approved by ${e.approvedBy}, ${e.expired ? `EXPIRED on ${e.expires} (no longer counts)` : `valid until ${e.expires}`}: ${e.reason}`;
}

/** The readable table (default output). */
export function renderTable(r: DriftReport): string {
    if (r.status === "error") {
        return `drift report for stack ${r.stack}: ERROR (nothing is known about drift)\n${r.error}\n`;
    }
    const out: string[] = [`drift report for stack ${r.stack}: ${r.status === "drift" ? "DRIFT" : "in sync"} (${r.summary.declared} declared domain(s))`];
    if (r.outages.length > 0) {
        out.push("", "OUTAGE IN PROGRESS:", ...r.outages.map((o) => `  ${o.message}`));
    }
    if (r.drift.length > 0) {
        out.push("", table(["DOMAIN", "PROPERTY", "DECLARED", "LIVE"], r.drift.map((d) => [d.domain, d.property, String(d.declared), String(d.live)])));
    }
    if (r.missing.length > 0) {
        out.push("", "declared but not in the tenant (add and verify them in Microsoft 365):", ...r.missing.map((m) => `  ${m.domain}`));
    }
    if (r.unmanaged.length > 0) {
        out.push("", "unmanaged (in the tenant, not declared; left untouched):", table(["DOMAIN", "TYPE", "MATCHSUBDOMAINS", "OUTBOUNDONLY"], r.unmanaged.map(unmanagedCells)).replace(/^/gm, "  "));
    }
    if (r.plan.length > 0) {
        out.push("", "what up would do:", ...r.plan.map((p) => `  ${p.domain}: ${planLine(p)}`));
    }
    if (r.exemptions.length > 0) {
        out.push("", "exemptions in use (Authoritative despite coexistence signals):", ...r.exemptions.map((e) => `  ${exemptionLine(e)}`));
    }
    if (r.advisories.length > 0) {
        out.push("", "advisories (hybrid mail flow; the policy pack reports them too):", ...r.advisories.map((a) => `  [${a.rule}] ${a.message}`));
    }
    return out.join("\n") + "\n";
}

/** Stable JSON for machines (schema in the header comment and docs/drift.md). */
export function renderJson(r: DriftReport): string {
    return JSON.stringify(r, null, 2) + "\n";
}

function md(s: string): string {
    return s.replace(/[|\\`*_<>]/g, (c) => `\\${c}`);
}

/** Markdown for a pull-request comment. */
export function renderMarkdown(r: DriftReport): string {
    if (r.status === "error") {
        return `### Accepted domains: drift report failed (stack \`${md(r.stack)}\`)\n\nNothing is known about drift:\n\n\`\`\`\n${r.error?.replace(/```/g, "'''")}\n\`\`\`\n`;
    }
    const out = [`### Accepted domains: ${r.status === "drift" ? "tenant differs from code" : "tenant matches code"} (stack \`${md(r.stack)}\`)`, ""];
    if (r.outages.length > 0) {
        out.push(...r.outages.map((o) => `> **Outage in progress:** ${md(o.message)}`), "");
    }
    if (r.drift.length > 0) {
        out.push("| Domain | Property | Declared (code) | Live (tenant) |", "|---|---|---|---|");
        out.push(...r.drift.map((d) => `| ${md(d.domain)} | ${d.property} | ${md(String(d.declared))} | ${md(String(d.live))} |`), "");
    } else {
        out.push(`All ${r.summary.declared} declared domain(s) match the tenant.`, "");
    }
    if (r.missing.length > 0) {
        out.push("**Declared but not in the tenant:** " + r.missing.map((m) => md(m.domain)).join(", "), "");
    }
    if (r.unmanaged.length > 0) {
        out.push("<details><summary>Unmanaged domains (in the tenant, not declared; left untouched)</summary>", "");
        out.push("| Domain | DomainType | MatchSubDomains | OutboundOnly |", "|---|---|---|---|");
        out.push(...r.unmanaged.map((u) => `| ${unmanagedCells(u).map(md).join(" | ")} |`), "", "</details>", "");
    }
    if (r.plan.length > 0) {
        out.push("**What `up` would do:**", "", ...r.plan.map((p) => `- ${md(p.domain)}: ${md(planLine(p))}`), "");
    }
    if (r.exemptions.length > 0) {
        out.push("**Exemptions in use:**", "", ...r.exemptions.map((e) => `- ${md(exemptionLine(e))}`), "");
    }
    if (r.advisories.length > 0) {
        out.push("**Advisories (hybrid mail flow):**", "", ...r.advisories.map((a) => `- \`${a.rule}\`: ${md(a.message)}`), "");
    }
    return out.join("\n");
}
