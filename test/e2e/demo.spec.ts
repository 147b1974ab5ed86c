/**
 * The README's demo command, as a user runs it with its output piped (a CI log, `| tee`): it must pass,
 * print no raw escape codes, and leave the user's selected stack as it found it.
 */
import * as assert from "assert";
import * as path from "path";
import { repoRoot, runCommand } from "./harness";

const ESC = "\u001b";

function cli(args: string[]) {
    return runCommand(path.join(repoRoot, "scripts", "pulumi"), [...args, "--non-interactive"], { cwd: repoRoot, env: { ...process.env, PULUMI_CONFIG_PASSPHRASE: "exchange-demo-passphrase" } });
}

describe("the demo (scripts/demo), piped", function () {
    this.timeout(10 * 60 * 1000);
    let selected = "";

    before(async () => {
        selected = (await cli(["stack", "--show-name"])).stdout.trim();
        // Start with no selection, the harder case: the demo must not leave "demo" selected.
        await cli(["stack", "unselect"]);
    });
    after(async () => {
        if (selected) await cli(["stack", "select", selected]);
    });

    it("passes, prints no escape codes, and leaves no stack selected that wasn't", async () => {
        const env = { ...process.env, NO_COLOR: undefined, TERM: "xterm-256color" };
        const r = await runCommand("bash", [path.join(repoRoot, "scripts", "demo")], { cwd: repoRoot, env });
        assert.strictEqual(r.code, 0, r.output);
        assert.ok(!r.output.includes(ESC), `raw escape codes in the piped output: ${JSON.stringify(r.output.slice(r.output.indexOf(ESC) - 40, r.output.indexOf(ESC) + 20))}`);
        assert.match(r.output, /== 4\. pulumi up: Exchange Online brought in line with the code/);
        assert.match(r.output, /\(refused as expected\)/);
        const after = await cli(["stack", "--show-name"]);
        assert.notStrictEqual(after.code, 0, `a stack is selected after the demo: ${after.stdout}`);
    });
});
