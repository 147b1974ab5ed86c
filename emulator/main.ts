/**
 * Process entry of the Exchange Online emulator: speaks node-powershell 5 / child-shell's protocol.
 *
 * child-shell (node_modules/child-shell/dist/Shell.js, invokeCommand) spawns us with
 * `-NoLogo -NoExit -Command -` and, for each invoke(), writes to stdin:
 *   [Console]::Error.WriteLine("<16-char id>") / [Console]::Out.WriteLine("<id>") / <command> /
 *   the same two marker lines again
 * then reads stdout and stderr up to the second marker on each. Any stderr bytes between the markers
 * make the call fail (InvocationError with the stderr text). So, like pwsh reading `-Command -`, we run
 * each line as soon as it forms complete input (multi-line commands wait for their closing line), write
 * pipeline output to stdout and errors to stderr. stdin EOF ends the process with code 0; SIGTERM
 * (child-shell's dispose) ends it with 143, which child-shell treats as a clean exit.
 */
import { CrashSignal, Interpreter } from "./interpreter";
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

const interp = new Interpreter({
    host: { write: (stream, text) => (stream === "out" ? process.stdout : process.stderr).write(text) },
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

const MARKER = /^\[Console\]::(Out|Error)\.WriteLine\("[0-9A-Za-z]{16}"\)$/;

/** True when `src` is incomplete input (pwsh would prompt ">>" for more). */
function isIncomplete(src: string): boolean {
    try {
        parseScript(src);
        return false;
    } catch (e) {
        return e instanceof ParseError && e.incomplete;
    }
}

function startStdinLoop(): void {
    const queue: string[] = [];
    let partial = "";
    let pending: string | null = null;
    let running = false;
    let ended = false;

    const handleLine = async (rawLine: string) => {
        const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
        if (pending !== null && MARKER.test(line)) {
            // A protocol marker can't continue a command: report the unfinished one as pwsh would.
            const unfinished: string = pending;
            pending = null;
            await runChunk(unfinished);
        }
        const candidate: string = pending === null ? line : `${pending}\n${line}`;
        if (isIncomplete(candidate)) {
            pending = candidate;
            return;
        }
        pending = null;
        await runChunk(candidate);
    };

    const pump = async () => {
        if (running) return;
        running = true;
        try {
            while (queue.length) await handleLine(queue.shift() as string);
        } finally {
            running = false;
        }
        if (ended && queue.length === 0) {
            if (pending !== null) {
                const unfinished: string = pending;
                pending = null;
                await runChunk(unfinished);
            }
            exit(0, { reason: "stdin-closed" });
        }
    };

    const fail = (e: unknown) => {
        process.stderr.write(`exo-emulator internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        exit(1, { reason: "internal-error" });
    };

    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk: string) => {
        partial += chunk;
        const lines = partial.split("\n");
        partial = lines.pop() ?? "";
        queue.push(...lines);
        pump().catch(fail);
    });
    process.stdin.on("end", () => {
        ended = true;
        if (partial) queue.push(partial);
        partial = "";
        pump().catch(fail);
    });
}

function main(argv: string[]): void {
    process.on("SIGTERM", () => exit(143, { reason: "SIGTERM" }));
    process.on("SIGINT", () => exit(130, { reason: "SIGINT" }));
    journal.write("start", { argv, state: statePath ?? null });
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

main(process.argv.slice(2));
