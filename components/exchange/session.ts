/**
 * One pwsh session per provider process: opened lazily on first use, connected
 * once with Connect-ExchangeOnline, reused by every resource of the run. Calls are
 * queued (node-powershell runs one command at a time), bounded by a timeout, and
 * retried (retry.ts) on throttling or a lost/hung session, which is disposed and
 * reconnected first.
 *
 * pwsh starts with -NoProfile -NonInteractive (before node-powershell's -NoExit -Command -):
 * without -NonInteractive a prompt (confirmation, mandatory parameter, credential) reads its
 * answer from stdin, swallows node-powershell's marker lines and hangs the call until the
 * timeout; without -NoProfile the user's profile runs in the provider's session
 * (CommandLineParameterParser.cs, ConsoleHostUserInterface.cs). Before connecting, the session
 * checks that pwsh exists and has a usable ExchangeOnlineManagement (host-check.ts): either
 * missing fails the run once, with what to install, and is never retried.
 *
 * Everything pwsh writes passes through the stream cleaner (pwsh-output.ts) first; the host's
 * own lines (warnings, possibly over several lines) are printed as plain lines.
 *
 * Secrets: the Connect line holds the certificate password or token. It is never
 * logged: node-powershell's command debugger is silenced and its history cleared.
 */
import * as path from "path";
import type { PowerShell as PowerShellType } from "node-powershell";
import type { ConnectAuth } from "../schema";
import type { ConnectionSettings } from "./config";
import { connectAuth } from "./connect-auth";
import { connectExchangeOnline, probeHost, type Command } from "./commands";
import { AuthError, ExchangeError, SessionLostError, SetupError, TimeoutError, fromStderr, needsReconnect } from "./errors";
import { readFramed } from "./framed-reader";
import { EXO_MODULE, chooseModule, locatePwsh } from "./host-check";
import type { HostProbe } from "./host-probe";
import { splitPwshOutput, stripTerminalSequences } from "./pwsh-output";
import { quote } from "./quote";
import { withRetry } from "./retry";

/** Runs commands against Exchange Online and returns their stdout. */
export interface CommandRunner {
    run(command: Command): Promise<string>;
}

/** Options that tests and callers may override. */
export interface SessionOptions {
    log?: (line: string) => void;
    sleep?: (ms: number) => Promise<void>;
}

type Shell = PowerShellType;

/** The parts of child-shell's private state we touch: debug output (secrets) and the reply reader. */
interface ShellInternals {
    debuggers?: { command?: unknown };
    exitPromise?: Promise<void>;
    /** child-shell 5's private per-stream reply reader, replaced per instance. */
    readBulkFromOutput?: typeof readFramed;
}

export class ExchangeSession implements CommandRunner {
    private shell: Promise<Shell> | undefined;
    /**
     * A refused sign-in or a setup failure, kept for the rest of the process: neither the
     * credentials nor the machine change within a run, and one failed connect per resource
     * (1,000 for 1,000 domains) would only add failed sign-ins toward Entra ID's lockout.
     */
    private fatal: AuthError | SetupError | undefined;
    /** The auth with its access token in hand, resolved when the first shell opens (in memory only). */
    private auth: ConnectAuth | undefined;
    /** Number of pwsh processes started and Connect-ExchangeOnline calls that succeeded (for tests). */
    readonly stats = { starts: 0, connects: 0 };

    constructor(
        readonly settings: ConnectionSettings,
        private readonly options: SessionOptions = {},
    ) {}

    /** Runs one command with retries; returns its stdout. */
    async run(command: Command): Promise<string> {
        return withRetry(command.cmdlet, () => this.once(command), {
            attempts: this.settings.maxAttempts,
            baseDelayMs: this.settings.retryDelayMs,
            log: this.options.log,
            sleep: this.options.sleep,
        });
    }

    /**
     * Starts pwsh and signs in now, without a command: for the session keeper, which is only ever
     * started because a command is on its way. A failure is kept as the first command would keep it
     * (a refused sign-in sticks, anything else is tried again) and reaches that command.
     */
    signIn(): void {
        this.connected().catch(() => undefined);
    }

