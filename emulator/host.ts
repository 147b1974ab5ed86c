/**
 * The host layer: what pwsh 7's ConsoleHost writes around and between commands when it runs as
 * `pwsh … -Command -` with redirected streams, kept apart from the cmdlets. Sources (PowerShell
 * v7.4.0 unless noted; docs/exchange-online-fidelity.md lists every row):
 *
 * - DECCKM: InputLoop.Run writes `ESC[?1h` before every read of an input line and `ESC[?1l` before
 *   it runs one (not for blank lines or the continuation lines of a block), Unix only, guarded by
 *   SupportsVirtualTerminal alone (ConsoleHost.cs L2570-2575, L2681-2686; PowerShell/PowerShell#26631).
 *   The bytes reach stdout when it is redirected (WriteImpl L735). SupportsVirtualTerminal is false
 *   only for TERM=dumb; NO_COLOR, TERM=xterm-mono/xtermm set OutputRendering PlainText, and
 *   GetOutputString then strips the sequence (ConsoleHostUserInterface.cs L57-92, StringDecorated.cs).
 *   No `ESC[?1l` at exit: output ends with the `ESC[?1h` of the read that met end of input.
 * - Warnings: `ESC[33;1mWARNING: <message>ESC[0m` on stdout, one WriteLine, so a message with a line
 *   break has the prefix on its first line only (WriteWarningLine L1304-1325; PSStyle.cs defaults;
 *   MicrosoftDocs/PowerShell-Docs#9182: OutputRendering doesn't apply to the redirected host process).
 *   PlainText (NO_COLOR…) drops the colour.
 * - Errors on redirected stderr: ConciseView `ESC[31;1m<reason>: ESC[31;1m<message>ESC[0m`, written raw
 *   by WriteErrorLine (L1357-1392), so 7.4 keeps the colour even with NO_COLOR (7.6 strips it, #24391);
 *   only TERM=dumb removes it (PowerShellCore_format_ps1xml.cs L1086-1094).
 * - -Command - prints no prompt and echoes nothing (CommandLineParameterParser.cs L1441-1446).
 * - Prompts: with -NonInteractive, Read/Prompt/PromptForChoice throw "PowerShell is in NonInteractive
 *   mode. Read and Prompt functionality is not available." (HandleThrowOnReadAndPrompt L2237-2243);
 *   without it, under -Command -, a prompt's answer is the next stdin line (ReadLineFromFile), and its
 *   label goes to stdout.
 */
import { PsError, type ErrorInfo } from "./errors";

export const DECCKM_ON = "\u001b[?1h";
export const DECCKM_OFF = "\u001b[?1l";
const WARNING_STYLE = "\u001b[33;1m";
const ERROR_STYLE = "\u001b[31;1m";
const RESET = "\u001b[0m";

export const NON_INTERACTIVE_MESSAGE = "PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.";

/** The pwsh switches that change the host, parsed as pwsh does: any dash form, any prefix down to the minimal one. */
export interface HostFlags {
    nonInteractive: boolean;
    noProfile: boolean;
}

function matchSwitch(arg: string, name: string, shortest: string): boolean {
    const key = arg.replace(/^(--|-|\/)/, "").toLowerCase();
    return key.length >= shortest.length && name.startsWith(key);
}

/** CommandLineParameterParser: -NonInteractive (-noni), -NoProfile (-nop), up to -Command. */
export function parseHostFlags(argv: readonly string[]): HostFlags {
    const flags: HostFlags = { nonInteractive: false, noProfile: false };
    for (const arg of argv) {
        if (matchSwitch(arg, "command", "c")) break; // the rest is the command
        if (matchSwitch(arg, "noninteractive", "noni")) flags.nonInteractive = true;
        if (matchSwitch(arg, "noprofile", "nop")) flags.noProfile = true;
    }
    return flags;
}

/** How the environment sets the host's rendering (ConsoleHostUserInterface constructor). */
export interface Rendering {
    /** SupportsVirtualTerminal: false only for TERM=dumb. */
    virtualTerminal: boolean;
    /** OutputRendering PlainText: NO_COLOR set, or TERM=xterm-mono/xtermm. */
    plainText: boolean;
}

