/**
 * End-to-end harness: throw-away Pulumi workspaces driven through the real CLI
 * (scripts/pulumi), each with its own file backend (or, when asked, its own prefix in a
 * real object store: backends.ts), PULUMI_HOME, passphrase, emulated tenant state and
 * journal. Nothing here mocks the engine.
 *
 * Workspaces live under <repo>/.tmp/e2e so Node's module resolution from a
 * workspace walks up to the project's node_modules.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { removeTenantDir } from "../remove-tenant-dir";
import type { StateBackend } from "./backends";

export const repoRoot = path.resolve(__dirname, "..", "..");
export const pulumiScript = path.join(repoRoot, "scripts", "pulumi");
export const emulatorPwsh = path.join(repoRoot, "emulator", "bin", "pwsh");
/** Passphrase of every e2e stack: test-only, never a user's. */
export const E2E_PASSPHRASE = "e2e-passphrase-not-a-secret";

export interface Workspace {
    dir: string;
    stack: string;
    env: NodeJS.ProcessEnv;
    /** Tenant state file of the emulator (EXO_EMULATOR_STATE). */
    statePath: string;
    /** Emulator journal (EXO_EMULATOR_JOURNAL). */
    journalPath: string;
    /** Pulumi's file backend directory (created, and left empty, when `backend` is given). */
    backendDir: string;
    /** PULUMI_BACKEND_URL of the workspace. */
    backendUrl: string;
    /** The object-store backend and this workspace's prefix in it, when one was given. */
    remote?: { backend: StateBackend; prefix: string };
}

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
    /** stdout and stderr, interleaved as they arrived. */
    output: string;
}

export interface WorkspaceOptions {
    /** Short name used in the directory and stack name. */
    name: string;
    /**
     * Program files written into the workspace (relative path -> content). When
     * absent, the workspace runs the project's own stack program (program.js).
     */
    files?: Record<string, string>;
    /** A scratch program's `runtime.options.typescript` (false: it is JavaScript, loaded as the project's own program.js is). Default true. */
    typescript?: boolean;
    /** Extra Pulumi.yaml lines for a scratch program (e.g. `main: ...`). */
    projectName?: string;
    /**
     * A real backend (backends.ts) instead of the workspace's file backend: the state goes under a
     * prefix of its own (the workspace's directory name), so workspaces sharing one server never
     * see each other's stacks. Default: the file backend.
     */
    backend?: StateBackend;
}

let counter = 0;

/** Creates a fresh workspace and its stack (`stack init`). */
export async function createWorkspace(opts: WorkspaceOptions): Promise<Workspace> {
    const base = path.join(repoRoot, ".tmp", "e2e");
    fs.mkdirSync(base, { recursive: true });
    const dir = fs.mkdtempSync(path.join(base, `${opts.name}-${process.pid}-${counter++}-`));
    const backendDir = path.join(dir, ".backend");
    fs.mkdirSync(backendDir);

    if (opts.files) {
        const projectName = opts.projectName ?? `e2e-${opts.name}`;
        writeFile(dir, "Pulumi.yaml", `name: ${projectName}\nruntime:\n  name: nodejs\n  options:\n    typescript: ${opts.typescript ?? true}\n`);
        for (const [rel, content] of Object.entries(opts.files)) {
            writeFile(dir, rel, content);
        }
    } else {
        // The project's own program, run from this directory: `main` points back
        // at the repository root so stack config files and state stay here.
        // (Its own `main`, program.js, is rebased onto the repository root.)
        const project = fs.readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8");
        const main = /^main:\s*(\S+)\s*$/m.exec(project)?.[1] ?? ".";
        const rebased = project.replace(/^main:.*$/m, "").trimEnd();
        writeFile(dir, "Pulumi.yaml", `${rebased}\nmain: ${path.relative(dir, path.join(repoRoot, main))}\n`);
    }

    const remote = opts.backend ? { backend: opts.backend, prefix: `${path.basename(dir)}/` } : undefined;
    const ws: Workspace = {
        dir,
        stack: "e2e",
        backendDir,
        backendUrl: remote ? remote.backend.urlFor(remote.prefix) : `file://${backendDir}`,
        remote,
        statePath: path.join(dir, "tenant.json"),
        journalPath: path.join(dir, "journal.jsonl"),
        env: {},
    };
    ws.env = {
        ...process.env,
        ...remote?.backend.env,
        PULUMI_BACKEND_URL: ws.backendUrl,
        PULUMI_HOME: path.join(dir, ".pulumi-home"),
        PULUMI_CONFIG_PASSPHRASE: E2E_PASSPHRASE,
        PULUMI_CONFIG_PASSPHRASE_FILE: "",
        EXO_EMULATOR_STATE: ws.statePath,
        EXO_EMULATOR_JOURNAL: ws.journalPath,
        // The emulator follows real pwsh: NO_COLOR or TERM=dumb would turn off its terminal
        // sequences and colours (host.ts), and every run must see pwsh's default output.
        // So the CLI's colours are turned off by --color never, and TERM is fixed.
        NO_COLOR: undefined,
        TERM: "xterm-256color",
        // `npm test` type-checks the whole project with tsc before any e2e test,
        // so programs skip ts-node's per-run type check here (about 3 s a command).
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    };
    const init = await pulumi(ws, ["stack", "init", ws.stack]);
    if (init.code !== 0) {
        throw new Error(`stack init failed (${init.code}):\n${init.output}`);
    }
    return ws;
}

