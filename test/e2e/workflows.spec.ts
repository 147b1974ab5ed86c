/**
 * The users' CI workflows (.github/workflows): parsed (js-yaml, a transitive
 * dependency of mocha), checked for how secrets are handled, and their jobs run
 * locally step by step against the emulated tenant, with GitHub's `if:`
 * conditions, step outcomes, outputs and GITHUB_ENV, a local GitHub REST API and
 * Entra token endpoint (tiny HTTP servers on 127.0.0.1 that keep what they are
 * sent), and every `${{ }}` value supplied by the test. The pull request and its
 * base branch are two copies of this repository. Skipped: `uses:` actions (the
 * official CLI's place is taken by scripts/pulumi, which runs the installed CLI
 * when there is one) and the two npm installs (the test machine has node_modules).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as http from "http";
import { execFileSync, spawn } from "child_process";
import type { AddressInfo } from "net";
import { backendFiles, configureExchange, createWorkspace, DEMO_ACCESS_TOKEN, pulumi, removeWorkspace, repoRoot, seedTenant, setConfig, stackConfigPath, tenant, type RunResult, type Workspace } from "./harness";

// js-yaml ships no types (and @types/js-yaml isn't installed): type the one function used.
const { load } = require("js-yaml") as { load(text: string): unknown };

/**
 * Runs a step script with stdin closed (the harness's runCommand writes to stdin,
 * which races with a step that exits at once: EPIPE).
 */
