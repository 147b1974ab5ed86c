/**
 * The users' CI workflows (.github/workflows): parsed (js-yaml, a transitive
 * dependency of mocha), checked for how secrets are handled, and their jobs run
 * locally step by step against the emulated tenant, with GitHub's `if:`
 * conditions, step outcomes and outputs, a fake `gh` that records what it would
 * post, and every `${{ }}` value supplied by the test. Skipped: `uses:` actions
 * and the Install step (`bash scripts/setup`, which the test machine has run).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawn } from "child_process";
import { configureExchange, createWorkspace, pulumi, removeWorkspace, repoRoot, seedTenant, type RunResult, type Workspace } from "./harness";

// js-yaml ships no types (and @types/js-yaml isn't installed): type the one function used.
const { load } = require("js-yaml") as { load(text: string): unknown };

/**
 * Runs a step script with stdin closed (the harness's runCommand writes to stdin,
 * which races with a step that exits at once: EPIPE).
 */
function runStep(script: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        let output = "";
        child.stdout.on("data", (b: Buffer) => ((stdout += b.toString()), (output += b.toString())));
        child.stderr.on("data", (b: Buffer) => ((stderr += b.toString()), (output += b.toString())));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr, output }));
    });
}

interface Step {
    name?: string;
    id?: string;
    uses?: string;
    run?: string;
    if?: string;
    env?: Record<string, string>;
    "continue-on-error"?: boolean;
}
interface Job {
    env?: Record<string, string>;
    steps: Step[];
}
interface Workflow {
    name: string;
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    defaults?: { run?: { shell?: string } };
    jobs: Record<string, Job>;
}

const WORKFLOWS = path.join(repoRoot, ".github", "workflows");

function workflow(file: string): Workflow {
    return load(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
}

interface StepResult {
    name: string;
    ran: boolean;
    code: number;
    output: string;
}

interface StepState {
    outcome: "success" | "failure" | "skipped";
    outputs: Record<string, string>;
}

/** Evaluates the `if:` forms these workflows use. */
function condition(expr: string | undefined, steps: Record<string, StepState>, failed: boolean): boolean {
    const e = (expr ?? "success()").replace(/^\$\{\{\s*|\s*\}\}$/g, "").trim();
    if (e === "always()") return true;
    if (e === "success()") return !failed;
    const m = /^steps\.([\w-]+)\.(outcome|outputs\.([\w-]+))\s*(==|!=)\s*'([^']*)'$/.exec(e);
    if (!m) throw new Error(`the test's evaluator doesn't know the condition "${e}"`);
    const s = steps[m[1]];
    const value = m[2] === "outcome" ? (s?.outcome ?? "") : (s?.outputs[m[3]] ?? "");
    // A condition without a status function implies success() in GitHub Actions.
    return !failed && (m[4] === "==" ? value === m[5] : value !== m[5]);
}

/** Resolves an `env:` map: literals as written, `${{ }}` values from the test (all must be given). */
function resolveEnv(env: Record<string, string> | undefined, values: Record<string, string>, steps: Record<string, StepState> = {}): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(env ?? {})) {
        const ref = /^\$\{\{\s*steps\.([\w-]+)\.(outcome|outputs\.([\w-]+))\s*\}\}$/.exec(String(v));
        if (ref) {
            // A step's outcome or output, from this run.
            const st = steps[ref[1]];
            out[k] = ref[2] === "outcome" ? (st?.outcome ?? "") : (st?.outputs[ref[3]] ?? "");
        } else if (String(v).includes("${{")) {
            if (!(k in values)) throw new Error(`the test must supply ${k} (${v})`);
            out[k] = values[k];
        } else {
            out[k] = String(v);
        }
    }
    return out;
}

/** Runs a job's `run:` steps in order, as a runner would (shell: bash = bash --noprofile --norc -eo pipefail). */
async function runJob(job: Job, baseEnv: NodeJS.ProcessEnv, values: Record<string, string>): Promise<{ results: StepResult[]; failed: boolean; outputs: Record<string, StepState> }> {
    const states: Record<string, StepState> = {};
    const results: StepResult[] = [];
    let failed = false;
    const jobEnv = resolveEnv(job.env, values);
    for (const step of job.steps) {
        if (step.uses || step.name === "Install") continue;
        const name = step.name ?? step.run!.slice(0, 40);
        if (!condition(step.if, states, failed)) {
            if (step.id) states[step.id] = { outcome: "skipped", outputs: {} };
            results.push({ name, ran: false, code: 0, output: "" });
            continue;
        }
        const outputFile = path.join(values.RUNNER_TEMP, `output-${results.length}`);
        fs.writeFileSync(outputFile, "");
        const env = { ...baseEnv, ...jobEnv, ...resolveEnv(step.env, values, states), GITHUB_OUTPUT: outputFile };
        const r = await runStep(step.run!, env);
        const outputs = Object.fromEntries(
            fs.readFileSync(outputFile, "utf8").split("\n").filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
        );
        if (step.id) states[step.id] = { outcome: r.code === 0 ? "success" : "failure", outputs };
        if (r.code !== 0 && !step["continue-on-error"]) failed = true;
        results.push({ name, ran: true, code: r.code, output: r.output });
    }
    return { results, failed, outputs: states };
}