    /** Kills the pwsh process (if any); the next run starts and connects a new one. */
    async dispose(): Promise<void> {
        const pending = this.shell;
        this.shell = undefined;
        if (!pending) {
            return;
        }
        try {
            const shell = await pending;
            await shell.dispose().catch(() => undefined);
        } catch {
            // a session that never opened has nothing to dispose
        }
    }

    private async once(command: Command): Promise<string> {
        const opening = this.connected();
        const shell = await opening;
        try {
            return await this.invoke(shell, command);
        } catch (error) {
            // Drop only the shell this command used: with concurrent callers, another one
            // may already have reconnected, and disposing that session would fail its calls.
            if (needsReconnect(error) && this.shell === opening) {
                this.shell = undefined;
                await shell.dispose().catch(() => undefined);
            }
            throw error;
        }
    }

    private connected(): Promise<Shell> {
        if (this.fatal) {
            return Promise.reject(this.fatal);
        }
        if (!this.shell) {
            const opening = this.open();
            this.shell = opening;
            // A failed connect must not stick (the next attempt opens a new session), unless sign-in was refused or the machine can't run it.
            opening.catch((error: unknown) => {
                if (error instanceof AuthError || error instanceof SetupError) {
                    this.fatal = error;
                }
                if (this.shell === opening) {
                    this.shell = undefined;
                }
            });
        }
        return this.shell;
    }

    private async open(): Promise<Shell> {
        // Before any process starts: a token that should come from the environment and doesn't.
        const auth = connectAuth(this.settings.auth);
        if ("problem" in auth) {
            throw new SetupError("Connect-ExchangeOnline", auth.problem);
        }
        this.auth = auth.auth;
        const located = locatePwsh(this.settings.pwshPath);
        if ("problem" in located) {
            throw new SetupError("pwsh", located.problem);
        }
        // Required here, not at module top: keeps the module light for callers that only build commands.
        const { PowerShell } = require("node-powershell") as typeof import("node-powershell");
        const shell = new PowerShell({
            executable: this.settings.pwshPath,
            // node-powershell adds -NoLogo before these and -NoExit -Command - after them.
            executableOptions: { "-NoProfile": true, "-NonInteractive": true },
            invocationTimeout: this.settings.commandTimeoutSeconds * 1000,
            throwOnInvocationError: false,
            // exchange:emulatorState names the emulated tenant for this stack (only the emulator reads it).
            ...(this.settings.emulatorState ? { spawnOptions: { env: { ...process.env, EXO_EMULATOR_STATE: this.settings.emulatorState } } } : {}),
        });
        this.stats.starts++;
        const internals = shell as unknown as ShellInternals;
        // child-shell's reader misses a closing marker followed by pwsh's ESC[?1h (framed-reader.ts).
        internals.readBulkFromOutput = readFramed;
        if (internals.debuggers) {
            internals.debuggers.command = () => undefined; // DEBUG=* would otherwise print the Connect line
        }
        // An exit while idle rejects child-shell's exit promise; the next call reports it as a lost session.
        internals.exitPromise?.catch(() => undefined);
        try {
            const probe = await this.probe(shell);
            const module = chooseModule(probe, this.settings.pwshPath);
            if ("problem" in module) {
                throw new SetupError("Connect-ExchangeOnline", module.problem);
            }
            try {
                await this.invoke(shell, connectExchangeOnline({ ...this.connectArgs(), moduleVersion: module.version }));
            } catch (error) {
                // The module was found but its cmdlets aren't there: a broken install, not a lost session.
                if (error instanceof SessionLostError && /CommandNotFoundException|is not recognized/i.test(`${error.record.reason ?? ""} ${error.message}`)) {
                    throw new SetupError(
                        "Connect-ExchangeOnline",
                        `${error.message}; ${EXO_MODULE} ${module.version} is installed for ${this.settings.pwshPath} (PowerShell ${probe.psVersion}) but did not load: reinstall it with ` +
                            `${this.settings.pwshPath} -NoProfile -Command "Install-Module -Name ${EXO_MODULE} -RequiredVersion ${module.version} -Scope CurrentUser -Force"`,
                    );
                }
                throw error;
            }
        } catch (error) {
            await shell.dispose().catch(() => undefined);
            throw error;
        }
        this.stats.connects++;
        return shell;
    }

