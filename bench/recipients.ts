/**
 * Benchmark: does a preview's cost grow with the directory? Ten declared domains against a hybrid
 * tenant holding R directory-synced recipients, R = 0, 10,000 and 100,000, with REST pages costing
 * `latency.pageMs` (1,500 ms per 1,000 objects a read returns) on top of a 2 s connect and 200 ms cmdlets.
 *
 *   node -r ts-node/register/transpile-only bench/recipients.ts [--r 0,10000,100000] [--page-ms 1500]
 *     [--connect-ms 2000] [--cmdlet-ms 200] [--repeat 2]
 *
 * Declared: five InternalRelay domains shared with on-premises (where the synced recipients live, each
 * also with the tenant's routing and initial-domain addresses, as the hybrid wizard gives them) and five
 * Authoritative cloud-only domains, the ones whose synced-recipient question must be asked. Per R: one
 * adopting `up`, then `preview --expect-no-changes` `--repeat` times (the median is reported), plus the
 * modelled cost of the whole-directory read the product no longer makes. A figures script, not a test.
 */
import * as fs from "fs";
import { acceptedDomainState, loadTenantState, writeKbDemo, writeTenantState } from "../emulator";
import { newGuid } from "../emulator/state";
import { createWorkspace, removeWorkspace, type Workspace } from "../test/e2e/harness";
import { pageLatency, PAGE_SIZE } from "../emulator/faults";
import { encryptedPassword, measure, writeStackConfig, type DomainsConfig, type Figures } from "./lib";

interface Options {
    rs: number[];
    pageMs: number;
    connectMs: number;
    cmdletMs: number;
    repeat: number;
}

function option(name: string, fallback: string): string {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

function wholeNumber(name: string, fallback: string, min = 0): number {
    const v = Number(option(name, fallback));
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name}: got ${option(name, fallback)}: give a whole number >= ${min}`);
    return v;
}

function parseOptions(): Options {
    const rs = option("r", "0,10000,100000").split(",").map((s) => Number(s.trim()));
    if (rs.some((r) => !Number.isInteger(r) || r < 0)) throw new Error(`--r: got ${rs.join(",")}: give whole numbers >= 0, comma-separated`);
    return {
        rs,
        pageMs: wholeNumber("page-ms", "1500"),
        connectMs: wholeNumber("connect-ms", "2000"),
        cmdletMs: wholeNumber("cmdlet-ms", "200"),
        repeat: wholeNumber("repeat", "2", 1),
    };
}

const SHARED = Array.from({ length: 5 }, (_, i) => `shared${i}.bench.example`);
const CLOUD = Array.from({ length: 5 }, (_, i) => `cloud${i}.bench.example`);

function declared(): DomainsConfig {
    return Object.fromEntries([...SHARED.map((d) => [d, { type: "InternalRelay" }]), ...CLOUD.map((d) => [d, { type: "Authoritative" }])]);
}

/** The KB demo tenant plus the ten domains, R synced recipients in the shared ones, and the latency. */
function writeTenant(ws: Workspace, r: number, opts: Options): number {
    writeKbDemo(ws.statePath, true);
    const state = loadTenantState(ws.statePath);
    for (const d of SHARED) state.acceptedDomains.push(acceptedDomainState(d, "InternalRelay"));
    for (const d of CLOUD) state.acceptedDomains.push(acceptedDomainState(d, "Authoritative"));
    state.onPremisesOrganizations[0].hybridDomains.push(...SHARED);
    state.outboundConnectors[0].recipientDomains.push(...SHARED);
    for (let i = 0; i < r; i++) {
        const alias = `user${i}`;
        const address = `${alias}@${SHARED[i % SHARED.length]}`;
        state.recipients.push({
            name: alias,
            displayName: alias,
            primarySmtpAddress: address,
            emailAddresses: [`SMTP:${address}`, `smtp:${alias}@contoso.mail.onmicrosoft.com`, `smtp:${alias}@contoso.onmicrosoft.com`],
            recipientType: i % 3 === 0 ? "UserMailbox" : "MailUser",
            recipientTypeDetails: i % 3 === 0 ? "UserMailbox" : "MailUser",
            isDirSynced: true,
            guid: newGuid(),
        });
    }
    state.latency = { connectMs: opts.connectMs, formatDataMs: 0, defaultCmdletMs: opts.cmdletMs, cmdletMs: {}, pageMs: opts.pageMs };
    writeTenantState(ws.statePath, state);
    return fs.statSync(ws.statePath).size / 1e6;
}

interface Row {
    r: number;
    stateMb: number;
    previews: Figures[];
    median: Figures;
    recipientQueries: number;
    recipientObjects: number;
}

function median(fs: Figures[]): Figures {
    return [...fs].sort((a, b) => a.wallS - b.wallS)[Math.floor(fs.length / 2)];
}

async function runOne(r: number, opts: Options): Promise<Row> {
    const ws = await createWorkspace({ name: `bench-r${r}` });
    try {
        process.stderr.write(`R=${r}: writing the tenant ... `);
        const stateMb = writeTenant(ws, r, opts);
        process.stderr.write(`${stateMb.toFixed(1)} MB\n`);
        writeStackConfig(ws, declared(), await encryptedPassword(ws));
        const step = async (name: string, args: string[]): Promise<Figures> => {
            process.stderr.write(`  [R=${r}] ${name} ... `);
            const f = await measure(ws, args);
            process.stderr.write(`${f.code === 0 ? "ok" : `exit ${f.code}`} in ${f.wallS.toFixed(1)} s\n`);
            if (f.code !== 0) process.stderr.write(f.output.split("\n").slice(-30).join("\n") + "\n");
            return f;
        };
        await step("adopt (up)", ["up", "--yes", "--skip-preview"]);
        const previews: Figures[] = [];
        for (let i = 0; i < opts.repeat; i++) previews.push(await step(`preview --expect-no-changes #${i + 1}`, ["preview", "--expect-no-changes"]));
        const last = previews[previews.length - 1];
        return { r, stateMb, previews, median: median(previews), recipientQueries: last.recipientQueries, recipientObjects: last.recipientObjects };
    } finally {
        removeWorkspace(ws);
    }
}

