/**
 * Process entry of the Exchange Online emulator: node-powershell starts it in place of pwsh.
 *
 * child-shell (node_modules/child-shell/dist/Shell.js, invokeCommand) spawns pwsh with
 * `-NoLogo [our options] -NoExit -Command -` and, for each invoke(), writes to stdin:
 *   [Console]::Error.WriteLine("<16-char id>") / [Console]::Out.WriteLine("<id>") / <command> /
 *   the same two marker lines again
 * then reads stdout and stderr up to the second marker on each. Any stderr bytes between the markers
 * make the call fail. So this loop reads stdin as pwsh's InputLoop does under `-Command -`
 * (ConsoleHost.cs InputLoop.Run, host.ts has the sources): the host writes ESC[?1h before each read
 * and ESC[?1l before each line it runs; blank lines are skipped; a line that parses as incomplete
 * starts a block that takes every following line and runs only at a blank line (a block still open
 * at end of input is dropped); prompts read their answers from the same stdin. stdin EOF ends the
 * process with code 0; SIGTERM (child-shell's dispose) ends it with 143, which child-shell treats as
 * a clean exit.
 */
import { CrashSignal, Interpreter } from "./interpreter";
import { ConsoleHost, parseHostFlags, renderingFrom } from "./host";
import { Journal } from "./journal";
import { ParseError, parseScript } from "./parser/parser";
import { loadedStateModule } from "./lazy-state";

const releaseHeldLocks = () => loadedStateModule()?.releaseHeldLocks();

const journal = new Journal(process.env.EXO_EMULATOR_JOURNAL || undefined);
const statePath = process.env.EXO_EMULATOR_STATE || undefined;

function exit(code: number, fields: Record<string, string | number | null>): never {
    releaseHeldLocks();
    journal.write("exit", { code, ...fields });
    process.exit(code);
}

/** Lines of stdin as they arrive; the input loop and prompts read from the same source, as in pwsh. */
class StdinLines {
    private readonly lines: string[] = [];
    private partial = "";
    private ended = false;
    private waiter: (() => void) | undefined;

    push(chunk: string): void {
        const parts = (this.partial + chunk).split("\n");
        this.partial = parts.pop() ?? "";
        this.lines.push(...parts);
        this.wake();
    }

    end(): void {
        if (this.partial !== "") this.lines.push(this.partial);
        this.partial = "";
        this.ended = true;
        this.wake();
    }

    private wake(): void {
        const w = this.waiter;
        this.waiter = undefined;
        w?.();
    }

    /** The next line without its line ending, or null at end of input. */
    async next(): Promise<string | null> {
        while (this.lines.length === 0 && !this.ended) await new Promise<void>((r) => (this.waiter = r));
        const line = this.lines.shift();
        if (line === undefined) return null;
        return line.endsWith("\r") ? line.slice(0, -1) : line;
    }
}

const stdinLines = new StdinLines();
const argv = process.argv.slice(2);
const flags = parseHostFlags(argv);
const rendering = renderingFrom(process.env);
const host = new ConsoleHost({
    flags,
    rendering,
    write: (stream, text) => (stream === "out" ? process.stdout : process.stderr).write(text),
    readLine: () => stdinLines.next(),
});

const interp = new Interpreter({
    host,
    journal,
    statePath,
    crash: (cmdlet) => crash(cmdlet),
});

function crash(cmdlet: string): never {
    releaseHeldLocks();
    journal.write("crash", { cmdlet });
    process.kill(process.pid, "SIGKILL");
    // SIGKILL is not catchable; this line only satisfies the type checker.
    process.exit(137);
}

async function runChunk(src: string): Promise<void> {
    try {
        await interp.runChunk(src);
    } catch (e) {
        if (e instanceof CrashSignal) crash(e.cmdlet);
        throw e;
    }
}

/** True when `src` is incomplete input (IncompleteParseException: pwsh enters block mode). */
function isIncomplete(src: string): boolean {
    try {
        parseScript(src);
        return false;
    } catch (e) {
        return e instanceof ParseError && e.incomplete;
    }
}

/** InputLoop.Run under `-Command -` (no prompt, no echo). */
async function inputLoop(): Promise<void> {
    let block: string | null = null;
    for (;;) {
        host.beforeRead();
        const line = await stdinLines.next();
        if (line === null) break; // end of input: an unfinished block is dropped, as pwsh does
        if (block !== null) {
            if (line.trim() !== "") {
                block = `${block}\n${line}`;
                continue;
            }
            const src: string = block;
            block = null;
            host.beforeRun();
            await runChunk(src);
            continue;
        }
        if (line.trim() === "") continue;
        if (isIncomplete(line)) {
            block = line;
            continue;
        }
        host.beforeRun();
        await runChunk(line);
    }
    exit(0, { reason: "stdin-closed" });
}

function startStdinLoop(): void {
    const fail = (e: unknown) => {
        process.stderr.write(`exo-emulator internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        exit(1, { reason: "internal-error" });
    };
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk: string) => stdinLines.push(chunk));
    process.stdin.on("end", () => stdinLines.end());
    inputLoop().catch(fail);
}

function main(argv: string[]): void {
    process.on("SIGTERM", () => exit(143, { reason: "SIGTERM" }));
    process.on("SIGINT", () => exit(130, { reason: "SIGINT" }));
    // The host's mode, so tests can tell which output a run saw (real pwsh's default: VT on, not plain).
    journal.write("start", { argv, state: statePath ?? null, host: { ...flags, ...rendering } });
    const lower = argv.map((a) => a.toLowerCase());
    if (lower.includes("-version") || lower.includes("-v")) {
        process.stdout.write("PowerShell 7.4.6 (Exchange Online emulator)\n");
        exit(0, { reason: "version" });
    }
    const ci = lower.findIndex((a) => a === "-command" || a === "-c");
    const command = ci >= 0 ? argv[ci + 1] : "-";
    if (command !== undefined && command !== "-") {
        runChunk(command).then(
            () => exit(0, { reason: "command-done" }),
            (e) => {
                process.stderr.write(`exo-emulator internal error: ${String(e)}\n`);
                exit(1, { reason: "internal-error" });
            },
        );
        return;
    }
    startStdinLoop();
}

main(argv);
