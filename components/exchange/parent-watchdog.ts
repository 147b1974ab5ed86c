/**
 * Ends the dynamic-provider process when the Pulumi CLI that started it is gone.
 *
 * Why: the engine starts this process (through the pulumi-resource-pulumi-nodejs plugin) as a
 * gRPC server and, on a normal exit, closes it. Killed outright (kill -9, an OOM kill, a CI
 * runner's timeout), the CLI closes nothing: @pulumi/pulumi's cmd/dynamic-provider never checks
 * on its engine, so the process and its pwsh session (signed in to Exchange Online) would live on
 * forever, holding a connected session no run will use. An orphan is re-parented (to init or a
 * subreaper), so a change of process.ppid says the parent is gone; checked once a second.
 *
 * Then the session is disposed (pwsh gets SIGTERM: child-shell's dispose) and the process exits.
 * A Set in flight at that moment may or may not reach the tenant, exactly as when the CLI itself
 * died mid-call; the next `up` reads the live tenant and converges either way.
 *
 * Scope: our toolchain's plugin shim execs node, so the parent is the CLI. Pulumi's official
 * pulumi-resource-pulumi-nodejs is a sh script that runs node without exec, so there the parent is
 * that shell, which outlives a killed CLI: when the parent is a shell, its own parent (the CLI) is
 * watched too (Linux /proc/<pid>/stat; elsewhere only the parent).
 *
 * Nothing is printed: the CLI that read our output is gone, and a write to its closed pipe would
 * fail (EPIPE) before the session is closed. The timer is unref'd: it never keeps the process
 * alive by itself.
 */

export interface WatchdogOptions {
    /** Cleanup before exiting (disposing the pwsh session); bounded by graceMs. */
    onGone: () => Promise<unknown>;
    intervalMs?: number;
    /** How long onGone may take before the process exits anyway. */
    graceMs?: number;
    /** Tests replace how the watched ancestry is read and how the process exits. */
    ancestry?: () => string;
    exit?: (code: number) => void;
}

const INSTALLED = Symbol.for("exchange-accepted-domains/parent-watchdog");

/**
 * Whether this process is the engine's Node.js dynamic-provider host (node running
 * @pulumi/pulumi's cmd/dynamic-provider), not a test runner or a script that calls the provider.
 */
export function isDynamicProviderHost(argv: readonly string[] = process.argv): boolean {
    return /[\\/]cmd[\\/]dynamic-provider([\\/]index\.js)?$/.test(argv[1] ?? "");
}

/**
 * Installs the watchdog once per process, and only in the dynamic-provider host (later calls and
 * other processes: no-op); returns a function that stops it.
 */
export function installParentWatchdog(opts: WatchdogOptions, argv: readonly string[] = process.argv): () => void {
    if (!isDynamicProviderHost(argv)) return () => undefined;
    const g = globalThis as unknown as Record<symbol, (() => void) | undefined>;
    g[INSTALLED] ??= watchParent(opts);
    return g[INSTALLED];
}

/** /proc/<pid>/stat's command name, state, parent PID and start time (undefined when it can't be read). */
function procStat(pid: number): { comm: string; state: string; ppid: number; startTime: string } | undefined {
    try {
        const stat = require("fs").readFileSync(`/proc/${pid}/stat`, "utf8") as string;
        const close = stat.lastIndexOf(")");
        // After the command name: field 3 (state), 4 (ppid) ... 22 (starttime).
        const fields = stat.slice(close + 2).split(" ");
        return { comm: stat.slice(stat.indexOf("(") + 1, close), state: fields[0], ppid: Number(fields[1]), startTime: fields[19] };
    } catch {
        return undefined;
    }
}

/** A process's start time (field 22 of /proc/<pid>/stat); undefined when it is gone, a zombie, or /proc can't tell. */
export function processStartTime(pid: number): string | undefined {
    const stat = procStat(pid);
    return stat === undefined || stat.state === "Z" || stat.state === "X" ? undefined : stat.startTime;
}

const SHELLS = new Set(["sh", "dash", "bash", "ash", "busybox"]);

/**
 * What must stay the same while the CLI lives: the parent PID and, when the parent is a shell
 * launcher, the shell's parent too ("1234" or "1234>987").
 */
export function launcherAncestry(ppid: number = process.ppid, stat: (pid: number) => { comm: string; ppid: number } | undefined = procStat): string {
    const parent = stat(ppid);
    return parent !== undefined && SHELLS.has(parent.comm) ? `${ppid}>${parent.ppid}` : String(ppid);
}

/** A process by its PID and its start time (PIDs are reused). */
export interface CliIdentity {
    pid: number;
    startTime: string;
}

/**
 * The Pulumi CLI process this provider serves (its parent, or a shell launcher's parent), with its
 * start time; undefined where /proc can't tell (not Linux), or the parent is gone already.
 */
export function runLauncher(ppid: number = process.ppid): CliIdentity | undefined {
    const pid = Number(launcherAncestry(ppid).split(">").pop());
    const startTime = Number.isInteger(pid) && pid > 1 ? processStartTime(pid) : undefined;
    return startTime === undefined ? undefined : { pid, startTime };
}

/** Whether this process is the stack program as the Node.js language host runs it (@pulumi/pulumi's cmd/run). */
export function isProgramHost(argv: readonly string[] = process.argv): boolean {
    return /[\\/]cmd[\\/]run([\\/]index\.js)?$/.test(argv[1] ?? "");
}

type Stat = (pid: number) => { comm: string; state: string; ppid: number; startTime: string } | undefined;

/**
 * The Pulumi CLI process a stack program runs for: the program's parent is the language host
 * (pulumi-language-nodejs, "pulumi-language" in /proc's 15-character name), whose parent is the
 * CLI; the same process runLauncher finds from the provider. Undefined for any other ancestry.
 */
export function programRunLauncher(ppid: number = process.ppid, stat: Stat = procStat): CliIdentity | undefined {
    const host = stat(ppid);
    if (host === undefined || !host.comm.startsWith("pulumi-language") || host.ppid <= 1) return undefined;
    const cli = stat(host.ppid);
    return cli === undefined || cli.state === "Z" || cli.state === "X" ? undefined : { pid: host.ppid, startTime: cli.startTime };
}

/** Watches the parent (and a shell launcher's parent); on a change runs onGone (at most graceMs) and exits with code 1. */
export function watchParent(opts: WatchdogOptions): () => void {
    const ancestry = opts.ancestry ?? (() => launcherAncestry());
    const exit = opts.exit ?? ((code: number) => process.exit(code));
    const parent = ancestry();
    let fired = false;
    const timer = setInterval(() => {
        if (fired || ancestry() === parent) return;
        fired = true;
        clearInterval(timer);
        void shutDown(opts.onGone, opts.graceMs ?? 3_000).then(() => exit(1));
    }, opts.intervalMs ?? 1_000);
    timer.unref();
    return () => clearInterval(timer);
}

async function shutDown(onGone: () => Promise<unknown>, graceMs: number): Promise<void> {
    let timeout: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
        timeout = setTimeout(resolve, graceMs);
    });
    try {
        await Promise.race([onGone().catch(() => undefined), deadline]);
    } finally {
        clearTimeout(timeout);
    }
}
