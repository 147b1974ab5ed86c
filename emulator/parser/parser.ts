/**
 * Recursive-descent parser for the PowerShell subset (grammar in emulator/README.md).
 * Unsupported constructs raise ParseError with a pwsh-style message instead of being ignored;
 * errors caused by running out of input are flagged `incomplete` so the protocol loop can wait for
 * the next line, as pwsh does with `-Command -`.
 */
import type { CommandElement, Expr, PipelineElement, PipelineStatement, Statement, StringPart } from "./ast";
import {
    Cursor,
    ParseError,
    isBarewordEnd,
    isBlank,
    isDash,
    isDigit,
    isDoubleQuote,
    isIdentChar,
    isIdentStart,
    isNewline,
    isSingleQuote,
    scanBacktickEscape,
    scanSingleQuoted,
    scanVariableName,
    tryScanNumber,
} from "./lexer";

export { ParseError } from "./lexer";

const UNSUPPORTED_KEYWORDS = new Set([
    "if", "else", "elseif", "foreach", "for", "while", "do", "until", "switch", "function", "filter", "workflow",
    "param", "begin", "process", "end", "return", "break", "continue", "trap", "class", "enum", "using", "data",
    "dynamicparam", "exit", "configuration", "inlinescript", "parallel", "sequence",
]);

const COMPARISON_OPS = new Set(
    ["eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch", "contains", "notcontains", "in", "notin"].flatMap(
        (op) => [op, `i${op}`, `c${op}`],
    ),
);
const LOGICAL_OPS = new Set(["and", "or", "xor"]);

export function parseScript(src: string): Statement[] {
    return new Parser(src).parseAll();
}

class Parser {
    private readonly cur: Cursor;
    constructor(src: string) {
        this.cur = new Cursor(src);
    }

    parseAll(): Statement[] {
        return this.parseStatementList(null);
    }

    private err(message: string, incomplete = false, offset = this.cur.pos): ParseError {
        return new ParseError(message, offset, incomplete);
    }

    private unexpected(): ParseError {
        const c = this.cur.peek();
        if (c === undefined) return this.err("An expression was expected.", true);
        const m = /^[^\s;|(){},]+/.exec(this.cur.src.slice(this.cur.pos));
        return this.err(`Unexpected token '${m ? m[0] : c}' in expression or statement.`);
    }

    private wordAt(): string {
        const m = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(this.cur.src.slice(this.cur.pos));
        if (!m) return "";
        const after = this.cur.src[this.cur.pos + m[0].length];
        return after === undefined || isBlank(after) || isNewline(after) || after === "{" || after === "(" || after === ";" || after === "["
            ? m[0]
            : "";
    }

    private parseStatementList(end: ")" | "}" | null): Statement[] {
        const out: Statement[] = [];
        for (;;) {
            this.cur.skipSpace(true);
            while (this.cur.peek() === ";") {
                this.cur.pos++;
                this.cur.skipSpace(true);
            }
            const c = this.cur.peek();
            if (c === undefined) {
                if (end === "}") throw this.err("Missing closing '}' in statement block or type definition.", true);
                if (end === ")") throw this.err("Missing closing ')' in subexpression.", true);
                return out;
            }
            if (c === end) return out;
            if (c === ")" || c === "}") throw this.err(`Unexpected token '${c}' in expression or statement.`);
            out.push(this.parseStatement());
            this.cur.skipSpace(false);
            const after = this.cur.peek();
            if (after === undefined || after === ";" || isNewline(after) || after === end) continue;
            throw this.unexpected();
        }
    }