function stepNamed(results: StepResult[], prefix: string): StepResult {
    const s = results.find((r) => r.name.startsWith(prefix));
    if (!s) throw new Error(`no step "${prefix}" in ${results.map((r) => r.name).join(", ")}`);
    return s;
}

describe("CI workflows: parsed", () => {
    const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));

    it("has the pull-request and the scheduled drift workflow", () => {
        assert.deepStrictEqual(files.sort(), ["drift.yml", "pull-request.yml"]);
        assert.ok("pull_request" in workflow("pull-request.yml").on);
        const drift = workflow("drift.yml").on.schedule as { cron: string }[];
        assert.match(drift[0].cron, /^(\S+\s+){4}\S+$/);
    });

    for (const file of ["pull-request.yml", "drift.yml"]) {
        describe(file, () => {
            it("secrets reach steps only through env:, never inline in a run: script, and are never echoed", () => {
                const w = workflow(file);
                for (const job of Object.values(w.jobs)) {
                    for (const step of job.steps) {
                        assert.doesNotMatch(step.run ?? "", /\$\{\{/, `${step.name}: run: scripts take values from env, not expressions`);
                    }
                    const secretEnv = Object.entries({ ...job.env, ...Object.assign({}, ...job.steps.map((s) => s.env ?? {})) })
                        .filter(([, v]) => /secrets\./.test(String(v)))
                        .map(([k]) => k);
                    assert.ok(secretEnv.includes("PULUMI_CONFIG_PASSPHRASE"));
                    for (const step of job.steps) {
                        for (const k of secretEnv) {
                            assert.doesNotMatch(step.run ?? "", new RegExp(`(echo|printf)[^|\\n]*\\$\\{?${k}\\b(?![^\\n]*\\|)`), `${step.name} prints ${k}`);
                        }
                    }
                }
            });

            it("least privilege, bash with pipefail, actions pinned to a major version", () => {
                const w = workflow(file);
                assert.ok(Object.values(w.permissions).every((p) => p === "read" || p === "write"));
                assert.strictEqual(w.permissions.contents, "read");
                assert.strictEqual(w.defaults?.run?.shell, "bash");
                for (const job of Object.values(w.jobs)) {
                    for (const s of job.steps.filter((s) => s.uses)) assert.match(s.uses!, /@v\d+$/);
                }
            });
        });
    }

    it("pull request: the preview uses the policy pack, may fail without hiding the comment, and the job fails after", () => {
        const steps = workflow("pull-request.yml").jobs.preview.steps;
        const preview = steps.find((s) => s.id === "preview")!;
        assert.match(preview.run!, /--policy-pack "\$GITHUB_WORKSPACE\/policies"/);
        assert.strictEqual(preview["continue-on-error"], true);
        const last = steps[steps.length - 1];
        assert.strictEqual(last.if, "steps.preview.outcome == 'failure'");
    });
});

