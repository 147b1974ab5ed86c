/**
 * Errors as a user of the CLI should see them: one line each, under the resource they are about, and
 * an error about the connection once, for the run. The engine's Node.js dynamic-provider host prints
 * every error a provider method throws as `${e}: ${e.stack}` on stderr (node_modules/@pulumi/pulumi/
 * cmd/dynamic-provider/index.js, in check, diff, create, update…) and then hands e.message to the
 * engine, which shows it under the resource: so each message arrived twice, the second time with the
 * stack trace. The host's console line for an error raised here is dropped; the engine's stays.
 */
import { AuthError, SetupError } from "./errors";

/**
 * What our errors carry as their stack: the host then prints `<Error: message>: <marker>`, which is
 * recognisable and dropped. (Matching the printed stack itself fails: V8 formats async frames lazily.)
 */
const QUIET_MARKER = "[exchange-accepted-domains: shown once, by the engine]";
const WRAPPED = Symbol.for("exchange-accepted-domains/quiet-console-error");

/** Wraps console.error (once: a wrapped one is left as it is) to drop the host's line for our errors. */
export function installQuietProviderErrors(): void {
    if ((console.error as unknown as Record<symbol, boolean>)[WRAPPED]) return;
    const original = console.error.bind(console);
    const quietError = (...args: unknown[]) => {
        if (args.length === 1 && typeof args[0] === "string" && args[0].endsWith(`: ${QUIET_MARKER}`)) return;
        original(...args);
    };
    Object.defineProperty(quietError, WRAPPED, { value: true });
    console.error = quietError;
}

/** The error, marked so that the host prints it once, through the engine, without its stack. */
export function quiet(error: unknown): Error {
    const e = error instanceof Error ? error : new Error(String(error));
    Object.defineProperty(e, "stack", { value: QUIET_MARKER, configurable: true, writable: true });
    return e;
}

/** Run-level errors already said, so that 1,000 resources don't repeat the same sign-in failure. */
const saidForRun = new Set<string>();

/** Connection and setup failures concern the run: said once, and each resource points to it. */
export function isRunLevel(error: unknown): error is AuthError | SetupError {
    return error instanceof AuthError || error instanceof SetupError;
}

/**
 * Runs one provider method: errors come out quiet (above), and a run-level error is said once as
 * the run's own line while the resource gets a short pointer to it.
 */
export async function providerCall<T>(say: (line: string) => void, fn: () => Promise<T>): Promise<T> {
    try {
        return await fn();
    } catch (error) {
        if (isRunLevel(error)) {
            if (!saidForRun.has(error.message)) {
                saidForRun.add(error.message);
                say(`error: ${error.message}`);
            }
            throw quiet(new Error(`not done: Exchange Online could not be reached for this run (${error.kind === "auth" ? "sign-in failed" : "setup failed"}; the run's error above says why and what to fix)`));
        }
        throw quiet(error);
    }
}
