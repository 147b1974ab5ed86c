/**
 * The fleet: one stack per tenant, all of them at once.
 *
 *   npm run fleet -- preview|drift [--stacks a,b,...] [--parallel N] [--cwd <project dir>] [--json-out <file>]
 *
 * Runs the drift report (`drift`), or the drift report's refresh-preview with the policy pack
 * (`preview`), for each stack of the project, at most N at once; prints one table and writes the whole
 * result as JSON. Exit 0 all in sync and compliant, 1 drift or a mandatory violation, 2 a failed or
 * locked stack (2 wins). One failing stack never stops the others. See docs/fleet.md.
 *
 * The I/O half; the pure parts are under scripts/fleet/.
 */
import * as fs from "fs";
import * as path from "path";
import type { EngineEvent, LocalWorkspace } from "@pulumi/pulumi/automation";
import { HelpRequested } from "./drift/args";
import { cliFailure, openWorkspace } from "./drift/pulumi-cli";
import { runDriftReport } from "./drift/run";
import { defaultJsonOut, parseFleetArgs, type FleetArgs } from "./fleet/args";
import { failedStack, fleetResult, stackResult, type FleetResult, type StackResult } from "./fleet/result";
import { MAX_LOCK_RETRY_DELAY_MS } from "./fleet/retry";
import { retryWhileLocked, runBounded } from "./fleet/runner";
import { oneLine, renderFleetTable } from "./fleet/table";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

interface PolicyFiles {
    packs: string[];
    configs: string[];
}

/**
 * The project's policy pack: --policy-pack, else policies/ in the project directory, else in the
 * program's directory (Pulumi.yaml `main`, where a project run from elsewhere keeps its code). Its
 * config: --policy-pack-config, else the policy-config.json beside the pack's directory, if any (the
 * repository's layout, and the pull-request gate's .gate/ copy of it).
 */
export async function policyFiles(ws: LocalWorkspace, args: FleetArgs): Promise<PolicyFiles> {
    let pack = args.policyPack;
    if (pack === undefined) {
        const main = (await ws.projectSettings()).main;
        const programDir = main ? path.resolve(ws.workDir, main) : ws.workDir;
        const candidates = [...new Set([ws.workDir, fs.existsSync(programDir) && fs.statSync(programDir).isFile() ? path.dirname(programDir) : programDir])];
        pack = candidates.map((d) => path.join(d, "policies")).find((d) => fs.existsSync(path.join(d, "PulumiPolicy.yaml")));
        if (pack === undefined) throw new Error(`no policy pack: no policies/PulumiPolicy.yaml in ${candidates.join(" or ")}; pass --policy-pack <dir>`);
    } else if (!fs.existsSync(path.join(pack, "PulumiPolicy.yaml"))) {
        throw new Error(`--policy-pack ${pack} is not a policy pack (no PulumiPolicy.yaml)`);
    }
    const config = args.policyPackConfig ?? path.join(path.dirname(pack), "policy-config.json");
    if (args.policyPackConfig !== undefined && !fs.existsSync(config)) throw new Error(`--policy-pack-config ${config} does not exist`);
    return { packs: [pack], configs: fs.existsSync(config) ? [config] : [] };
}

/** The stack's tenant (exchange:organization); null when its config can't say (its run will tell why). */
async function tenantOf(ws: LocalWorkspace, stack: string): Promise<string | null> {
    try {
        const v = await ws.getConfig(stack, "exchange:organization");
        return typeof v.value === "string" && v.value !== "" ? v.value : null;
    } catch {
        return null;
    }
}

async function runStack(ws: LocalWorkspace, args: FleetArgs, policy: PolicyFiles, stack: string): Promise<StackResult> {
    const started = Date.now();
    const log = (line: string) => process.stderr.write(`[${stack}] ${line}\n`);
    log(`${args.mode} started`);
    const tenant = await tenantOf(ws, stack);
    let events: EngineEvent[] = [];
    const attempted = await retryWhileLocked(
        () => {
            events = []; // each attempt's own events only
            return runDriftReport({ workDir: args.workDir, stack, log, pinStack: true, policyPacks: policy.packs, policyPackConfigs: policy.configs, onEvent: (e) => events.push(e) });
        },
        (report) => (report.status === "error" ? (report.error ?? "error") : undefined),
        { retries: args.lockRetries, baseDelayMs: args.lockRetryDelayMs, maxDelayMs: MAX_LOCK_RETRY_DELAY_MS },
        sleep,
        (n, delayMs, error) => log(`locked (attempt ${n} of ${args.lockRetries + 1}); retrying in ${delayMs} ms: ${oneLine(error)}`),
    );
    const result = stackResult({ stack, tenant, report: attempted.result, events, policyRan: policy.packs.length > 0, attempts: attempted.attempts, locked: attempted.locked, durationMs: Date.now() - started });
    log(`${args.mode} done: ${result.status} in ${(result.durationMs / 1000).toFixed(1)} s`);
    return result;
}

async function runFleet(args: FleetArgs): Promise<FleetResult> {
    const startedAt = new Date();
    const { ws } = await openWorkspace(args.workDir);
    const policy: PolicyFiles = args.mode === "preview" ? await policyFiles(ws, args) : { packs: [], configs: [] };
    let known: string[];
    try {
        known = (await ws.listStacks()).map((s) => s.name).sort((a, b) => a.localeCompare(b));
    } catch (error) {
        throw new Error(`could not list the project's stacks: ${cliFailure(error)}`);
    }
    const wanted = args.stacks ?? known;
    const unknown = new Set(wanted.filter((s) => !known.includes(s)));
    const runnable = wanted.filter((s) => !unknown.has(s));
    const settled = await runBounded(runnable, args.parallel, (stack) => runStack(ws, args, policy, stack));
    const ran = new Map(runnable.map((s, i) => {
        const r = settled[i];
        return [s, r.status === "fulfilled" ? r.value : failedStack(s, null, `the fleet could not run it: ${errorText(r.reason)}`)];
    }));
    const stacks = wanted.map((s) => ran.get(s) ?? failedStack(s, null, `no stack named "${s}" in this project (its stacks: ${known.join(", ") || "none"})`));
    return fleetResult(
        { mode: args.mode, workDir: args.workDir, parallel: args.parallel, policyPacks: policy.packs, policyPackConfigs: policy.configs, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime() },
        stacks,
    );
}

function writeJson(file: string, result: FleetResult): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
}

async function main(): Promise<number> {
    let args: FleetArgs;
    try {
        args = parseFleetArgs(process.argv.slice(2), process.cwd());
    } catch (error) {
        if (error instanceof HelpRequested) {
            process.stdout.write(`${error.help}\n`);
            return 0;
        }
        process.stderr.write(`fleet: ${errorText(error)}\n`);
        return 2;
    }
    let result: FleetResult;
    try {
        result = await runFleet(args);
    } catch (error) {
        // Nothing ran (no workspace, no stack list, no policy pack): no table to print.
        process.stderr.write(`fleet: error: ${errorText(error)}\n`);
        return 2;
    }
    process.stdout.write(renderFleetTable(result));
    const out = args.jsonOut ?? defaultJsonOut(args.workDir, args.mode);
    try {
        writeJson(out, result);
        process.stderr.write(`fleet: the whole result is in ${out}\n`);
    } catch (error) {
        process.stderr.write(`fleet: could not write ${out}: ${errorText(error)}\n`);
        return 2;
    }
    return result.exitCode;
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (error: unknown) => {
            process.stderr.write(`fleet: error: ${String(error)}\n`);
            process.exit(2);
        },
    );
}
