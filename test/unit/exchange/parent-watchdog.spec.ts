import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import { installParentWatchdog, isDynamicProviderHost, isProgramHost, processStartTime, programRunLauncher, runLauncher, watchParent } from "../../../components/exchange/parent-watchdog";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("parent watchdog (the provider process ends when the CLI is gone)", () => {
    it("does nothing while the parent stays", async () => {
        let exited: number | undefined;
        const stop = watchParent({ onGone: async () => undefined, intervalMs: 5, ancestry: () => "42", exit: (c) => (exited = c) });
        await sleep(40);
        stop();
        assert.equal(exited, undefined);
    });

    it("on a re-parenting, closes the session first and then exits with 1, once", async () => {
        let ppid = 42;
        const events: string[] = [];
        watchParent({
            onGone: async () => {
                events.push("dispose");
            },
            intervalMs: 5,
            ancestry: () => String(ppid),
            exit: (c) => events.push(`exit ${c}`),
        });
        ppid = 1;
        await sleep(60);
        assert.deepEqual(events, ["dispose", "exit 1"]);
    });

    it("exits after graceMs even when the cleanup hangs or fails", async () => {
        let ppid = 42;
        const exits: number[] = [];
        watchParent({ onGone: () => new Promise(() => undefined), graceMs: 20, intervalMs: 5, ancestry: () => String(ppid), exit: (c) => exits.push(c) });
        watchParent({ onGone: () => Promise.reject(new Error("boom")), graceMs: 1_000, intervalMs: 5, ancestry: () => String(ppid), exit: (c) => exits.push(c) });
        ppid = 7;
        await sleep(80);
        assert.deepEqual(exits, [1, 1]);
    });

    it("is installed only in the engine's dynamic-provider host", () => {
        assert.equal(isDynamicProviderHost(["node", "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js", "127.0.0.1:1"]), true);
        assert.equal(isDynamicProviderHost(["node", "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider"]), true);
        assert.equal(isDynamicProviderHost(["node", "/p/node_modules/.bin/mocha"]), false);
    });

    it("outside the provider host it watches nothing, even when the ancestry changes", async () => {
        let called = false;
        let exited = false;
        let ancestry = "42";
        const stop = installParentWatchdog({ onGone: async () => (called = true), ancestry: () => ancestry, intervalMs: 5, exit: () => (exited = true) }, ["node", "mocha"]);
        ancestry = "1";
        await new Promise((r) => setTimeout(r, 40));
        stop();
        assert.equal(called, false);
        assert.equal(exited, false);
        assert.equal((globalThis as unknown as Record<symbol, unknown>)[Symbol.for("exchange-accepted-domains/parent-watchdog")], undefined, "nothing installed");
    });

    it("under a shell launcher (Pulumi's official sh shim runs node without exec), the shell's parent is watched too", () => {
        const { launcherAncestry } = require("../../../components/exchange/parent-watchdog") as typeof import("../../../components/exchange/parent-watchdog");
        const procs: Record<number, { comm: string; ppid: number }> = { 10: { comm: "sh", ppid: 5 }, 20: { comm: "pulumi", ppid: 3 } };
        assert.equal(launcherAncestry(10, (p) => procs[p]), "10>5");
        assert.equal(launcherAncestry(20, (p) => procs[p]), "20", "the CLI itself: only it");
        procs[10].ppid = 1; // the CLI was killed: the shell is re-parented, node's own parent is unchanged
        assert.equal(launcherAncestry(10, (p) => procs[p]), "10>1");
        assert.equal(launcherAncestry(99, () => undefined), "99");
    });
});

describe("which CLI process a provider serves (the session keeper watches it)", () => {
    it("a process's start time from /proc; none for a process that is gone", async function () {
        if (!fs.existsSync("/proc/self/stat")) this.skip(); // only Linux has /proc; the session stays in-process elsewhere
        const child = spawn(process.execPath, ["-e", "setTimeout(() => undefined, 30000)"], { stdio: "ignore" });
        const pid = child.pid as number;
        await new Promise((r) => setTimeout(r, 100));
        const started = processStartTime(pid);
        assert.match(started ?? "", /^\d+$/);
        assert.deepEqual(runLauncher(pid), { pid, startTime: started }, "a parent that is not a shell is the CLI itself");
        child.kill("SIGKILL");
        await new Promise((r) => child.on("exit", r));
        assert.equal(processStartTime(pid), undefined);
        assert.equal(runLauncher(pid), undefined);
    });

    it("through a shell launcher (the official CLI's plugin shim), the shell's parent", async function () {
        if (!fs.existsSync("/proc/self/stat")) this.skip();
        // sh -c with two commands stays a shell: its child's parent is sh, and sh's parent is this process.
        const shell = spawn("sh", ["-c", "sleep 30; true"], { stdio: "ignore" });
        await new Promise((r) => setTimeout(r, 200));
        assert.deepEqual(runLauncher(shell.pid as number), { pid: process.pid, startTime: processStartTime(process.pid) });
        shell.kill("SIGKILL");
    });
});

describe("which CLI run a stack program belongs to (it starts the run's reads in the keeper)", () => {
    type Row = { comm: string; state: string; ppid: number; startTime: string };
    const table = (rows: Record<number, Row>) => (pid: number) => rows[pid];

    it("the program host is @pulumi/pulumi's cmd/run", () => {
        assert.equal(isProgramHost(["node", "/p/node_modules/@pulumi/pulumi/cmd/run/index.js"]), true);
        assert.equal(isProgramHost(["node", "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js"]), false);
        assert.equal(isProgramHost(["node", "/p/node_modules/.bin/mocha"]), false);
    });

    it("the language host's parent is the CLI; any other parent names no run", () => {
        const stat = table({
            20: { comm: "pulumi-language", state: "S", ppid: 10, startTime: "555" },
            10: { comm: "pulumi", state: "S", ppid: 1, startTime: "444" },
            30: { comm: "node", state: "S", ppid: 10, startTime: "556" },
            40: { comm: "pulumi-language", state: "S", ppid: 50, startTime: "557" },
            50: { comm: "pulumi", state: "Z", ppid: 1, startTime: "440" },
        });
        assert.deepEqual(programRunLauncher(20, stat), { pid: 10, startTime: "444" });
        assert.equal(programRunLauncher(30, stat), undefined, "not run by a language host (mocha, a script)");
        assert.equal(programRunLauncher(40, stat), undefined, "the CLI is a zombie");
        assert.equal(programRunLauncher(99, stat), undefined, "/proc can't tell");
    });
});
