/** Shared fixtures: a fresh KB demo tenant per test and node-powershell sessions on the emulator. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PowerShell } from "node-powershell";
import { readFramed } from "../../../components/exchange/framed-reader";
import { stripTerminalSequences } from "../../../components/exchange/pwsh-output";
import { DEMO_APP_ID, DEMO_CERT_PASSWORD, DEMO_ORGANIZATION, writeKbDemo } from "../../../emulator/demo";
import { readJournal } from "../../../emulator/journal";
import { loadTenantState, writeTenantState, type TenantState } from "../../../emulator/state";
import { removeTenantDir } from "../../remove-tenant-dir";

export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const PWSH = path.join(ROOT, "emulator", "bin", "pwsh");

if (!fs.existsSync(path.join(ROOT, "dist", "emulator", "main.js"))) {
    throw new Error("dist/emulator/main.js is missing: run `npx tsc -p tsconfig.json` before these tests");
}

export interface Tenant {
    dir: string;
    state: string;
    journal: string;
    cert: string;
    read(): TenantState;
    edit(fn: (s: TenantState) => void): void;
    events(): ReturnType<typeof readJournal>;
    /** Removes the directory once its emulators have ended (each spec's afterEach; /tmp kept 70 a run before). */
    remove(): void;
}

export function makeTenant(): Tenant {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "exo-emu-"));
    const state = path.join(dir, "tenant.json");
    const { certificateFile } = writeKbDemo(state);
    const journal = path.join(dir, "journal.jsonl");
    return {
        dir,
        state,
        journal,
        cert: certificateFile,
        read: () => loadTenantState(state),
        edit: (fn) => {
            const s = loadTenantState(state);
            fn(s);
            writeTenantState(state, s);
        },
        events: () => readJournal(journal),
        remove: () => removeTenantDir(dir, journal),
    };
}

/**
 * The environment real pwsh's default output comes from: VT on (TERM not dumb), not plain text
 * (no NO_COLOR), so these tests see what the product sees (host.ts).
 */
export function pwshEnv(t: Tenant, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { ...process.env, NO_COLOR: undefined, TERM: "xterm-256color", EXO_EMULATOR_STATE: t.state, EXO_EMULATOR_JOURNAL: t.journal, ...extra };
}

export function startShell(t: Tenant, extra: { throwOnInvocationError?: boolean; env?: NodeJS.ProcessEnv; executableOptions?: Record<string, boolean> } = {}): PowerShell {
    const ps = new PowerShell({
        executable: PWSH,
        throwOnInvocationError: extra.throwOnInvocationError ?? false,
        executableOptions: extra.executableOptions ?? { "-NoProfile": true, "-NonInteractive": true },
        spawnOptions: { env: pwshEnv(t, extra.env) },
    });
    // child-shell's own reply reader hangs when ESC[?1h follows the closing marker (framed-reader.ts).
    (ps as unknown as { readBulkFromOutput: typeof readFramed }).readBulkFromOutput = readFramed;
    return ps;
}

/** PowerShell single-quoted literal, as components/exchange/quote.ts renders values. */
export function q(value: string): string {
    return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (c) => c + c)}'`;
}

export function connectCommand(t: Tenant, password = DEMO_CERT_PASSWORD, appId = DEMO_APP_ID, org = DEMO_ORGANIZATION): string {
    return `Connect-ExchangeOnline -AppId ${q(appId)} -CertificateFilePath ${q(t.cert)} -CertificatePassword (ConvertTo-SecureString -String ${q(password)} -AsPlainText -Force) -Organization ${q(org)} -ShowBanner:$false`;
}

/** The session layer's error wrapper (contract.md §3). */
export function wrap(cmd: string): string {
    return `try { ${cmd} } catch { [Console]::Error.WriteLine((@{ reason = $_.CategoryInfo.Reason; message = $_.Exception.Message; errorId = $_.FullyQualifiedErrorId } | ConvertTo-Json -Compress)); }`;
}

export interface Result {
    /** stdout without terminal sequences (what the product's stream cleaner leaves). */
    stdout: string;
    /** stderr without terminal sequences. */
    stderr: string;
    hadErrors: boolean;
    /** The bytes as pwsh wrote them. */
    rawStdout: string;
    rawStderr: string;
}

export async function run(ps: PowerShell, command: string): Promise<Result> {
    const r = await ps.invoke(command);
    const rawStdout = r.stdout?.toString("utf8") ?? "";
    const rawStderr = r.stderr?.toString("utf8") ?? "";
    return { stdout: stripTerminalSequences(rawStdout), stderr: stripTerminalSequences(rawStderr), hadErrors: r.hadErrors, rawStdout, rawStderr };
}

export async function connected(t: Tenant): Promise<PowerShell> {
    const ps = startShell(t);
    const r = await run(ps, `$ErrorActionPreference = 'Stop'; ${wrap(connectCommand(t))}`);
    if (r.hadErrors) throw new Error(`connect failed: ${r.stderr}`);
    return ps;
}
