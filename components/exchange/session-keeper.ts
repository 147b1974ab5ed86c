/**
 * The session keeper: one signed-in pwsh session for the whole of one Pulumi CLI run.
 *
 * Why: the engine runs `pulumi up`'s preview and its update as two operations, each with its own
 * dynamic-provider process, so each would start pwsh and sign in (measured: two pwsh starts and two
 * Connect-ExchangeOnline in one `up --yes`). A connect is the slowest call of a run, and each one is
 * a sign-in in Entra ID's logs. The first provider process of a CLI run starts this keeper; the
 * provider processes of that run send their commands to it over a Unix socket, and it runs them on
 * one ExchangeSession (retries, reconnects and timeouts as before, session.ts). A read asked again
 * within REUSE_MS of its answer is answered from memory (recent-reads.ts): the update of an
 * `up --yes` acts on what its preview read, instead of reading the tenant a second time; any write
 * forgets the reads. The stack program may start the keeper and its reads before the first provider
 * process exists (read-ahead.ts, start-reads.ts), so the sign-in runs while the engine starts the
 * provider; the keeper signs in as soon as it listens, since whoever started it has a command on the way.
 *
 * Lifetime: exactly the CLI run. The keeper watches the CLI process (/proc, every 100 ms) and, once
 * it is gone (exited, killed outright, or a zombie), disposes pwsh and exits; it never outlives the
 * run by more than that, and a killed CLI leaves nothing signed in behind. With no client for
 * IDLE_MS it exits too.
 *
 * Who may use it: the socket is in a directory only this user can enter (0700), and a client must
 * first send a token derived from the connection settings, secrets included, and the CLI's
 * identity; so only a provider of the same run with the same stack config reaches the session.
 * (Any process of the same user can read the CLI's environment and the stack's certificate file
 * anyway: this is a guard against mix-ups, not a boundary between the user's own processes.)
 *
 * Protocol, one JSON object per line: the client sends {token} ({token, logs: false} from the stack
 * program, which prints nothing), then {id, cmdlet, text}; the keeper
 * answers {id, stdout} or {id, error} (errors.ts errorToJson), and sends {log} for the session's
 * host lines and retry notes. The spawning provider writes {settings, cli, socket, token} as the
 * first line of the keeper's stdin (never argv or the environment: it holds the secret), and the
 * keeper writes "ready", "in use" (another keeper of the run listens) or "failed" to its stdout.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import type { ConnectionSettings } from "./config";
import { errorToJson } from "./errors";
import { processStartTime, type CliIdentity } from "./parent-watchdog";
import { RecentReads } from "./recent-reads";
import { ExchangeSession } from "./session";

export type { CliIdentity };

/** What the spawning provider writes to the keeper's stdin. */
export interface KeeperInit {
    settings: ConnectionSettings;
    cli: CliIdentity;
    socket: string;
    token: string;
}

/** What the keeper tells its spawner on stdout: it listens, another keeper does, or it can't. */
export type KeeperOutcome = "ready" | "in use" | "failed";

export const IDLE_MS = 10 * 60_000;
/**
 * How long after its answer a read is reused by the run's next asker: covers an `up --yes` (its
 * preview's reads, then its update's, seconds apart, longer at 1,000 domains); a confirmation
 * prompt answered later than this reads the tenant again.
 */
export const REUSE_MS = 60_000;
/** The session's lines kept for the next provider while none listens. */
const BACKLOG_LINES = 200;
const WATCH_MS = 100;

function digest(label: string, settings: ConnectionSettings, cli: CliIdentity): string {
    return createHash("sha256").update(JSON.stringify([label, settings, cli.pid, cli.startTime])).digest("hex");
}

/** Where the keeper of this run and these settings listens, and the token it asks for. */
export function keeperAddress(settings: ConnectionSettings, cli: CliIdentity, tmp: string = os.tmpdir()): { dir: string; socket: string; token: string } {
    const uid = typeof process.getuid === "function" ? process.getuid() : "user";
    const dir = path.join(tmp, `exchange-accepted-domains-${uid}`);
    // Short: a Unix socket path must stay under 108 bytes.
    return { dir, socket: path.join(dir, `${digest("socket", settings, cli).slice(0, 24)}.sock`), token: digest("token", settings, cli) };
}

/** Creates the keepers' directory, only for this user; refuses one that someone else could enter. */
export function ensurePrivateDir(dir: string): void {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.statSync(dir);
    const uid = typeof process.getuid === "function" ? process.getuid() : st.uid;
    if (st.uid !== uid || (st.mode & 0o077) !== 0) {
        throw new Error(`${dir} is not private to this user (mode ${(st.mode & 0o777).toString(8)}): remove it; the session keeper won't listen there`);
    }
}

