/**
 * The KB demo tenant: contoso.com is Authoritative while its users are split between Exchange Online
 * and on-premises (directory-synced coexistence), so mail from online users to on-premises users that
 * EXO doesn't know NDRs. fabrikam.com is InternalRelay. Also the initial *.onmicrosoft.com domain and
 * the *.mail.onmicrosoft.com coexistence (hybrid routing) domain.
 *
 * Demo credentials (documented plaintext, for the demo only; the state stores SHA-256 digests):
 * app id DEMO_APP_ID with the certificate file written next to the state and password DEMO_CERT_PASSWORD,
 * access token DEMO_ACCESS_TOKEN, managed identity allowed.
 */
import * as fs from "fs";
import * as path from "path";
import { hashSecret, newGuid, parseTenantState, type AcceptedDomainState, type TenantState } from "./state";

export const DEMO_ORGANIZATION = "contoso.onmicrosoft.com";
export const DEMO_APP_ID = "6f1b7c9e-0d3a-4c51-9b8e-2a4f3e5d7c10";
export const DEMO_CERT_PASSWORD = "demo-password";
export const DEMO_ACCESS_TOKEN = "demo-access-token";
/** Any bytes do: the emulator only compares the file's SHA-256. */
export const DEMO_CERT_BYTES = Buffer.from("EXO-EMULATOR DEMO CERTIFICATE (not a real PFX; only its SHA-256 matters)\n", "utf8");

export function demoCertificatePath(stateFile: string): string {
    const base = path.basename(stateFile).replace(/\.json$/i, "");
    return path.join(path.dirname(path.resolve(stateFile)), `${base}.demo-cert.pfx`);
}

/** An accepted domain as a verified Microsoft 365 domain arrives in EXO: no subdomains, not outbound-only. */
export function acceptedDomainState(
    name: string,
    domainType: "Authoritative" | "InternalRelay",
    extra: { default?: boolean; initialDomain?: boolean; isCoexistenceDomain?: boolean } = {},
): AcceptedDomainState {
    return {
        name,
        domainName: name,
        domainType,
        default: extra.default ?? false,
        initialDomain: extra.initialDomain ?? false,
        isCoexistenceDomain: extra.isCoexistenceDomain ?? false,
        matchSubDomains: false,
        outboundOnly: false,
        guid: newGuid(),
        validationErrors: [],
    };
}

export function buildKbDemoTenant(): TenantState {
    const domain = acceptedDomainState;
    const mailbox = (name: string, address: string, isDirSynced: boolean) => ({
        name,
        displayName: name,
        primarySmtpAddress: address,
        emailAddresses: [`SMTP:${address}`, `smtp:${address.split("@")[0]}@contoso.mail.onmicrosoft.com`],
        recipientType: "UserMailbox" as const,
        recipientTypeDetails: "UserMailbox",
        isDirSynced,
        guid: newGuid(),
    });
    const onPremUser = (name: string, address: string) => ({
        name,
        displayName: name,
        primarySmtpAddress: address,
        emailAddresses: [`SMTP:${address}`],
        recipientType: "MailUser" as const,
        recipientTypeDetails: "MailUser",
        isDirSynced: true,
        externalEmailAddress: address,
        guid: newGuid(),
    });
    return parseTenantState(
        {
            version: 1,
            organization: { name: DEMO_ORGANIZATION, displayName: "Contoso (KB demo)", tenantId: newGuid() },
            credentials: {
                apps: [{ appId: DEMO_APP_ID, certificateFileSha256: hashSecret(DEMO_CERT_BYTES), certificatePasswordSha256: hashSecret(DEMO_CERT_PASSWORD) }],
                accessTokenSha256: [hashSecret(DEMO_ACCESS_TOKEN)],
                managedIdentityAllowed: true,
            },
            acceptedDomains: [
                domain("contoso.com", "Authoritative", { default: true }),
                domain("fabrikam.com", "InternalRelay"),
                domain("contoso.onmicrosoft.com", "Authoritative", { initialDomain: true }),
                domain("contoso.mail.onmicrosoft.com", "Authoritative", { isCoexistenceDomain: true }),
            ],
            recipients: [
                mailbox("Adele Vance", "adele.vance@contoso.com", true),
                mailbox("Cloud Only", "cloud.only@contoso.com", false),
                onPremUser("Megan Bowen", "megan.bowen@contoso.com"),
                onPremUser("Lee Gu", "lee.gu@fabrikam.com"),
            ],
            onPremisesOrganizations: [
                {
                    name: "Contoso On-Premises",
                    hybridDomains: ["contoso.com", "fabrikam.com"],
                    inboundConnector: "Inbound from Contoso On-Premises",
                    outboundConnector: "Outbound to Contoso On-Premises",
                    organizationName: "Contoso",
                    organizationGuid: newGuid(),
                    organizationRelationship: "O365 to On-premises",
                    comment: "Created by the Hybrid Configuration Wizard (emulated)",
                    guid: newGuid(),
                },
            ],
            outboundConnectors: [
                {
                    name: "Outbound to Contoso On-Premises",
                    connectorType: "OnPremises",
                    connectorSource: "HybridWizard",
                    recipientDomains: ["contoso.com", "fabrikam.com"],
                    smartHosts: ["mail.contoso.com"],
                    useMXRecord: false,
                    guid: newGuid(),
                },
            ],
            entra: {
                organization: { onPremisesSyncEnabled: true },
                domains: [
                    { id: "contoso.com", authenticationType: "Federated", isDefault: true },
                    { id: "fabrikam.com", authenticationType: "Managed" },
                    { id: "contoso.onmicrosoft.com", authenticationType: "Managed", isInitial: true },
                ],
            },
        },
        "(KB demo tenant)",
    );
}

/** Writes the demo state and its certificate file; refuses to overwrite unless force. */
export function writeKbDemo(stateFile: string, force = false): { stateFile: string; certificateFile: string } {
    if (fs.existsSync(stateFile) && !force) throw new Error(`${stateFile} already exists: pass --force to overwrite it`);
    const state = buildKbDemoTenant();
    const certificateFile = demoCertificatePath(stateFile);
    fs.writeFileSync(certificateFile, DEMO_CERT_BYTES, { mode: 0o600 });
    fs.writeFileSync(stateFile, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
    return { stateFile, certificateFile };
}