function runStep(script: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        // A runner starts run: steps in the workspace (the pull request's checkout).
        const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], { cwd: env.GITHUB_WORKSPACE ?? repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
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
    environment?: string;
    steps: Step[];
}
interface Workflow {
    name: string;
    on: Record<string, unknown>;
    concurrency?: { group: string; "cancel-in-progress": boolean };
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
    // Runs whatever failed before, but not in a cancelled run (the test never cancels).
    if (e === "!cancelled()") return true;
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

/** The npm installs, which the test machine has done (node_modules is linked into both checkouts). */
const INSTALL_STEPS = new Set(["Install", "Install the gate"]);

/**
 * Runs a job's `run:` steps in order, as a runner would (shell: bash = bash --noprofile --norc -eo
 * pipefail); a step's GITHUB_ENV lines reach the steps after it.
 */
async function runJob(job: Job, baseEnv: NodeJS.ProcessEnv, values: Record<string, string>): Promise<{ results: StepResult[]; failed: boolean; outputs: Record<string, StepState> }> {
    const states: Record<string, StepState> = {};
    const results: StepResult[] = [];
    let failed = false;
    const jobEnv = resolveEnv(job.env, values);
    const githubEnv = path.join(values.RUNNER_TEMP, `github-env-${Date.now()}`);
    fs.writeFileSync(githubEnv, "");
    for (const step of job.steps) {
        if (step.uses || INSTALL_STEPS.has(step.name ?? "")) continue;
        const name = step.name ?? step.run!.slice(0, 40);
        if (!condition(step.if, states, failed)) {
            if (step.id) states[step.id] = { outcome: "skipped", outputs: {} };
            results.push({ name, ran: false, code: 0, output: "" });
            continue;
        }
        const outputFile = path.join(values.RUNNER_TEMP, `output-${results.length}`);
        fs.writeFileSync(outputFile, "");
        const exported = Object.fromEntries(
            fs.readFileSync(githubEnv, "utf8").split("\n").filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
        );
        const env = { ...baseEnv, ...jobEnv, ...exported, ...resolveEnv(step.env, values, states), GITHUB_OUTPUT: outputFile, GITHUB_ENV: githubEnv };
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

const PINNED_CLI = /^PULUMI_VERSION=v(\S+)$/m.exec(fs.readFileSync(path.join(repoRoot, "scripts", "toolchain-env"), "utf8"))![1];
const FILES = ["apply.yml", "drift.yml", "pull-request.yml"];

describe("CI workflows: parsed", () => {
    it("has the pull-request gate, the apply on merge and the scheduled drift workflow", () => {
        assert.deepStrictEqual(fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort(), FILES);
        assert.ok("pull_request" in workflow("pull-request.yml").on);
        assert.deepStrictEqual((workflow("apply.yml").on.push as { branches: string[] }).branches, ["main"]);
        const drift = workflow("drift.yml").on.schedule as { cron: string }[];
        assert.match(drift[0].cron, /^(\S+\s+){4}\S+$/);
    });

    for (const file of FILES) {
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

            it("the official CLI from Pulumi's action at the pinned version, not a build from Go; the module for the runner's pwsh; OIDC allowed", () => {
                const w = workflow(file);
                const steps = Object.values(w.jobs).flatMap((j) => j.steps);
                const cli = steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));
                assert.strictEqual(cli.length, 1);
                assert.deepStrictEqual((cli[0] as Step & { with?: Record<string, string> }).with, { "pulumi-version": PINNED_CLI });
                assert.ok(!steps.some((s) => s.uses?.startsWith("actions/setup-go")), "no Go: the CLI is not built from source");
                assert.ok(steps.some((s) => /scripts\/ci\/install-exo-module"?$/.test(s.run ?? "")), "ExchangeOnlineManagement is installed");
                assert.strictEqual(w.permissions["id-token"], "write", "a GitHub OIDC token can be asked for");
                assert.ok(steps.some((s) => /scripts\/ci\/entra-token\.ts"?$/.test(s.run ?? "")));
            });
        });
    }

    it("pull request: the policy pack, its config and the tools come from the base branch; the preview may fail without hiding the comment", () => {
        const job = workflow("pull-request.yml").jobs.preview;
        const checkouts = job.steps.filter((s) => s.uses?.startsWith("actions/checkout@")) as (Step & { with?: Record<string, unknown> })[];
        assert.strictEqual(checkouts.length, 2);
        assert.deepStrictEqual(checkouts[1].with, { ref: "${{ github.event.pull_request.base.sha }}", path: ".gate", "persist-credentials": false });
        assert.strictEqual(job.env?.GATE_DIR, "${{ github.workspace }}/.gate");
        const preview = job.steps.find((s) => s.id === "preview")!;
        assert.match(preview.run!, /^\s*"\$GATE_DIR\/scripts\/pulumi" preview /m);
        assert.match(preview.run!, /--policy-pack "\$GATE_DIR\/policies" --policy-pack-config "\$GATE_DIR\/policy-config\.json"/);
        assert.strictEqual(preview["continue-on-error"], true);
        for (const s of job.steps.filter((s) => /scripts\//.test(s.run ?? ""))) {
            assert.match(s.run!, /\$GATE_DIR\/scripts\/|^\s*cd "\$GATE_DIR"/m, `${s.name} runs the base branch's tool`);
        }
        // Node's -r resolves from the working directory: the gate's ts-node, not the pull request's.
        for (const s of job.steps.filter((s) => /node -r /.test(s.run ?? ""))) assert.match(s.run!, /cd "\$GATE_DIR"/, s.name);
        assert.strictEqual(job.steps.find((s) => s.name === "Install")?.run, "npm ci --ignore-scripts --no-audit --no-fund", "no install script of the pull request runs");
        for (const s of job.steps.filter((s) => s.if?.includes("always()"))) assert.fail(`${s.name}: always() also runs in a cancelled run; use !cancelled()`);
        const last = job.steps[job.steps.length - 1];
        assert.strictEqual(last.if, "steps.preview.outcome == 'failure'");
        assert.ok(fs.existsSync(path.join(repoRoot, "policy-config.json")), "the committed policy config");
    });

    it("apply: up on push to main in the production environment, with that branch's pack and config, never two at once for a stack", () => {
        const w = workflow("apply.yml");
        const job = w.jobs.up;
        assert.strictEqual(job.environment, "production");
        assert.deepStrictEqual(w.concurrency, { group: "accepted-domains-apply-${{ vars.PULUMI_STACK || 'prod' }}", "cancel-in-progress": false });
        const up = job.steps.find((s) => /scripts\/pulumi" up /.test(s.run ?? ""))!;
        assert.match(up.run!, /--policy-pack "\$GITHUB_WORKSPACE\/policies" --policy-pack-config "\$GITHUB_WORKSPACE\/policy-config\.json"/);
    });
});

/** What the local GitHub API and Entra endpoint were sent, and what they hold. */
interface FakeGitHub {
    url: string;
    comments: { id: number; issue: number; body: string }[];
    issues: { number: number; title: string; body: string; state: string; labels: string[] }[];
    tokenRequests: URLSearchParams[];
    close(): Promise<void>;
}

const OIDC_JWT = "github-oidc-jwt-for-the-test";

/** The REST endpoints scripts/ci/github.ts uses, plus GitHub's OIDC token URL and Entra's token endpoint. */
async function fakeGitHub(repo: string): Promise<FakeGitHub> {
    const state: Omit<FakeGitHub, "url" | "close"> = { comments: [], issues: [], tokenRequests: [] };
    let next = 100;
    const server = http.createServer((req, res) => {
        let raw = "";
        req.on("data", (c: Buffer) => (raw += c.toString()));
        req.on("end", () => {
            const url = new URL(req.url ?? "/", "http://x");
            const send = (code: number, body: unknown) => {
                res.writeHead(code, { "Content-Type": "application/json" });
                res.end(JSON.stringify(body));
            };
            const body = raw && req.headers["content-type"]?.includes("json") ? (JSON.parse(raw) as Record<string, unknown>) : {};
            const p = url.pathname;
            let m: RegExpExecArray | null;
            if (p === "/oidc") {
                if (req.headers.authorization !== "Bearer actions-request-token" || url.searchParams.get("audience") !== "api://AzureADTokenExchange") return send(401, {});
                return send(200, { value: OIDC_JWT });
            }
            if ((m = /^\/([\w-]+)\/oauth2\/v2\.0\/token$/.exec(p)) && req.method === "POST") {
                const form = new URLSearchParams(raw);
                state.tokenRequests.push(form);
                if (form.get("client_assertion") !== OIDC_JWT) return send(401, { error: "invalid_client", error_description: "AADSTS700213: No matching federated identity record found" });
                return send(200, { token_type: "Bearer", expires_in: 3599, access_token: DEMO_ACCESS_TOKEN });
            }
            if (req.headers.authorization !== "Bearer fake-token") return send(401, { message: "Bad credentials" });
            const base = `/repos/${repo}`;
            if ((m = new RegExp(`^${base}/issues/(\\d+)/comments$`).exec(p))) {
                const issue = Number(m[1]);
                if (req.method === "GET") return send(200, url.searchParams.get("page") === "1" ? state.comments.filter((c) => c.issue === issue) : []);
                const c = { id: next++, issue, body: String(body.body) };
                state.comments.push(c);
                return send(201, c);
            }
            if ((m = new RegExp(`^${base}/issues/comments/(\\d+)$`).exec(p)) && req.method === "PATCH") {
                const c = state.comments.find((x) => x.id === Number(m![1]));
                if (!c) return send(404, {});
                c.body = String(body.body);
                return send(200, c);
            }
            if (p === `${base}/issues` && req.method === "GET") {
                return send(200, url.searchParams.get("page") === "1" ? state.issues.filter((i) => i.state === url.searchParams.get("state")) : []);
            }
            if (p === `${base}/issues` && req.method === "POST") {
                const i = { number: next++, title: String(body.title), body: String(body.body), state: "open", labels: (body.labels as string[]) ?? [] };
                state.issues.push(i);
                return send(201, i);
            }
            if ((m = new RegExp(`^${base}/issues/(\\d+)$`).exec(p)) && req.method === "PATCH") {
                const i = state.issues.find((x) => x.number === Number(m![1]));
                if (!i) return send(404, {});
                if (typeof body.body === "string") i.body = body.body;
                if (typeof body.state === "string") i.state = body.state;
                return send(200, i);
            }
            send(404, { message: `not served: ${req.method} ${p}` });
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, ...state, close: () => new Promise((r) => server.close(() => r())) };
}

/** A checkout of this repository as it is now (tracked and new files), sharing node_modules. */
function checkout(dir: string): string {
    const files = execFileSync("git", ["ls-files", "-z", "-co", "--exclude-standard"], { cwd: repoRoot, encoding: "utf8" }).split("\0").filter((f) => f && fs.existsSync(path.join(repoRoot, f)));
    for (const f of files) {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.copyFileSync(path.join(repoRoot, f), path.join(dir, f));
        fs.chmodSync(path.join(dir, f), fs.statSync(path.join(repoRoot, f)).mode);
    }
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

describe("CI workflows: run locally against the emulated tenant", function () {
    this.timeout(15 * 60 * 1000);
    let ws: Workspace | undefined;
    let temp = "";
    let gh: FakeGitHub | undefined;
    let values: Record<string, string> = {};
    let gate = "";
    let pr = "";
    const installLog = () => path.join(temp, "install-module.log");

    before(async () => {
        ws = await createWorkspace({ name: "workflows" });
        const cert = await seedTenant(ws);
        temp = fs.mkdtempSync(path.join(os.tmpdir(), "workflows-"));
        gate = checkout(path.join(temp, "base"));
        pr = checkout(path.join(temp, "pr"));
        // The pull request weakens the rule that guards its own change: mandatory -> advisory.
        const rule = path.join(pr, "policies", "coexistence.ts");
        const weakened = fs.readFileSync(rule, "utf8").replace(/enforcementLevel: "mandatory"/g, 'enforcementLevel: "advisory"');
        assert.notStrictEqual(weakened, fs.readFileSync(rule, "utf8"), "the test found the rule to weaken");
        fs.writeFileSync(rule, weakened);

        const ciCert = path.join(ws.dir, ".secrets", "exo.pfx");
        // The stack points at the path the workflow writes the certificate to; the test never writes it itself.
        await configureExchange(ws, ciCert, {
            "contoso.com": { type: "Authoritative", directorySynced: true },
            "fabrikam.com": { type: "InternalRelay" },
        });
        gh = await fakeGitHub("octo/domains");
        // A pwsh on PATH for install-exo-module only (the stack's exchange:pwshPath is the emulator's).
        const bin = path.join(temp, "bin");
        fs.mkdirSync(bin);
        fs.writeFileSync(
            path.join(bin, "pwsh"),
            `#!/usr/bin/env bash\ncase "$*" in *PSVersionTable*) printf '\\033[?1h7.4.6\\n\\033[?1l' ;; *) printf '%s\\n' "$*" >> "${installLog()}" ;; esac\n`,
            { mode: 0o755 },
        );
        values = {
            STACK: ws.stack,
            PROJECT_DIR: ws.dir,
            GATE_DIR: gate,
            BASE_REF: "main",
            PULUMI_BACKEND_URL: ws.env.PULUMI_BACKEND_URL!,
            PULUMI_ACCESS_TOKEN: "",
            PULUMI_CONFIG_PASSPHRASE: ws.env.PULUMI_CONFIG_PASSPHRASE!,
            EXO_CERTIFICATE_PFX_BASE64: fs.readFileSync(cert).toString("base64"),
            EXO_CERTIFICATE_PATH: ".secrets/exo.pfx",
            AZURE_CLIENT_ID: "",
            AZURE_TENANT_ID: "",
            GH_TOKEN: "fake-token",
            PR_NUMBER: "7",
            PREVIEW_OUTCOME: "",
            REPORT_EXIT: "",
            RUNNER_TEMP: temp,
        };
        ws.env = { ...ws.env, PATH: `${bin}:${ws.env.PATH}`, GITHUB_WORKSPACE: pr, GITHUB_REPOSITORY: "octo/domains", GITHUB_API_URL: gh.url, RUNNER_TEMP: temp };
    });
    after(async () => {
        removeWorkspace(ws);
        await gh?.close();
        if (temp) fs.rmSync(temp, { recursive: true, force: true });
    });

    const prComments = () => gh!.comments.filter((c) => c.issue === 7);
    const stepEnv = (results: StepResult[]) => results.map((r) => r.output).join("\n");

    it("pull request that weakens policies/ to advisory: the base branch's gate still refuses, the comment gives the full reason, the job fails", async () => {
        const job = workflow("pull-request.yml").jobs.preview;
        const { results, failed } = await runJob(job, ws!.env, { ...values, PREVIEW_OUTCOME: "" });
        assert.strictEqual(stepNamed(results, "Install ExchangeOnlineManagement").code, 0, stepNamed(results, "Install ExchangeOnlineManagement").output);
        assert.match(fs.readFileSync(installLog(), "utf8"), /Install-Module -Name ExchangeOnlineManagement -RequiredVersion '3\.9\.2' -Repository PSGallery -Scope CurrentUser/, "the module pinned for PowerShell 7.4");
        assert.match(stepNamed(results, "Sign in without a secret").output, /no AZURE_CLIENT_ID variable: skipping OIDC/);
        assert.strictEqual(stepNamed(results, "Write the certificate").code, 0);
        assert.ok(fs.existsSync(path.join(ws!.dir, ".secrets", "exo.pfx")), "the certificate was written where the stack expects it");
        const preview = stepNamed(results, "Preview");
        assert.notStrictEqual(preview.code, 0, preview.output);
        assert.match(preview.output, /\[mandatory\]\s+synced-domain-not-authoritative/);
        assert.strictEqual(stepNamed(results, "Post the comment").code, 0, stepNamed(results, "Post the comment").output);
        const comments = prComments();
        assert.strictEqual(comments.length, 1, "one comment");
        assert.match(comments[0].body, /policy-config\.json of `main` \(the rules this pull request merges into\): \*\*failed\*\*/);
        assert.match(comments[0].body, /\*\*\[mandatory\] `synced-domain-not-authoritative`\*\* on `contoso\.com`/);
        assert.match(comments[0].body, /on `contoso\.com`\n\n(?:> .*\n)*?> .*KB 2510049/, "the full reason, not just the rule's name");
        assert.match(comments[0].body, /### What `up` would do after merging/);
        const fail = stepNamed(results, "Fail on policy violation");
        assert.ok(fail.ran && fail.code !== 0);
        assert.ok(failed);
        assert.doesNotMatch(stepEnv(results) + comments[0].body, new RegExp(`${values.PULUMI_CONFIG_PASSPHRASE}|${values.EXO_CERTIFICATE_PFX_BASE64.slice(0, 40)}`), "no secret in any output");
    });

    it("the pull request's own, weakened policy pack would pass the change: so the gate above was not a given", async () => {
        const own = await pulumi(ws!, ["preview", "--policy-pack", path.join(pr, "policies"), "--policy-pack-config", path.join(pr, "policy-config.json")]);
        assert.strictEqual(own.code, 0, own.output);
        assert.match(own.output, /\[advisory\]\s+synced-domain-not-authoritative/);
    });

    it("a reviewed exemption in the base branch's policy-config.json: passes, and the same comment shows who approved it until when", async () => {
        const config = { "synced-domain-not-authoritative": { syncedDomains: [], exemptions: [{ domain: "contoso.com", reason: "cut-over weekend", approvedBy: "mail-team@contoso.com", expires: "2099-12-31" }] } };
        fs.writeFileSync(path.join(gate, "policy-config.json"), JSON.stringify(config, null, 2));
        try {
            const { results, failed } = await runJob(workflow("pull-request.yml").jobs.preview, ws!.env, values);
            assert.strictEqual(stepNamed(results, "Preview").code, 0, stepNamed(results, "Preview").output);
            assert.ok(!failed);
            const comments = prComments();
            assert.strictEqual(comments.length, 1, "updated in place, not a second comment");
            assert.match(comments[0].body, /\*\*passed\*\*/);
            assert.match(comments[0].body, /### Exemptions used\n\n- `contoso\.com`: .*approved by mail-team@contoso\.com, valid until 2099-12-31: cut-over weekend/);
        } finally {
            fs.copyFileSync(path.join(repoRoot, "policy-config.json"), path.join(gate, "policy-config.json"));
        }
    });

    it("pull request that fixes the domain: passes, and the one comment now shows the change up makes, in Exchange words", async () => {
        const r = await pulumi(ws!, ["config", "set", "--path", 'exchange:domains["contoso.com"].type', "InternalRelay"]);
        assert.strictEqual(r.code, 0, r.output);
        const { results, failed } = await runJob(workflow("pull-request.yml").jobs.preview, ws!.env, values);
        assert.strictEqual(stepNamed(results, "Preview").code, 0, stepNamed(results, "Preview").output);
        assert.ok(!stepNamed(results, "Fail on policy violation").ran);
        assert.ok(!failed);
        const comments = prComments();
        assert.strictEqual(comments.length, 1);
        assert.match(comments[0].body, /\*\*passed\*\*/);
        assert.doesNotMatch(comments[0].body, /Policy violations/);
        assert.match(comments[0].body, /\| contoso\.com \| domainType \| InternalRelay \| Authoritative \|/);
        assert.match(comments[0].body, /- contoso\.com: .*Set-AcceptedDomain/);
    });

    it("schedule: drift opens one issue for the stack, a second run updates it instead of opening another", async () => {
        const job = workflow("drift.yml").jobs.drift;
        const first = await runJob(job, ws!.env, values);
        assert.strictEqual(first.outputs.report.outputs["exit-code"], "1", stepNamed(first.results, "Drift report").output);
        assert.ok(first.failed);
        let open = gh!.issues.filter((i) => i.state === "open");
        assert.strictEqual(open.length, 1);
        assert.strictEqual(open[0].title, "Accepted domains drift in stack e2e");
        assert.match(open[0].body, /\| contoso\.com \| domainType \| InternalRelay \| Authoritative \|/);
        const firstBody = open[0].body;

        const second = await runJob(job, ws!.env, values);
        assert.match(stepNamed(second.results, "Keep the stack's drift issue").output, new RegExp(`drift issue for stack e2e: updated #${open[0].number}`));
        open = gh!.issues.filter((i) => i.state === "open");
        assert.strictEqual(open.length, 1, "the same issue, not a new one");
        assert.notStrictEqual(open[0].body, firstBody, "its body was rewritten (new time)");
    });

    it("apply on merge with OIDC: the Entra token goes to EXO_ACCESS_TOKEN (masked), up applies, and the tenant is then in sync", async () => {
        await pulumi(ws!, ["config", "rm", "exchange:auth"]);
        await setConfig(ws!, { "exchange:auth": { kind: "accessToken", accessTokenEnv: "EXO_ACCESS_TOKEN" } });
        const oidc = {
            ...values,
            AZURE_CLIENT_ID: "11111111-2222-3333-4444-555555555555",
            AZURE_TENANT_ID: "contoso-tenant-id",
            EXO_CERTIFICATE_PFX_BASE64: "",
        };
        const env = { ...ws!.env, GITHUB_WORKSPACE: repoRoot, ACTIONS_ID_TOKEN_REQUEST_URL: `${gh!.url}/oidc?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: "actions-request-token", ENTRA_AUTHORITY: gh!.url };
        const { results, failed } = await runJob(workflow("apply.yml").jobs.up, env, oidc);
        const signIn = stepNamed(results, "Sign in without a secret");
        assert.strictEqual(signIn.code, 0, signIn.output);
        assert.ok(signIn.output.includes(`::add-mask::${DEMO_ACCESS_TOKEN}`), "the token is masked before anything can print it");
        assert.strictEqual(signIn.output.split(DEMO_ACCESS_TOKEN).length, 2, "and appears nowhere else");
        const [request] = gh!.tokenRequests;
        assert.strictEqual(request.get("scope"), "https://outlook.office365.com/.default");
        assert.strictEqual(request.get("client_id"), oidc.AZURE_CLIENT_ID);
        assert.strictEqual(request.get("client_assertion_type"), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        const up = stepNamed(results, "Up with the policy pack");
        assert.strictEqual(up.code, 0, up.output);
        assert.strictEqual(stepNamed(results, "In sync afterwards").code, 0, stepNamed(results, "In sync afterwards").output);
        assert.ok(!failed);
        assert.strictEqual(tenant(ws!).acceptedDomains.find((d) => d.domainName === "contoso.com")?.domainType, "InternalRelay");
        assert.ok(!results.slice(results.indexOf(signIn) + 1).some((r) => r.output.includes(DEMO_ACCESS_TOKEN)), "no later step prints the token");
        assert.ok(!fs.readFileSync(stackConfigPath(ws!), "utf8").includes(DEMO_ACCESS_TOKEN), "the token is not in the stack config");
        assert.ok(!backendFiles(ws!).some((content) => content.includes(DEMO_ACCESS_TOKEN)), "nor in the state");
    });

    it("schedule: back in sync, the stack's issue is closed with a note and the job succeeds", async () => {
        const job = workflow("drift.yml").jobs.drift;
        const env = { ...ws!.env, ACTIONS_ID_TOKEN_REQUEST_URL: `${gh!.url}/oidc?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: "actions-request-token", ENTRA_AUTHORITY: gh!.url };
        const clean = await runJob(job, env, { ...values, AZURE_CLIENT_ID: "11111111-2222-3333-4444-555555555555", AZURE_TENANT_ID: "contoso-tenant-id", EXO_CERTIFICATE_PFX_BASE64: "" });
        assert.strictEqual(clean.outputs.report.outputs["exit-code"], "0", stepNamed(clean.results, "Drift report").output);
        assert.ok(!clean.failed);
        assert.strictEqual(gh!.issues.filter((i) => i.state === "open").length, 0);
        const closed = gh!.issues.find((i) => i.state === "closed")!;
        assert.ok(gh!.comments.some((c) => c.issue === closed.number && /matches the code again/.test(c.body)));
    });

    it("schedule: a run that cannot sign in (no token) fails the job and leaves the issues as they are", async () => {
        const before = JSON.stringify(gh!.issues);
        const bad = { ...values, AZURE_CLIENT_ID: "" };
        const r = await runJob(workflow("drift.yml").jobs.drift, ws!.env, bad);
        assert.strictEqual(r.outputs.report.outputs["exit-code"], "2", stepNamed(r.results, "Drift report").output);
        assert.match(stepNamed(r.results, "Keep the stack's drift issue").output, /the drift report failed \(exit 2\): the stack's issue is left as it is/);
        assert.strictEqual(JSON.stringify(gh!.issues), before);
        assert.match(stepNamed(r.results, "Fail on drift or error").output, /nothing is known about drift/);
        assert.ok(r.failed);
    });
});
