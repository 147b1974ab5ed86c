/**
 * Proves the offline toolchain end to end: the CLI built from Go modules, our
 * Node.js language host and the dynamic-provider shim run a TypeScript program
 * with one dynamic resource through preview, up, a no-change preview and
 * destroy, on a throw-away stack with a file backend.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { createWorkspace, pulumi, removeWorkspace, runCommand, setConfig, stackOutputs, Workspace, pulumiScript, repoRoot } from "./harness";

const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";

interface CounterInputs { start: number; step: number }
interface CounterOutputs extends CounterInputs { value: number; pid: number }

// The provider computes outputs in the dynamic-provider process, so the test
// can tell that this process (started through the shim) actually ran.
const provider: pulumi.dynamic.ResourceProvider<CounterInputs, CounterOutputs> = {
    async create(inputs) {
        return { id: "counter-" + inputs.start, outs: { ...inputs, value: inputs.start + inputs.step, pid: process.pid } };
    },
    async diff(_id, olds, news) {
        const changes = olds.start !== news.start || olds.step !== news.step;
        return { changes, replaces: olds.start !== news.start ? ["start"] : [] };
    },
    async update(_id, _olds, news) {
        return { outs: { ...news, value: news.start + news.step, pid: process.pid } };
    },
};

class Counter extends pulumi.dynamic.Resource {
    declare readonly value: pulumi.Output<number>;
    declare readonly pid: pulumi.Output<number>;
    constructor(name: string, args: { start: number; step: number }) {
        super(provider, name, { ...args, value: undefined, pid: undefined }, {}, "e2e", "Counter");
    }
}

const config = new pulumi.Config();
const counter = new Counter("counter", { start: config.requireNumber("start"), step: config.requireNumber("step") });
export const value = counter.value;
export const providerPid = counter.pid;
export const programPid = process.pid;
`;

const POLICY_PACK = `
import { PolicyPack } from "@pulumi/policy";
new PolicyPack("toolchain-smoke-pack", {
    policies: [{
        name: "small-step",
        description: "Checks whether a counter's step is small.",
        enforcementLevel: "mandatory",
        validateResource: (args, reportViolation) => {
            if (args.type === "pulumi-nodejs:dynamic/e2e:Counter" && args.props.step > 10) {
                reportViolation("step must be at most 10, got " + args.props.step);
            }
        },
    }],
});
`;

describe("offline Pulumi toolchain (real CLI, language host, dynamic-provider shim)", function () {
    this.timeout(10 * 60 * 1000);
    let ws: Workspace | undefined;

    before(async () => {
        ws = await createWorkspace({ name: "toolchain", files: { "index.ts": PROGRAM } });
        // This spec proves the CLI built from Go modules, even where an official one is installed.
        ws.env.PULUMI_CLI = "built";
        await setConfig(ws, { start: 40, step: 2 });
    });
    after(() => removeWorkspace(ws));

    it("prints the pinned CLI version", async () => {
        const r = await runCommand(pulumiScript, ["version"], { cwd: repoRoot, env: { ...process.env, PULUMI_CLI: "built" } });
        assert.strictEqual(r.code, 0, r.output);
        assert.strictEqual(r.stdout.trim(), "v3.274.1");
    });

    it("previews the create of one dynamic resource", async () => {
        const r = await pulumi(ws!, ["preview", "--diff"]);
        assert.strictEqual(r.code, 0, r.output);
        assert.match(r.output, /\+ e2e-e2e:index:Counter|pulumi-nodejs:dynamic\/e2e:Counter/);
        assert.match(r.output, /2 to create/);
    });

    it("creates it with up, and outputs come from a separate provider process", async () => {
        const r = await pulumi(ws!, ["up", "--yes"]);
        assert.strictEqual(r.code, 0, r.output);
        const out = await stackOutputs(ws!);
        assert.strictEqual(out.value, 42);
        assert.strictEqual(typeof out.providerPid, "number");
        assert.notStrictEqual(out.providerPid, out.programPid, "dynamic provider ran in its own process");
    });

    it("a second preview proposes no changes (--expect-no-changes exits 0)", async () => {
        const r = await pulumi(ws!, ["preview", "--expect-no-changes"]);
        assert.strictEqual(r.code, 0, r.output);
    });

    it("a config change makes --expect-no-changes fail, and up applies it", async () => {
        await setConfig(ws!, { step: 5 });
        const preview = await pulumi(ws!, ["preview", "--expect-no-changes"]);
        assert.notStrictEqual(preview.code, 0, "drift from config must fail --expect-no-changes");
        assert.match(preview.output, /no changes were expected/);
        const up = await pulumi(ws!, ["up", "--yes"]);
        assert.strictEqual(up.code, 0, up.output);
        assert.strictEqual((await stackOutputs(ws!)).value, 45);
    });

    it("runs a Node.js policy pack through the language host and blocks on a mandatory violation", async () => {
        const pack = {
            "policy/PulumiPolicy.yaml": "runtime: nodejs\ndescription: toolchain smoke pack\n",
            "policy/package.json": JSON.stringify({ name: "toolchain-smoke-pack", version: "0.0.1" }),
            "policy/index.ts": POLICY_PACK,
        };
        for (const [rel, content] of Object.entries(pack)) {
            fs.mkdirSync(path.dirname(path.join(ws!.dir, rel)), { recursive: true });
            fs.writeFileSync(path.join(ws!.dir, rel), content);
        }
        const ok = await pulumi(ws!, ["preview", "--policy-pack", "policy"]);
        assert.strictEqual(ok.code, 0, ok.output);
        assert.match(ok.output, /toolchain-smoke-pack@v0\.0\.1/);

        await setConfig(ws!, { step: 100 });
        const blocked = await pulumi(ws!, ["preview", "--policy-pack", "policy"]);
        assert.notStrictEqual(blocked.code, 0, blocked.output);
        assert.match(blocked.output, /\[mandatory\]\s+small-step\s+\(pulumi-nodejs:dynamic\/e2e:Counter: counter\)/);
        assert.match(blocked.output, /step must be at most 10, got 100/);
        await setConfig(ws!, { step: 5 });
    });

    it("destroys the stack's resources", async () => {
        const r = await pulumi(ws!, ["destroy", "--yes"]);
        assert.strictEqual(r.code, 0, r.output);
        const state = await pulumi(ws!, ["stack", "--show-ids", "--stack", ws!.stack]);
        assert.strictEqual(state.code, 0, state.output);
        assert.doesNotMatch(state.output, /counter-40/);
    });

    it("a program error exits non-zero with the error text", async () => {
        const broken = await createWorkspace({
            name: "toolchain-broken",
            files: { "index.ts": `throw new Error("deliberate failure in the program");\n` },
        });
        try {
            const r = await pulumi(broken, ["preview"]);
            assert.notStrictEqual(r.code, 0);
            assert.match(r.output, /deliberate failure in the program/);
        } finally {
            removeWorkspace(broken);
        }
    });
});
