/**
 * Connection check, the first command on a real tenant:
 *
 *   npm run check-connection -- [--cwd <project dir>] [--stack <name>] [--json]
 *
 * Reads the stack's config (its secrets decrypted in memory, as the provider gets them), connects
 * once, runs the reads a preview makes (Get-AcceptedDomain, Get-OnPremisesOrganization,
 * Get-OutboundConnector, Get-EXORecipient where a domain would be Authoritative) and prints per
 * domain the tenant's settings, the declared ones, the coexistence signals and what a preview would
 * show. Nothing is written: no Set- cmdlet, no Pulumi operation, no state or config change.
 *
 * Exit codes: 0 a preview has what it needs; 1 a declared domain would fail or be refused;
 * 2 the connection or a read failed.
 */
import { COMMON_OPTIONS, HelpRequested, parseToolArgs, type StackArgs } from "./drift/args";
import { cliFailure, selectStack } from "./drift/pulumi-cli";
import { programDir } from "./drift/run";
import { connectionFromStackConfig } from "./drift/tenant";
import { checkExitCode, declaredEntry, renderCheck, type ConnectionCheck, type DomainCheck, type ReadCheck } from "./check/report";
import { readStackConfig, type ConnectionSettings } from "../components/exchange/config";
import { needsSyncedRecipients } from "../components/exchange/read-ahead";
import { ExchangeSession } from "../components/exchange/session";
import { TenantReader, type LiveDomain } from "../components/exchange/tenant-reader";
import { AuthError, SetupError } from "../components/exchange/errors";
import { normalizeDomainName, type CoexistenceSignals, type DomainsConfig } from "../components/schema";

export interface CheckArgs extends StackArgs {
    json: boolean;
}

const USAGE = "usage: check-connection [--cwd <project dir>] [--stack <name>] [--json]";

const HELP = [
    USAGE,
    "",
    "Read-only check of a stack's Exchange Online connection: connects once with the stack config, runs the",
    "reads a preview makes, and prints the accepted domains, the coexistence signals and what a preview",
    "would show. Changes nothing. See docs/real-tenant.md.",
    "",
    "Options:",
    COMMON_OPTIONS,
    "  --json              the findings as JSON",
    "",
    "Exit codes: 0 a preview has what it needs, 1 a declared domain would fail or be refused, 2 the connection or a read failed.",
].join("\n");

export function parseCheckArgs(argv: readonly string[], cwd: string): CheckArgs {
    const args: CheckArgs = { workDir: cwd, json: false };
    return parseToolArgs(argv, cwd, args, USAGE, (flag) => (flag === "--json" ? ((args.json = true), true) : false), HELP);
}

/** How the session signs in, without any secret. */
export function signedInWith(auth: ConnectionSettings["auth"]): string {
    switch (auth.kind) {
        case "certificate":
            return `certificate auth (app ${auth.appId}, ${auth.certificateFilePath})`;
        case "managedIdentity":
            return auth.accountId === undefined ? "the system-assigned managed identity" : `the user-assigned managed identity ${auth.accountId}`;
        case "accessToken":
            return auth.accessTokenEnv === undefined ? "an access token from the stack config" : `an access token from ${auth.accessTokenEnv}`;
    }
}

const oneLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split("\n")[0];