    /** The PowerShell version and installed module versions (commands.ts probeHost). */
    private async probe(shell: Shell): Promise<HostProbe> {
        // Required only now, with pwsh spawned and before waiting on it: zod's load (about 0.16 s) overlaps pwsh's own start.
        const { hostProbeSchema } = require("./host-probe") as typeof import("./host-probe");
        const command = probeHost();
        const { result } = splitPwshOutput(await this.invoke(shell, command));
        let parsed: unknown;
        try {
            parsed = JSON.parse(result ?? "");
        } catch {
            parsed = undefined;
        }
        const probe = hostProbeSchema.safeParse(parsed);
        if (!probe.success) {
            throw new SetupError(
                command.cmdlet,
                `${this.settings.pwshPath} did not answer like PowerShell 7 (asked for $PSVersionTable and Get-Module -ListAvailable, got ${JSON.stringify((result ?? "").slice(0, 120))}); ` +
                    "set exchange:pwshPath to PowerShell 7.4 or later, or remove it to use the embedded emulator",
            );
        }
        return probe.data;
    }

    /** Rejects once the shell's process has exited (never settles while it runs). */
    private exited(shell: Shell): Promise<never> {
        const exit = (shell as unknown as ShellInternals).exitPromise ?? new Promise<void>(() => undefined);
        const lost = (): never => {
            throw new Error("the process exited while the command waited in its queue");
        };
        return exit.then(lost, lost);
    }

    private connectArgs() {
        const auth = this.auth ?? this.settings.auth;
        if (auth.kind === "accessToken" && auth.accessToken === undefined) {
            throw new Error("connectArgs before open() resolved the access token"); // a bug, not a user error
        }
        return {
            organization: this.settings.organization,
            auth: auth as ConnectAuth,
            certificateFilePath: auth.kind === "certificate" ? path.resolve(auth.certificateFilePath) : undefined,
        };
    }

    /** One attempt: sends the command and turns every outcome into stdout or a typed error. */
    private async invoke(shell: Shell, command: Command): Promise<string> {
        let result;
        try {
            // child-shell drops (never settles) the commands still queued behind one when
            // the process exits (p-queue clear() in its exit handler), so each call also
            // races the exit: a queued command then fails as a lost session and is retried.
            result = await Promise.race([shell.invoke(command.text), this.exited(shell)]);
        } catch (error) {
            // ProcessError (pwsh exited or couldn't start) or "invoke called after process exited".
            const original = (error as { originalError?: NodeJS.ErrnoException }).originalError;
            if (original?.code === "ENOENT" || original?.code === "EACCES") {
                // Gone between the check in open() and the spawn: still a setup problem, not a lost session.
                throw new SetupError(command.cmdlet, `exchange:pwshPath: ${this.settings.pwshPath} could not be started (${original.code}); install PowerShell 7.4 or later and point exchange:pwshPath at it`);
            }
            const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
            throw new SessionLostError(command.cmdlet, `${command.cmdlet}: the pwsh session (${this.settings.pwshPath}) ended: ${detail}`);
        } finally {
            shell.history.length = 0; // the history keeps command texts, including the Connect line
        }
        if (result.stdout === undefined && result.stderr === undefined) {
            if (result.hadErrors) {
                await shell.dispose().catch(() => undefined);
                throw new TimeoutError(
                    command.cmdlet,
                    `${command.cmdlet} did not answer within ${this.settings.commandTimeoutSeconds} s (exchange:commandTimeoutSeconds); the session was treated as hung`,
                );
            }
            throw new SessionLostError(command.cmdlet, `${command.cmdlet}: the pwsh session (${this.settings.pwshPath}) exited during the call`);
        }
        const stdout = stripTerminalSequences(result.stdout?.toString("utf8") ?? "");
        this.showHostLines(command.cmdlet, stdout);
        const stderr = stripTerminalSequences(result.stderr?.toString("utf8") ?? "");
        if (stderr.trim() !== "") {
            // pwsh echoes the failing source line for errors outside the catch wrapper
            // (a parse error, a host error): for the Connect line that line holds the secret.
            throw fromStderr(command.cmdlet, scrubSecrets(stderr, this.auth ?? this.settings.auth));
        }
        return stdout;
    }

