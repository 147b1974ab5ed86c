/**
 * Tenant state: the JSON file named by EXO_EMULATOR_STATE (schema documented in emulator/README.md).
 *
 * - zod is the single source of truth; every type here is z.infer'd.
 * - Secrets are never stored: credentials are SHA-256 hex digests (see hashSecret).
 * - Writes are atomic (temp file in the same directory + rename) and serialised across processes
 *   with an O_EXCL lock file `<state>.lock` (retry with back-off, stale-lock takeover when the owner
 *   is dead or the lock is older than STALE_LOCK_MS), so two emulators writing at once lose nothing.
 */
import * as fs from "fs";
import * as path from "path";
import { randomUUID } from "crypto";
import { hashSecret } from "./hash";
import { z } from "zod";

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "must be a lowercase SHA-256 hex digest (64 chars)");
const nonNegInt = z.number().int().nonnegative();

/** Exchange's AcceptedDomainType enum; ExternalRelay can exist in state but Set refuses it in EXO. */
export const acceptedDomainTypeSchema = z.enum(["Authoritative", "InternalRelay", "ExternalRelay"]);

export const acceptedDomainSchema = z.strictObject({
    name: z.string().min(1),
    domainName: z.string().min(1),
    domainType: acceptedDomainTypeSchema,
    default: z.boolean().default(false),
    initialDomain: z.boolean().default(false),
    isCoexistenceDomain: z.boolean().default(false),
    matchSubDomains: z.boolean().default(false),
    outboundOnly: z.boolean().default(false),
    guid: z.string().uuid(),
    whenChangedUtc: z.string().optional(),
    /**
     * Validation errors EXO reports for a corrupted object: reading it gives a warning whose reason
     * goes on over a second line ("… The following validation errors happened:\n<error>").
     */
    validationErrors: z.array(z.string().min(1)).default([]),
});

export const recipientSchema = z.strictObject({
    name: z.string().min(1),
    displayName: z.string().optional(),
    primarySmtpAddress: z.string().min(3),
    /** Proxy addresses as EXO shows them: "SMTP:" marks the primary, "smtp:" the others. */
    emailAddresses: z.array(z.string()).default([]),
    recipientType: z.enum(["UserMailbox", "MailUser", "MailContact", "MailUniversalDistributionGroup", "GroupMailbox"]),
    recipientTypeDetails: z.string().optional(),
    isDirSynced: z.boolean().default(false),
    /** Where mail for a MailUser/MailContact is forwarded (on-premises routing address). */
    externalEmailAddress: z.string().optional(),
    guid: z.string().uuid(),
});

export const onPremisesOrganizationSchema = z.strictObject({
    name: z.string().min(1),
    hybridDomains: z.array(z.string()).default([]),
    inboundConnector: z.string().default(""),
    outboundConnector: z.string().default(""),
    organizationName: z.string().default(""),
    organizationGuid: z.string().uuid(),
    organizationRelationship: z.string().default(""),
    comment: z.string().default(""),
    guid: z.string().uuid(),
});

export const outboundConnectorSchema = z.strictObject({
    name: z.string().min(1),
    connectorType: z.enum(["OnPremises", "Partner"]),
    connectorSource: z.enum(["Default", "HybridWizard", "Migrated", "AdminUI"]).default("Default"),
    recipientDomains: z.array(z.string()).default([]),
    smartHosts: z.array(z.string()).default([]),
    useMXRecord: z.boolean().default(false),
    enabled: z.boolean().default(true),
    isTransportRuleScoped: z.boolean().default(false),
    routeAllMessagesViaOnPremises: z.boolean().default(false),
    /** AllAcceptedDomains: an OnPremises connector that routes every accepted domain (New-OutboundConnector page). */
    allAcceptedDomains: z.boolean().default(false),
    comment: z.string().default(""),
    guid: z.string().uuid(),
});

export const credentialsSchema = z.strictObject({
    /** App-only auth: the app id in clear (it is not a secret) plus digests of what proves it. */
    apps: z
        .array(
            z.strictObject({
                appId: z.string().min(1),
                /** sha256 of the certificate file's bytes (-CertificateFilePath / -Certificate). */
                certificateFileSha256: sha256Hex,
                /** sha256 of the certificate password's UTF-8 bytes. */
                certificatePasswordSha256: sha256Hex,
            }),
        )
        .default([]),
    /** sha256 of each accepted -AccessToken string. */
    accessTokenSha256: z.array(sha256Hex).default([]),
    /** Whether Connect-ExchangeOnline -ManagedIdentity (system-assigned) succeeds. */
    managedIdentityAllowed: z.boolean().default(false),
    /** Client ids of user-assigned managed identities that -ManagedIdentity -ManagedIdentityAccountId accepts. */
    userAssignedManagedIdentities: z.array(z.string().min(1)).default([]),
});