/** Calls onLine with each line the socket receives (the protocol is one JSON object per line). */
export function onLines(socket: net.Socket, onLine: (line: string) => void): void {
    let buffered = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
        buffered += chunk;
        let nl: number;
        while (!socket.destroyed && (nl = buffered.indexOf("\n")) >= 0) {
            const line = buffered.slice(0, nl);
            buffered = buffered.slice(nl + 1);
            onLine(line);
        }
    });
}

/** Serves one session to the run's providers until the CLI is gone; resolves when the keeper has stopped. */
export function serve(init: KeeperInit, onListening: (outcome: KeeperOutcome) => void): Promise<void> {
    const clients = new Set<net.Socket>();
    // The providers print the session's lines; the stack program doesn't. Lines said while no
    // provider listens (the program's reads ran first) wait for the next one, so none is lost.
    const listeners = new Set<net.Socket>();
    const backlog: string[] = [];
    const broadcast = (line: string): void => {
        if (listeners.size === 0) {
            if (backlog.push(line) > BACKLOG_LINES) backlog.shift();
            return;
        }
        for (const c of listeners) c.write(JSON.stringify({ log: line }) + "\n");
    };
    const session = new ExchangeSession(init.settings, { log: broadcast });
    const reads = new RecentReads(REUSE_MS);
    let lastClient = Date.now();

    const server = net.createServer((socket) => {
        let trusted = false;
        onLines(socket, (line) => {
            let message: { token?: unknown; logs?: unknown; id?: unknown; cmdlet?: unknown; text?: unknown };
            try {
                message = JSON.parse(line) as typeof message;
            } catch {
                socket.destroy();
                return;
            }
            if (!trusted) {
                if (message.token !== init.token) {
                    socket.destroy();
                    return;
                }
                trusted = true;
                clients.add(socket);
                if (message.logs !== false) {
                    listeners.add(socket);
                    for (const line of backlog.splice(0)) socket.write(JSON.stringify({ log: line }) + "\n");
                }
                return;
            }
            if (typeof message.id !== "number" || typeof message.cmdlet !== "string" || typeof message.text !== "string") {
                socket.destroy();
                return;
            }
            const id = message.id;
            const command = { cmdlet: message.cmdlet, text: message.text };
            reads.run(command, () => session.run(command)).then(
                (stdout) => socket.writable && socket.write(JSON.stringify({ id, stdout }) + "\n"),
                (error: unknown) => socket.writable && socket.write(JSON.stringify({ id, error: errorToJson(error) }) + "\n"),
            );
        });
        socket.on("close", () => {
            clients.delete(socket);
            listeners.delete(socket);
            lastClient = Date.now();
        });
        socket.on("error", () => undefined);
    });

    return new Promise((resolve) => {
        let stopping = false;
        const stop = (): void => {
            if (stopping) return;
            stopping = true;
            clearInterval(watch);
            server.close();
            for (const c of clients) c.destroy();
            fs.rmSync(init.socket, { force: true });
            void session.dispose().finally(resolve);
        };
        const watch = setInterval(() => {
            const gone = processStartTime(init.cli.pid) !== init.cli.startTime;
            if (gone || (clients.size === 0 && Date.now() - lastClient > IDLE_MS)) stop();
        }, WATCH_MS);
        server.on("error", (error: NodeJS.ErrnoException) => {
            clearInterval(watch);
            // EADDRINUSE: another provider of this run started a keeper first, and it serves the run.
            onListening(error.code === "EADDRINUSE" ? "in use" : "failed");
            void session.dispose().finally(resolve);
        });
        server.listen(init.socket, () => {
            fs.chmodSync(init.socket, 0o600);
            onListening("ready");
            // A keeper is started only when a command is on its way; the one who started it may be a
            // stack program whose event loop is busy registering resources for a while (about 0.4 s
            // for 100 domains), so the sign-in starts here rather than at that first command.
            session.signIn();
        });
    });
}

/** Process entry: node session-keeper.js, with the init line on stdin. */
function main(): void {
    let input = "";
    process.stdin.setEncoding("utf8");
    const onData = (chunk: string): void => {
        input += chunk;
        const nl = input.indexOf("\n");
        if (nl < 0) return;
        process.stdin.off("data", onData);
        process.stdin.destroy();
        const init = JSON.parse(input.slice(0, nl)) as KeeperInit;
        // A socket file left by a keeper that was killed outright: nobody listens on it any more.
        const stale = net.connect(init.socket);
        stale.on("connect", () => {
            stale.destroy();
            process.stdout.write("in use\n", () => process.exit(0));
        });
        stale.on("error", () => {
            fs.rmSync(init.socket, { force: true });
            void serve(init, (outcome) => {
                // Told once, then stdout is closed: the provider that reads it may end at any time.
                process.stdout.end(`${outcome}\n`);
            }).then(() => process.exit(0));
        });
    };
    process.stdin.on("data", onData);
    // Signalled on its own (the run's end is seen by the watch): pwsh ends at its stdin's EOF.
    for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => process.exit(0));
}

if (require.main === module) {
    main();
}