    /** Prints what the host wrote besides the result (warnings, over one or more lines) as plain lines. */
    private showHostLines(cmdlet: string, stdout: string): void {
        const log = this.options.log ?? ((line: string) => console.log(line));
        for (const line of splitPwshOutput(stdout).hostLines) {
            log(`${cmdlet}: ${scrubSecrets(line, this.auth ?? this.settings.auth)}`);
        }
    }
}

// ---------------------------------------------------------------------------
// Process-wide registry: one session per provider process
// ---------------------------------------------------------------------------

/** What the provider runs its commands on: an ExchangeSession, or the run's keeper (keeper-client.ts). */
export interface SharedSession extends CommandRunner {
    dispose(): Promise<void>;
}

interface Registry {
    settings?: ConnectionSettings;
    session?: SharedSession;
    options: SessionOptions;
}

/** Kept on globalThis so that every copy of this module in the process shares one session. */
const REGISTRY_KEY = Symbol.for("exchange-accepted-domains/session-registry");

function registry(): Registry {
    const g = globalThis as unknown as Record<symbol, Registry | undefined>;
    return (g[REGISTRY_KEY] ??= { options: {} });
}

/** Stores the settings read by configure; an existing session is kept if they are unchanged. */
export function configureSession(settings: ConnectionSettings, options: SessionOptions = {}): void {
    const r = registry();
    if (r.session && JSON.stringify(r.settings) !== JSON.stringify(settings)) {
        void r.session.dispose();
        r.session = undefined;
    }
    r.settings = settings;
    r.options = options;
}

/**
 * The process's session, created on first use (connects on its first command). In the engine's
 * dynamic-provider host on Linux it is the CLI run's session keeper (session-keeper.ts), so the
 * preview and the update of one `pulumi up` sign in once; elsewhere it lives in this process.
 */
export function sharedSession(): SharedSession {
    const r = registry();
    if (!r.settings) {
        throw new ExchangeError(
            "configure",
            "the Exchange connection settings did not reach the provider: set exchange:organization and exchange:auth in the stack config (the dynamic provider reads them in its configure hook, which needs a Pulumi CLI that passes stack config to dynamic providers)",
        );
    }
    r.session ??= newSharedSession(r.settings, r.options);
    return r.session;
}

function newSharedSession(settings: ConnectionSettings, options: SessionOptions): SharedSession {
    // Required here: these modules require this one.
    const { isDynamicProviderHost, runLauncher } = require("./parent-watchdog") as typeof import("./parent-watchdog");
    const cli = isDynamicProviderHost() ? runLauncher() : undefined;
    if (!cli) {
        return new ExchangeSession(settings, options);
    }
    const { KeeperSession } = require("./keeper-client") as typeof import("./keeper-client");
    return new KeeperSession(settings, options, cli);
}

/** Disposes the shared session and forgets the settings (tests; end of process). */
export async function resetSession(): Promise<void> {
    const r = registry();
    const session = r.session;
    r.session = undefined;
    r.settings = undefined;
    await session?.dispose();
}

/** Replaces the auth's secret values (as sent, quoted, and plain) in text that came back from pwsh. */
export function scrubSecrets(text: string, auth: ConnectionSettings["auth"] | ConnectAuth): string {
    const secrets = auth.kind === "certificate" ? [auth.certificatePassword] : auth.kind === "accessToken" && auth.accessToken !== undefined ? [auth.accessToken] : [];
    let out = text;
    for (const secret of secrets.filter((v) => v.length > 0)) {
        // The quoted form first (quotes doubled): it contains the plain one only when there is no quote.
        for (const form of [quote(secret).slice(1, -1), secret]) {
            out = out.split(form).join("[secret]");
        }
    }
    return out;
}