export const faultsSchema = z.strictObject({
    /** The next N EXO tenant cmdlet calls fail with HTTP 429 (TooManyRequests), as after the V3 module's own retries. */
    throttleNextCalls: nonNegInt.default(0),
    /** After N more EXO cmdlet calls succeed, the next one kills the process (SIGKILL). null = off. */
    crashAfterCmdlets: nonNegInt.nullable().default(null),
    /** Hang on a named cmdlet: forever (ms null) or for ms; for the next `remaining` calls (null = every call). */
    hang: z
        .strictObject({
            cmdlet: z.string().min(1),
            remaining: nonNegInt.nullable().default(null),
            ms: nonNegInt.nullable().default(null),
        })
        .nullable()
        .default(null),
    /** The next N Connect-ExchangeOnline calls fail with an auth error (message optional). */
    failConnect: z
        .strictObject({ remaining: nonNegInt, message: z.string().optional() })
        .nullable()
        .default(null),
    /** The next N read cmdlets (Get-*) fail with a transient server error (HTTP 500). */
    transientReadErrors: nonNegInt.default(0),
    /** The next N tenant cmdlet calls are delayed with KB 2881759's "Micro delay applied" warning, and succeed. */
    microDelayNextCalls: nonNegInt.default(0),
});

export const latencySchema = z.strictObject({
    connectMs: nonNegInt.default(0),
    /** Added to a connect without -SkipLoadingFormatData (downloading and loading the format data). */
    formatDataMs: nonNegInt.default(0),
    defaultCmdletMs: nonNegInt.default(0),
    /** Per-cmdlet override, keyed by cmdlet name (case-insensitive). */
    cmdletMs: z.record(z.string(), nonNegInt).default({}),
    /**
     * Added to a read's latency per page of up to 1,000 objects it returns (REST pages; an empty
     * result is one request, already in the cmdlet's latency): what makes a whole-directory read slow.
     */
    pageMs: nonNegInt.default(0),
});

export const entraSchema = z.strictObject({
    organization: z.strictObject({ onPremisesSyncEnabled: z.boolean().default(false) }).default({ onPremisesSyncEnabled: false }),
    domains: z
        .array(
            z.strictObject({
                id: z.string().min(1),
                authenticationType: z.enum(["Managed", "Federated"]),
                isVerified: z.boolean().default(true),
                isDefault: z.boolean().default(false),
                isInitial: z.boolean().default(false),
            }),
        )
        .default([]),
});

/**
 * The machine pwsh runs on: its PowerShell version and the ExchangeOnlineManagement versions
 * installed (Get-Module -ListAvailable). Connect-ExchangeOnline exists only when one of them can
 * load on that PowerShell; an empty list is "module not installed".
 */
export const hostSchema = z.strictObject({
    psVersion: z.string().regex(/^7\.\d+\.\d+$/, "must be a PowerShell 7 version such as 7.4.6").default("7.4.6"),
    exchangeOnlineManagement: z.array(z.string().regex(/^\d+\.\d+\.\d+$/, "must be a module version such as 3.9.2")).default(["3.9.2"]),
});

export const tenantStateSchema = z.strictObject({
    version: z.literal(1),
    organization: z.strictObject({
        /** The tenant's initial domain, e.g. contoso.onmicrosoft.com: what -Organization must name. */
        name: z.string().min(1),
        displayName: z.string().default(""),
        tenantId: z.string().uuid(),
        /** Server name EXO puts in "couldn't be found on '<server>'" messages. */
        domainController: z.string().default("AM0PR01A001DC01.EURPRD01.PROD.OUTLOOK.COM"),
    }),
    credentials: credentialsSchema.default({ apps: [], accessTokenSha256: [], managedIdentityAllowed: false, userAssignedManagedIdentities: [] }),
    acceptedDomains: z.array(acceptedDomainSchema).default([]),
    recipients: z.array(recipientSchema).default([]),
    onPremisesOrganizations: z.array(onPremisesOrganizationSchema).default([]),
    outboundConnectors: z.array(outboundConnectorSchema).default([]),
    entra: entraSchema.default({ organization: { onPremisesSyncEnabled: false }, domains: [] }),
    host: hostSchema.default({ psVersion: "7.4.6", exchangeOnlineManagement: ["3.9.2"] }),
    latency: latencySchema.default({ connectMs: 0, formatDataMs: 0, defaultCmdletMs: 0, cmdletMs: {}, pageMs: 0 }),
    faults: faultsSchema.default({
        throttleNextCalls: 0,
        crashAfterCmdlets: null,
        hang: null,
        failConnect: null,
        transientReadErrors: 0,
        microDelayNextCalls: 0,
    }),
});

