/**
 * Benchmark: where the state lives. Adopting N domains (default 1,000) and an in-sync preview, on
 * the file backend and on Azure Blob (Azurite, started and stopped here: test/e2e/backends.ts), each
 * with and without PULUMI_DIY_BACKEND_GZIP, side by side in one run. No Exchange latency: the
 * figures are the backend's (the DIY backend rewrites the whole checkpoint after every step).
 *
 *   node -r ts-node/register/transpile-only bench/state-backends.ts [--n 1000]   (npm run bench:state)
 *
 * A figures script, not a test: it prints, asserts nothing, and takes a while (minutes per cell).
 */
import * as fs from "fs";
import { acceptedDomainState, loadTenantState, writeKbDemo, writeTenantState } from "../emulator";
import { createWorkspace, removeWorkspace, type Workspace } from "../test/e2e/harness";
import { startAzurite, stopAzurite, type AzuriteServer } from "../test/e2e/backends";
import { encryptedPassword, measure, writeStackConfig, type Figures } from "./lib";

function count(): number {
    const i = process.argv.indexOf("--n");
    const n = Number(i >= 0 ? process.argv[i + 1] : (process.env.BENCH_N ?? "1000"));
    if (!Number.isInteger(n) || n < 1) throw new Error(`--n / BENCH_N: got ${n}: give a whole number of domains >= 1, e.g. 1000`);
    return n;
}

interface Cell {
    backend: "file" | "azblob";
    gzip: boolean;
    adopt: Figures;
    preview: Figures;
    stateKb: number;
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `d${String(i).padStart(4, "0")}.bench.example`);

async function cell(n: number, backend: Cell["backend"], gzip: boolean, azurite: AzuriteServer | undefined): Promise<Cell> {
    const ws: Workspace = await createWorkspace({ name: `state-${backend}-${gzip ? "gz" : "plain"}`, ...(azurite ? { backend: azurite } : {}) });
    try {
        writeKbDemo(ws.statePath, true);
        const state = loadTenantState(ws.statePath);
        for (const d of names(n)) state.acceptedDomains.push(acceptedDomainState(d, "Authoritative"));
        writeTenantState(ws.statePath, state);
        const secret = await encryptedPassword(ws);
        writeStackConfig(ws, Object.fromEntries(names(n).map((d) => [d, { type: "Authoritative" }])), secret);
        ws.env = { ...ws.env, PULUMI_DIY_BACKEND_GZIP: gzip ? "true" : "false" };
        const adopt = await measure(ws, ["up", "--yes", "--skip-preview"]);
        if (adopt.code !== 0) throw new Error(`adopt failed on ${backend}${gzip ? " (gzip)" : ""}:\n${adopt.output.slice(-2000)}`);
        const preview = await measure(ws, ["preview", "--expect-no-changes"]);
        if (preview.code !== 0) throw new Error(`in-sync preview failed on ${backend}:\n${preview.output.slice(-2000)}`);
        return { backend, gzip, adopt, preview, stateKb: await stateSize(ws, azurite) };
    } finally {
        removeWorkspace(ws);
    }
}

/** The stack's checkpoint as stored (compressed or not): the file's size, or the blob keys' count on Azurite. */
async function stateSize(ws: Workspace, azurite: AzuriteServer | undefined): Promise<number> {
    if (azurite) return -1; // Azurite's listing gives keys, not sizes; the file cells show the size
    let bytes = 0;
    const walk = (d: string): void => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = `${d}/${e.name}`;
            if (e.isDirectory()) walk(p);
            else if (/\/stacks\/.*\.json(\.gz)?$/.test(p)) bytes += fs.statSync(p).size;
        }
    };
    walk(ws.backendDir);
    return Math.round(bytes / 1024);
}

async function main(): Promise<void> {
    const n = count();
    const azurite = await startAzurite();
    const cells: Cell[] = [];
    try {
        for (const backend of ["file", "azblob"] as const) {
            for (const gzip of [false, true]) {
                process.stderr.write(`bench:state: ${n} domains on ${backend}${gzip ? " with gzip" : ""}...\n`);
                cells.push(await cell(n, backend, gzip, backend === "azblob" ? azurite : undefined));
            }
        }
    } finally {
        await stopAzurite(azurite.pidFile);
    }
    const s = (f: Figures) => f.wallS.toFixed(1);
    const lines = [
        `State backends: ${n} domains, no Exchange latency, CLI ${process.env.PULUMI_CLI ?? "as scripts/pulumi chooses"}; ${new Date().toISOString()}`,
        "",
        "| backend | PULUMI_DIY_BACKEND_GZIP | adopt (up) s | in-sync preview s | checkpoint KB |",
        "|---|---|---:|---:|---:|",
        ...cells.map((c) => `| ${c.backend === "azblob" ? "Azure Blob (Azurite)" : "file"} | ${c.gzip} | ${s(c.adopt)} | ${s(c.preview)} | ${c.stateKb < 0 ? "-" : c.stateKb} |`),
        "",
    ];
    process.stdout.write(lines.join("\n"));
}

main().catch((error: unknown) => {
    process.stderr.write(`bench:state: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
});
