/**
 * Which Pulumi CLI scripts/pulumi runs, and with which backend (scripts/pulumi-env): an installed
 * official CLI first (PULUMI_CLI, then PATH), the one built from Go modules only when there is
 * none; a backend the user chose is never overridden. The "installed" CLIs here are small scripts
 * that print a version and record what they were run with.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawn } from "child_process";
import { pulumiScript, repoRoot, type RunResult } from "./harness";
import { resolvePulumiCli } from "../../scripts/drift/pulumi-cli";

const BUILT_VERSION = /^PULUMI_VERSION=(\S+)$/m.exec(fs.readFileSync(path.join(repoRoot, "scripts", "toolchain-env"), "utf8"))![1];

function run(args: string[], env: NodeJS.ProcessEnv, cwd = repoRoot): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(pulumiScript, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
        child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr, output: stdout + stderr }));
    });
}

/** What a fake CLI recorded: its arguments and the environment scripts/pulumi gave it. */
function recorded(stdout: string): Record<string, string> {
    return Object.fromEntries(stdout.split("\n").filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
}

describe("scripts/pulumi: an installed CLI first, the one built from Go modules only when there is none", function () {
    this.timeout(5 * 60 * 1000);
    let temp = "";
    let env: NodeJS.ProcessEnv = {};
    const fakeDir = (name: string) => path.join(temp, name);

    function fakeCli(name: string, version: string): string {
        const dir = fakeDir(name);
        fs.mkdirSync(dir, { recursive: true });
        const file = path.join(dir, "pulumi");
        fs.writeFileSync(
            file,
            [
                "#!/usr/bin/env bash",
                `if [ "$1" = version ]; then echo v${version}; exit 0; fi`,
                `echo "CLI=${name}"`,
                'echo "ARGS=$*"',
                'echo "BACKEND=${PULUMI_BACKEND_URL-<unset>}"',
                'echo "HOME_DIR=${PULUMI_HOME-<unset>}"',
                'echo "ACQUISITION=${PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION-<unset>}"',
                'echo "PATH=$PATH"',
                "",
            ].join("\n"),
            { mode: 0o755 },
        );
        return file;
    }

    before(() => {
        temp = fs.mkdtempSync(path.join(os.tmpdir(), "cli-choice-"));
        fakeCli("official", "3.280.0");
        fakeCli("other", "3.290.0");
        fakeCli("old", "3.100.0");
        // No backend chosen, no login: a home of its own, and nothing from the test's environment.
        const home = path.join(temp, "home");
        fs.mkdirSync(home);
        // HOME moves, so the toolchain cache (under ~/.cache by default) is named where it is now.
        const toolchainCache = process.env.EXO_TOOLCHAIN_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "exchange-accepted-domains", "toolchain");
        env = { ...process.env, HOME: home, EXO_TOOLCHAIN_CACHE: toolchainCache, PULUMI_HOME: path.join(home, ".pulumi"), PULUMI_BACKEND_URL: undefined, PULUMI_CLI: undefined };
    });
    after(() => fs.rmSync(temp, { recursive: true, force: true }));

    const withPath = (...dirs: string[]) => ({ ...env, PATH: [...dirs, process.env.PATH].join(path.delimiter) });

    it("with a Pulumi CLI first on PATH, `scripts/pulumi version` runs that one", async () => {
        const r = await run(["version"], withPath(fakeDir("official")));
        assert.strictEqual(r.code, 0, r.output);
        assert.strictEqual(r.stdout.trim(), "v3.280.0");
    });

    it("runs it with every argument, its own PULUMI_HOME and plugins, and the project's file backend when none is chosen", async () => {
        const r = await run(["preview", "--stack", "prod", "--diff"], withPath(fakeDir("official")));
        assert.strictEqual(r.code, 0, r.output);
        const seen = recorded(r.stdout);
        assert.strictEqual(seen.CLI, "official");
        assert.strictEqual(seen.ARGS, "preview --stack prod --diff");
        assert.strictEqual(seen.BACKEND, `file://${repoRoot}/.pulumi/state`);
        assert.strictEqual(seen.HOME_DIR, env.PULUMI_HOME, "PULUMI_HOME is the user's");
        assert.strictEqual(seen.ACQUISITION, "<unset>", "plugin acquisition is the CLI's own");
        assert.doesNotMatch(seen.PATH, /exchange-accepted-domains\/toolchain/, "the built toolchain's plugins are not put first");
    });

    it("never overrides a chosen backend: PULUMI_BACKEND_URL, a `pulumi login`, or Pulumi.yaml's backend", async () => {
        const url = "azblob://state?storage_account=contoso";
        let seen = recorded((await run(["stack", "ls"], { ...withPath(fakeDir("official")), PULUMI_BACKEND_URL: url })).stdout);
        assert.strictEqual(seen.BACKEND, url);

        const loggedIn = path.join(temp, "logged-in");
        fs.mkdirSync(loggedIn);
        fs.writeFileSync(path.join(loggedIn, "credentials.json"), JSON.stringify({ current: "s3://team-state", accessTokens: {} }));
        seen = recorded((await run(["stack", "ls"], { ...withPath(fakeDir("official")), PULUMI_HOME: loggedIn })).stdout);
        assert.strictEqual(seen.BACKEND, "<unset>", "the CLI uses the backend of `pulumi login`");

        fs.writeFileSync(path.join(loggedIn, "credentials.json"), JSON.stringify({ current: "", accessTokens: {} }));
        seen = recorded((await run(["stack", "ls"], { ...withPath(fakeDir("official")), PULUMI_HOME: loggedIn })).stdout);
        assert.strictEqual(seen.BACKEND, `file://${repoRoot}/.pulumi/state`, "after `pulumi logout` the default applies again");

        const project = path.join(temp, "project-with-backend");
        fs.mkdirSync(path.join(project, "sub"), { recursive: true });
        fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: p\nruntime: nodejs\nbackend:\n  url: gs://team-state\n");
        seen = recorded((await run(["preview", "--cwd", path.join(project, "sub")], withPath(fakeDir("official")))).stdout);
        assert.strictEqual(seen.BACKEND, "<unset>", "Pulumi.yaml's backend, found upwards from --cwd");
        seen = recorded((await run(["preview"], withPath(fakeDir("official")), project)).stdout);
        assert.strictEqual(seen.BACKEND, "<unset>", "Pulumi.yaml's backend in the working directory");
    });

    it("PULUMI_CLI wins over PATH; `built` forces the CLI built from Go modules", async () => {
        let r = await run(["version"], { ...withPath(fakeDir("official")), PULUMI_CLI: path.join(fakeDir("other"), "pulumi") });
        assert.strictEqual(r.stdout.trim(), "v3.290.0", r.output);
        r = await run(["version"], { ...withPath(fakeDir("official")), PULUMI_CLI: "built" });
        assert.strictEqual(r.code, 0, r.output);
        assert.strictEqual(r.stdout.trim(), BUILT_VERSION);
    });

    it("an unusable PULUMI_CLI is refused with one line naming it and the fix; nothing runs", async () => {
        let r = await run(["up", "--yes"], { ...env, PULUMI_CLI: path.join(temp, "nowhere", "pulumi") });
        assert.strictEqual(r.code, 2);
        assert.match(r.stderr, /^scripts\/pulumi: PULUMI_CLI=\S+nowhere\/pulumi is not an executable; set it to an official Pulumi CLI \(v3\.248\.0 or later\), to "built", or unset it$/m);
        r = await run(["up", "--yes"], { ...env, PULUMI_CLI: path.join(fakeDir("old"), "pulumi") });
        assert.strictEqual(r.code, 2);
        assert.match(r.stderr, /PULUMI_CLI=\S+old\/pulumi is v3\.100\.0, older than v3\.248\.0; install a newer CLI, set PULUMI_CLI=built, or unset it/);
        assert.strictEqual(r.stdout, "", "the old CLI was not run");
    });

    it("a CLI on PATH older than the minimum is skipped, said on stderr: a newer one later on PATH runs, else the built one", async () => {
        let r = await run(["version"], withPath(fakeDir("old"), fakeDir("official")));
        assert.strictEqual(r.code, 0, r.output);
        assert.strictEqual(r.stdout.trim(), "v3.280.0");
        assert.match(r.stderr, /skipping \S+old\/pulumi v3\.100\.0 \(older than v3\.248\.0\)/);
        r = await run(["version"], { ...env, PATH: [fakeDir("old"), "/usr/local/bin", "/usr/bin", "/bin"].join(path.delimiter) });
        assert.strictEqual(r.code, 0, r.output);
        assert.strictEqual(r.stdout.trim(), BUILT_VERSION);
    });

    it("Pulumi Cloud by access token, and login/logout, get no file-backend default", async () => {
        let seen = recorded((await run(["preview", "--stack", "prod"], { ...withPath(fakeDir("official")), PULUMI_ACCESS_TOKEN: "pul-123" })).stdout);
        assert.strictEqual(seen.BACKEND, "<unset>", "PULUMI_ACCESS_TOKEN alone means Pulumi Cloud");
        seen = recorded((await run(["login"], withPath(fakeDir("official")))).stdout);
        assert.strictEqual(seen.BACKEND, "<unset>", "`login` without a URL is Pulumi Cloud's, not the project's file backend");
        seen = recorded((await run(["--non-interactive", "logout"], withPath(fakeDir("official")))).stdout);
        assert.strictEqual(seen.BACKEND, "<unset>");
    });

    it("scripts/ itself on PATH is not mistaken for an installed CLI", async () => {
        const r = await run(["version"], withPath(path.join(repoRoot, "scripts"), fakeDir("official")));
        assert.strictEqual(r.code, 0, r.output);
        assert.strictEqual(r.stdout.trim(), "v3.280.0");
    });

    it("the drift and export tools resolve the same CLI and environment (resolvePulumiCli)", () => {
        const installed = resolvePulumiCli(repoRoot, withPath(fakeDir("official")));
        assert.strictEqual(installed.kind, "installed");
        assert.strictEqual(installed.bin, path.join(fakeDir("official"), "pulumi"));
        assert.strictEqual(installed.env.PULUMI_BACKEND_URL, `file://${repoRoot}/.pulumi/state`);
        assert.strictEqual(installed.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION, undefined);

        const built = resolvePulumiCli(repoRoot, { ...env, PULUMI_CLI: "built", PULUMI_BACKEND_URL: "file:///elsewhere" });
        assert.strictEqual(built.kind, "built");
        assert.match(built.bin, /\/pulumi-v[\d.]+-[0-9a-f]+\/bin\/pulumi$/);
        assert.strictEqual(built.env.PULUMI_BACKEND_URL, "file:///elsewhere");
        assert.strictEqual(built.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION, "true");
        assert.strictEqual(built.env.PULUMI_SKIP_UPDATE_CHECK, "true");
        assert.ok(built.env.PATH.startsWith(path.dirname(built.bin) + path.delimiter), "the built CLI's plugins come first");
        assert.strictEqual(built.env.PULUMI_HOME, env.PULUMI_HOME, "a PULUMI_HOME the caller set is kept");
    });
});