/** The check itself, against a session (the I/O edge: the tenant). */
export async function runCheck(stackName: string, settings: ConnectionSettings, domains: DomainsConfig, session: ExchangeSession): Promise<ConnectionCheck> {
    const base = { stack: stackName, organization: settings.organization, signedInWith: signedInWith(settings.auth), pwshPath: settings.pwshPath };
    const reader = new TenantReader(session);
    let live: Map<string, LiveDomain>;
    try {
        live = await reader.acceptedDomains();
    } catch (error) {
        // Never connected (a sign-in, setup or timeout failure): nothing was read, so no read "failed".
        if (error instanceof AuthError || error instanceof SetupError || session.stats.connects === 0) {
            return { ...base, error: oneLine(error), reads: [], domains: [] };
        }
        return { ...base, reads: [{ cmdlet: "Get-AcceptedDomain", purpose: "every accepted domain, one bulk read", error: oneLine(error) }], domains: [] };
    }
    const reads: ReadCheck[] = [{ cmdlet: "Get-AcceptedDomain", purpose: `every accepted domain, one bulk read: ${live.size} found` }];

    const declared = new Map(
        Object.entries(domains).flatMap(([name, entry]) => {
            const n = normalizeDomainName(name);
            return n.ok ? [[n.domain, declaredEntry(entry)] as const] : [];
        }),
    );
    const names = [...new Set([...live.keys(), ...declared.keys()])].sort();
    // The synced-recipient query only where a preview asks it: a domain that would be Authoritative.
    const asks = names.filter((n) => {
        const type = declared.get(n)?.type ?? live.get(n)?.domainType;
        return type !== undefined && needsSyncedRecipients({ domainName: n, domainType: type, onDelete: "retain" });
    });

    const signals = new Map<string, CoexistenceSignals>();
    let factsError: string | undefined;
    let recipientsError: string | undefined;
    reader.askSyncedRecipients(asks);
    for (const n of names) {
        try {
            signals.set(n, await reader.coexistence(n, { syncedRecipients: false }));
        } catch (error) {
            factsError = oneLine(error);
            break;
        }
        if (asks.includes(n)) {
            try {
                const found = await reader.hasSyncedRecipients(n);
                signals.set(n, { ...signals.get(n)!, syncedRecipients: found ? "found" : "none" });
            } catch (error) {
                recipientsError ??= oneLine(error);
            }
        }
    }
    reads.push(
        { cmdlet: "Get-OnPremisesOrganization", purpose: "hybrid domains", ...(factsError !== undefined ? { error: factsError } : {}) },
        { cmdlet: "Get-OutboundConnector", purpose: "connectors that route a domain on-premises", ...(factsError !== undefined ? { error: factsError } : {}) },
        {
            cmdlet: "Get-EXORecipient",
            purpose: `directory-synced recipients, bounded queries for ${asks.length} domain(s) that would be Authoritative`,
            ...(recipientsError !== undefined ? { error: recipientsError } : asks.length === 0 ? { skipped: "no domain would be Authoritative" } : {}),
        },
    );
    const checks: DomainCheck[] = names.map((n) => ({ domain: n, live: live.get(n), declared: declared.get(n), signals: factsError === undefined ? signals.get(n) : undefined }));
    return { ...base, reads, domains: checks };
}

async function main(): Promise<number> {
    let args: CheckArgs;
    try {
        args = parseCheckArgs(process.argv.slice(2), process.cwd());
    } catch (error) {
        if (error instanceof HelpRequested) {
            process.stdout.write(`${error.help}\n`);
            return 0;
        }
        process.stderr.write(`check-connection: ${(error as Error).message}\n`);
        return 2;
    }
    const { stack } = await selectStack({ workDir: args.workDir, stack: args.stack });
    const config = await stack.getAllConfig();
    const get = (key: string) => config[key]?.value;
    // The stack program's own validation: every problem names its key, the value and the fix.
    const stackConfig = readStackConfig(get, Object.keys(config));
    const settings = connectionFromStackConfig(config, await programDir(stack));
    const session = new ExchangeSession(settings, { log: (line) => process.stderr.write(`${line}\n`) });
    let check: ConnectionCheck;
    try {
        check = await runCheck(stack.name, settings, stackConfig.domains, session);
    } finally {
        await session.dispose();
    }
    process.stdout.write(args.json ? `${JSON.stringify(check, null, 2)}\n` : renderCheck(check));
    return checkExitCode(check);
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (error: unknown) => {
            process.stderr.write(`check-connection: error: ${cliFailure(error)}\n`);
            process.exit(2);
        },
    );
}
