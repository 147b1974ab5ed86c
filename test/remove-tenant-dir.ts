/**
 * Removing a directory an emulated tenant writes to (state, journal), for the unit fixture and the
 * e2e workspaces alike. A pwsh whose parent ended (a test's child process exiting, a CLI run's
 * session keeper) ends on its own at stdin's EOF and may still write its journal's last line while
 * the directory goes: ENOTEMPTY under a loaded CI run, even with rmSync's retries. So it first waits,
 * bounded, for every emulator process the journal names to end.
 */
import * as fs from "fs";
import { readJournal } from "../emulator/journal";

/** Waits up to `timeoutMs` for the emulators of `journal` to end, then removes `dir`. */
export function removeTenantDir(dir: string, journal: string, timeoutMs = 15_000): void {
    const pids = fs.existsSync(journal) ? readJournal(journal).map((e) => e.pid) : [];
    waitForExit(pids, timeoutMs);
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}

/** Blocks until none of the processes is alive, or the time is up (then the caller goes on). */
function waitForExit(pids: unknown[], timeoutMs: number): void {
    const alive = (pid: number) => {
        try {
            process.kill(pid, 0);
            return true;
        } catch (error) {
            return (error as NodeJS.ErrnoException).code === "EPERM";
        }
    };
    let left = [...new Set(pids.filter((p): p is number => typeof p === "number" && p !== process.pid))];
    const until = Date.now() + timeoutMs;
    while ((left = left.filter(alive)).length > 0 && Date.now() < until) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
}