    private parseStatement(): Statement {
        const cur = this.cur;
        const offset = cur.pos;
        const word = this.wordAt().toLowerCase();
        if (word === "try") return this.parseTry();
        if (word === "throw") {
            cur.pos += 5;
            cur.skipSpace(false);
            const c = cur.peek();
            if (c === undefined || c === ";" || isNewline(c) || c === "}" || c === ")") return { kind: "throw", offset };
            return { kind: "throw", offset, value: this.parsePipeline() };
        }
        if (word === "catch" || word === "finally") throw this.err(`Unexpected token '${word}' in expression or statement.`);
        if (UNSUPPORTED_KEYWORDS.has(word)) {
            throw this.err(`The '${word}' statement is not supported by the Exchange Online emulator (supported: pipelines, assignments, try/catch/finally, throw).`);
        }
        if (cur.peek() === "$" && cur.peek(1) !== "(") {
            const save = cur.pos;
            cur.pos++;
            const name = scanVariableName(cur);
            cur.skipSpace(false);
            if (name && cur.peek() === "=" && cur.peek(1) !== "=") {
                cur.pos++;
                cur.skipSpace(true);
                if (cur.eof()) throw this.err("You must provide a value expression following the '=' operator.", true);
                return { kind: "assign", offset, variable: name, value: this.parseStatement() };
            }
            if (name && /[+\-*/%]/.test(cur.peek() ?? "") && cur.peek(1) === "=") {
                throw this.err(`The '${cur.peek()}=' operator is not supported by the Exchange Online emulator.`);
            }
            cur.pos = save;
        }
        return this.parsePipeline();
    }

    private parseBlock(after: string): Statement[] {
        this.cur.skipSpace(true);
        if (this.cur.eof()) throw this.err(`Missing statement block after '${after}'.`, true);
        if (this.cur.peek() !== "{") throw this.err(`Missing statement block after '${after}'.`);
        this.cur.pos++;
        const body = this.parseStatementList("}");
        this.cur.pos++;
        return body;
    }

    private parseTry(): Statement {
        const cur = this.cur;
        const offset = cur.pos;
        cur.pos += 3;
        const body = this.parseBlock("try");
        const catches: { types: string[]; body: Statement[] }[] = [];
        let fin: Statement[] | undefined;
        for (;;) {
            const save = cur.pos;
            cur.skipSpace(true);
            const w = this.wordAt().toLowerCase();
            if (w === "catch" && fin === undefined) {
                cur.pos += 5;
                const types: string[] = [];
                for (;;) {
                    cur.skipSpace(true);
                    if (cur.peek() !== "[") break;
                    types.push(this.scanTypeName());
                    cur.skipSpace(true);
                    if (cur.peek() === ",") cur.pos++;
                }
                catches.push({ types, body: this.parseBlock("catch") });
                continue;
            }
            if (w === "finally" && fin === undefined) {
                cur.pos += 7;
                fin = this.parseBlock("finally");
                break;
            }
            if (catches.length === 0 && fin === undefined) {
                throw this.err("The Try statement is missing its Catch or Finally block.", cur.eof());
            }
            cur.pos = save;
            break;
        }
        return { kind: "try", offset, body, catches, finally: fin };
    }

    private scanTypeName(): string {
        const cur = this.cur;
        const start = cur.pos;
        cur.pos++;
        let depth = 1;
        let name = "";
        while (depth > 0) {
            const c = cur.next();
            if (c === undefined) throw this.err("Missing ] at end of type token.", true, start);
            if (c === "[") depth++;
            if (c === "]") depth--;
            if (depth > 0) name += c;
        }
        name = name.trim();
        if (!name) throw this.err("Missing type name after '['.", false, start);
        return name;
    }

    private parsePipeline(): PipelineStatement {
        const cur = this.cur;
        const offset = cur.pos;
        const elements: PipelineElement[] = [this.parsePipelineElement(true)];
        for (;;) {
            cur.skipSpace(false);
            if (cur.peek() === "|" && cur.peek(1) === "|") throw this.err("The '||' pipeline chain operator is not supported by the Exchange Online emulator.");
            if (cur.peek() !== "|") break;
            cur.pos++;
            cur.skipSpace(true);
            if (cur.eof()) throw this.err("An empty pipe element is not allowed.", true);
            elements.push(this.parsePipelineElement(false));
        }
        return { kind: "pipeline", offset, elements };
    }

