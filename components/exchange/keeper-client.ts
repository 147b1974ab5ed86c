/**
 * The provider's side of the session keeper (session-keeper.ts): a CommandRunner that sends each
 * command to the keeper of this CLI run, and starts that keeper when none listens yet.
 *
 * When the keeper can't be used (its directory isn't private, it can't be started, or it is gone
 * mid-run), the commands run on an in-process ExchangeSession, exactly as without a keeper; a
 * command whose answer was lost with the keeper is sent again there. That is safe: the provider's
 * commands are reads, and Set-AcceptedDomain with the values it already sent.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import type { Command } from "./commands";
import type { ConnectionSettings } from "./config";
import { errorFromJson, type ErrorJson } from "./errors";
import { ExchangeSession, type CommandRunner, type SessionOptions } from "./session";
import { ensurePrivateDir, keeperAddress, onLines, type CliIdentity, type KeeperInit, type KeeperOutcome } from "./session-keeper";

/** The keeper closed the connection: the command's answer is lost, not failed. */
class KeeperGone extends Error {}

const START_TIMEOUT_MS = 10_000;

interface Pending {
    resolve(stdout: string): void;
    reject(error: unknown): void;
}

/** One connection to a keeper, after the token was accepted. */
class Link {
    private nextId = 1;
    private readonly pending = new Map<number, Pending>();
    private closed = false;

    constructor(
        private readonly socket: net.Socket,
        log: (line: string) => void,
    ) {
        onLines(socket, (line) => {
            const message = JSON.parse(line) as { id?: number; stdout?: string; error?: ErrorJson; log?: string };
            if (message.log !== undefined) {
                log(message.log);
                return;
            }
            const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
            if (!waiter || message.id === undefined) return;
            this.pending.delete(message.id);
            if (message.error) waiter.reject(errorFromJson(message.error));
            else waiter.resolve(message.stdout ?? "");
        });
        const gone = (): void => {
            this.closed = true;
            for (const w of this.pending.values()) w.reject(new KeeperGone("the session keeper closed the connection"));
            this.pending.clear();
        };
        socket.on("close", gone);
        socket.on("error", gone);
    }

    get alive(): boolean {
        return !this.closed;
    }

    send(command: Command): Promise<string> {
        if (this.closed) return Promise.reject(new KeeperGone("the session keeper closed the connection"));
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            this.pending.set(id, { resolve, reject });
            this.socket.write(JSON.stringify({ id, cmdlet: command.cmdlet, text: command.text }) + "\n");
        });
    }

    close(): void {
        this.socket.destroy();
    }

    /** The connection no longer keeps this process alive (the stack program's warm start). */
    unref(): void {
        this.socket.unref();
    }
}

/**
 * Connects and presents the token; undefined when nobody listens there or the keeper hangs up.
 * Without a log (the stack program), the keeper keeps the session's lines for the next provider.
 */
function connect(socketPath: string, token: string, log: ((line: string) => void) | undefined): Promise<Link | undefined> {
    return new Promise((resolve) => {
        const socket = net.connect(socketPath);
        socket.once("error", () => resolve(undefined));
        socket.once("connect", () => {
            socket.write(JSON.stringify(log ? { token } : { token, logs: false }) + "\n");
            resolve(new Link(socket, log ?? (() => undefined)));
        });
    });
}

/** The keeper module and how node must load it (through ts-node when it is the TypeScript source). */
function keeperCommand(): string[] {
    const file = require.resolve("./session-keeper");
    return file.endsWith(".ts") ? ["-r", require.resolve("ts-node/register/transpile-only", { paths: [file] }), file] : [file];
}

/**
 * Starts a keeper for this run and waits until it (or another one) listens. In the background (the
 * stack program), the wait never keeps this process alive: a program that ends first leaves the
 * keeper to the provider.
 */
