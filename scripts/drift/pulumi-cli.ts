/**
 * The project's Pulumi CLI for tools that use the Automation API: the same
 * binary and environment as scripts/pulumi (offline toolchain, local file
 * backend, no update check, no plugin downloads), so a report and a
 * `scripts/pulumi preview` see the same stack.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";

/** The repository root (this file is scripts/drift/*.ts, or dist/scripts/drift/*.js). */
export function projectRoot(from: string = __dirname): string {
    const up = path.basename(path.resolve(from, "..", "..")) === "dist" ? 3 : 2;
    return path.resolve(from, ...Array<string>(up).fill(".."));
}

/**
 * The toolchain's bin directory, built if needed. Computed by scripts/toolchain-env
 * itself (not re-derived here), so the key/hash rule lives in one place.
 */
export function toolchainBin(root: string = projectRoot()): string {
    const script = 'source scripts/toolchain-env && scripts/bootstrap-toolchain >&2 && printf %s "$toolchain_bin"';
    return execFileSync("bash", ["-c", script], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
}

/** scripts/pulumi's environment: caller's values win, as in the wrapper's ${X:-default}. */
export function pulumiEnv(root: string, bin: string, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(base)) {
        if (v !== undefined) env[k] = v;
    }
    env.PATH = `${bin}${path.delimiter}${base.PATH ?? ""}`;
    env.PULUMI_HOME = base.PULUMI_HOME || path.join(root, ".pulumi", "home");
    env.PULUMI_BACKEND_URL = base.PULUMI_BACKEND_URL || `file://${path.join(root, ".pulumi", "state")}`;
    env.PULUMI_SKIP_UPDATE_CHECK = "true";
    env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION = "true";
    env.PULUMI_SKIP_CONFIRMATIONS = base.PULUMI_SKIP_CONFIRMATIONS || "false";
    return env;
}

export interface StackSelection {
    /** The Pulumi project directory (holds Pulumi.yaml). */
    workDir: string;
    /** Stack name; default: the workspace's selected stack. */
    stack?: string;
    /** More variables for the CLI and the plugins it starts (e.g. EXO_TENANT_SNAPSHOT). */
    extraEnv?: Record<string, string>;
}

/** Selects the stack through the Automation API, with the project's CLI. */
export async function selectStack(sel: StackSelection): Promise<{ stack: Stack; env: Record<string, string> }> {
    const root = projectRoot();
    const bin = toolchainBin(root);
    const env = { ...pulumiEnv(root, bin), ...sel.extraEnv };
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(bin), skipVersionCheck: true });
    const ws = await LocalWorkspace.create({ workDir: sel.workDir, pulumiCommand, envVars: env });
    const name = sel.stack ?? (await ws.stack())?.name;
    if (!name) {
        throw new Error(`no stack is selected in ${sel.workDir}: pass --stack <name> (or run scripts/pulumi stack select <name>)`);
    }
    return { stack: await Stack.select(name, ws), env };
}

/**
 * What a failed CLI command has to say, without the Automation API's wrapping. Its CommandError's
 * message is the whole command result ("code: -2\n stdout: …\n stderr: …\n err?: Error: Command
 * failed…"); the CLI's own "error: …" lines on stderr are the part a person needs.
 */
export function cliFailure(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    if (!/^code: -?\d+/m.test(text)) return text;
    const stderr = /\bstderr: ([\s\S]*?)(?:\n\s*err\?: |$)/.exec(text)?.[1] ?? "";
    const errors = [...new Set(stderr.split("\n").map((l) => l.trim()).filter((l) => /^error:/i.test(l)).map((l) => l.replace(/^error:\s*/i, "")))];
    if (errors.length > 0) return errors.join("; ");
    const tail = stderr.trim().split("\n").filter((l) => l.trim() !== "").slice(-3).join(" ");
    return tail || text.split("\n")[0];
}