    private parsePipelineElement(first: boolean): PipelineElement {
        const cur = this.cur;
        const offset = cur.pos;
        const c = cur.peek();
        if (c === "&" || (isIdentStart(c) && !(c !== undefined && isDash(c)))) return this.parseCommand();
        if (c === "|" || c === undefined) throw this.err("An empty pipe element is not allowed.", c === undefined);
        if (!first) throw this.err("Expressions are only allowed as the first element of a pipeline.");
        return { kind: "expr", offset, expr: this.parseExpression(true) };
    }

    private parseCommand(): PipelineElement {
        const cur = this.cur;
        const offset = cur.pos;
        let name: string;
        if (cur.peek() === "&") {
            cur.pos++;
            cur.skipSpace(false);
            const e = this.parseArgPrimary();
            if (e.kind !== "str") throw this.err("The call operator '&' needs a literal command name in the Exchange Online emulator.", false, offset);
            name = e.value;
        } else {
            name = "";
            while (!isBarewordEnd(cur.peek())) name += cur.next();
        }
        const elements: CommandElement[] = [];
        for (;;) {
            cur.skipSpace(false);
            const c = cur.peek();
            if (c === undefined || isNewline(c) || c === ";" || c === "|" || c === ")" || c === "}") break;
            const at = cur.pos;
            if (isDash(c) && (isIdentStart(cur.peek(1)) || cur.peek(1) === "?")) {
                cur.pos++;
                let pname = "";
                while (isIdentChar(cur.peek()) || cur.peek() === "-" || cur.peek() === "?") pname += cur.next();
                if (cur.peek() === ":") {
                    cur.pos++;
                    cur.skipSpace(false);
                    const v = cur.peek();
                    if (v === undefined || isNewline(v) || v === ";" || v === "|" || v === ")" || v === "}") {
                        throw this.err(`Missing an argument for parameter '${pname}'.`, v === undefined);
                    }
                    elements.push({ kind: "param", name: pname, value: this.parseCommandArgument(), offset: at });
                } else {
                    elements.push({ kind: "param", name: pname, offset: at });
                }
                continue;
            }
            if (c === "@" && isIdentStart(cur.peek(1))) {
                cur.pos++;
                elements.push({ kind: "splat", variable: scanVariableName(cur), offset: at });
                continue;
            }
            elements.push({ kind: "arg", expr: this.parseCommandArgument(), offset: at });
        }
        return { kind: "command", offset, name, elements };
    }

    /** One argument in command mode; `a, b` makes an array. */
    private parseCommandArgument(): Expr {
        return this.parseCommaList(this.parseArgPrimary(), () => this.parseArgPrimary());
    }

    /** `first, next, next...`: an array when a comma follows, else `first` itself. */
    private parseCommaList(first: Expr, next: () => Expr): Expr {
        const cur = this.cur;
        const items = [first];
        for (;;) {
            const save = cur.pos;
            cur.skipSpace(false);
            if (cur.peek() !== ",") {
                cur.pos = save;
                break;
            }
            cur.pos++;
            cur.skipSpace(true);
            if (cur.eof()) throw this.err("Missing expression after ','.", true);
            items.push(next());
        }
        return items.length === 1 ? first : { kind: "array", items };
    }

    private parseArgPrimary(): Expr {
        const cur = this.cur;
        const c = cur.peek();
        if (c === "{") throw this.err("Script blocks are not supported by the Exchange Online emulator.");
        if (isSingleQuote(c) || isDoubleQuote(c) || c === "$" || c === "(" || (c === "@" && (cur.peek(1) === "(" || cur.peek(1) === "{" || isSingleQuote(cur.peek(1)) || isDoubleQuote(cur.peek(1))))) {
            return this.parsePostfix(this.parsePrimary());
        }
        if (isDash(c) && isDigit(cur.peek(1))) {
            const save = cur.pos;
            cur.pos++;
            const n = tryScanNumber(cur, isBarewordEnd);
            if (n !== undefined) return { kind: "num", value: -n };
            cur.pos = save;
        }
        if (isDigit(c)) {
            const n = tryScanNumber(cur, isBarewordEnd);
            if (n !== undefined) return { kind: "num", value: n };
        }
        let word = "";
        while (!isBarewordEnd(cur.peek())) {
            const ch = cur.next() as string;
            word += ch === "`" ? scanBacktickEscape(cur, cur.pos) : ch;
        }
        if (!word) throw this.unexpected();
        return { kind: "str", value: word, bareword: true };
    }

