/**
 * Reads the exchange:* stack config into typed settings. The same code serves the
 * stack program (pulumi.runtime.getConfig) and the dynamic provider's configure
 * hook (the engine passes the stack config there), so both refuse bad config with
 * the same messages: each names the key, the bad value (secrets redacted) and the fix.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import {
    CONFIG_NAMESPACE,
    connectionConfigSchema,
    domainsConfigSchema,
    normalizeDomainName,
    SECRET_AUTH_FIELDS,
    stackConfigSchema,
    type ConnectionConfig,
    type DomainType,
    type OnDelete,
    type StackConfig,
} from "../schema";

/** Reads one raw config value by its full key ("exchange:auth"); undefined when unset. */
export type ConfigGetter = (key: string) => unknown;

/** Keys whose values are objects or numbers (the engine hands them over as strings). */
const STRUCTURED_KEYS = new Set(["auth", "domains", "commandTimeoutSeconds", "maxAttempts", "retryDelayMs", "entra"]);

const ALL_KEYS = ["organization", "auth", "pwshPath", "emulatorState", "domains", "commandTimeoutSeconds", "maxAttempts", "retryDelayMs", "entra"] as const;

/** A config error listing every problem found. */
export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`invalid ${CONFIG_NAMESPACE}:* config:\n  - ${problems.join("\n  - ")}`);
        this.name = "ConfigError";
    }
}

function decode(key: string, raw: unknown): unknown {
    if (typeof raw !== "string" || !STRUCTURED_KEYS.has(key)) {
        return raw;
    }
    try {
        return JSON.parse(raw);
    } catch {
        return raw; // leave it to zod, whose message says what shape is expected
    }
}

function collect(get: ConfigGetter, keys: readonly string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of keys) {
        const raw = get(`${CONFIG_NAMESPACE}:${key}`);
        if (raw !== undefined && raw !== null) {
            out[key] = decode(key, raw);
        }
    }
    return out;
}

function valueAt(root: unknown, p: readonly PropertyKey[]): unknown {
    let v = root;
    for (const k of p) {
        if (v === null || typeof v !== "object") {
            return undefined;
        }
        v = (v as Record<PropertyKey, unknown>)[k];
    }
    return v;
}

/** Renders a value for a message; secrets (and objects that hold them) are redacted. */
export function describeValue(p: readonly PropertyKey[], value: unknown): string {
    const secret = new Set<PropertyKey>(SECRET_AUTH_FIELDS);
    // exchange:auth given as a plain string (e.g. `config set --secret exchange:auth <token>`)
    // is most likely the secret itself: never echo any non-object value under auth.
    const underAuth = p.length === 1 && p[0] === "auth";
    if (p.some((k) => secret.has(k)) || (underAuth && (value === null || typeof value !== "object"))) {
        return "[secret]";
    }
    if (value === undefined) {
        return "nothing (unset)";
    }
    const redacted = JSON.stringify(value, (k, v: unknown) => (secret.has(k) ? "[secret]" : v));
    return redacted.length > 200 ? `${redacted.slice(0, 200)}…` : redacted;
}

/** Formats zod issues as "exchange:<key.path>: got <value>: <fix>". */
export function formatIssues(raw: Record<string, unknown>, issues: readonly z.core.$ZodIssue[]): string[] {
    return issues.map((issue) => {
        const p = issue.path;
        const key = `${CONFIG_NAMESPACE}:${p.map(String).join(".")}`;
        if (issue.code === "unrecognized_keys") {
            return `${key}: unknown field(s) ${issue.keys.join(", ")}; remove them (check the spelling against the README)`;
        }
        const value = valueAt(raw, p);
        const message = value === undefined && p.length === 1 ? `${key} is required: ${issue.message}` : `${key}: got ${describeValue(p, value)}: ${issue.message}`;
        return message;
    });
}

/** The project root: the nearest directory above this module with a package.json (works from dist/ too). */
export function projectRoot(from: string = __dirname): string {
    let dir = from;
    for (;;) {
        if (fs.existsSync(path.join(dir, "package.json"))) {
            return dir;
        }
        const parent = path.dirname(dir);
        if (parent === dir) {
            return from;
        }
        dir = parent;
    }
}

/** The default pwsh: the embedded emulator's launcher. */
export function defaultPwshPath(): string {
    return path.join(projectRoot(), "emulator", "bin", "pwsh");
}

/** Resolved connection settings: pwshPath absolute (or a bare command name looked up on PATH). */
export type ConnectionSettings = Omit<ConnectionConfig, "pwshPath"> & { pwshPath: string };

