/**
 * Test fixture: a fresh emulated tenant (state file, journal, certificate) for the
 * KB story: contoso.com is Authoritative while its users live on-premises.
 * Helpers read the journal and edit the state out of band.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { hashSecret, newGuid, parseTenantState, writeTenantState, loadTenantState, type TenantState } from "../../../emulator/state";
import { readJournal } from "../../../emulator/journal";
import { removeTenantDir } from "../../remove-tenant-dir";
import type { ConnectionSettings } from "../../../components/exchange/config";

export const ROOT = path.resolve(__dirname, "../../..");
export const PWSH = path.join(ROOT, "emulator", "bin", "pwsh");
export const ORG = "contoso.onmicrosoft.com";
export const APP_ID = "6f1c7e0a-0000-4000-8000-00000000a11d";
export const PASSWORD = "Demo-P@ss'w0rd\u2019$(x)";
export const TOKEN = "eyJ0eXAiOiJKV1QifQ.test-token.sig";

/** Whether the emulator has been built (npx tsc -p tsconfig.json). */
export function emulatorBuilt(): boolean {
    return fs.existsSync(path.join(ROOT, "dist", "emulator", "main.js"));
}

export interface Tenant {
    dir: string;
    state: string;
    journal: string;
    cert: string;
    settings(over?: Partial<ConnectionSettings>): ConnectionSettings;
    /** Journal events (optionally of one kind). */
    events(event?: string): Record<string, unknown>[];
    /** Cmdlet calls in the journal, by cmdlet name. */
    calls(cmdlet: string): Record<string, unknown>[];
    edit(change: (s: TenantState) => void): void;
    read(): TenantState;
    /** Everything the tenant wrote to disk (state + journal), for secret scans. */
    files(): string;
    cleanup(): void;
}

export function kbTenant(): Tenant {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "exo-tenant-"));
    const cert = path.join(dir, "app.pfx");
    fs.writeFileSync(cert, Buffer.from("fake pfx bytes for the emulator"));
    const state = path.join(dir, "tenant.json");
    const journal = path.join(dir, "journal.jsonl");
    const domain = (domainName: string, domainType: "Authoritative" | "InternalRelay", extra: object = {}) => ({
        name: domainName,
        domainName,
        domainType,
        guid: newGuid(),
        ...extra,
    });
    const user = (name: string, address: string, isDirSynced: boolean) => ({
        name,
        primarySmtpAddress: address,
        emailAddresses: [`SMTP:${address}`],
        recipientType: isDirSynced ? "MailUser" : "UserMailbox",
        isDirSynced,
        guid: newGuid(),
    });
    writeTenantState(
        state,
        parseTenantState(
            {
                version: 1,
                organization: { name: ORG, tenantId: newGuid() },
                credentials: {
                    apps: [{ appId: APP_ID, certificateFileSha256: hashSecret(fs.readFileSync(cert)), certificatePasswordSha256: hashSecret(PASSWORD) }],
                    accessTokenSha256: [hashSecret(TOKEN)],
                },
                acceptedDomains: [
                    domain(ORG, "Authoritative", { initialDomain: true }),
                    domain("contoso.com", "Authoritative", { default: true }),
                    domain("fabrikam.com", "InternalRelay", { matchSubDomains: true }),
                    domain("tailspin.com", "Authoritative"),
                ],
                recipients: [
                    user("ana", "ana@contoso.com", true),
                    user("ben", "ben@contoso.com", true),
                    user("cloud", "cloud@contoso.com", false),
                ],
                onPremisesOrganizations: [
                    { name: "Hybrid", hybridDomains: ["contoso.com"], organizationGuid: newGuid(), guid: newGuid() },
                ],
                outboundConnectors: [
                    { name: "Outbound to on-premises", connectorType: "OnPremises", recipientDomains: ["contoso.com"], guid: newGuid() },
                    { name: "Partner fabrikam", connectorType: "Partner", recipientDomains: ["fabrikam.com"], guid: newGuid() },
                ],
            },
            state,
        ),
    );
    process.env.EXO_EMULATOR_STATE = state;
    process.env.EXO_EMULATOR_JOURNAL = journal;
    const events = (event?: string) => readJournal(journal).filter((e) => event === undefined || e.event === event);
    return {
        dir,
        state,
        journal,
        cert,
        settings: (over = {}) => ({
            organization: ORG,
            auth: { kind: "certificate", appId: APP_ID, certificateFilePath: cert, certificatePassword: PASSWORD },
            pwshPath: PWSH,
            commandTimeoutSeconds: 20,
            maxAttempts: 4,
            retryDelayMs: 0,
            ...over,
        }),
        events,
        calls: (cmdlet) => events().filter((e) => typeof e.cmdlet === "string" && e.cmdlet.toLowerCase() === cmdlet.toLowerCase() && e.event !== "crash"),
        edit: (change) => {
            const s = loadTenantState(state);
            change(s);
            writeTenantState(state, s);
        },
        read: () => loadTenantState(state),
        files: () => [state, journal].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f, "utf8")).join("\n"),
        // After the emulators this tenant's journal names have ended (a child script's pwsh may outlive it).
        cleanup: () => removeTenantDir(dir, journal),
    };
}
