/**
 * Character-level tokenizer pieces of the PowerShell subset. PowerShell's tokenizer is mode
 * dependent (command vs expression mode), so the parser drives a Cursor and calls these scanners.
 *
 * Quote rules follow PowerShell's tokenizer (about_Quoting_Rules): U+2018–U+201B count as single
 * quotes and U+201C–U+201E as double quotes; inside a single-quoted string any two consecutive
 * single-quote characters stand for one (the second one is kept), nothing else is special; inside a
 * double-quoted string backtick escapes, doubled double quotes, $var, ${name} and $(...) apply.
 */

export class ParseError extends Error {
    constructor(
        message: string,
        readonly offset: number,
        /** True when more input could complete the statement (pwsh's IncompleteParseException). */
        readonly incomplete = false,
    ) {
        super(message);
        this.name = "ParseError";
    }
}

export const isSingleQuote = (c: string | undefined): boolean =>
    c === "'" || c === "\u2018" || c === "\u2019" || c === "\u201A" || c === "\u201B";
export const isDoubleQuote = (c: string | undefined): boolean => c === '"' || c === "\u201C" || c === "\u201D" || c === "\u201E";
/** PowerShell accepts en dash, em dash and horizontal bar wherever it accepts '-'. */
export const isDash = (c: string | undefined): boolean => c === "-" || c === "\u2013" || c === "\u2014" || c === "\u2015";
export const isNewline = (c: string | undefined): boolean => c === "\n" || c === "\r";
export const isBlank = (c: string | undefined): boolean =>
    c === " " || c === "\t" || c === "\f" || c === "\v" || c === "\u00A0" || c === "\u0085";
export const isIdentStart = (c: string | undefined): boolean => c !== undefined && /[\p{L}_]/u.test(c);
export const isIdentChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_]/u.test(c);
export const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

/** Characters that end a bareword (generic token) in command mode. */
export const isBarewordEnd = (c: string | undefined): boolean =>
    c === undefined || isBlank(c) || isNewline(c) || c === ";" || c === "|" || c === "(" || c === ")" || c === "{" || c === "}" || c === "," || c === "&";

export class Cursor {
    pos = 0;
    constructor(readonly src: string) {}
    peek(n = 0): string | undefined {
        return this.pos + n < this.src.length ? this.src[this.pos + n] : undefined;
    }
    next(): string | undefined {
        return this.pos < this.src.length ? this.src[this.pos++] : undefined;
    }
    eof(): boolean {
        return this.pos >= this.src.length;
    }
    startsWith(s: string): boolean {
        return this.src.startsWith(s, this.pos);
    }
    /** Skips blanks, comments and backtick line continuations; newlines too when asked. */
    skipSpace(newlines = false): void {
        for (;;) {
            const c = this.peek();
            if (isBlank(c)) this.pos++;
            else if (c === "`" && isNewline(this.peek(1))) {
                this.pos += this.peek(1) === "\r" && this.peek(2) === "\n" ? 3 : 2;
            } else if (newlines && isNewline(c)) this.pos++;
            else if (c === "<" && this.peek(1) === "#") {
                const end = this.src.indexOf("#>", this.pos + 2);
                if (end < 0) throw new ParseError("Missing closing '#>' for block comment.", this.pos, true);
                this.pos = end + 2;
            } else if (c === "#") {
                while (!this.eof() && !isNewline(this.peek())) this.pos++;
            } else return;
        }
    }
}

/** Scans '...' starting at the opening quote; returns the literal value. */
export function scanSingleQuoted(cur: Cursor): string {
    const start = cur.pos;
    cur.next();
    let out = "";
    for (;;) {
        const c = cur.next();
        if (c === undefined) throw new ParseError("The string is missing the terminator: '.", start, true);
        if (isSingleQuote(c)) {
            if (!isSingleQuote(cur.peek())) return out;
            out += cur.next();
            continue;
        }
        out += c;
    }
}

const BACKTICK_ESCAPES: Record<string, string> = {
    "0": "\0",
    a: "\x07",
    b: "\b",
    e: "\x1b",
    f: "\f",
    n: "\n",
    r: "\r",
    t: "\t",
    v: "\v",
};

/**
 * Reads one backtick escape (the backtick already consumed) in a double-quoted string or bareword.
 * `u{XXXX} is a Unicode code point; any other character stands for itself.
 */
export function scanBacktickEscape(cur: Cursor, stringStart: number): string {
    const c = cur.next();
    if (c === undefined) throw new ParseError('The string is missing the terminator: ".', stringStart, true);
    if (c === "u" && cur.peek() === "{") {
        const close = cur.src.indexOf("}", cur.pos);
        const hex = close > 0 ? cur.src.slice(cur.pos + 1, close) : "";
        if (!/^[0-9a-fA-F]{1,6}$/.test(hex)) throw new ParseError("The Unicode escape sequence is not valid. A valid sequence is `u{ followed by 1 to 6 hex digits and a closing '}'.", cur.pos);
        cur.pos = close + 1;
        return String.fromCodePoint(parseInt(hex, 16));
    }
    return BACKTICK_ESCAPES[c] ?? c;
}

/** Scans a variable name after '$' (the '$' already consumed). Returns "" when none follows. */
export function scanVariableName(cur: Cursor): string {
    const c = cur.peek();
    if (c === "{") {
        const close = cur.src.indexOf("}", cur.pos);
        if (close < 0) throw new ParseError("Missing '}' in variable name.", cur.pos, true);
        const name = cur.src.slice(cur.pos + 1, close);
        cur.pos = close + 1;
        return name;
    }
    if (c === "_" && !isIdentChar(cur.peek(1))) {
        cur.pos++;
        return "_";
    }
    if (c === "?" || c === "^" || c === "$") {
        cur.pos++;
        return c;
    }
    let name = "";
    while (isIdentChar(cur.peek()) || (cur.peek() === ":" && isIdentStart(cur.peek(1)) && /^(global|script|local|private|env)$/i.test(name))) {
        name += cur.next();
    }
    return name;
}

/** Numbers in expression and argument mode: decimal, fractions, 0x hex, kb/mb/gb suffixes. */
export function tryScanNumber(cur: Cursor, isEnd: (c: string | undefined) => boolean): number | undefined {
    const m = /^(0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(kb|mb|gb)?/i.exec(cur.src.slice(cur.pos));
    if (!m) return undefined;
    if (!isEnd(cur.src[cur.pos + m[0].length])) return undefined;
    cur.pos += m[0].length;
    let n = m[1].toLowerCase().startsWith("0x") ? parseInt(m[1], 16) : Number(m[1]);
    const suffix = m[2]?.toLowerCase();
    if (suffix === "kb") n *= 1024;
    else if (suffix === "mb") n *= 1024 ** 2;
    else if (suffix === "gb") n *= 1024 ** 3;
    return n;
}
