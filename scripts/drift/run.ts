/**
 * The I/O half of the drift report: selects the stack (Automation API, the
 * project's CLI), runs a refresh-preview and hands its events and the tenant's
 * accepted domains to the pure report builder. The domains come from the
 * preview's own provider session (the tenant snapshot, components/exchange/
 * snapshot.ts), so a report is one pwsh start and one connect like any run; only
 * a stack whose provider never read the tenant (no domain declared or in state)
 * makes the report read it itself. Every failure becomes an error report
 * (exit 2), never "in sync" or "drift".
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { buildReport, errorReport, type DriftReport } from "./report";
import { cliFailure, selectStack } from "./pulumi-cli";
import { connectionFromStackConfig, readTenantDomains } from "./tenant";
import { readTenantSnapshotWithFacts, TENANT_SNAPSHOT_ENV, type SnapshotFacts } from "../../components/exchange/snapshot";
import type { LiveDomain } from "../../components/exchange/tenant-reader";

export interface RunOptions {
    workDir: string;
    stack?: string;
    /** Lines about progress and retries (stderr by default; never stdout, which carries the report). */
    log?: (line: string) => void;
    /** Never `stack select` (selectStack's `pin`): for runs of several stacks that share one PULUMI_HOME. */
    pinStack?: boolean;
    /** Policy packs for the refresh-preview (`--policy-pack`), and their config files (`--policy-pack-config`). */
    policyPacks?: string[];
    policyPackConfigs?: string[];
    /** Sees every engine event of the refresh-preview as it arrives (the fleet reads the policy results from them). */
    onEvent?: (event: EngineEvent) => void;
}

/**
 * Whether a failed preview failed only for a mandatory policy violation: the engine still checked and
 * reported every resource (a policy only marks the deployment failed; step_generator.go), so the drift
 * rows hold, and the policyEvents say what was violated. Any error diagnostic means something else failed.
 */
export function failedOnlyForPolicy(events: readonly EngineEvent[]): boolean {
    return events.some((e) => e.policyEvent?.enforcementLevel === "mandatory") && engineErrors(events).length === 0;
}

function message(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

/** The directory the program (and so the provider) runs in: Pulumi.yaml's `main`, or the project dir. */
export async function programDir(stack: Stack): Promise<string> {
    const workDir = stack.workspace.workDir;
    const main = (await stack.workspace.projectSettings()).main;
    if (!main) return workDir;
    const resolved = path.resolve(workDir, main);
    return fs.existsSync(resolved) && fs.statSync(resolved).isFile() ? path.dirname(resolved) : resolved;
}

/** The tenant's accepted domains, read with the selected stack's connection config. */
export async function readStackTenant(stack: Stack, log?: (line: string) => void): Promise<LiveDomain[]> {
    const settings = connectionFromStackConfig(await stack.getAllConfig(), await programDir(stack));
    return readTenantDomains(settings, log);
}

/**
 * The engine's error diagnostics, without the CLI's generic "preview failed" line, once each. The
 * provider says a run-level error (a failed sign-in) once as its own "error: …" line, and each resource
 * only points to it (components/exchange/provider-errors.ts): that line comes first.
 */
export function engineErrors(events: readonly EngineEvent[]): string[] {
    const clean = (m: string) => m.replace(/\u001b\[[0-9;]*m/g, "").trim();
    const diagnostics = events.map((e) => e.diagnosticEvent).filter((d): d is NonNullable<typeof d> => d !== undefined);
    const runLevel = diagnostics.filter((d) => d.severity !== "error").flatMap((d) => clean(d.message).split("\n")).filter((l) => /^error: /.test(l));
    const errors = diagnostics
        .filter((d) => d.severity === "error")
        .map((d) => clean(d.message))
        .filter((m) => m !== "" && !/^preview failed$/i.test(m));
    return [...new Set([...runLevel, ...errors])];
}

export async function runDriftReport(opts: RunOptions): Promise<DriftReport> {
    const log = opts.log ?? ((l: string) => process.stderr.write(l + "\n"));
    // Private directory: the snapshot lists the tenant's domains; removed afterwards.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "exo-drift-"));
    try {
        return await reportWithSnapshot(opts, log, path.join(scratch, "tenant.json"));
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

async function reportWithSnapshot(opts: RunOptions, log: (line: string) => void, snapshot: string): Promise<DriftReport> {
    let stack: Stack;
    try {
        ({ stack } = await selectStack({ workDir: opts.workDir, stack: opts.stack, extraEnv: { [TENANT_SNAPSHOT_ENV]: snapshot }, pin: opts.pinStack }));
    } catch (error) {
        return errorReport(opts.stack ?? "(none)", `could not select the stack: ${cliFailure(error)}`);
    }
    const events: EngineEvent[] = [];
    const policy = opts.policyPacks?.length ? { policyPacks: opts.policyPacks, policyPackConfigs: opts.policyPackConfigs ?? [] } : {};
    try {
        await stack.preview({
            refresh: true,
            ...policy,
            onEvent: (e) => {
                events.push(e);
                opts.onEvent?.(e);
            },
        });
    } catch (error) {
        const diagnostics = engineErrors(events);
        if (!(opts.policyPacks?.length && failedOnlyForPolicy(events))) {
            const detail = diagnostics.length > 0 ? diagnostics.join("\n") : cliFailure(error);
            return errorReport(stack.name, `the refresh-preview failed:\n${detail}`);
        }
    }
    const failed = engineErrors(events);
    if (failed.length > 0) {
        return errorReport(stack.name, `the refresh-preview reported errors:\n${failed.join("\n")}`);
    }
    let tenantDomains: LiveDomain[];
    let facts: SnapshotFacts | undefined;
    try {
        const seen = readTenantSnapshotWithFacts(snapshot);
        facts = seen?.facts;
        tenantDomains = seen?.domains ?? (await readStackTenant(stack, log));
    } catch (error) {
        return errorReport(stack.name, `could not read the tenant's accepted domains: ${message(error)}`);
    }
    return buildReport(stack.name, events, tenantDomains, facts);
}
