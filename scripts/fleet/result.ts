/**
 * A fleet run's result, pure: per stack, its drift report and the engine's events become one row per
 * declared domain (declared, live, policy result, status); the stacks together give the exit code.
 *
 * JSON (schemaVersion 1, docs/fleet.md; fields may be added, never renamed or removed):
 *   { schemaVersion, mode, workDir, parallel, policyPacks, policyPackConfigs, startedAt, durationMs, exitCode,
 *     stacks: [{ stack, tenant, status, attempts, durationMs, error?, domains: [{ domain, declared, live,
 *                drift, policy, violation, status }], otherPolicy, report }],
 *     drifted: [stack], violating: [stack], failed: [{ stack, status, error }] }
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { ACCEPTED_DOMAIN_TYPE } from "../../components/schema";
import { declaredDomains, errorReport, type DriftReport, type DriftRow } from "../drift/report";
import { policyFindings, type PolicyFinding } from "../drift/policy-events";
import type { FleetMode } from "./args";

export { policyFindings, type PolicyFinding };

export const FLEET_SCHEMA_VERSION = 1;

/** A domain's three managed settings; live domainType may be one code can't declare (ExternalRelay). */
export interface Settings {
    domainType: string;
    matchSubDomains: boolean;
    outboundOnly: boolean;
}

export interface DomainRow {
    domain: string;
    declared: Settings;
    /** null: declared, but not an accepted domain of the tenant. */
    live: Settings | null;
    drift: "in-sync" | "drift" | "missing";
    /** The policy pack's findings for the domain; [] = it passed; null = no policy pack ran (drift mode). */
    policy: PolicyFinding[] | null;
    /** A mandatory finding: `up` would be refused. */
    violation: boolean;
    /** For people: "ok", "DRIFT", "MISSING", "VIOLATION", or two of them joined by "+". */
    status: string;
}

export type StackStatus = "in-sync" | "drift" | "violation" | "drift+violation" | "error" | "locked";

export interface StackResult {
    stack: string;
    /** The stack's exchange:organization; null when it couldn't be read. */
    tenant: string | null;
    status: StackStatus;
    attempts: number;
    durationMs: number;
    /** Why nothing is known about the stack (status error or locked). */
    error?: string;
    domains: DomainRow[];
    /** Findings about no declared domain (a stack policy, another resource); null when no pack ran. */
    otherPolicy: PolicyFinding[] | null;
    /** The drift report as `npm run drift -- --json` prints it (docs/drift.md). */
    report: DriftReport;
}

/** The run's own facts, as the JSON carries them before its stacks. */
export interface FleetRunInfo {
    mode: FleetMode;
    workDir: string;
    parallel: number;
    policyPacks: string[];
    policyPackConfigs: string[];
    startedAt: string;
    durationMs: number;
}

export interface FleetResult extends FleetRunInfo {
    schemaVersion: typeof FLEET_SCHEMA_VERSION;
    exitCode: 0 | 1 | 2;
    stacks: StackResult[];
    drifted: string[];
    violating: string[];
    failed: { stack: string; status: "error" | "locked"; error: string }[];
}

/** Each AcceptedDomain's URN -> its domain name, from the run's steps (a resource's name needn't be its domain). */
export function domainsByUrn(events: readonly EngineEvent[]): Map<string, string> {
    const byUrn = new Map<string, string>();
    for (const e of events) {
        const m = e.resourcePreEvent?.metadata;
        if (!m || m.type !== ACCEPTED_DOMAIN_TYPE) continue;
        const name = m.new?.inputs?.domainName ?? m.old?.outputs?.domainName;
        if (typeof name === "string") byUrn.set(m.urn, name);
    }
    return byUrn;
}

export const isMandatory = (f: PolicyFinding): boolean => f.enforcementLevel === "mandatory";

function rowStatus(drift: DomainRow["drift"], violation: boolean): string {
    const parts = [...(drift === "in-sync" ? [] : [drift.toUpperCase()]), ...(violation ? ["VIOLATION"] : [])];
    return parts.length > 0 ? parts.join("+") : "ok";
}

/** The declared settings with the tenant's value of each differing property. */
function withLive(declared: Settings, differing: readonly DriftRow[]): Settings {
    const live = { ...declared };
    for (const r of differing) {
        if (r.property === "domainType") live.domainType = String(r.live);
        else live[r.property] = r.live === true;
    }
    return live;
}