    private parseExpression(allowComma: boolean): Expr {
        const cur = this.cur;
        let left = this.parseComparison(allowComma);
        for (;;) {
            const save = cur.pos;
            cur.skipSpace(false);
            const op = this.peekOperatorWord(LOGICAL_OPS);
            if (!op) {
                cur.pos = save;
                return left;
            }
            cur.pos += op.length + 1;
            cur.skipSpace(true);
            left = { kind: "binary", op, left, right: this.parseComparison(allowComma) };
        }
    }

    private peekOperatorWord(ops: Set<string>): string | undefined {
        if (!isDash(this.cur.peek())) return undefined;
        const m = /^[a-z]+/i.exec(this.cur.src.slice(this.cur.pos + 1));
        if (!m || isIdentChar(this.cur.src[this.cur.pos + 1 + m[0].length])) return undefined;
        const w = m[0].toLowerCase();
        return ops.has(w) ? m[0] : undefined;
    }

    private parseComparison(allowComma: boolean): Expr {
        const cur = this.cur;
        let left = this.parseAdditive(allowComma);
        for (;;) {
            const save = cur.pos;
            cur.skipSpace(false);
            const op = this.peekOperatorWord(COMPARISON_OPS);
            if (!op) {
                if (isDash(cur.peek()) && /^[a-z]/i.test(cur.peek(1) ?? "")) {
                    const m = /^[a-z]+/i.exec(cur.src.slice(cur.pos + 1));
                    if (m && !LOGICAL_OPS.has(m[0].toLowerCase())) throw this.err(`Unexpected token '-${m[0]}' in expression or statement.`);
                }
                cur.pos = save;
                return left;
            }
            cur.pos += op.length + 1;
            cur.skipSpace(true);
            left = { kind: "binary", op: op.toLowerCase(), left, right: this.parseAdditive(allowComma) };
        }
    }

    private parseAdditive(allowComma: boolean): Expr {
        const cur = this.cur;
        let left = this.parseUnary(allowComma);
        for (;;) {
            const save = cur.pos;
            cur.skipSpace(false);
            const c = cur.peek();
            const isMinus = isDash(c) && !/[a-z]/i.test(cur.peek(1) ?? "");
            if (c !== "+" && !isMinus) {
                cur.pos = save;
                return left;
            }
            cur.pos++;
            cur.skipSpace(true);
            left = { kind: "binary", op: c === "+" ? "+" : "-", left, right: this.parseUnary(allowComma) };
        }
    }

    private parseUnary(allowComma: boolean): Expr {
        const cur = this.cur;
        if (cur.peek() === "!") {
            cur.pos++;
            cur.skipSpace(false);
            return { kind: "unary", op: "not", expr: this.parseUnary(allowComma) };
        }
        if (this.peekOperatorWord(new Set(["not"]))) {
            cur.pos += 4;
            cur.skipSpace(false);
            return { kind: "unary", op: "not", expr: this.parseUnary(allowComma) };
        }
        if (isDash(cur.peek()) && (cur.peek(1) === "$" || cur.peek(1) === "(" || isDigit(cur.peek(1)))) {
            cur.pos++;
            return { kind: "unary", op: "-", expr: this.parseUnary(allowComma) };
        }
        const first = this.parsePostfix(this.parsePrimary());
        if (!allowComma) return first;
        return this.parseCommaList(first, () => this.parsePostfix(this.parsePrimary()));
    }

