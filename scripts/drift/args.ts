/**
 * The command line shared by the tools (drift report, export): --cwd/-C and
 * --stack/-s, plus each tool's own flags. Errors name the argument and repeat
 * the tool's usage.
 */
import * as path from "path";

export interface StackArgs {
    /** The Pulumi project directory. */
    workDir: string;
    /** Stack name; default: the workspace's selected stack. */
    stack?: string;
}

/**
 * Fills `args` from argv. `own` handles the tool's flags and returns false for
 * one it doesn't know; `value()` takes the flag's value (the next argument).
 */
/** Thrown for --help / -h: the tool prints `help` on stdout and exits 0. */
export class HelpRequested extends Error {
    constructor(readonly help: string) {
        super(help);
        this.name = "HelpRequested";
    }
}

/** The options every tool takes, for its --help. */
export const COMMON_OPTIONS = [
    "  --cwd, -C <dir>     the Pulumi project directory (default: the current directory)",
    "  --stack, -s <name>  the stack (default: the selected stack)",
    "  --help, -h          this help",
].join("\n");

export function parseToolArgs<T extends StackArgs>(
    argv: readonly string[],
    cwd: string,
    args: T,
    usage: string,
    own: (flag: string, value: () => string) => boolean,
    help: string = usage,
): T {
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--help" || a === "-h") {
            throw new HelpRequested(help);
        }
        const value = (): string => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new Error(`${a} needs a value; ${usage}`);
            return v;
        };
        if (a === "--stack" || a === "-s") {
            args.stack = value();
        } else if (a === "--cwd" || a === "-C") {
            args.workDir = path.resolve(cwd, value());
        } else if (!own(a, value)) {
            throw new Error(`unknown argument "${a}"; ${usage}`);
        }
    }
    return args;
}