export function renderingFrom(env: NodeJS.ProcessEnv): Rendering {
    const term = env.TERM;
    return {
        virtualTerminal: term !== "dumb",
        plainText: env.NO_COLOR !== undefined || term === "xterm-mono" || term === "xtermm",
    };
}

export interface ConsoleHostOptions {
    flags: HostFlags;
    rendering: Rendering;
    write(stream: "out" | "error", text: string): void;
    /** The next stdin line (null at end of input): what a prompt reads under -Command -. */
    readLine(): Promise<string | null>;
}

export class ConsoleHost {
    constructor(private readonly opts: ConsoleHostOptions) {}

    get flags(): HostFlags {
        return this.opts.flags;
    }

    /** Written before each read of an input line. */
    beforeRead(): void {
        this.decorated(DECCKM_ON);
    }

    /** Written before an input line (or a finished block) runs. */
    beforeRun(): void {
        this.decorated(DECCKM_OFF);
    }

    /** A control sequence written through Write(): none without VT, stripped under PlainText. */
    private decorated(sequence: string): void {
        if (this.opts.rendering.virtualTerminal && !this.opts.rendering.plainText) this.opts.write("out", sequence);
    }

    /** Plain pipeline output. */
    writeLine(text: string): void {
        this.opts.write("out", text + "\n");
    }

    /** WriteWarningLine / WriteVerboseLine / WriteDebugLine: one WriteLine of "<PREFIX>: <message>". */
    streamLine(prefix: "WARNING" | "VERBOSE" | "DEBUG", message: string): void {
        const styled = this.opts.rendering.virtualTerminal && !this.opts.rendering.plainText;
        this.opts.write("out", styled ? `${WARNING_STYLE}${prefix}: ${message}${RESET}\n` : `${prefix}: ${message}\n`);
    }

    /** An error record as ConciseView renders it on redirected stderr (colours kept in 7.4 unless TERM=dumb). */
    errorLine(reason: string, message: string): void {
        const styled = this.opts.rendering.virtualTerminal;
        this.opts.write("error", styled ? `${ERROR_STYLE}${reason}: ${ERROR_STYLE}${message}${RESET}\n` : `${reason}: ${message}\n`);
    }

    /** Raw [Console]::Out/Error writes: no decoration. */
    raw(stream: "out" | "error", text: string): void {
        this.opts.write(stream, text);
    }

    private refuseIfNonInteractive(): void {
        if (this.opts.flags.nonInteractive) throw new PsError(nonInteractiveError(), true);
    }

    /**
     * Prompt for a value (mandatory parameters): the label on stdout, the answer from stdin.
     * With -NonInteractive the caller turns the refusal into its own error (see the binder).
     */
    async prompt(label: string): Promise<string | null> {
        this.refuseIfNonInteractive();
        this.opts.write("out", `${label}: `);
        return this.opts.readLine();
    }

    /**
     * PromptForChoice for ShouldProcess (-Confirm): re-asks on an answer that isn't a choice, so under
     * -Command - it goes on reading stdin (node-powershell's marker lines) until one is, or input ends.
     */
    async confirm(caption: string, message: string): Promise<"yes" | "no"> {
        this.refuseIfNonInteractive();
        for (;;) {
            this.opts.write("out", `\n${caption}\n${message}\n[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [S] Suspend  [?] Help (default is "Y"): `);
            const answer = await this.opts.readLine();
            if (answer === null) return "no";
            const a = answer.trim().toLowerCase();
            if (a === "" || a === "y" || a === "a") return "yes";
            if (a === "n" || a === "l") return "no";
        }
    }
}

/** The refusal every read or prompt raises under -NonInteractive (PSInvalidOperationException). */
export function nonInteractiveError(): ErrorInfo {
    return {
        reason: "PSInvalidOperationException",
        exceptionType: "System.Management.Automation.PSInvalidOperationException",
        message: NON_INTERACTIVE_MESSAGE,
        errorId: "InvalidOperation",
        category: "InvalidOperation",
    };
}
