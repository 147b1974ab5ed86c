import * as assert from "assert";
import type { CommandCall, Expr, PipelineStatement, Statement } from "../../../emulator/parser/ast";
import { ParseError, parseScript } from "../../../emulator/parser/parser";

function firstCommand(src: string): CommandCall {
    const st = parseScript(src)[0] as PipelineStatement;
    assert.strictEqual(st.kind, "pipeline");
    const el = st.elements[0];
    assert.strictEqual(el.kind, "command");
    return el as CommandCall;
}

function argExpr(src: string, index = 0): Expr {
    const el = firstCommand(src).elements[index];
    if (el.kind === "arg") return el.expr;
    if (el.kind === "param" && el.value) return el.value;
    throw new Error(`element ${index} has no expression`);
}

function parseError(src: string): ParseError {
    try {
        parseScript(src);
    } catch (e) {
        if (e instanceof ParseError) return e;
        throw e;
    }
    throw new Error(`expected a parse error for ${src}`);
}

describe("emulator parser", () => {
    describe("single-quoted strings", () => {
        it("turns doubled quotes into one", () => {
            assert.deepStrictEqual(argExpr("Write-Output 'it''s'"), { kind: "str", value: "it's" });
        });
        for (const q of ["\u2018", "\u2019", "\u201A", "\u201B"]) {
            it(`treats U+${q.codePointAt(0)?.toString(16).toUpperCase()} as a quote and its doubling as one`, () => {
                assert.deepStrictEqual(argExpr(`Write-Output 'a${q}${q}b'`), { kind: "str", value: `a${q}b` });
                assert.deepStrictEqual(argExpr(`Write-Output ${q}x${q}`), { kind: "str", value: "x" });
            });
        }
        it("keeps $(), $var, backticks and newlines inert", () => {
            assert.deepStrictEqual(argExpr("Write-Output '$(Remove-Item x) $env:HOME `n\nline2'"), { kind: "str", value: "$(Remove-Item x) $env:HOME `n\nline2" });
        });
    });

    describe("double-quoted strings", () => {
        it("expands variables and subexpressions, and applies backtick escapes", () => {
            const e = argExpr('Write-Output "a`tb$x c$(1) `$y ""q"""');
            assert.strictEqual(e.kind, "xstr");
            if (e.kind !== "xstr") return;
            assert.deepStrictEqual(e.parts[0], "a\tb");
            assert.deepStrictEqual(e.parts[1], { kind: "var", name: "x" });
            assert.deepStrictEqual(e.parts[2], " c");
            assert.strictEqual((e.parts[3] as Expr).kind, "sub");
            assert.deepStrictEqual(e.parts[4], ' $y "q"');
        });
        it("decodes `u{...}", () => {
            assert.deepStrictEqual(argExpr('Write-Output "`u{2019}"'), { kind: "str", value: "\u2019" });
        });
    });

    describe("commands", () => {
        it("parses named, switch and -Name:value parameters and comma arrays", () => {
            const c = firstCommand("Connect-ExchangeOnline -ShowBanner:$false -ManagedIdentity -CommandName 'Get-AcceptedDomain', 'Set-AcceptedDomain' -Organization x.onmicrosoft.com");
            assert.strictEqual(c.name, "Connect-ExchangeOnline");
            assert.deepStrictEqual(c.elements[0], { kind: "param", name: "ShowBanner", value: { kind: "var", name: "false" }, offset: c.elements[0].offset });
            assert.deepStrictEqual(c.elements[1], { kind: "param", name: "ManagedIdentity", offset: c.elements[1].offset });
            assert.deepStrictEqual(c.elements[3], { kind: "arg", offset: c.elements[3].offset, expr: { kind: "array", items: [{ kind: "str", value: "Get-AcceptedDomain" }, { kind: "str", value: "Set-AcceptedDomain" }] } });
            assert.deepStrictEqual((c.elements[5] as { expr: Expr }).expr, { kind: "str", value: "x.onmicrosoft.com", bareword: true });
        });
        it("parses splatting and a parenthesised pipeline argument", () => {
            const c = firstCommand("Set-AcceptedDomain @p -CertificatePassword (ConvertTo-SecureString -String 'x' -AsPlainText -Force)");
            assert.deepStrictEqual(c.elements[0], { kind: "splat", variable: "p", offset: "Set-AcceptedDomain ".length });
            assert.strictEqual(((c.elements[2] as { expr: Expr }).expr as Expr).kind, "paren");
        });
        it("parses the session layer's try/catch wrapper with a hashtable and static member calls", () => {
            const sts = parseScript(
                "try { Get-AcceptedDomain } catch { [Console]::Error.WriteLine((@{ reason = $_.CategoryInfo.Reason; message = $_.Exception.Message } | ConvertTo-Json -Compress)); }",
            );
            const t = sts[0] as Extract<Statement, { kind: "try" }>;
            assert.strictEqual(t.kind, "try");
            assert.strictEqual(t.catches.length, 1);
            const call = (t.catches[0].body[0] as PipelineStatement).elements[0];
            assert.strictEqual(call.kind, "expr");
            if (call.kind !== "expr") return;
            assert.strictEqual(call.expr.kind, "invoke");
        });
        it("parses assignment and statement separators", () => {
            const sts = parseScript("$ErrorActionPreference = 'Stop'; Get-A\nGet-B");
            assert.deepStrictEqual(
                sts.map((s) => s.kind),
                ["assign", "pipeline", "pipeline"],
            );
        });
    });

    describe("errors", () => {
        it("flags unterminated strings, blocks and pipes as incomplete input", () => {
            for (const src of ["Write-Output 'abc", 'Write-Output "abc', "try { Get-A", "Get-A |", "try { Get-A }", "@{ a = 1"]) {
                assert.strictEqual(parseError(src).incomplete, true, src);
            }
            assert.strictEqual(parseError("Write-Output 'abc").message, "The string is missing the terminator: '.");
        });
        it("refuses unsupported statements and script blocks instead of ignoring them", () => {
            assert.match(parseError("if ($true) { 1 }").message, /'if' statement is not supported/);
            assert.match(parseError("Get-AcceptedDomain | Where-Object { $_.Default }").message, /Script blocks are not supported/);
            assert.strictEqual(parseError("foreach ($x in 1) { }").incomplete, false);
        });
        it("reports stray tokens like pwsh", () => {
            assert.strictEqual(parseError("Get-A )").message, "Unexpected token ')' in expression or statement.");
            assert.strictEqual(parseError("1 | 2").message, "Expressions are only allowed as the first element of a pipeline.");
        });
    });
});
