/** -like matching: the fast path for '*x', 'x*', '*x*' and plain values agrees with the full wildcard rules. */
import * as assert from "assert";
import { wildcardMatch } from "../../../emulator/values";

describe("wildcardMatch", () => {
    const cases: [string, string, boolean][] = [
        ["smtp:a@Contoso.com", "*@contoso.com", true],
        ["smtp:a@contoso.com.evil", "*@contoso.com", false],
        ["smtp:lila@fabrikam.com", "lila*", false],
        ["smtp:lila@fabrikam.com", "SMTP:lila*", true],
        ["abc", "*b*", true],
        ["abc", "*d*", false],
        ["abc", "ABC", true],
        ["abc", "ab", false],
        ["", "*", true],
        ["abc", "**", true],
        ["abc", "a?c", true],
        ["abc", "a[bx]c", true],
        ["a*c", "a`*c", true],
        ["abc", "a`*c", false],
        ["a.c", "a.c", true],
        ["abc", "a.c", false],
    ];
    for (const [text, pattern, expected] of cases) {
        it(`${JSON.stringify(text)} -like ${JSON.stringify(pattern)} is ${expected}`, () => {
            assert.strictEqual(wildcardMatch(text, pattern), expected);
            assert.strictEqual(wildcardMatch(text, pattern), expected, "the same when the pattern is cached");
        });
    }
    it("-clike stays case-sensitive", () => {
        assert.strictEqual(wildcardMatch("ABC", "a*", true), false);
        assert.strictEqual(wildcardMatch("abc", "a*", true), true);
    });
});
