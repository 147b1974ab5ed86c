/**
 * The stream cleaner against the byte patterns real pwsh 7 writes into redirected stdout
 * (docs/exchange-online-fidelity.md): DECCKM around every input line, coloured warnings, and
 * warnings whose text goes on over a second line without a prefix.
 */
import { strict as assert } from "assert";
import { z } from "zod";
import { RESULT_MARKER, splitPwshOutput, stripTerminalSequences } from "../../../components/exchange/pwsh-output";
import { parseJsonRows } from "../../../components/exchange/tenant-reader";
import { ExchangeError } from "../../../components/exchange/errors";

const ESC = "\u001b";
const DECCKM = `${ESC}[?1h${ESC}[?1l`; // PowerShell/PowerShell#26631: 1b5b3f3168 1b5b3f316c
const ROWS = '[{"DomainName":"contoso.com","DomainType":"Authoritative"},{"DomainName":"fabrikam.com","DomainType":"InternalRelay"}]';
const row = z.object({ DomainName: z.string(), DomainType: z.string() });
const expected = [
    { DomainName: "contoso.com", DomainType: "Authoritative" },
    { DomainName: "fabrikam.com", DomainType: "InternalRelay" },
];

describe("pwsh output", () => {
    describe("#stripTerminalSequences", () => {
        it("removes DECCKM on and off (the bytes of PowerShell/PowerShell#26631)", () => {
            const bytes = Buffer.from("1b5b3f31681b5b3f316c5b7b7d5d", "hex").toString("utf8");
            assert.equal(stripTerminalSequences(bytes), "[{}]");
        });

        it("removes a warning's colour (ESC[33;1m … ESC[0m) and keeps its text and line break", () => {
            assert.equal(stripTerminalSequences(`${ESC}[33;1mWARNING: a\nb${ESC}[0m\n`), "WARNING: a\nb\n");
        });

        it("removes ConciseView's error colours (ESC[31;1m reason: ESC[31;1m message ESC[0m)", () => {
            assert.equal(stripTerminalSequences(`${ESC}[31;1mGet-X: ${ESC}[31;1mboom${ESC}[0m`), "Get-X: boom");
        });

        it("removes OSC strings, other escapes and stray controls, keeps tabs", () => {
            assert.equal(stripTerminalSequences(`${ESC}]0;title\u0007a${ESC}=b${ESC}(Bc\u0007\td\u0008`), "abc\td");
        });

        it("leaves text without escapes alone, including non-ASCII", () => {
            const text = "bücher.example ’quoted’ 100%";
            assert.equal(stripTerminalSequences(text), text);
        });
    });

    describe("#splitPwshOutput", () => {
        it("takes the marked line as the result and the rest as host lines", () => {
            const out = splitPwshOutput(`${ESC}[33;1mWARNING: first\nsecond${ESC}[0m\n${DECCKM}${RESULT_MARKER}${ROWS}\n${ESC}[?1h`);
            assert.equal(out.result, ROWS);
            assert.deepEqual(out.hostLines, ["WARNING: first", "second"]);
        });

        it("a bare marker is an empty result, no marker is no result", () => {
            assert.equal(splitPwshOutput(`${DECCKM}${RESULT_MARKER}\n`).result, "");
            assert.equal(splitPwshOutput("WARNING: only a warning").result, undefined);
        });
    });

    describe("#parseJsonRows on real pwsh output", () => {
        it("a read behind DECCKM", () => {
            assert.deepEqual(parseJsonRows("Get-AcceptedDomain", `${DECCKM}${RESULT_MARKER}${ROWS}\n${ESC}[?1h${ESC}[?1l`, row), expected);
        });

        it("a coloured warning ahead of the read", () => {
            const stdout = `${DECCKM}${ESC}[33;1mWARNING: Micro delay applied. Actual delayed: 50 msecs, Enforced: True${ESC}[0m\n${RESULT_MARKER}${ROWS}\n`;
            assert.deepEqual(parseJsonRows("Get-AcceptedDomain", stdout, row), expected);
        });

        it("a two-line warning whose second line has no prefix", () => {
            const stdout =
                `${DECCKM}${ESC}[33;1mWARNING: The object contoso.com has been corrupted or isn't compatible with Microsoft support requirements, and it's in an inconsistent state. The following validation errors happened:\n` +
                `Property DomainName can't be [{"x":1}].${ESC}[0m\n${RESULT_MARKER}${ROWS}\n`;
            assert.deepEqual(parseJsonRows("Get-AcceptedDomain", stdout, row), expected);
        });

        it("unmarked output (another runner) still reads, without its escapes and warning lines", () => {
            assert.deepEqual(parseJsonRows("Get-X", `${DECCKM}WARNING: w\n${ROWS}`, row), expected);
        });

        it("a marked result that isn't JSON is an error, never an empty list", () => {
            assert.throws(() => parseJsonRows("Get-X", `${DECCKM}${RESULT_MARKER}<html>`, row), ExchangeError);
        });
    });
});
