/**
 * The fleet's one table, pure: a row per stack and declared domain, then one line per drifting
 * stack, per mandatory violation and per failed stack, each naming the stack. The timing is only
 * in the first line, so two runs of the same fleet print the same body.
 */
import { isMandatory, type DomainRow, type FleetResult, type PolicyFinding, type Settings, type StackResult } from "./result";

export const HEADER = ["STACK", "TENANT", "DOMAIN", "DECLARED", "LIVE", "POLICY", "STATUS"] as const;

/** "InternalRelay", plus each flag that is on ("InternalRelay+matchSubDomains"). */
export function settingsCell(s: Settings | null): string {
    if (s === null) return "(missing)";
    return [s.domainType, ...(s.matchSubDomains ? ["matchSubDomains"] : []), ...(s.outboundOnly ? ["outboundOnly"] : [])].join("+");
}

/** "-" when no pack ran, "ok" when the domain passed, else each rule once ("[mandatory] rule"), mandatory first. */
export function policyCell(policy: readonly PolicyFinding[] | null): string {
    if (policy === null) return "-";
    if (policy.length === 0) return "ok";
    const sorted = [...policy].sort((a, b) => Number(isMandatory(b)) - Number(isMandatory(a)) || a.policyName.localeCompare(b.policyName));
    return [...new Set(sorted.map((f) => `[${f.enforcementLevel}] ${f.policyName}`))].join(", ");
}

/** Many lines (an engine error, a policy message) as one. */
export function oneLine(text: string): string {
    return text.split("\n").map((l) => l.trim()).filter((l) => l !== "").join(" ");
}

/**
 * A finding's own words: @pulumi/policy sends the rule's description, a newline, then what this
 * resource violates (server.js); the description is the same for every stack, so the line leaves it out.
 */
export function reason(f: PolicyFinding): string {
    const lines = f.message.split("\n");
    return oneLine(lines.length > 1 ? lines.slice(1).join("\n") : f.message);
}

function domainCells(s: StackResult, r: DomainRow): string[] {
    return [s.stack, s.tenant ?? "?", r.domain, settingsCell(r.declared), settingsCell(r.live), policyCell(r.policy), r.status];
}

function stackCells(s: StackResult): string[][] {
    if (s.status === "error" || s.status === "locked") return [[s.stack, s.tenant ?? "?", "-", "-", "-", "-", s.status.toUpperCase()]];
    const rows = s.domains.map((r) => domainCells(s, r));
    if (s.otherPolicy && s.otherPolicy.length > 0) {
        rows.push([s.stack, s.tenant ?? "?", "(stack)", "-", "-", policyCell(s.otherPolicy), s.otherPolicy.some(isMandatory) ? "VIOLATION" : "ok"]);
    }
    return rows.length > 0 ? rows : [[s.stack, s.tenant ?? "?", "(none declared)", "-", "-", s.otherPolicy ? "ok" : "-", "ok"]];
}

export function table(header: readonly string[], rows: readonly string[][]): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
    return [line(header), ...rows.map(line)].join("\n");
}

function who(s: StackResult): string {
    return s.tenant ? `${s.stack} (${s.tenant})` : s.stack;
}

export function renderFleetTable(r: FleetResult): string {
    const seconds = (r.durationMs / 1000).toFixed(1);
    const out = [`fleet ${r.mode}: ${r.stacks.length} stack(s), parallel ${r.parallel}, ${seconds} s`, "", table(HEADER, r.stacks.flatMap(stackCells))];
    const notes: string[] = [];
    for (const s of r.stacks) {
        const drifting = s.domains.filter((d) => d.drift !== "in-sync");
        if (drifting.length > 0) notes.push(`drift: ${who(s)}: ${drifting.map((d) => (d.drift === "missing" ? `${d.domain} (missing)` : d.domain)).join(", ")}`);
    }
    for (const s of r.stacks) {
        const mandatory = [...s.domains.flatMap((d) => (d.policy ?? []).filter(isMandatory).map((f) => [d.domain, f] as const)), ...(s.otherPolicy ?? []).filter(isMandatory).map((f) => ["(stack)", f] as const)];
        for (const [domain, f] of mandatory) notes.push(`policy: ${who(s)}: ${domain}: [mandatory] ${f.policyName}: ${reason(f)}`);
    }
    for (const s of r.stacks) {
        if (s.status === "locked") {
            notes.push(`LOCKED ${who(s)} after ${s.attempts} attempt(s), not cancelled (wait for the other update; \`pulumi cancel --stack ${s.stack}\` only if it died): ${oneLine(s.error ?? "")}`);
        } else if (s.status === "error") {
            notes.push(`FAILED ${who(s)}: ${oneLine(s.error ?? "")}`);
        }
    }
    if (notes.length > 0) out.push("", ...notes);
    const summary =
        r.exitCode === 0
            ? "every stack in sync and compliant"
            : [r.failed.length > 0 ? `${r.failed.length} failed (${r.failed.map((f) => f.stack).join(", ")})` : "", r.drifted.length > 0 ? `${r.drifted.length} drifting (${r.drifted.join(", ")})` : "", r.violating.length > 0 ? `${r.violating.length} violating a mandatory policy (${r.violating.join(", ")})` : ""]
                  .filter((x) => x !== "")
                  .join(", ");
    out.push("", `result: ${summary}; exit ${r.exitCode}`);
    return out.join("\n") + "\n";
}