function writeFile(dir: string, rel: string, content: string): void {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
}

/**
 * Runs `scripts/pulumi <args>` in the workspace, non-interactively, and
 * collects its output. Never throws on a non-zero exit: tests assert on codes.
 */
export function pulumi(ws: Workspace, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    const needsStack = !["stack", "version", "plugin", "about", "login", "logout"].includes(args[0]);
    const full = [...args, "--non-interactive", "--color", "never", ...(needsStack ? ["--stack", ws.stack] : [])];
    return runCommand(pulumiScript, full, { cwd: ws.dir, env: { ...ws.env, ...extraEnv } });
}

export interface CommandOptions {
    cwd: string;
    env: NodeJS.ProcessEnv;
    input?: string;
}

/** Runs a command to completion, capturing output; resolves with its exit code. */
export function runCommand(command: string, args: string[], opts: CommandOptions): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        let output = "";
        child.stdout.on("data", (b: Buffer) => {
            stdout += b.toString();
            output += b.toString();
        });
        child.stderr.on("data", (b: Buffer) => {
            stderr += b.toString();
            output += b.toString();
        });
        child.on("error", reject);
        // A child that exits before reading stdin must not crash the test run with EPIPE.
        child.stdin.on("error", () => undefined);
        child.on("close", (code, signal) => {
            resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr, output });
        });
        child.stdin.end(opts.input ?? "");
    });
}

export type ConfigValue = string | number | boolean | object;

/**
 * Sets stack config values; objects are written leaf by leaf with `--path`
 * (the CLI has no JSON input for `config set`), keeping booleans and numbers
 * typed. `secret` keys are stored encrypted by the passphrase provider.
 */
export async function setConfig(ws: Workspace, values: Record<string, ConfigValue>, secretKeys: string[] = []): Promise<void> {
    for (const [key, value] of Object.entries(values)) {
        const [namespace, name] = key.includes(":") ? key.split(/:(.*)/s, 2) : ["", key];
        const prefix = `${namespace ? namespace + ":" : ""}${pathSegment(name, true)}`;
        for (const [path, leaf] of leaves(value, prefix)) {
            const args = ["config", "set", "--path", path, String(leaf)];
            if (typeof leaf === "boolean") args.push("--type", "bool");
            if (typeof leaf === "number") args.push("--type", Number.isInteger(leaf) ? "int" : "float");
            if (secretKeys.includes(key)) args.push("--secret");
            const r = await pulumi(ws, args);
            if (r.code !== 0) throw new Error(`config set ${path} failed:\n${r.output}`);
        }
    }
}