    private parsePrimary(): Expr {
        const cur = this.cur;
        const c = cur.peek();
        if (c === undefined) throw this.err("An expression was expected.", true);
        if (isSingleQuote(c)) return { kind: "str", value: scanSingleQuoted(cur) };
        if (isDoubleQuote(c)) return this.parseDoubleQuoted();
        if (c === "$") {
            if (cur.peek(1) === "(") {
                cur.pos += 2;
                const statements = this.parseStatementList(")");
                cur.pos++;
                return { kind: "sub", statements };
            }
            const at = cur.pos;
            cur.pos++;
            const name = scanVariableName(cur);
            if (!name) {
                throw this.err("Variable reference is not valid. '$' was not followed by a valid variable name character. Consider using ${} to delimit the name.", false, at);
            }
            return { kind: "var", name };
        }
        if (c === "@") {
            const n = cur.peek(1);
            if (n === "(") {
                cur.pos += 2;
                const statements = this.parseStatementList(")");
                cur.pos++;
                return { kind: "arraySub", statements };
            }
            if (n === "{") return this.parseHashtable(false);
            if (isSingleQuote(n) || isDoubleQuote(n)) throw this.err("Here-strings are not supported by the Exchange Online emulator.");
            throw this.unexpected();
        }
        if (c === "(") {
            cur.pos++;
            cur.skipSpace(true);
            if (cur.peek() === ")") throw this.err("An expression was expected after '('.");
            if (cur.eof()) throw this.err("Missing closing ')' in expression.", true);
            const statement = this.parseStatement();
            cur.skipSpace(true);
            if (cur.eof()) throw this.err("Missing closing ')' in expression.", true);
            if (cur.peek() !== ")") throw this.err("Missing closing ')' in expression.");
            cur.pos++;
            return { kind: "paren", statement };
        }
        if (c === "[") {
            const name = this.scanTypeName();
            if (cur.startsWith("::")) return { kind: "type", name };
            const n = cur.peek();
            if (n === "$" || n === "@" || n === "(" || n === "[" || isSingleQuote(n) || isDoubleQuote(n) || isDigit(n)) {
                return { kind: "cast", type: name, expr: this.parsePostfix(this.parsePrimary()) };
            }
            return { kind: "type", name };
        }
        if (c === "{") throw this.err("Script blocks are not supported by the Exchange Online emulator.");
        if (isDigit(c) || (c === "." && isDigit(cur.peek(1)))) {
            const n = tryScanNumber(cur, (x) => !isIdentChar(x));
            if (n !== undefined) return { kind: "num", value: n };
        }
        throw this.unexpected();
    }

    private parsePostfix(target: Expr): Expr {
        const cur = this.cur;
        let expr = target;
        for (;;) {
            if (cur.startsWith("::") && isIdentStart(cur.peek(2))) {
                cur.pos += 2;
                const name = this.readIdent();
                expr = cur.peek() === "(" ? { kind: "invoke", target: expr, name, isStatic: true, args: this.parseArgs() } : { kind: "member", target: expr, name, isStatic: true };
            } else if (cur.peek() === "." && isIdentStart(cur.peek(1))) {
                cur.pos++;
                const name = this.readIdent();
                expr = cur.peek() === "(" ? { kind: "invoke", target: expr, name, isStatic: false, args: this.parseArgs() } : { kind: "member", target: expr, name, isStatic: false };
            } else if (cur.peek() === "[" && expr.kind !== "type") {
                cur.pos++;
                cur.skipSpace(true);
                const index = this.parseExpression(true);
                cur.skipSpace(true);
                if (cur.peek() !== "]") throw this.err("Array index expression is missing or not valid.", cur.eof());
                cur.pos++;
                expr = { kind: "index", target: expr, index };
            } else return expr;
        }
    }

    private readIdent(): string {
        let name = "";
        while (isIdentChar(this.cur.peek())) name += this.cur.next();
        return name;
    }

