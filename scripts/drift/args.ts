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
export function parseToolArgs<T extends StackArgs>(
    argv: readonly string[],
    cwd: string,
    args: T,
    usage: string,
    own: (flag: string, value: () => string) => boolean,
): T {
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
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
