/**
 * The per-resource pattern of Microsoft365DSC's EXOAcceptedDomain, through the same emulator and
 * latency as the product: connect once, then one `Get-AcceptedDomain -Identity` per declared domain,
 * as its Test-TargetResource does (Get-TargetResource since 1.24.131.1; earlier it listed every domain
 * per resource). Its New-M365DSCConnection also checks the session with a Get-AcceptedDomain per call,
 * which is left out, so these figures are a lower bound for it.
 */
import { getAcceptedDomain } from "../components/exchange/commands";
import { ExchangeSession } from "../components/exchange/session";
import { demoCertificatePath } from "../emulator";
import { DEMO_APP_ID, DEMO_CERT_PASSWORD, DEMO_ORGANIZATION, emulatorPwsh, journal, type Workspace } from "../test/e2e/harness";

export interface PatternFigures {
    wallS: number;
    connects: number;
    gets: number;
}

export async function m365dscPattern(ws: Workspace, domains: readonly string[]): Promise<PatternFigures> {
    const before = journal(ws).length;
    process.env.EXO_EMULATOR_STATE = ws.statePath;
    process.env.EXO_EMULATOR_JOURNAL = ws.journalPath;
    const started = process.hrtime.bigint();
    const session = new ExchangeSession(
        {
            organization: DEMO_ORGANIZATION,
            auth: { kind: "certificate", appId: DEMO_APP_ID, certificateFilePath: demoCertificatePath(ws.statePath), certificatePassword: DEMO_CERT_PASSWORD },
            pwshPath: emulatorPwsh,
            commandTimeoutSeconds: 120,
            maxAttempts: 5,
            retryDelayMs: 200,
        },
        { log: () => undefined },
    );
    try {
        for (const d of domains) await session.run(getAcceptedDomain(d));
    } finally {
        await session.dispose();
    }
    const wallS = Number(process.hrtime.bigint() - started) / 1e9;
    const entries = journal(ws).slice(before);
    const cmdlet = (e: Record<string, unknown>) => (e.event === "cmdlet" ? String(e.cmdlet) : "");
    return {
        wallS,
        connects: entries.filter((e) => cmdlet(e) === "Connect-ExchangeOnline" && e.outcome === "ok").length,
        gets: entries.filter((e) => cmdlet(e) === "Get-AcceptedDomain").length,
    };
}