describe("CI workflows: run locally against the emulated tenant", function () {
    this.timeout(15 * 60 * 1000);
    let ws: Workspace | undefined;
    let temp = "";
    let values: Record<string, string> = {};
    const ghLog = () => path.join(temp, "gh.log");

    before(async () => {
        ws = await createWorkspace({ name: "workflows" });
        const cert = await seedTenant(ws);
        temp = fs.mkdtempSync(path.join(os.tmpdir(), "workflows-"));
        const ciCert = path.join(ws.dir, ".secrets", "exo.pfx");
        // The stack points at the path the workflow writes the certificate to; the test never writes it itself.
        await configureExchange(ws, ciCert, {
            "contoso.com": { type: "Authoritative", directorySynced: true },
            "fabrikam.com": { type: "InternalRelay" },
        });
        // A fake gh that records its arguments and the body it would post.
        const bin = path.join(temp, "bin");
        fs.mkdirSync(bin);
        fs.writeFileSync(path.join(bin, "gh"), `#!/usr/bin/env bash\nprintf 'ARGS %s\\n' "$*" >> "${ghLog()}"\nprev=""\nfor a in "$@"; do [ "$prev" = --body-file ] && cat "$a" >> "${ghLog()}"; prev="$a"; done\n`, { mode: 0o755 });
        values = {
            STACK: ws.stack,
            PROJECT_DIR: ws.dir,
            PULUMI_BACKEND_URL: ws.env.PULUMI_BACKEND_URL!,
            PULUMI_CONFIG_PASSPHRASE: ws.env.PULUMI_CONFIG_PASSPHRASE!,
            EXO_CERTIFICATE_PFX_BASE64: fs.readFileSync(cert).toString("base64"),
            EXO_CERTIFICATE_PATH: ".secrets/exo.pfx",
            GH_TOKEN: "fake-token",
            PR_NUMBER: "7",
            RUNNER_TEMP: temp,
        };
        ws.env = { ...ws.env, PATH: `${bin}:${ws.env.PATH}`, GITHUB_WORKSPACE: repoRoot, GITHUB_REPOSITORY: "octo/domains", RUNNER_TEMP: temp };
    });
    after(() => {
        removeWorkspace(ws);
        if (temp) fs.rmSync(temp, { recursive: true, force: true });
    });

    function resetGh(): void {
        fs.rmSync(ghLog(), { force: true });
    }

    it("pull request with a policy violation: the comment names it, the job fails", async () => {
        resetGh();
        const job = workflow("pull-request.yml").jobs.preview;
        const { results, failed } = await runJob(job, ws!.env, values);
        assert.strictEqual(stepNamed(results, "Write the certificate").code, 0);
        assert.ok(fs.existsSync(path.join(ws!.dir, ".secrets", "exo.pfx")), "the certificate was written where the stack expects it");
        assert.notStrictEqual(stepNamed(results, "Preview").code, 0, stepNamed(results, "Preview").output);
        assert.strictEqual(stepNamed(results, "Drift report").code, 0, stepNamed(results, "Drift report").output);
        assert.strictEqual(stepNamed(results, "Post the comment").code, 0);
        const posted = fs.readFileSync(ghLog(), "utf8");
        assert.match(posted, /^ARGS pr comment 7 --repo octo\/domains --body-file /m);
        assert.match(posted, /\[mandatory\]\s+synced-domain-not-authoritative/);
        assert.match(posted, /policy pack: \*\*failed\*\*/);
        const fail = stepNamed(results, "Fail on policy violation");
        assert.ok(fail.ran && fail.code !== 0);
        assert.ok(failed);
        assert.doesNotMatch(results.map((r) => r.output).join("\n") + posted, new RegExp(`${values.PULUMI_CONFIG_PASSPHRASE}|${values.EXO_CERTIFICATE_PFX_BASE64.slice(0, 40)}`), "no secret in any output");
    });

    it("pull request that fixes the domain: passes, and the comment shows the change it makes", async () => {
        resetGh();
        const r = await pulumi(ws!, ["config", "set", "--path", 'exchange:domains["contoso.com"].type', "InternalRelay"]);
        assert.strictEqual(r.code, 0, r.output);
        const { results, failed } = await runJob(workflow("pull-request.yml").jobs.preview, ws!.env, values);
        assert.strictEqual(stepNamed(results, "Preview").code, 0, stepNamed(results, "Preview").output);
        assert.ok(!stepNamed(results, "Fail on policy violation").ran);
        assert.ok(!failed);
        const posted = fs.readFileSync(ghLog(), "utf8");
        assert.match(posted, /policy pack: \*\*passed\*\*/);
        assert.match(posted, /\| contoso\.com \| domainType \| InternalRelay \| Authoritative \|/);
    });

    it("schedule: drift opens an issue with the report and fails; after up, no issue and success", async () => {
        resetGh();
        const job = workflow("drift.yml").jobs.drift;
        const drifted = await runJob(job, ws!.env, values);
        assert.strictEqual(drifted.outputs.report.outputs["exit-code"], "1", stepNamed(drifted.results, "Drift report").output);
        const posted = fs.readFileSync(ghLog(), "utf8");
        assert.match(posted, /^ARGS issue create --repo octo\/domains --title Accepted domains drift in stack e2e --body-file /m);
        assert.match(posted, /\| contoso\.com \| domainType \| InternalRelay \| Authoritative \|/);
        assert.ok(drifted.failed);

        const up = await pulumi(ws!, ["up", "--yes", "--skip-preview", "--policy-pack", "../../../policies"]);
        assert.strictEqual(up.code, 0, up.output);
        resetGh();
        const clean = await runJob(job, ws!.env, values);
        assert.strictEqual(clean.outputs.report.outputs["exit-code"], "0", stepNamed(clean.results, "Drift report").output);
        assert.ok(!fs.existsSync(ghLog()), "no issue opened");
        assert.ok(!clean.failed);
    });

    it("schedule: an unreachable tenant fails the job without opening an issue", async () => {
        resetGh();
        const bad = { ...values, EXO_CERTIFICATE_PFX_BASE64: Buffer.from("not a certificate").toString("base64") };
        const r = await runJob(workflow("drift.yml").jobs.drift, ws!.env, bad);
        assert.strictEqual(r.outputs.report.outputs["exit-code"], "2", stepNamed(r.results, "Drift report").output);
        assert.ok(!fs.existsSync(ghLog()), "no issue for an error");
        assert.match(stepNamed(r.results, "Fail on drift or error").output, /nothing is known about drift/);
        assert.ok(r.failed);
    });
});