    private parseArgs(): Expr[] {
        const cur = this.cur;
        cur.pos++;
        const args: Expr[] = [];
        cur.skipSpace(true);
        if (cur.peek() === ")") {
            cur.pos++;
            return args;
        }
        for (;;) {
            cur.skipSpace(true);
            args.push(this.parseExpression(false));
            cur.skipSpace(true);
            const c = cur.peek();
            if (c === ",") {
                cur.pos++;
                continue;
            }
            if (c === ")") {
                cur.pos++;
                return args;
            }
            throw this.err("Missing closing ')' in method call.", c === undefined);
        }
    }

    private parseHashtable(ordered: boolean): Expr {
        const cur = this.cur;
        cur.pos += 2;
        const entries: { key: Expr; value: Statement }[] = [];
        for (;;) {
            cur.skipSpace(true);
            while (cur.peek() === ";") {
                cur.pos++;
                cur.skipSpace(true);
            }
            const c = cur.peek();
            if (c === undefined) throw this.err("Missing closing '}' in statement block or type definition.", true);
            if (c === "}") {
                cur.pos++;
                return { kind: "hash", ordered, entries };
            }
            let key: Expr;
            if (isIdentStart(c)) {
                let word = "";
                while (!isBarewordEnd(cur.peek()) && cur.peek() !== "=") word += cur.next();
                key = { kind: "str", value: word, bareword: true };
            } else key = this.parsePrimary();
            cur.skipSpace(false);
            if (cur.peek() !== "=") throw this.err("Missing '=' operator after key in hash literal.", cur.eof());
            cur.pos++;
            cur.skipSpace(true);
            if (cur.eof()) throw this.err("Missing statement after '=' in hash literal.", true);
            entries.push({ key, value: this.parseStatement() });
            cur.skipSpace(false);
            const after = cur.peek();
            if (after !== undefined && after !== ";" && after !== "}" && !isNewline(after)) throw this.err("Missing statement after '=' in hash literal.");
        }
    }

    private parseDoubleQuoted(): Expr {
        const cur = this.cur;
        const start = cur.pos;
        cur.pos++;
        const parts: StringPart[] = [];
        let buf = "";
        for (;;) {
            const c = cur.next();
            if (c === undefined) throw this.err('The string is missing the terminator: ".', true, start);
            if (isDoubleQuote(c)) {
                if (isDoubleQuote(cur.peek())) {
                    buf += cur.next();
                    continue;
                }
                break;
            }
            if (c === "`") {
                buf += scanBacktickEscape(cur, start);
                continue;
            }
            if (c === "$") {
                const n = cur.peek();
                if (n === "(") {
                    if (buf) parts.push(buf);
                    buf = "";
                    cur.pos++;
                    const statements = this.parseStatementList(")");
                    cur.pos++;
                    parts.push({ kind: "sub", statements });
                    continue;
                }
                if (n === "{" || isIdentStart(n) || n === "?" || n === "^" || n === "$") {
                    if (buf) parts.push(buf);
                    buf = "";
                    parts.push({ kind: "var", name: scanVariableName(cur) });
                    continue;
                }
            }
            buf += c;
        }
        if (buf || parts.length === 0) parts.push(buf);
        if (parts.length === 1 && typeof parts[0] === "string") return { kind: "str", value: parts[0] };
        return { kind: "xstr", parts };
    }
}

/** pwsh 7's ParserError block for a redirected stderr. */
export function formatParseError(src: string, e: ParseError): string {
    const before = src.slice(0, e.offset);
    const lineNo = before.split("\n").length;
    const lineStart = before.lastIndexOf("\n") + 1;
    const lineEnd = src.indexOf("\n", e.offset);
    const line = src.slice(lineStart, lineEnd < 0 ? undefined : lineEnd).replace(/\r$/, "");
    const col = e.offset - lineStart;
    const num = String(lineNo).padStart(4);
    return `ParserError: \nLine |\n${num} |  ${line}\n     |  ${" ".repeat(Math.max(0, col))}~\n     | ${e.message}`;
}