function resolvePwsh(p: string | undefined): string {
    if (p === undefined) {
        return defaultPwshPath();
    }
    return p.includes("/") || p.includes("\\") ? path.resolve(p) : p;
}

/** Reads the connection settings (provider side). Throws ConfigError. */
export function readConnectionConfig(get: ConfigGetter): ConnectionSettings {
    const raw = collect(get, ["organization", "auth", "pwshPath", "emulatorState", "commandTimeoutSeconds", "maxAttempts", "retryDelayMs"]);
    const parsed = connectionConfigSchema.safeParse(raw);
    if (!parsed.success) {
        throw new ConfigError(formatIssues(raw, parsed.error.issues));
    }
    return resolved(parsed.data);
}

/** pwshPath as a command or an absolute path; emulatorState absolute, from the project root. */
function resolved<T extends ConnectionConfig>(c: T): T & { pwshPath: string } {
    const emulatorState = c.emulatorState === undefined ? {} : { emulatorState: path.resolve(projectRoot(), c.emulatorState) };
    return { ...c, ...emulatorState, pwshPath: resolvePwsh(c.pwshPath) };
}

// connectAuth lives in connect-auth.ts (no zod there: the session keeper starts pwsh before loading zod).
export { connectAuth } from "./connect-auth";

/** Levenshtein distance, for did-you-mean (keys are short). */
function distance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const next = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = row[j];
            row[j] = next;
        }
    }
    return row[b.length];
}

/** The known key a misspelt one most likely meant (case, an s, British spelling, a typo). */
export function didYouMean(key: string, known: readonly string[] = ALL_KEYS): string | undefined {
    const k = key.toLowerCase();
    let best: { key: string; d: number } | undefined;
    for (const candidate of known) {
        const c = candidate.toLowerCase();
        const d = c.startsWith(k) || k.startsWith(c) ? Math.min(distance(k, c), 2) : distance(k, c);
        if (d <= Math.max(2, Math.floor(c.length / 4)) && (!best || d < best.d)) best = { key: candidate, d };
    }
    return best?.key;
}

/**
 * Problems for every key in the exchange: namespace this project doesn't read: a misspelt key would
 * otherwise be ignored and its default used, with the run passing (exchange:commandTimeoutSecond).
 */
export function unknownKeyProblems(fullKeys: readonly string[]): string[] {
    const prefix = `${CONFIG_NAMESPACE}:`;
    return fullKeys
        .filter((full) => full.startsWith(prefix))
        .map((full) => full.slice(prefix.length))
        .filter((key) => !(ALL_KEYS as readonly string[]).includes(key))
        .sort()
        .map((key) => {
            const guess = didYouMean(key);
            const hint = guess ? `did you mean ${prefix}${guess}? Rename it` : `remove it; the keys are ${ALL_KEYS.map((k) => prefix + k).join(", ")}`;
            return `${prefix}${key} is not a setting of this project (it would be ignored): ${hint} (\`pulumi config rm ${prefix}${key}\`)`;
        });
}

/**
 * Reads the whole stack config (program side). Throws ConfigError. `allKeys`: every config key of the
 * stack ("exchange:organization", …), so that unknown exchange:* keys are refused too.
 */
export function readStackConfig(get: ConfigGetter, allKeys: readonly string[] = []): StackConfig & { pwshPath: string } {
    const raw = collect(get, ALL_KEYS);
    const parsed = stackConfigSchema.safeParse(raw);
    const problems = [...unknownKeyProblems(allKeys), ...(parsed.success ? [] : formatIssues(raw, parsed.error.issues))];
    if (problems.length > 0 || !parsed.success) {
        throw new ConfigError(problems);
    }
    return resolved(parsed.data);
}

/** A domain as exchange:domains declares it: what the provider needs to plan its reads. */
export interface DeclaredDomain {
    domainName: string;
    domainType: DomainType;
    onDelete: OnDelete;
}

/**
 * The domains exchange:domains declares (provider side), or none when the key is unset or invalid:
 * a hint for reading ahead, never a source of truth (the program reports bad config, and a program
 * may declare domains another way).
 */
export function readDeclaredDomains(get: ConfigGetter): DeclaredDomain[] {
    const parsed = domainsConfigSchema.safeParse(collect(get, ["domains"]).domains);
    if (!parsed.success) {
        return [];
    }
    return Object.entries(parsed.data).flatMap(([name, entry]) => {
        const n = normalizeDomainName(name);
        return n.ok ? [{ domainName: n.domain, domainType: entry.type, onDelete: entry.onDelete ?? "retain" }] : [];
    });
}
