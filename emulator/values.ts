/**
 * Runtime values of the PowerShell subset: JS primitives for strings/numbers/booleans/$null,
 * JS arrays for object[], and small classes for PSObject, Hashtable, SecureString and certificates.
 * Member lookups are case-insensitive as in PowerShell.
 */

export type Value =
    | string
    | number
    | boolean
    | null
    | Value[]
    | PSObject
    | PSHashtable
    | SecureString
    | X509Certificate
    | TypeRef
    | ConsoleWriter;

/** PSCustomObject (and EXO's deserialized objects): ordered, case-insensitive properties. */
export class PSObject {
    private readonly props = new Map<string, { name: string; value: Value }>();
    constructor(
        readonly typeName: string,
        entries: Iterable<[string, Value]> = [],
    ) {
        for (const [k, v] of entries) this.set(k, v);
    }
    set(name: string, value: Value): void {
        const key = name.toLowerCase();
        const existing = this.props.get(key);
        this.props.set(key, { name: existing?.name ?? name, value });
    }
    get(name: string): Value | undefined {
        return this.props.get(name.toLowerCase())?.value;
    }
    has(name: string): boolean {
        return this.props.has(name.toLowerCase());
    }
    entries(): [string, Value][] {
        return [...this.props.values()].map((p) => [p.name, p.value]);
    }
}

/** @{...}: insertion-ordered here (a real Hashtable's order is unspecified; consumers must not rely on it). */
export class PSHashtable {
    private readonly map = new Map<string, { key: string; value: Value }>();
    constructor(readonly ordered = false) {}
    set(key: string, value: Value): void {
        const k = key.toLowerCase();
        const existing = this.map.get(k);
        this.map.set(k, { key: existing?.key ?? key, value });
    }
    get(key: string): Value | undefined {
        return this.map.get(key.toLowerCase())?.value;
    }
    has(key: string): boolean {
        return this.map.has(key.toLowerCase());
    }
    entries(): [string, Value][] {
        return [...this.map.values()].map((e) => [e.key, e.value]);
    }
    get size(): number {
        return this.map.size;
    }
}

/** Holds its plaintext privately; it never prints, journals or serialises it. */
export class SecureString {
    readonly #plain: string;
    constructor(plain: string) {
        this.#plain = plain;
    }
    reveal(): string {
        return this.#plain;
    }
    toString(): string {
        return "System.Security.SecureString";
    }
    toJSON(): string {
        return "[REDACTED]";
    }
}

/** What X509Certificate2::new(path, password) yields: only digests, never the password. */
export class X509Certificate {
    constructor(
        readonly fileSha256: string,
        readonly passwordSha256: string,
        readonly thumbprint: string,
    ) {}
    toString(): string {
        return `[Subject]\n  CN=emulated\n\n[Thumbprint]\n  ${this.thumbprint}`;
    }
    toJSON(): string {
        return "[X509Certificate2]";
    }
}

/** A type literal such as [Console]. */
export class TypeRef {
    constructor(readonly name: string) {}
    toString(): string {
        return this.name;
    }
}

/** [Console]::Out / [Console]::Error. */
export class ConsoleWriter {
    constructor(readonly stream: "out" | "error") {}
    toString(): string {
        return "System.IO.TextWriter";
    }
}

export function isPlainScalar(v: Value): v is string | number | boolean {
    return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

/** PowerShell's ToString for host output and string conversion. */
export function toPsString(v: Value | undefined): string {
    if (v === null || v === undefined) return "";
    if (typeof v === "boolean") return v ? "True" : "False";
    if (typeof v === "number") return String(v);
    if (typeof v === "string") return v;
    if (Array.isArray(v)) return v.map(toPsString).join(" ");
    if (v instanceof PSHashtable) return "System.Collections.Hashtable";
    if (v instanceof PSObject) {
        if (v.typeName === "System.Management.Automation.ErrorRecord") return toPsString(v.get("Exception") instanceof PSObject ? (v.get("Exception") as PSObject).get("Message") : "");
        return `@{${v.entries().map(([k, x]) => `${k}=${toPsString(x)}`).join("; ")}}`;
    }
    return v.toString();
}

/** PowerShell truthiness. */
export function isTruthy(v: Value | undefined): boolean {
    if (v === null || v === undefined) return false;
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return v !== 0;
    if (typeof v === "string") return v.length > 0;
    if (Array.isArray(v)) return v.length === 1 ? isTruthy(v[0]) : v.length > 0;
    return true;
}

/** Pipeline enumeration: arrays unroll, everything else is one item ($null included when explicit). */
export function enumerate(v: Value): Value[] {
    return Array.isArray(v) ? v : [v];
}

/** Statement output collapsed like PowerShell: none -> $null, one -> scalar, many -> array. */
export function collapse(values: Value[]): Value {
    if (values.length === 0) return null;
    if (values.length === 1) return values[0];
    return values;
}

function escapeWildcardToRegex(pattern: string, caseSensitive: boolean): RegExp {
    let re = "^";
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === "*") re += ".*";
        else if (c === "?") re += ".";
        else if (c === "`" && i + 1 < pattern.length) re += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        else if (c === "[") {
            const end = pattern.indexOf("]", i + 1);
            if (end > i) {
                re += "[" + pattern.slice(i + 1, end).replace(/\\/g, "\\\\") + "]";
                i = end;
            } else re += "\\[";
        } else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }
    return new RegExp(re + "$", caseSensitive ? "s" : "is");
}

/** Compiled patterns: a -Filter over 100,000 recipients matches the same few patterns millions of times. */
const compiledPatterns = new Map<string, RegExp>();

/** -like semantics: case-insensitive wildcard match (* ? [abc], backtick escapes). */
export function wildcardMatch(text: string, pattern: string, caseSensitive = false): boolean {
    // The common filter shapes ('*@contoso.com', 'smtp:lila*') without a regular expression.
    if (!caseSensitive && /^\*?[^*?[`]*\*?$/.test(pattern)) {
        const lead = pattern.startsWith("*");
        const trail = pattern.length > 1 && pattern.endsWith("*");
        const core = pattern.slice(lead ? 1 : 0, trail ? -1 : undefined).toLowerCase();
        const t = text.toLowerCase();
        return lead && trail ? t.includes(core) : lead ? t.endsWith(core) : trail ? t.startsWith(core) : t === core;
    }
    const key = `${caseSensitive ? "s" : "i"}:${pattern}`;
    let re = compiledPatterns.get(key);
    if (!re) {
        re = escapeWildcardToRegex(pattern, caseSensitive);
        if (compiledPatterns.size > 1000) compiledPatterns.clear();
        compiledPatterns.set(key, re);
    }
    return re.test(text);
}