/** One row per declared domain: declared from the program's checked inputs, live = declared with the report's drift applied. */
export function domainRows(report: DriftReport, events: readonly EngineEvent[], policyRan: boolean): { rows: DomainRow[]; otherPolicy: PolicyFinding[] | null } {
    const findings = policyRan ? policyFindings(events) : [];
    const byUrn = domainsByUrn(events);
    const perDomain = new Map<string, PolicyFinding[]>();
    const other: PolicyFinding[] = [];
    for (const f of findings) {
        const domain = f.resourceUrn ? byUrn.get(f.resourceUrn) : undefined;
        if (domain === undefined) other.push(f);
        else perDomain.set(domain, [...(perDomain.get(domain) ?? []), f]);
    }
    const missing = new Set(report.missing.map((m) => m.domain));
    const rows = declaredDomains(events).map((d): DomainRow => {
        const declared: Settings = { domainType: d.declared.domainType, matchSubDomains: d.declared.matchSubDomains, outboundOnly: d.declared.outboundOnly };
        const differing = report.drift.filter((r) => r.domain === d.domain);
        const live = missing.has(d.domain) ? null : withLive(declared, differing);
        const drift = missing.has(d.domain) ? "missing" : differing.length > 0 ? "drift" : "in-sync";
        const policy = policyRan ? (perDomain.get(d.domain) ?? []) : null;
        const violation = (policy ?? []).some(isMandatory);
        return { domain: d.domain, declared, live, drift, policy, violation, status: rowStatus(drift, violation) };
    });
    return { rows, otherPolicy: policyRan ? other : null };
}

export interface StackOutcome {
    stack: string;
    tenant: string | null;
    report: DriftReport;
    events: readonly EngineEvent[];
    /** A policy pack was part of the run (preview mode). */
    policyRan: boolean;
    attempts: number;
    /** The last attempt still found the stack locked. */
    locked: boolean;
    durationMs: number;
}

export function stackResult(o: StackOutcome): StackResult {
    const base = { stack: o.stack, tenant: o.tenant, attempts: o.attempts, durationMs: o.durationMs, report: o.report };
    if (o.report.status === "error") {
        return { ...base, status: o.locked ? "locked" : "error", error: o.report.error ?? "unknown error", domains: [], otherPolicy: null };
    }
    const { rows, otherPolicy } = domainRows(o.report, o.events, o.policyRan);
    const drift = o.report.status === "drift";
    const violation = rows.some((r) => r.violation) || (otherPolicy ?? []).some(isMandatory);
    const status: StackStatus = drift && violation ? "drift+violation" : drift ? "drift" : violation ? "violation" : "in-sync";
    return { ...base, status, domains: rows, otherPolicy };
}

/** A stack whose run never produced a report (e.g. it isn't a stack of the project). */
export function failedStack(stack: string, tenant: string | null, error: string, durationMs = 0): StackResult {
    return { stack, tenant, status: "error", attempts: 0, durationMs, error, domains: [], otherPolicy: null, report: errorReport(stack, error) };
}

const isFailed = (s: StackResult): boolean => s.status === "error" || s.status === "locked";
const isDrifted = (s: StackResult): boolean => s.status === "drift" || s.status === "drift+violation";
const isViolating = (s: StackResult): boolean => s.status === "violation" || s.status === "drift+violation";

/** 2 when any stack's run failed (nothing is known about it), else 1 when any drifts or violates, else 0. */
export function fleetExitCode(stacks: readonly StackResult[]): 0 | 1 | 2 {
    if (stacks.some(isFailed)) return 2;
    return stacks.some((s) => isDrifted(s) || isViolating(s)) ? 1 : 0;
}

export function fleetResult(info: FleetRunInfo, stacks: StackResult[]): FleetResult {
    return {
        schemaVersion: FLEET_SCHEMA_VERSION,
        ...info,
        exitCode: fleetExitCode(stacks),
        stacks,
        drifted: stacks.filter(isDrifted).map((s) => s.stack),
        violating: stacks.filter(isViolating).map((s) => s.stack),
        failed: stacks.filter(isFailed).map((s) => ({ stack: s.stack, status: s.status === "locked" ? "locked" : "error", error: s.error ?? "" })),
    };
}
