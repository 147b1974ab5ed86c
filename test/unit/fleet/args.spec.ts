/** The fleet's command line. */
import * as assert from "assert";
import * as path from "path";
import { HelpRequested } from "../../../scripts/drift/args";
import { DEFAULT_LOCK_RETRIES, DEFAULT_LOCK_RETRY_DELAY_MS, DEFAULT_PARALLEL, defaultJsonOut, parseFleetArgs } from "../../../scripts/fleet/args";

const CWD = "/home/msp/project";

describe("fleet arguments", () => {
    it("a mode alone: every stack, the default parallelism and lock retries, the current directory", () => {
        assert.deepStrictEqual(parseFleetArgs(["drift"], CWD), {
            mode: "drift",
            workDir: CWD,
            parallel: DEFAULT_PARALLEL,
            lockRetries: DEFAULT_LOCK_RETRIES,
            lockRetryDelayMs: DEFAULT_LOCK_RETRY_DELAY_MS,
        });
        assert.strictEqual(DEFAULT_PARALLEL, 4);
    });

    it("every option, in any order; relative paths are the caller's", () => {
        const a = parseFleetArgs(["--parallel", "2", "preview", "--stacks", "a, b,,a", "-C", "sub", "--json-out", "out/r.json", "--lock-retries", "0", "--lock-retry-delay-ms", "50", "--policy-pack", "gate/policies", "--policy-pack-config", "gate/policy-config.json"], CWD);
        assert.deepStrictEqual(a, {
            mode: "preview",
            workDir: path.join(CWD, "sub"),
            stacks: ["a", "b"],
            parallel: 2,
            jsonOut: path.join(CWD, "out/r.json"),
            lockRetries: 0,
            lockRetryDelayMs: 50,
            policyPack: path.join(CWD, "gate/policies"),
            policyPackConfig: path.join(CWD, "gate/policy-config.json"),
        });
    });

    it("--stacks given twice adds up, without repeats", () => {
        assert.deepStrictEqual(parseFleetArgs(["drift", "--stacks", "a,b", "--stacks", "b,c"], CWD).stacks, ["a", "b", "c"]);
    });

    const refused: [string[], RegExp][] = [
        [[], /say preview or drift; usage: fleet /],
        [["up"], /unknown mode "up": preview or drift/],
        [["drift", "preview"], /one mode only, got "drift" and "preview"/],
        [["drift", "--parallel", "0"], /--parallel takes a whole number from 1 to 64, not "0"/],
        [["drift", "--parallel", "2.5"], /--parallel takes a whole number/],
        [["drift", "--parallel", "four"], /--parallel takes a whole number/],
        [["drift", "--parallel"], /--parallel needs a value/],
        [["drift", "--stacks", "--parallel", "2"], /--stacks needs a value/],
        [["drift", "--stacks", ","], /--stacks needs at least one stack name/],
        [["drift", "--stacks", "a b"], /--stacks: "a b" is not a stack name/],
        [["drift", "--lock-retries", "11"], /--lock-retries takes a whole number from 0 to 10/],
        [["drift", "--stack", "a"], /--stack is the drift report's; the fleet takes --stacks a,b,\.\.\./],
        [["drift", "--policy-pack", "p"], /--policy-pack and --policy-pack-config are for preview/],
        [["drift", "--json"], /unknown argument "--json"/],
    ];
    for (const [argv, message] of refused) {
        it(`refuses ${JSON.stringify(argv)} with the reason and the usage`, () => {
            assert.throws(() => parseFleetArgs(argv, CWD), (e: Error) => message.test(e.message) && /usage: fleet preview\|drift/.test(e.message));
        });
    }

    it("--help asks for the help with the exit codes", () => {
        assert.throws(() => parseFleetArgs(["drift", "-h", "--parallel", "x"], CWD), HelpRequested);
        assert.throws(
            () => parseFleetArgs(["--help"], CWD),
            (e: unknown) => e instanceof HelpRequested && /Exit codes: 0 .*\n2 a stack's run failed or stayed locked/.test(e.help),
        );
    });

    it("the JSON goes to the project's .pulumi/ by default, one file per mode", () => {
        assert.strictEqual(defaultJsonOut(CWD, "drift"), path.join(CWD, ".pulumi", "fleet-drift.json"));
        assert.strictEqual(defaultJsonOut(CWD, "preview"), path.join(CWD, ".pulumi", "fleet-preview.json"));
    });
});
