/**
 * The project's Pulumi CLI for tools that use the Automation API: the same
 * binary and environment as scripts/pulumi (an installed official CLI, else the
 * one built from Go modules; the backend the user chose, else the project's file
 * backend), so a report and a `scripts/pulumi preview` see the same stack.
 */
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";

/** The repository root (this file is scripts/drift/*.ts, or dist/scripts/drift/*.js). */
export function projectRoot(from: string = __dirname): string {
    const up = path.basename(path.resolve(from, "..", "..")) === "dist" ? 3 : 2;
    return path.resolve(from, ...Array<string>(up).fill(".."));
}

const BASH_ONLY = new Set(["_", "SHLVL", "PWD", "OLDPWD"]);

/** The CLI scripts/pulumi would run, and its environment. */
export interface PulumiCli {
    /** The executable: an installed official CLI, or the one built from Go modules. */
    bin: string;
    kind: "installed" | "built";
    env: Record<string, string>;
}

/**
 * Asks scripts/pulumi-env itself (building the toolchain if it is the one chosen), so the rule
 * for which CLI runs and which backend it uses lives in one place. `cwd` is where the CLI will
 * run: a Pulumi.yaml `backend:` there counts as a chosen backend.
 */
export function resolvePulumiCli(cwd: string, base: NodeJS.ProcessEnv = process.env, root: string = projectRoot()): PulumiCli {
    const script = 'source "$1/scripts/pulumi-env" >&2 && printf "%s\\0%s\\0" "$pulumi_cli" "$pulumi_cli_kind" && env -0';
    const out = execFileSync("bash", ["-c", script, "pulumi-env", root], { cwd, env: base, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    const [bin, kind, ...vars] = out.split("\0").filter((s) => s !== "");
    const env: Record<string, string> = {};
    for (const v of vars) {
        const eq = v.indexOf("=");
        // bash's own bookkeeping stays behind; everything else is what the CLI gets.
        if (eq > 0 && !BASH_ONLY.has(v.slice(0, eq))) env[v.slice(0, eq)] = v.slice(eq + 1);
    }
    return { bin, kind: kind === "installed" ? "installed" : "built", env };
}

/**
 * A directory laid out as the Automation API's PulumiCommand wants it (`<root>/bin/pulumi`), for
 * a CLI that may live anywhere (PULUMI_CLI=/opt/pulumi/pulumi). The symlink keeps the CLI's own
 * plugins: Go's os.Executable resolves it, and the CLI looks for bundled plugins beside itself.
 */
function commandRoot(bin: string, root: string): string {
    if (path.basename(path.dirname(bin)) === "bin") return path.dirname(path.dirname(bin));
    const dir = path.join(root, ".pulumi", "cli");
    fs.mkdirSync(path.join(dir, "bin"), { recursive: true });
    const link = path.join(dir, "bin", "pulumi");
    // A fresh link renamed over the old one: parallel selections (the fleet) never see it missing
    // or collide on creating it, as a remove-then-create would.
    const fresh = `${link}.${process.pid}.${++linkCounter}`;
    fs.symlinkSync(bin, fresh);
    fs.renameSync(fresh, link);
    return dir;
}

let linkCounter = 0;

export interface StackSelection {
    /** The Pulumi project directory (holds Pulumi.yaml). */
    workDir: string;
    /** Stack name; default: the workspace's selected stack. */
    stack?: string;
    /** More variables for the CLI and the plugins it starts (e.g. EXO_TENANT_SNAPSHOT). */
    extraEnv?: Record<string, string>;
    /**
     * Default true: leave the workspace's selected stack alone and only check that `stack` exists.
     * Every command of a Stack names it (`--stack`) anyway; `stack select` would rewrite the one
     * selected stack a shared PULUMI_HOME keeps (parallel runs of the fleet), and the read-only
     * tools (drift, check-connection) would not be read-only. false: select it, as the CLI would.
     */
    pin?: boolean;
}

/** A LocalWorkspace on the project's CLI and environment (what selectStack and the fleet use). */
export async function openWorkspace(workDir: string, extraEnv: Record<string, string> = {}): Promise<{ ws: LocalWorkspace; env: Record<string, string> }> {
    const cli = resolvePulumiCli(workDir);
    const env = { ...cli.env, ...extraEnv };
    const pulumiCommand = await PulumiCommand.get({ root: commandRoot(cli.bin, projectRoot()), skipVersionCheck: true });
    const ws = await LocalWorkspace.create({ workDir, pulumiCommand, envVars: env });
    return { ws, env };
}

/** Selects the stack through the Automation API, with the project's CLI. */
export async function selectStack(sel: StackSelection): Promise<{ stack: Stack; env: Record<string, string> }> {
    const { ws, env } = await openWorkspace(sel.workDir, sel.extraEnv);
    const name = sel.stack ?? (await ws.stack())?.name;
    if (!name) {
        throw new Error(`no stack is selected in ${sel.workDir}: pass --stack <name> (or run scripts/pulumi stack select <name>)`);
    }
    if (sel.pin !== false) {
        // Stack.select only needs the stack to exist; `pulumi stack --stack <name>` fails as `stack select`
        // does for an unknown one, without selecting it (the Automation API does the same for a remote workspace).
        ws.selectStack = (stackName: string): Promise<void> =>
            new Promise((resolve, reject) => {
                const args = ["stack", "--stack", stackName, "--show-name", "--non-interactive"];
                execFile(ws.pulumiCommand.command, args, { cwd: ws.workDir, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
                    // Worded as the Automation API's CommandError, so cliFailure finds the CLI's own error lines.
                    if (error) reject(new Error(`code: ${typeof error.code === "number" ? error.code : -2}\n stdout: ${stdout}\n stderr: ${stderr}\n`));
                    else resolve();
                });
            });
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
