import { strict as assert } from "assert";
import { bool, quote, quoteList, UnquotableValueError } from "../../../components/exchange/quote";

/**
 * Test oracle: reads one PowerShell single-quoted literal as the tokenizer does
 * (about_Quoting_Rules): any of ' U+2018 U+2019 U+201A U+201B is a quote; two in a
 * row are one literal quote; nothing else is special. Returns the value and the rest.
 */
function readSingleQuoted(text: string): { value: string; rest: string } {
    const isQuote = (c: string | undefined) => c !== undefined && "'\u2018\u2019\u201A\u201B".includes(c);
    assert.ok(isQuote(text[0]), "literal must start with a quote");
    let value = "";
    for (let i = 1; i < text.length; i++) {
        const c = text[i];
        if (isQuote(c)) {
            if (isQuote(text[i + 1])) {
                value += text[i + 1];
                i++;
                continue;
            }
            return { value, rest: text.slice(i + 1) };
        }
        value += c;
    }
    throw new Error(`unterminated literal: ${text}`);
}

const HOSTILE = [
    "contoso.com",
    "",
    "it's",
    "''",
    "'; Remove-Item -Recurse C:\\ ; '",
    "$(Get-Process)",
    "$env:PATH `n `$x",
    "\u2018smart\u2019 \u201Aquotes\u201B",
    "'\u2019'\u2018",
    '"double" quotes',
    "@{ a = 1 }; & calc.exe",
    "emoji 😀 and ümlaut",
    "\u2019",
];

describe("quote", () => {
    for (const value of HOSTILE) {
        it(`round-trips ${JSON.stringify(value)} as one literal with nothing after it`, () => {
            const text = quote(value);
            const { value: back, rest } = readSingleQuoted(text);
            assert.equal(back, value);
            assert.equal(rest, "");
        });
    }

    it("doubles each typographic single quote as itself", () => {
        assert.equal(quote("a\u2018b\u2019c\u201Ad\u201Be"), "'a\u2018\u2018b\u2019\u2019c\u201A\u201Ad\u201B\u201Be'");
    });

    it("leaves $ and backtick alone (verbatim strings expand nothing)", () => {
        assert.equal(quote("$x`n"), "'$x`n'");
    });

    it("refuses NUL", () => {
        assert.throws(() => quote("a\0b"), UnquotableValueError);
    });

    for (const nl of ["\n", "\r", "\u2028"]) {
        it(`refuses a line break ${JSON.stringify(nl)} (it would split the command on stdin)`, () => {
            assert.throws(() => quote(`a${nl}b`), /line break/);
        });
    }

    it("renders booleans and lists", () => {
        assert.equal(bool(true), "$true");
        assert.equal(bool(false), "$false");
        assert.equal(quoteList(["a", "b'c"]), "'a','b''c'");
        assert.throws(() => quoteList([]), UnquotableValueError);
    });
});