function pathSegment(key: string, first = false): string {
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${first ? "" : "."}${key}` : `[${JSON.stringify(key)}]`;
}

function leaves(value: ConfigValue, path: string): [string, string | number | boolean][] {
    if (Array.isArray(value)) {
        return value.flatMap((v: ConfigValue, i) => leaves(v, `${path}[${i}]`));
    }
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => leaves(v as ConfigValue, `${path}${pathSegment(k)}`));
    }
    return [[path, value as string | number | boolean]];
}

/** Stack outputs as JSON (secrets shown, for assertions only). */
export async function stackOutputs(ws: Workspace): Promise<Record<string, unknown>> {
    const r = await pulumi(ws, ["stack", "output", "--json", "--show-secrets", "--stack", ws.stack]);
    if (r.code !== 0) throw new Error(`stack output failed:\n${r.output}`);
    return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** Every file under the workspace's backend (state, history, backups) as text. */
export function backendFiles(ws: Workspace): string[] {
    const out: string[] = [];
    const walk = (d: string): void => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else out.push(fs.readFileSync(p, "utf8"));
        }
    };
    walk(ws.backendDir);
    return out;
}

/** A running process, as /proc shows it. */
export interface ProcessInfo {
    pid: number;
    ppid: number;
    command: string;
}

/**
 * Every live process of the workspace: the CLI and all it started (language host, program,
 * dynamic provider, pwsh or the emulator) inherit the workspace's environment, whose paths are
 * unique to it, so /proc/<pid>/environ naming ws.dir identifies them whatever their parent is
 * now. Zombies (already exited, not yet reaped) have no environment and are not listed.
 */
export function workspaceProcesses(ws: Workspace): ProcessInfo[] {
    const found: ProcessInfo[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        const pid = Number(entry);
        if (!Number.isInteger(pid) || pid === process.pid) continue;
        try {
            if (!fs.readFileSync(`/proc/${pid}/environ`, "utf8").includes(`${ws.dir}/`)) continue;
            const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            const command = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
            found.push({ pid, ppid, command });
        } catch {
            // exited while we looked
        }
    }
    return found;
}

/**
 * Waits up to `ms` for every process of the workspace to end; returns those still alive. The CLI's
 * session keeper (components/exchange/session-keeper.ts) sees the CLI gone within 0.1 s and ends
 * then, so "nothing left" is asked with a short wait, not at the instant the CLI exits.
 */
export async function leftoverProcesses(ws: Workspace, ms: number): Promise<ProcessInfo[]> {
    for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
        if (workspaceProcesses(ws).length === 0) return [];
    }
    return workspaceProcesses(ws);
}

/** Removes the workspace unless KEEP_E2E is set (for debugging a failure). */
export function removeWorkspace(ws: Workspace | undefined): void {
    if (ws && !process.env.KEEP_E2E) {
        // The run's session keeper and its pwsh end just after the CLI (leftoverProcesses) and may
        // still write their last journal line while the directory goes: removed once they have ended.
        removeTenantDir(ws.dir, ws.journalPath);
    }
}

// ---------------------------------------------------------------------------
// The emulated tenant of a workspace
// ---------------------------------------------------------------------------
import {
    buildKbDemoTenant,
    DEMO_ACCESS_TOKEN,
    DEMO_APP_ID,
    DEMO_CERT_PASSWORD,
    DEMO_ORGANIZATION,
    loadTenantState,
    readJournal,
    updateTenantState,
    writeKbDemo,
    type TenantState,
} from "../../emulator";

export { DEMO_ACCESS_TOKEN, DEMO_APP_ID, DEMO_CERT_PASSWORD, DEMO_ORGANIZATION, buildKbDemoTenant, type TenantState };

/**
 * Writes the KB demo tenant (contoso.com Authoritative in a synced coexistence,
 * fabrikam.com InternalRelay, ...) as the workspace's tenant, then lets the test
 * change it. Returns the certificate file path the demo credentials use.
 */
export async function seedTenant(ws: Workspace, mutate?: (t: TenantState) => void): Promise<string> {
    const { certificateFile } = writeKbDemo(ws.statePath, true);
    if (mutate) await changeTenant(ws, mutate);
    return certificateFile;
}

/** The tenant as the emulator stores it now. */
export function tenant(ws: Workspace): TenantState {
    return loadTenantState(ws.statePath);
}

/** Changes the tenant out of band (as an admin in the portal would). */
export async function changeTenant(ws: Workspace, mutate: (t: TenantState) => void): Promise<void> {
    await updateTenantState(ws.statePath, (t) => {
        mutate(t);
        return { result: undefined, changed: true };
    });
}

/** Journal entries written so far by every emulator process of this workspace. */
export function journal(ws: Workspace): ReturnType<typeof readJournal> {
    return fs.existsSync(ws.journalPath) ? readJournal(ws.journalPath) : [];
}

/**
 * Stack config for the demo credentials (certificate auth, password as a
 * Pulumi secret) and the given domains (exchange:domains).
 */
export async function configureExchange(
    ws: Workspace,
    certificateFile: string,
    domains: Record<string, object>,
    extra: Record<string, ConfigValue> = {},
): Promise<void> {
    await setConfig(ws, {
        "exchange:organization": DEMO_ORGANIZATION,
        "exchange:auth": { kind: "certificate", appId: DEMO_APP_ID, certificateFilePath: certificateFile },
        "exchange:domains": domains,
        "exchange:retryDelayMs": 50,
        ...extra,
    });
    const r = await pulumi(ws, ["config", "set", "--secret", "--path", "exchange:auth.certificatePassword", DEMO_CERT_PASSWORD]);
    if (r.code !== 0) throw new Error(`config set certificatePassword failed:\n${r.output}`);
}

// ---------------------------------------------------------------------------
// Stack config written in one go (scale and fault specs, benchmark)
// ---------------------------------------------------------------------------

/**
 * Encrypts a value with the stack's secrets provider (one `config set --secret`
 * under a scratch key, then removed) and returns it in the stack file's form.
 */
export async function secretValue(ws: Workspace, plaintext: string): Promise<{ secure: string }> {
    const key = "scratch:secret";
    const set = await pulumi(ws, ["config", "set", "--secret", key, plaintext]);
    if (set.code !== 0) throw new Error(`config set --secret failed:\n${set.output}`);
    const text = fs.readFileSync(stackConfigPath(ws), "utf8");
    // YAML as the CLI writes it, or flow style (either quote) once writeStackConfig has written the file.
    const secure = /["']?scratch:secret["']?:\s*\{?\s*["']?secure["']?:\s*["']?([^"'\s,}]+)/.exec(text)?.[1];
    if (!secure) throw new Error(`no encrypted value for ${key} in ${stackConfigPath(ws)}`);
    const rm = await pulumi(ws, ["config", "rm", key]);
    if (rm.code !== 0) throw new Error(`config rm failed:\n${rm.output}`);
    return { secure };
}

/** The workspace's stack config file (Pulumi.<stack>.yaml). */
export function stackConfigPath(ws: Workspace): string {
    return path.join(ws.dir, `Pulumi.${ws.stack}.yaml`);
}

/**
 * Replaces the stack's config with `config` (full keys such as "exchange:domains"
 * -> plain values or `{ secure }` from secretValue) without one CLI call per leaf:
 * the file is written as JSON, which is YAML, keeping the stack's encryption salt.
 */
export function writeStackConfig(ws: Workspace, config: Record<string, unknown>): void {
    const file = stackConfigPath(ws);
    const salt = fs.existsSync(file) ? /["']?encryptionsalt["']?:\s*["']?([^"'\s,}]+)/.exec(fs.readFileSync(file, "utf8"))?.[1] : undefined;
    fs.writeFileSync(file, JSON.stringify({ ...(salt ? { encryptionsalt: salt } : {}), config }, null, 1) + "\n");
}

/** exchange:* config for the demo app with certificate auth (password encrypted), as writeStackConfig takes it. */
export async function exchangeConfig(
    ws: Workspace,
    certificateFile: string,
    domains: Record<string, object>,
    extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
    return {
        "exchange:organization": DEMO_ORGANIZATION,
        "exchange:auth": {
            kind: "certificate",
            appId: DEMO_APP_ID,
            certificateFilePath: certificateFile,
            certificatePassword: await secretValue(ws, DEMO_CERT_PASSWORD),
        },
        "exchange:domains": domains,
        "exchange:retryDelayMs": 50,
        ...extra,
    };
}
