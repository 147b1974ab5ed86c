/**
 * Which reads a run will need, and starting them before anyone asks.
 *
 * The provider reads ahead at its first check or read (lifecycle.ts, TenantReader.readAhead). The
 * stack program can start the same reads earlier still: it runs before the engine starts the
 * provider process, and the first check only comes after that process has loaded (about a second
 * measured here). So the program asks the run's session keeper for them (readThroughKeeper) and
 * goes on without waiting; the keeper signs in and reads, and answers the provider's identical
 * reads from memory (recent-reads.ts). Where no keeper can be used (not Linux, not run by the
 * Pulumi CLI's language host), nothing happens here and the provider reads as before.
 */
import { microsoftDomainKind } from "../microsoft-domains";
import { readConnectionConfig, readDeclaredDomains, readStackConfig, type ConfigGetter } from "./config";
import { isProgramHost, programRunLauncher } from "./parent-watchdog";
import { TenantReader } from "./tenant-reader";

/**
 * The synced-recipient query is the one read whose answer only matters where the domain would be
 * Authoritative: declared so (synced-domain-not-authoritative), or possibly restored to it
 * (restore-not-with-coexistence-signals). Microsoft's own domains are exempt from both.
 */
export function needsSyncedRecipients(d: { domainName: string; domainType: string; onDelete: string }): boolean {
    return microsoftDomainKind(d.domainName) === undefined && (d.domainType === "Authoritative" || d.onDelete === "restore");
}

/** The declared domains whose synced-recipient question is asked ahead, with the run's other reads. */
export function readAheadDomains(get: ConfigGetter): string[] {
    return readDeclaredDomains(get)
        .filter(needsSyncedRecipients)
        .map((d) => d.domainName);
}

/** The program's reads, once started: asked once per program process. */
let programReads: Promise<boolean> | undefined;

/**
 * From the stack program: starts the run's reads in its session keeper, so they are under way
 * before the provider asks. Never throws and never waits; true when the reads were sent. A second
 * call (the program's own, after startReadsBeforeSdk) gets the first one's answer.
 */
export function startReadsFromProgram(get: ConfigGetter, argv: readonly string[] = process.argv): Promise<boolean> {
    return (programReads ??= sendReadsFromProgram(get, argv));
}

/**
 * The stack config as the program's SDK reads it (@pulumi/pulumi runtime/config.js): the JSON
 * object in PULUMI_CONFIG, whose "ns:config:key" keys mean "ns:key".
 */
export function envConfig(env: NodeJS.ProcessEnv = process.env): { get: ConfigGetter; keys: string[] } {
    const parsed: unknown = env.PULUMI_CONFIG ? JSON.parse(env.PULUMI_CONFIG) : {};
    const config = new Map<string, unknown>();
    for (const [key, value] of Object.entries(parsed !== null && typeof parsed === "object" ? parsed : {})) {
        const i = key.indexOf(":");
        config.set(i > 0 && key.startsWith("config:", i + 1) ? key.slice(0, i + 1) + key.slice(i + 1 + "config:".length) : key, value);
    }
    return { get: (key) => config.get(key), keys: [...config.keys()] };
}

/**
 * From the stack program, before it loads @pulumi/pulumi (about 0.4 s of module loading here):
 * the same reads as startReadsFromProgram, started that much sooner. Only when the whole stack
 * config is valid, as the program will find it, and the program needs no Entra plugin check
 * first: a program that is going to fail signs in nowhere. Otherwise nothing happens here, and
 * the program's own call after its checks starts them as before. Never throws and never waits.
 */
export function startReadsBeforeSdk(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv): Promise<boolean> {
    try {
        if (!isProgramHost(argv)) return Promise.resolve(false);
        const { get, keys } = envConfig(env);
        if (readStackConfig(get, keys).entra) return Promise.resolve(false);
        return startReadsFromProgram(get, argv);
    } catch {
        return Promise.resolve(false); // the program reports the config's problem itself
    }
}

async function sendReadsFromProgram(get: ConfigGetter, argv: readonly string[]): Promise<boolean> {
    try {
        const cli = isProgramHost(argv) ? programRunLauncher() : undefined;
        // No declared domain, no resource for a provider to read for: a sign-in would serve nobody
        // (the drift report of an empty stack reads the tenant itself; a removed domain's delete starts its own).
        if (!cli || readDeclaredDomains(get).length === 0) return false;
        const settings = readConnectionConfig(get);
        const domains = readAheadDomains(get);
        // Required here: a program that can't use a keeper never loads it.
        const { readThroughKeeper } = require("./keeper-client") as typeof import("./keeper-client");
        return await readThroughKeeper(settings, cli, (runner) => new TenantReader(runner).readAhead(domains));
    } catch {
        return false; // the provider reads as usual
    }
}