async function main(): Promise<void> {
    const opts = parseOptions();
    const rows: Row[] = [];
    for (const r of opts.rs) rows.push(await runOne(r, opts));
    const base = rows.find((x) => x.r === 0) ?? rows[0];
    console.log(
        `Latency: connect ${opts.connectMs} ms, every cmdlet ${opts.cmdletMs} ms, ${opts.pageMs} ms per started page of ${PAGE_SIZE} returned objects. ` +
            `10 declared domains (5 InternalRelay shared with on-premises, holding the synced recipients; 5 Authoritative cloud-only). ` +
            `Median of ${opts.repeat} \`preview --expect-no-changes\` runs.`,
    );
    console.log("");
    console.log("| R synced recipients | state file MB | preview wall s (runs) | ratio to R = 0 | tenant reads | Get-EXORecipient queries | recipients returned | modelled whole-directory read, s | exit |");
    console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for (const x of rows) {
        const ratio = x.median.wallS / base.median.wallS;
        // What the replaced design paid on top: Get-Recipient -ResultSize Unlimited of every synced recipient.
        const whole = (opts.cmdletMs + pageLatency(opts.pageMs, x.r)) / 1000;
        console.log(
            `| ${x.r.toLocaleString("en")} | ${x.stateMb.toFixed(1)} | ${x.median.wallS.toFixed(1)} (${x.previews.map((p) => p.wallS.toFixed(1)).join(", ")}) | ${ratio.toFixed(2)} | ` +
                `${x.median.gets} | ${x.recipientQueries} | ${x.recipientObjects} | ${whole.toFixed(1)} | ${x.previews.every((p) => p.code === 0) ? "0" : x.previews.map((p) => p.code).join(",")} |`,
        );
    }
    const worst = Math.max(...rows.map((x) => x.median.wallS / base.median.wallS));
    console.log(`\nTarget: preview at R = 100,000 within 1.1x of R = 0. Largest ratio measured: ${worst.toFixed(2)}x (${worst <= 1.1 ? "met" : "missed"}).`);
    console.log(`Command: node -r ts-node/register/transpile-only bench/recipients.ts --r ${opts.rs.join(",")} --page-ms ${opts.pageMs} --connect-ms ${opts.connectMs} --cmdlet-ms ${opts.cmdletMs} --repeat ${opts.repeat}`);
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
});