export type TenantState = z.infer<typeof tenantStateSchema>;
export type AcceptedDomainState = z.infer<typeof acceptedDomainSchema>;
export type RecipientState = z.infer<typeof recipientSchema>;
export type OutboundConnectorState = z.infer<typeof outboundConnectorSchema>;
export type OnPremisesOrganizationState = z.infer<typeof onPremisesOrganizationSchema>;
export type Faults = z.infer<typeof faultsSchema>;

/** A state file that can't be read or doesn't match the schema; the message names file, key and fix. */
export class StateFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StateFileError";
    }
}

export { hashSecret };

export function newGuid(): string {
    return randomUUID();
}

function valueAt(root: unknown, keys: readonly PropertyKey[]): unknown {
    let cur: unknown = root;
    for (const k of keys) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = (cur as Record<PropertyKey, unknown>)[k];
    }
    return cur;
}

function formatPath(keys: readonly PropertyKey[]): string {
    let out = "";
    for (const k of keys) out += typeof k === "number" ? `[${k}]` : out ? `.${String(k)}` : String(k);
    return out || "(root)";
}

/** Validates parsed JSON; throws StateFileError naming the file, every bad key, its value and the fix. */
export function parseTenantState(data: unknown, file: string): TenantState {
    const result = tenantStateSchema.safeParse(data);
    if (result.success) return result.data;
    const lines = result.error.issues.map((issue) => {
        if (issue.code === "unrecognized_keys") {
            const keys = issue.keys.map((k) => formatPath([...issue.path, k]));
            return `unknown key ${keys.map((k) => `"${k}"`).join(", ")}: remove it or check its spelling against emulator/README.md`;
        }
        const where = formatPath(issue.path);
        const got = valueAt(data, issue.path);
        const shown = got === undefined ? "missing" : JSON.stringify(got);
        return `key "${where}" (value: ${shown}): ${issue.message}; fix the value as documented in emulator/README.md`;
    });
    throw new StateFileError(`Invalid tenant state file ${file}:\n  - ${lines.join("\n  - ")}`);
}

/**
 * The state file can't be opened: names it as given and as resolved. A relative EXO_EMULATOR_STATE is
 * resolved from the directory the emulator runs in, which under Pulumi is the program's directory, not
 * the directory the command was typed in.
 */
function missingStateFile(file: string, e: unknown): StateFileError {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    const where = path.isAbsolute(file) ? file : `${file} (relative, resolved from ${process.cwd()} to ${path.resolve(file)})`;
    return new StateFileError(
        `Cannot read tenant state file ${where}: ${code}. Set EXO_EMULATOR_STATE to an existing file, as an absolute path, ` +
            `e.g. one made by 'node dist/emulator/cli.js init-kb-demo <file>'`,
    );
}

export function loadTenantState(file: string): TenantState {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw missingStateFile(file, e);
    }
    let data: unknown;
    try {
        data = JSON.parse(text);
    } catch (e) {
        throw new StateFileError(`Tenant state file ${file} is not valid JSON: ${(e as Error).message}`);
    }
    return parseTenantState(data, file);
}

/**
 * The parsed state of each file, keyed by what changes on every write: a write renames a new file
 * into place (new inode), and any edit changes size or mtime. A 300,000-recipient hybrid tenant is a
 * 100 MB file, and parsing it per cmdlet call cost far more than the call: one pwsh process now
 * parses it once, and again only after someone changed it.
 */
interface CachedState {
    key: string;
    state: TenantState;
}
const parsedStates = new Map<string, CachedState>();

function statKey(file: string): string | undefined {
    try {
        const st = fs.statSync(file, { bigint: true });
        return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
    } catch {
        return undefined; // loadTenantState gives the error that names the fix
    }
}

function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
    }
    return value;
}

/**
 * The state for reading: parsed once per file version and frozen, so a cmdlet that tried to change
 * it in place fails loudly instead of changing what later calls see. Writers use updateTenantState.
 */
