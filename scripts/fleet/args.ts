/**
 * The fleet's command line, pure: `fleet preview|drift [--stacks a,b] [--parallel N] [--cwd dir]
 * [--json-out file] [--lock-retries N] [--lock-retry-delay-ms MS] [--policy-pack dir]
 * [--policy-pack-config file]`. Errors name the argument and repeat the usage.
 */
import * as path from "path";
import { z } from "zod";
import { HelpRequested } from "../drift/args";

export type FleetMode = "preview" | "drift";

export interface FleetArgs {
    mode: FleetMode;
    /** The Pulumi project directory. */
    workDir: string;
    /** Stacks to run, in the order given; absent: every stack of the project. */
    stacks?: string[];
    /** At most this many stacks at once. */
    parallel: number;
    /** Where the whole result goes as JSON; absent: defaultJsonOut(). */
    jsonOut?: string;
    /** Retries of a locked stack (after the first attempt). */
    lockRetries: number;
    /** First wait before retrying a locked stack; doubled each time. */
    lockRetryDelayMs: number;
    /** Preview only: the policy pack directory; absent: the project's policies/. */
    policyPack?: string;
    /** Preview only: the policy pack's config; absent: the project's policy-config.json when there is one. */
    policyPackConfig?: string;
}

export const DEFAULT_PARALLEL = 4;
export const DEFAULT_LOCK_RETRIES = 3;
export const DEFAULT_LOCK_RETRY_DELAY_MS = 2000;

export const USAGE =
    "usage: fleet preview|drift [--stacks a,b,...] [--parallel N] [--cwd <project dir>] [--json-out <file>] [--lock-retries N] [--lock-retry-delay-ms MS] [--policy-pack <dir>] [--policy-pack-config <file>]";

export const HELP = [
    USAGE,
    "",
    "Runs every stack of the project (one per tenant), a few at a time, and prints one table: per stack and",
    "domain the declared and the live settings, the policy result and the status. See docs/fleet.md.",
    "",
    "  drift    per stack, the drift report (a refresh-preview; nothing is written to any tenant)",
    "  preview  the same refresh-preview with the policy pack: the drift rows plus each domain's policy result",
    "",
    "Options:",
    "  --stacks <a,b,...>          only these stacks (default: every stack of the project)",
    `  --parallel <N>              at most N stacks at once (default ${DEFAULT_PARALLEL})`,
    "  --cwd, -C <dir>             the Pulumi project directory (default: the current directory)",
    "  --json-out <file>           the whole result as JSON (default: <project>/.pulumi/fleet-<mode>.json)",
    `  --lock-retries <N>          retries of a locked stack, with backoff (default ${DEFAULT_LOCK_RETRIES}); never \`pulumi cancel\``,
    `  --lock-retry-delay-ms <MS>  first wait before such a retry, doubled each time (default ${DEFAULT_LOCK_RETRY_DELAY_MS})`,
    "  --policy-pack <dir>         preview: the policy pack (default: the project's policies/)",
    "  --policy-pack-config <file> preview: its config (default: the project's policy-config.json, if any)",
    "  --help, -h                  this help",
    "",
    "Exit codes: 0 every stack in sync and compliant, 1 a stack drifts or violates a mandatory policy,",
    "2 a stack's run failed or stayed locked, or bad arguments (2 wins over 1).",
].join("\n");

const stackName = z.string().regex(/^[A-Za-z0-9_.\-/]+$/, { error: "a stack name holds letters, digits, '-', '_', '.' and '/'" });

function integer(flag: string, raw: string, min: number, max: number): number {
    const parsed = z.coerce.number().int().min(min).max(max).safeParse(raw);
    if (!parsed.success || raw.trim() === "") throw new Error(`${flag} takes a whole number from ${min} to ${max}, not "${raw}"; ${USAGE}`);
    return parsed.data;
}

/** Parses argv (without node and the script); throws HelpRequested for --help, an Error with the usage otherwise. */
export function parseFleetArgs(argv: readonly string[], cwd: string): FleetArgs {
    let mode: FleetMode | undefined;
    const args: Omit<FleetArgs, "mode"> = {
        workDir: cwd,
        parallel: DEFAULT_PARALLEL,
        lockRetries: DEFAULT_LOCK_RETRIES,
        lockRetryDelayMs: DEFAULT_LOCK_RETRY_DELAY_MS,
    };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--help" || a === "-h") throw new HelpRequested(HELP);
        const value = (): string => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new Error(`${a} needs a value; ${USAGE}`);
            return v;
        };
        switch (a) {
            case "--stacks": {
                const names = value().split(",").map((s) => s.trim()).filter((s) => s !== "");
                if (names.length === 0) throw new Error(`--stacks needs at least one stack name; ${USAGE}`);
                for (const n of names) {
                    const ok = stackName.safeParse(n);
                    if (!ok.success) throw new Error(`--stacks: "${n}" is not a stack name (${ok.error.issues[0].message}); ${USAGE}`);
                }
                args.stacks = [...new Set([...(args.stacks ?? []), ...names])];
                break;
            }
            case "--parallel":
                args.parallel = integer(a, value(), 1, 64);
                break;
            case "--cwd":
            case "-C":
                args.workDir = path.resolve(cwd, value());
                break;
            case "--json-out":
                args.jsonOut = value();
                break;
            case "--lock-retries":
                args.lockRetries = integer(a, value(), 0, 10);
                break;
            case "--lock-retry-delay-ms":
                args.lockRetryDelayMs = integer(a, value(), 0, 600_000);
                break;
            case "--policy-pack":
                args.policyPack = value();
                break;
            case "--policy-pack-config":
                args.policyPackConfig = value();
                break;
            case "--stack":
            case "-s":
                throw new Error(`${a} is the drift report's; the fleet takes --stacks a,b,...; ${USAGE}`);
            default:
                if (a.startsWith("-")) throw new Error(`unknown argument "${a}"; ${USAGE}`);
                if (mode !== undefined) throw new Error(`one mode only, got "${mode}" and "${a}"; ${USAGE}`);
                if (a !== "preview" && a !== "drift") throw new Error(`unknown mode "${a}": preview or drift; ${USAGE}`);
                mode = a;
        }
    }
    if (!mode) throw new Error(`say preview or drift; ${USAGE}`);
    if (mode === "drift" && (args.policyPack !== undefined || args.policyPackConfig !== undefined)) {
        throw new Error(`--policy-pack and --policy-pack-config are for preview (drift runs no policy pack); ${USAGE}`);
    }
    // Relative paths are the caller's, like --cwd's.
    const resolved = {
        ...args,
        ...(args.jsonOut !== undefined ? { jsonOut: path.resolve(cwd, args.jsonOut) } : {}),
        ...(args.policyPack !== undefined ? { policyPack: path.resolve(cwd, args.policyPack) } : {}),
        ...(args.policyPackConfig !== undefined ? { policyPackConfig: path.resolve(cwd, args.policyPackConfig) } : {}),
    };
    return { mode, ...resolved };
}

/** The JSON result's default place: the project's .pulumi/ (git-ignored, like the CLI's local state). */
export function defaultJsonOut(workDir: string, mode: FleetMode): string {
    return path.join(workDir, ".pulumi", `fleet-${mode}.json`);
}
