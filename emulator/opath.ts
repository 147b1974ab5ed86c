/**
 * OPATH filters for Get-Recipient -Filter (https://learn.microsoft.com/powershell/exchange/filter-properties,
 * "Recipient filters in Exchange PowerShell commands"): `Property -op 'value'` joined with -and/-or,
 * -not and parentheses; -eq/-ne/-like/-notlike; multivalued properties (EmailAddresses) match when any
 * value matches. Values are quoted strings, $true/$false/$null or barewords.
 */
import { wildcardMatch } from "./values";

export type FilterValue = string | boolean | null | string[];
export type FilterNode =
    | { kind: "cmp"; property: string; op: "eq" | "ne" | "like" | "notlike"; value: string | boolean | null }
    | { kind: "and" | "or"; left: FilterNode; right: FilterNode }
    | { kind: "not"; expr: FilterNode };

export class FilterError extends Error {
    constructor(
        message: string,
        readonly position: number,
    ) {
        super(message);
        this.name = "FilterError";
    }
}

const OPS = new Set(["eq", "ne", "like", "notlike"]);

export function parseFilter(text: string, properties: readonly string[]): FilterNode {
    let pos = 0;
    const ws = () => {
        while (pos < text.length && /\s/.test(text[pos])) pos++;
    };
    const syntax = (): never => {
        throw new FilterError(`Invalid filter syntax. For a description of the filter parameter syntax see the command help.\n"${text}" at position ${pos + 1}.`, pos);
    };
    const word = (): string => {
        const m = /^[A-Za-z][A-Za-z0-9_]*/.exec(text.slice(pos));
        return m ? m[0] : "";
    };
    const opWord = (): string => {
        if (text[pos] !== "-") return "";
        const m = /^-([A-Za-z]+)/.exec(text.slice(pos));
        return m ? m[1].toLowerCase() : "";
    };
    const value = (): string | boolean | null => {
        ws();
        const c = text[pos];
        if (c === "'" || c === '"') {
            let out = "";
            pos++;
            for (;;) {
                if (pos >= text.length) syntax();
                const ch = text[pos++];
                if (ch === c) {
                    if (text[pos] === c) {
                        out += c;
                        pos++;
                        continue;
                    }
                    return out;
                }
                out += ch;
            }
        }
        if (c === "$") {
            const w = /^\$(true|false|null)\b/i.exec(text.slice(pos));
            if (!w) syntax();
            pos += (w as RegExpExecArray)[0].length;
            const v = (w as RegExpExecArray)[1].toLowerCase();
            return v === "null" ? null : v === "true";
        }
        const m = /^[^\s()]+/.exec(text.slice(pos));
        if (!m) syntax();
        pos += (m as RegExpExecArray)[0].length;
        return (m as RegExpExecArray)[0];
    };
    const primary = (): FilterNode => {
        ws();
        if (text[pos] === "(") {
            pos++;
            const e = orExpr();
            ws();
            if (text[pos] !== ")") syntax();
            pos++;
            return e;
        }
        if (opWord() === "not") {
            pos += 4;
            return { kind: "not", expr: primary() };
        }
        const start = pos;
        const prop = word();
        if (!prop) syntax();
        const known = properties.find((p) => p.toLowerCase() === prop.toLowerCase());
        if (!known) {
            throw new FilterError(`'${prop}' is not a recognized filterable property. For a list of the filterable properties, see the command help.\n"${text}" at position ${start + 1}.`, start);
        }
        pos += prop.length;
        ws();
        const op = opWord();
        if (!OPS.has(op)) syntax();
        pos += op.length + 1;
        return { kind: "cmp", property: known, op: op as "eq" | "ne" | "like" | "notlike", value: value() };
    };
    const andExpr = (): FilterNode => {
        let left = primary();
        for (;;) {
            ws();
            if (opWord() !== "and") return left;
            pos += 4;
            left = { kind: "and", left, right: primary() };
        }
    };
    const orExpr = (): FilterNode => {
        let left = andExpr();
        for (;;) {
            ws();
            if (opWord() !== "or") return left;
            pos += 3;
            left = { kind: "or", left, right: andExpr() };
        }
    };
    // Filters may be wrapped in braces ({ ... }) when they hold no variables.
    const trimmed = text.trim();
    if (trimmed.startsWith("{") && trimmed.endsWith("}")) return parseFilter(trimmed.slice(1, -1), properties);
    const node = orExpr();
    ws();
    if (pos < text.length) syntax();
    return node;
}

function scalarMatches(actual: string | boolean | null, op: "eq" | "like", expected: string | boolean | null): boolean {
    if (expected === null) return actual === null || actual === "";
    const a = actual === null ? "" : typeof actual === "boolean" ? (actual ? "True" : "False") : actual;
    const e = typeof expected === "boolean" ? (expected ? "True" : "False") : expected;
    if (op === "like") return wildcardMatch(a, e);
    return a.toLowerCase() === e.toLowerCase();
}

/**
 * A multivalued property matches when any value does. A complete address matches a proxy without its
 * "smtp:" prefix; a wildcard pattern is matched against the whole proxy, prefix included: "if
 * "EmailAddresses -eq 'lila@fabrikam.com'" returns a match, "EmailAddresses -like 'lila*'" doesn't return
 * a match, but "EmailAddresses -like 'smtp:lila*'" returns a match" (filter-properties, EmailAddresses).
 */
function multiMatches(values: string[], op: "eq" | "like", expected: string | boolean | null): boolean {
    const wildcard = op === "like" && typeof expected === "string" && /[*?[]/.test(expected);
    return values.some((v) => scalarMatches(v, op, expected) || (!wildcard && scalarMatches(v.replace(/^smtp:/i, ""), op, expected)));
}

/**
 * The -like/-notlike values with a wildcard anywhere but the start or the end: the Get-EXO* cmdlets
 * refuse them ("you can only use wildcards at the beginning of a string value, at the end of a string
 * value, or both", learn.microsoft.com/powershell/exchange/filters-v2).
 */
export function innerWildcards(node: FilterNode): string[] {
    switch (node.kind) {
        case "and":
        case "or":
            return [...innerWildcards(node.left), ...innerWildcards(node.right)];
        case "not":
            return innerWildcards(node.expr);
        case "cmp":
            return (node.op === "like" || node.op === "notlike") && typeof node.value === "string" && node.value.slice(1, -1).includes("*") ? [node.value] : [];
    }
}

export function evaluateFilter(node: FilterNode, get: (property: string) => FilterValue): boolean {
    switch (node.kind) {
        case "and":
            return evaluateFilter(node.left, get) && evaluateFilter(node.right, get);
        case "or":
            return evaluateFilter(node.left, get) || evaluateFilter(node.right, get);
        case "not":
            return !evaluateFilter(node.expr, get);
        case "cmp": {
            const actual = get(node.property);
            const base = node.op === "eq" || node.op === "ne" ? "eq" : "like";
            const hit = Array.isArray(actual) ? multiMatches(actual, base, node.value) : scalarMatches(actual, base, node.value);
            return node.op === "eq" || node.op === "like" ? hit : !hit;
        }
    }
}
