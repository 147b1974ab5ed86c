/** Shared fixtures: a fresh KB demo tenant per test and node-powershell sessions on the emulator. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PowerShell } from "node-powershell";
import { DEMO_APP_ID, DEMO_CERT_PASSWORD, DEMO_ORGANIZATION, writeKbDemo } from "../../../emulator/demo";
import { readJournal } from "../../../emulator/journal";
import { loadTenantState, writeTenantState, type TenantState } from "../../../emulator/state";

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
    };
}

export function startShell(t: Tenant, extra: { throwOnInvocationError?: boolean } = {}): PowerShell {
    return new PowerShell({
        executable: PWSH,
        throwOnInvocationError: extra.throwOnInvocationError ?? false,
        spawnOptions: { env: { ...process.env, EXO_EMULATOR_STATE: t.state, EXO_EMULATOR_JOURNAL: t.journal } },
    });
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
    stdout: string;
    stderr: string;
    hadErrors: boolean;
}

export async function run(ps: PowerShell, command: string): Promise<Result> {
    const r = await ps.invoke(command);
    return { stdout: r.stdout?.toString("utf8") ?? "", stderr: r.stderr?.toString("utf8") ?? "", hadErrors: r.hadErrors };
}

export async function connected(t: Tenant): Promise<PowerShell> {
    const ps = startShell(t);
    const r = await run(ps, `$ErrorActionPreference = 'Stop'; ${wrap(connectCommand(t))}`);
    if (r.hadErrors) throw new Error(`connect failed: ${r.stderr}`);
    return ps;
}
