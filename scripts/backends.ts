/**
 * Starts and stops a real local Pulumi state backend by hand (the e2e tests start their own:
 * test/e2e/backends.ts). Today: azblob, Azurite from node_modules.
 *
 *   scripts/backends start azblob [--dir <data dir>] [--container <name>] [--env]
 *       starts Azurite in the background on 127.0.0.1 (a free port); prints JSON (pid file, port,
 *       backend URL, environment), or with --env `export` lines to eval in a shell
 *   scripts/backends stop <pid file>
 *       stops that Azurite (only if its PID is still that process) and removes the data directory
 *       when `start` made it
 *
 * Example: eval "$(scripts/backends start azblob --env)"; scripts/pulumi login "$PULUMI_BACKEND_URL" …
 *          scripts/backends stop "$BACKENDS_PID_FILE"
 */
import { startAzurite, stopAzurite, type AzuriteServer } from "../test/e2e/backends";

const USAGE = "usage: scripts/backends start azblob [--dir <data dir>] [--container <name>] [--env] | scripts/backends stop <pid file>";

function option(args: string[], name: string): string | undefined {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
}

/** What a shell or a script needs to use the server. */
function describe(server: AzuriteServer): Record<string, string> {
    return {
        BACKENDS_PID_FILE: server.pidFile,
        PULUMI_BACKEND_URL: server.urlFor(""),
        ...server.env,
    };
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

async function main(args: string[]): Promise<number> {
    const [command, kind] = args;
    if (command === "start" && kind === "azblob") {
        const server = await startAzurite({ location: option(args, "--dir"), container: option(args, "--container"), detached: true });
        const vars = describe(server);
        if (args.includes("--env")) {
            for (const [k, v] of Object.entries(vars)) console.log(`export ${k}=${shellQuote(v)}`);
        } else {
            console.log(JSON.stringify({ kind: server.kind, pid: server.pid, port: server.port, container: server.container, location: server.location, env: vars }, null, 2));
        }
        return 0;
    }
    if (command === "stop" && kind) {
        const stopped = await stopAzurite(kind);
        console.error(stopped ? `stopped the Azurite of ${kind}` : `no running Azurite of ${kind} (pid file removed if it was there)`);
        return 0;
    }
    console.error(USAGE);
    return 2;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
        console.error(`scripts/backends: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
    },
);