export function readTenantState(file: string): TenantState {
    const resolved = path.resolve(file);
    const key = statKey(resolved);
    const cached = parsedStates.get(resolved);
    if (key !== undefined && cached?.key === key) return cached.state;
    const state = deepFreeze(loadTenantState(file));
    // Keyed by the stat taken before reading: a write in between makes the next call read again.
    if (key !== undefined) parsedStates.set(resolved, { key, state });
    return state;
}

/** Atomic replace: readers see the old or the new file, never a torn one. */
export function writeTenantState(file: string, state: TenantState): void {
    const validated = parseTenantState(state, file);
    const dir = path.dirname(path.resolve(file));
    const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
    const fd = fs.openSync(tmp, "wx", 0o600);
    try {
        fs.writeSync(fd, JSON.stringify(validated, null, 2) + "\n");
        fs.fsyncSync(fd);
    } finally {
        fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    // What was just written is what the next read would parse.
    const key = statKey(path.resolve(file));
    if (key !== undefined) parsedStates.set(path.resolve(file), { key, state: deepFreeze(validated) });
}

const STALE_LOCK_MS = 10_000;
const LOCK_TIMEOUT_MS = 30_000;
const heldLocks = new Set<string>();

function lockPath(file: string): string {
    return `${path.resolve(file)}.lock`;
}

function pidAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === "EPERM";
    }
}

/** Takes over a lock whose owner died or that outlived STALE_LOCK_MS; returns true when it removed it. */
function removeIfStale(lock: string): boolean {
    try {
        const text = fs.readFileSync(lock, "utf8");
        const match = /^(\d+) (\d+)$/.exec(text.trim());
        // An owner creates the file, then writes "<pid> <ms>": a lock read in between is
        // empty, and is fresh, not stale. Without a readable stamp, judge by the file's age.
        const pid = match ? Number(match[1]) : 0;
        const age = Date.now() - (match ? Number(match[2]) : fs.statSync(lock).mtimeMs);
        if ((pid > 0 && !pidAlive(pid)) || age >= STALE_LOCK_MS) {
            // rename first so two takers can't both delete a fresh lock taken in between
            const grave = `${lock}.stale.${process.pid}`;
            fs.renameSync(lock, grave);
            fs.unlinkSync(grave);
            return true;
        }
    } catch {
        return false;
    }
    return false;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function acquireLock(file: string): Promise<() => void> {
    const lock = lockPath(file);
    const started = Date.now();
    let delay = 2;
    for (;;) {
        try {
            const fd = fs.openSync(lock, "wx", 0o600);
            fs.writeSync(fd, `${process.pid} ${Date.now()}`);
            fs.closeSync(fd);
            heldLocks.add(lock);
            return () => {
                heldLocks.delete(lock);
                try {
                    fs.unlinkSync(lock);
                } catch {
                    /* already taken over as stale: nothing to release */
                }
            };
        } catch (e) {
            // No directory for the lock means no state file either: say that, not ENOENT of "<state>.lock".
            if ((e as NodeJS.ErrnoException).code === "ENOENT") throw missingStateFile(file, e);
            if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        }
        if (removeIfStale(lock)) continue;
        if (Date.now() - started > LOCK_TIMEOUT_MS) {
            throw new StateFileError(`Timed out after ${LOCK_TIMEOUT_MS} ms waiting for lock ${lock}; if no emulator is running, delete it`);
        }
        await sleep(delay + Math.random() * delay);
        delay = Math.min(delay * 2, 50);
    }
}

/** Releases locks this process holds; called on exit so a SIGTERM never leaves a lock behind. */
export function releaseHeldLocks(): void {
    for (const lock of heldLocks) {
        try {
            fs.unlinkSync(lock);
        } catch {
            /* ignore */
        }
    }
    heldLocks.clear();
}

/**
 * Read-modify-write under the lock. `fn` may mutate the state it is given and returns
 * { result, changed }; the file is rewritten only when changed.
 */
export async function updateTenantState<T>(
    file: string,
    fn: (state: TenantState) => { result: T; changed: boolean } | Promise<{ result: T; changed: boolean }>,
): Promise<T> {
    const release = await acquireLock(file);
    try {
        // A mutable copy of the current version (a clone is cheaper than parsing a large file again).
        const state = structuredClone(readTenantState(file));
        const { result, changed } = await fn(state);
        if (changed) writeTenantState(file, state);
        return result;
    } finally {
        release();
    }
}