function startKeeper(init: KeeperInit, background: boolean): Promise<KeeperOutcome> {
    return new Promise((resolve) => {
        // Detached: its own process group, so the end of this provider process doesn't end it.
        const child = spawn(process.execPath, keeperCommand(), { detached: true, stdio: ["pipe", "pipe", "ignore"] });
        let answer = "";
        const timer = setTimeout(() => done("failed"), START_TIMEOUT_MS);
        if (background) {
            timer.unref();
            child.unref();
            (child.stdout as net.Socket | null)?.unref();
        }
        const done = (outcome: KeeperOutcome): void => {
            clearTimeout(timer);
            child.stdout?.destroy();
            child.unref();
            resolve(outcome);
        };
        child.on("error", () => done("failed"));
        child.on("exit", () => done(answer.startsWith("in use") ? "in use" : "failed"));
        child.stdout?.setEncoding("utf8");
        child.stdout?.on("data", (chunk: string) => {
            answer += chunk;
            if (answer.includes("\n")) done(answer.startsWith("ready") ? "ready" : answer.startsWith("in use") ? "in use" : "failed");
        });
        child.stdin?.on("error", () => undefined);
        child.stdin?.end(JSON.stringify(init) + "\n");
    });
}

export class KeeperSession implements CommandRunner {
    private link: Promise<Link | undefined> | undefined;
    private local: ExchangeSession | undefined;

    constructor(
        private readonly settings: ConnectionSettings,
        private readonly options: SessionOptions,
        private readonly cli: CliIdentity,
    ) {}

    async run(command: Command): Promise<string> {
        const link = await (this.link ??= this.open());
        if (link?.alive) {
            try {
                return await link.send(command);
            } catch (error) {
                if (!(error instanceof KeeperGone)) throw error;
            }
        }
        return this.inProcess().run(command);
    }

    async dispose(): Promise<void> {
        const link = this.link;
        this.link = undefined;
        (await link)?.close();
        await this.local?.dispose();
        this.local = undefined;
    }

    private inProcess(): ExchangeSession {
        return (this.local ??= new ExchangeSession(this.settings, this.options));
    }

    private open(): Promise<Link | undefined> {
        return openLink(this.settings, this.cli, this.options.log ?? ((line: string) => console.log(line)));
    }
}

/** A link to the keeper of this run and these settings, started when none listens; undefined when none can be used. */
async function openLink(settings: ConnectionSettings, cli: CliIdentity, log: ((line: string) => void) | undefined): Promise<Link | undefined> {
    try {
        const { dir, socket, token } = keeperAddress(settings, cli);
        ensurePrivateDir(dir);
        // No socket file: no keeper yet, so it is started in this same turn of the event loop. Trying
        // to connect first would wait for the next turn, which a stack program only reaches after
        // registering all of its resources (about 0.9 s later in an `up` of 100 domains, measured).
        // A keeper that appears meanwhile is found by the new one, which answers "in use".
        const existing = fs.existsSync(socket) ? await connect(socket, token, log) : undefined;
        if (existing) return existing;
        // Started in the background when nothing here prints its lines (the stack program).
        const outcome = await startKeeper({ settings, cli, socket, token }, log === undefined);
        return outcome === "failed" ? undefined : await connect(socket, token, log);
    } catch {
        return undefined; // the caller runs the session in its own process, or does without
    }
}

/**
 * Starts the run's keeper (when none listens) and lets `ask` send reads through it, without
 * waiting for their answers and without keeping this process alive: the keeper keeps the answers
 * for the run's providers (REUSE_MS). No fallback: where no keeper can be used, nothing is read
 * here and the provider reads as usual. The session's lines are the provider's to print: the
 * keeper keeps them for it.
 */
export async function readThroughKeeper(settings: ConnectionSettings, cli: CliIdentity, ask: (runner: CommandRunner) => void): Promise<boolean> {
    const link = await openLink(settings, cli, undefined);
    if (!link) return false;
    link.unref();
    ask({ run: (command) => link.send(command) });
    return true;
}
