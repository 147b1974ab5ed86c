/**
 * What the benchmarks share: the product's stack config written directly, and one CLI run measured
 * (wall time, pwsh starts, connects, tenant reads and writes from the emulator journal, the
 * dynamic-provider process's peak RSS).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { demoCertificatePath } from "../emulator";
import { DEMO_APP_ID, DEMO_CERT_PASSWORD, DEMO_ORGANIZATION, journal, pulumi, pulumiScript, type Workspace } from "../test/e2e/harness";

export type Variant = "product" | "baseline";
export type DomainsConfig = Record<string, { type: string }>;

/**
 * Writes the stack config file directly (setting 1,000 keys through the CLI
 * would take hours). JSON is YAML, so Pulumi reads it; the encrypted password
 * and the salt come from one `config set --secret` done before. The product and
 * its no-op baseline get the same file (the no-op program reads only
 * exchange:domains): decrypting a stack's secrets is the CLI's own cost, so the
 * floor pays it too.
 */
export function writeStackConfig(ws: Workspace, domains: DomainsConfig, secret: { salt: string; secure: string }): void {
    const config: Record<string, unknown> = {
        "exchange:domains": domains,
        "exchange:organization": DEMO_ORGANIZATION,
        "exchange:auth": {
            kind: "certificate",
            appId: DEMO_APP_ID,
            certificateFilePath: demoCertificatePath(ws.statePath),
            certificatePassword: { secure: secret.secure },
        },
        "exchange:retryDelayMs": 200,
    };
    fs.writeFileSync(path.join(ws.dir, `Pulumi.${ws.stack}.yaml`), JSON.stringify({ config, encryptionsalt: secret.salt }, null, 1));
}

export async function encryptedPassword(ws: Workspace): Promise<{ salt: string; secure: string }> {
    const r = await pulumi(ws, ["config", "set", "--secret", "--path", "exchange:auth.certificatePassword", DEMO_CERT_PASSWORD]);
    if (r.code !== 0) throw new Error(`config set --secret failed:\n${r.output}`);
    const text = fs.readFileSync(path.join(ws.dir, `Pulumi.${ws.stack}.yaml`), "utf8");
    const salt = /^encryptionsalt:\s*(\S+)/m.exec(text)?.[1];
    const secure = /secure:\s*(\S+)/.exec(text)?.[1];
    if (!salt || !secure) throw new Error(`could not find the encrypted password in the stack config:\n${text}`);
    return { salt, secure };
}

// ---------------------------------------------------------------------------
// Measuring one CLI run
// ---------------------------------------------------------------------------

export interface Figures {
    code: number;
    wallS: number;
    starts: number;
    connects: number;
    gets: number;
    sets: number;
    /** Get-EXORecipient calls, and the recipients they returned. */
    recipientQueries: number;
    recipientObjects: number;
    /** Largest VmHWM of any dynamic-provider process of the run, MB. */
    peakMb: number;
    providers: number;
    output: string;
}

function descendants(root: number): number[] {
    const children = new Map<number, number[]>();
    for (const e of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(e)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            const list = children.get(ppid) ?? [];
            list.push(Number(e));
            children.set(ppid, list);
        } catch {
            // the process ended while we looked
        }
    }
    const out: number[] = [];
    const stack = [root];
    while (stack.length > 0) {
        const p = stack.pop() as number;
        for (const c of children.get(p) ?? []) {
            out.push(c);
            stack.push(c);
        }
    }
    return out;
}

/** Samples the peak RSS (VmHWM) of the run's dynamic-provider processes. */
function providerSampler(root: number): { stop(): { peakMb: number; providers: number } } {
    const peaks = new Map<number, number>();
    const sample = (): void => {
        for (const pid of descendants(root)) {
            try {
                const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
                if (!cmd.includes("dynamic-provider")) continue;
                const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
                if (hwm) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, Number(hwm[1])));
            } catch {
                // gone
            }
        }
    };
    const timer = setInterval(sample, 100);
    return {
        stop() {
            clearInterval(timer);
            return { peakMb: Math.max(0, ...peaks.values()) / 1024, providers: peaks.size };
        },
    };
}

/** Runs the CLI (or, with `command`, another program such as the drift report) and measures it. */
export function measure(ws: Workspace, args: string[], command?: string): Promise<Figures> {
    const before = journal(ws).length;
    const full = command ? args : [...args, "--non-interactive", "--stack", ws.stack];
    const started = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
        const child = spawn(command ?? pulumiScript, full, { cwd: ws.dir, env: ws.env, stdio: ["ignore", "pipe", "pipe"] });
        const sampler = providerSampler(child.pid as number);
        let output = "";
        child.stdout.on("data", (b: Buffer) => (output += b.toString()));
        child.stderr.on("data", (b: Buffer) => (output += b.toString()));
        child.on("error", reject);
        child.on("close", (code) => {
            const wallS = Number(process.hrtime.bigint() - started) / 1e9;
            const { peakMb, providers } = sampler.stop();
            const entries = journal(ws).slice(before);
            const cmdlet = (e: Record<string, unknown>): string => (e.event === "cmdlet" && typeof e.cmdlet === "string" ? e.cmdlet : "");
            resolve({
                code: code ?? -1,
                wallS,
                starts: entries.filter((e) => e.event === "start").length,
                connects: entries.filter((e) => cmdlet(e) === "Connect-ExchangeOnline" && e.outcome === "ok").length,
                // Tenant reads only: the host probe's Get-Module before each connect is local to pwsh.
                gets: entries.filter((e) => cmdlet(e).startsWith("Get-") && e.module === "ExchangeOnlineManagement").length,
                sets: entries.filter((e) => cmdlet(e).startsWith("Set-")).length,
                recipientQueries: entries.filter((e) => cmdlet(e) === "Get-EXORecipient").length,
                recipientObjects: entries.filter((e) => cmdlet(e) === "Get-EXORecipient").reduce((n, e) => n + (typeof e.returned === "number" ? e.returned : 0), 0),
                peakMb,
                providers,
                output,
            });
        });
    });
}

