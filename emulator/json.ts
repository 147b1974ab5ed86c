/**
 * ConvertTo-Json's serialisation (PowerShell 7): -Depth (default 2) turns deeper objects into their
 * ToString() text and reports truncation; -Compress drops whitespace; otherwise two-space indentation.
 * https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/convertto-json
 */
import { PSHashtable, PSObject, SecureString, X509Certificate, toPsString, type Value } from "./values";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function toJsonTree(v: Value, depth: number, state: { truncated: boolean }, level = 0): Json {
    if (v === null || typeof v === "boolean" || typeof v === "string") return v;
    if (typeof v === "number") return Number.isFinite(v) ? v : null;
    if (v instanceof SecureString) return "System.Security.SecureString";
    if (v instanceof X509Certificate) return "[X509Certificate2]";
    if (Array.isArray(v)) {
        if (level > depth) {
            state.truncated = true;
            return toPsString(v);
        }
        return v.map((x) => toJsonTree(x, depth, state, level + 1));
    }
    if (v instanceof PSObject || v instanceof PSHashtable) {
        if (level > depth) {
            state.truncated = true;
            return toPsString(v);
        }
        const out: { [k: string]: Json } = {};
        for (const [k, x] of v.entries()) out[k] = toJsonTree(x, depth, state, level + 1);
        return out;
    }
    return toPsString(v);
}

export function convertToJson(v: Value, opts: { depth?: number; compress?: boolean } = {}): { text: string; truncated: boolean } {
    const state = { truncated: false };
    const tree = toJsonTree(v, opts.depth ?? 2, state);
    return { text: opts.compress ? JSON.stringify(tree) : JSON.stringify(tree, null, 2), truncated: state.truncated };
}
