/**
 * PowerShell literals: the only place where values become code.
 *
 * Every value is rendered as a single-quoted (verbatim) string, in which
 * PowerShell expands nothing: no $variables, no $(subexpressions), no backtick
 * escapes. The only special characters are the single quotes themselves, and
 * PowerShell treats the typographic quotes U+2018–U+201B as single quotes too
 * (about_Quoting_Rules, "Single-quoted strings"), so each of them is doubled.
 * https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_quoting_rules
 */

/** Characters PowerShell reads as a single quote. */
const SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;

/** Thrown for a value that can't be sent to PowerShell safely. */
export class UnquotableValueError extends Error {
    constructor(reason: string) {
        super(reason);
        this.name = "UnquotableValueError";
    }
}

/**
 * Renders a string as a PowerShell single-quoted literal.
 * Refuses NUL (it truncates native strings) and line breaks (node-powershell
 * sends each command as one line on pwsh's stdin, so a newline would split it).
 */
export function quote(value: string): string {
    if (value.includes("\0")) {
        throw new UnquotableValueError("a value contains a NUL character, which PowerShell can't receive safely; remove it");
    }
    if (/[\r\n\u0085\u2028\u2029]/.test(value)) {
        throw new UnquotableValueError("a value contains a line break, which would split the command on pwsh's stdin; remove it");
    }
    return `'${value.replace(SINGLE_QUOTES, (q) => q + q)}'`;
}

/** A PowerShell boolean literal. */
export function bool(value: boolean): string {
    return value ? "$true" : "$false";
}

/** A comma-separated list of quoted strings (a PowerShell array argument). */
export function quoteList(values: readonly string[]): string {
    if (values.length === 0) {
        throw new UnquotableValueError("an empty list can't be passed as an argument");
    }
    return values.map(quote).join(",");
}

/**
 * A string value inside an OPATH -Filter ('value'): single quotes double, as in PowerShell
 * ("Recipient filters in Exchange PowerShell commands", learn.microsoft.com/powershell/exchange/recipient-filters).
 * The filter as a whole then goes through quote(), which doubles them again for PowerShell.
 */
export function opathString(value: string): string {
    return `'${value.replace(SINGLE_QUOTES, (q) => q + q)}'`;
}
