/**
 * Connect-ExchangeOnline — https://learn.microsoft.com/powershell/module/exchangepowershell/connect-exchangeonline
 * Syntax: Connect-ExchangeOnline [[-ConnectionUri] <String>] [[-AzureADAuthorizationEndpointUri] <String>]
 *   [[-ExchangeEnvironmentName] <ExchangeEnvironment>] [[-PSSessionOption] <PSSessionOption>]
 *   [[-DelegatedOrganization] <String>] [[-Prefix] <String>] [[-CommandName] <String[]>] [[-FormatTypeName] <String[]>]
 *   [-AccessToken <String>] [-AppId <String>] [-BypassMailboxAnchoring] [-Certificate <X509Certificate2>]
 *   [-CertificateFilePath <String>] [-CertificatePassword <SecureString>] [-CertificateThumbprint <String>]
 *   [-Credential <PSCredential>] [-Device] [-DisableWAM] [-EnableErrorReporting] [-EXOModuleBasePath <String>]
 *   [-InlineCredential] [-LoadCmdletHelp] [-LogDirectoryPath <String>] [-LogLevel <LogLevel>] [-ManagedIdentity]
 *   [-ManagedIdentityAccountId <String>] [-Organization <String>] [-PageSize <UInt32>] [-ShowBanner]
 *   [-ShowProgress <Boolean>] [-SigningCertificate <X509Certificate2>] [-SkipLoadingCmdletHelp]
 *   [-SkipLoadingFormatData] [-TrackPerformance <Boolean>] [-UseMultithreading <Boolean>] [-UserPrincipalName <String>]
 *   [-UseRPSSession]
 * App-only auth (-AppId with -CertificateFilePath/-CertificatePassword or -Certificate), -ManagedIdentity and
 * -AccessToken all need -Organization (the tenant's *.onmicrosoft.com domain). -CommandName loads only the
 * named cmdlets. Interactive/delegated sign-in is not possible here. Failures use Entra ID's AADSTS texts.
 */
import * as fs from "fs";
import { randomUUID } from "crypto";
import type { ErrorInfo } from "../errors";
import { PsError } from "../errors";
import { hashSecret } from "../hash";
import type { TenantState } from "../state";
import { SecureString, X509Certificate } from "../values";
import { EXO_MODULE, type CmdletDef, type Connection, type ParamSpec } from "./types";

const SWITCH = "System.Management.Automation.SwitchParameter";
const SIGNATURE: readonly ParamSpec[] = [
    { name: "ConnectionUri", type: "string", psType: "System.String", position: 0, unsupported: true },
    { name: "AzureADAuthorizationEndpointUri", type: "string", psType: "System.String", position: 1, unsupported: true },
    { name: "ExchangeEnvironmentName", type: "enum", psType: "Microsoft.Exchange.Management.RestApiClient.ExchangeEnvironment", position: 2, values: ["O365Default"] },
    { name: "PSSessionOption", type: "object", psType: "System.Management.Automation.Remoting.PSSessionOption", position: 3, unsupported: true },
    { name: "DelegatedOrganization", type: "string", psType: "System.String", position: 4, unsupported: true },
    { name: "Prefix", type: "string", psType: "System.String", position: 5, unsupported: true },
    { name: "CommandName", type: "string[]", psType: "System.String[]", position: 6 },
    { name: "FormatTypeName", type: "string[]", psType: "System.String[]", position: 7 },
    { name: "AccessToken", type: "string", psType: "System.String" },
    { name: "AppId", type: "string", psType: "System.String" },
    { name: "BypassMailboxAnchoring", type: "switch", psType: SWITCH },
    { name: "Certificate", type: "certificate", psType: "System.Security.Cryptography.X509Certificates.X509Certificate2" },
    { name: "CertificateFilePath", type: "string", psType: "System.String" },
    { name: "CertificatePassword", type: "securestring", psType: "System.Security.SecureString" },
    { name: "CertificateThumbprint", type: "string", psType: "System.String", unsupported: true },
    { name: "Credential", type: "object", psType: "System.Management.Automation.PSCredential", unsupported: true },
    { name: "Device", type: "switch", psType: SWITCH, unsupported: true },
    { name: "DisableWAM", type: "switch", psType: SWITCH },
    { name: "EnableErrorReporting", type: "switch", psType: SWITCH },
    { name: "EXOModuleBasePath", type: "string", psType: "System.String", unsupported: true },
    { name: "InlineCredential", type: "switch", psType: SWITCH, unsupported: true },
    { name: "LoadCmdletHelp", type: "switch", psType: SWITCH },
    { name: "LogDirectoryPath", type: "string", psType: "System.String", unsupported: true },
    { name: "LogLevel", type: "enum", psType: "Microsoft.Online.CSE.RestApiPowerShellModule.Instrumentation.LogLevel", values: ["Default", "All"] },
    { name: "ManagedIdentity", type: "switch", psType: SWITCH },
    { name: "ManagedIdentityAccountId", type: "string", psType: "System.String" },
    { name: "Organization", type: "string", psType: "System.String" },
    { name: "PageSize", type: "int", psType: "System.UInt32" },
    { name: "ShowBanner", type: "switch", psType: SWITCH },
    { name: "ShowProgress", type: "bool", psType: "System.Boolean" },
    { name: "SigningCertificate", type: "certificate", psType: "System.Security.Cryptography.X509Certificates.X509Certificate2", unsupported: true },
    { name: "SkipLoadingCmdletHelp", type: "switch", psType: SWITCH },
    { name: "SkipLoadingFormatData", type: "switch", psType: SWITCH },
    { name: "TrackPerformance", type: "bool", psType: "System.Boolean" },
    { name: "UseMultithreading", type: "bool", psType: "System.Boolean" },
    { name: "UserPrincipalName", type: "string", psType: "System.String", unsupported: true },
    { name: "UseRPSSession", type: "switch", psType: SWITCH, unsupported: true },
];

/**
 * The module's connect code `throw`s: pwsh's ConvertToException makes the message the
 * FullyQualifiedErrorId (MiscOps.cs L2023-2065), category OperationStopped, and ConciseView
 * shows "Exception: <message>". So tenant names and app ids appear in the errorId too.
 */
function authError(reason: string, exceptionType: string, message: string): ErrorInfo {
    return { reason, exceptionType, message, errorId: message, category: "OperationStopped", command: "Connect-ExchangeOnline", thrown: true };
}

/** A tenant id (GUID) where -Organization wants the tenant's name. */
const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

/** The texts Connect-ExchangeOnline fails with; listed in emulator/README.md. */
export const connectErrors = {
    tenantNotFound: (org: string) =>
        authError("MsalServiceException", "Microsoft.Identity.Client.MsalServiceException", `AADSTS90002: Tenant '${org}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`),
    appNotFound: (appId: string, org: string) =>
        authError(
            "MsalServiceException",
            "Microsoft.Identity.Client.MsalServiceException",
            `AADSTS700016: Application with identifier '${appId}' was not found in the directory '${org}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
        ),
    invalidSignature: () =>
        authError("MsalServiceException", "Microsoft.Identity.Client.MsalServiceException", "AADSTS700027: Client assertion contains an invalid signature. [Reason - The key was not found.]"),
    badPassword: () => authError("CryptographicException", "System.Security.Cryptography.CryptographicException", "The specified network password is not correct."),
    fileNotFound: (file: string) => authError("FileNotFoundException", "System.IO.FileNotFoundException", `Could not find file '${file}'.`),
    badToken: () => authError("UnauthorizedAccessException", "System.UnauthorizedAccessException", "The access token is invalid or expired: the remote server returned an error: (401) Unauthorized."),
    noManagedIdentity: () =>
        authError("CredentialUnavailableException", "Azure.Identity.CredentialUnavailableException", "ManagedIdentityCredential authentication unavailable. No Managed Identity endpoint found."),
    /** A user-assigned identity the machine doesn't have (wording modelled; not verified). */
    unknownManagedIdentity: (accountId: string) =>
        authError(
            "AuthenticationFailedException",
            "Azure.Identity.AuthenticationFailedException",
            `ManagedIdentityCredential authentication failed: Identity not found. No user-assigned managed identity with client id '${accountId}' is assigned to this resource.`,
        ),
    /** Module 3.9.0's answer to a GUID (office-docs-powershell commit 2e563a9c42). */
    organizationGuid: () => authError("ArgumentException", "System.ArgumentException", "Organization cannot be a Guid, please enter the name of the tenant instead."),
    organizationRequired: () =>
        authError("ArgumentException", "System.ArgumentException", "The Organization parameter is required for app-only (certificate), managed identity and access token authentication, e.g. -Organization 'contoso.onmicrosoft.com'."),
    interactive: () =>
        authError("NotSupportedException", "System.NotSupportedException", "Interactive sign-in is not available in the Exchange Online emulator: use -AppId with -CertificateFilePath/-CertificatePassword or -Certificate, -ManagedIdentity, or -AccessToken, each with -Organization."),
    injected: (message: string | undefined) =>
        authError("MsalServiceException", "Microsoft.Identity.Client.MsalServiceException", message ?? "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID."),
};

type Proof = { kind: "file"; fileSha256: string; passwordSha256: string } | { kind: "none" };

/** Checks credentials against the state's digests; returns the auth type or the EXO error. */
export function authenticate(
    state: TenantState,
    req: {
        appId?: string;
        org?: string;
        certFile?: string;
        password?: SecureString;
        certificate?: X509Certificate;
        managedIdentity: boolean;
        managedIdentityAccountId?: string;
        accessToken?: string;
    },
): { ok: true; authType: Connection["authType"] } | { ok: false; error: ErrorInfo } {
    const usesApp = req.appId !== undefined || req.certFile !== undefined || req.certificate !== undefined;
    if (!usesApp && !req.managedIdentity && req.accessToken === undefined) return { ok: false, error: connectErrors.interactive() };
    if (!req.org) return { ok: false, error: connectErrors.organizationRequired() };
    if (GUID.test(req.org.trim())) return { ok: false, error: connectErrors.organizationGuid() };
    if (req.org.toLowerCase() !== state.organization.name.toLowerCase()) return { ok: false, error: connectErrors.tenantNotFound(req.org) };
    if (req.managedIdentity) {
        const accountId = req.managedIdentityAccountId;
        if (accountId !== undefined) {
            // -ManagedIdentityAccountId takes the user-assigned identity's client (application) id (Connect-ExchangeOnline page).
            const known = state.credentials.userAssignedManagedIdentities.some((id) => id.toLowerCase() === accountId.toLowerCase());
            return known ? { ok: true, authType: "ManagedIdentity" } : { ok: false, error: connectErrors.unknownManagedIdentity(accountId) };
        }
        return state.credentials.managedIdentityAllowed ? { ok: true, authType: "ManagedIdentity" } : { ok: false, error: connectErrors.noManagedIdentity() };
    }
    if (req.accessToken !== undefined) {
        return state.credentials.accessTokenSha256.includes(hashSecret(req.accessToken)) ? { ok: true, authType: "AccessToken" } : { ok: false, error: connectErrors.badToken() };
    }
    let proof: Proof = { kind: "none" };
    if (req.certificate) proof = { kind: "file", fileSha256: req.certificate.fileSha256, passwordSha256: req.certificate.passwordSha256 };
    else if (req.certFile !== undefined) {
        let bytes: Buffer;
        try {
            bytes = fs.readFileSync(req.certFile);
        } catch {
            return { ok: false, error: connectErrors.fileNotFound(req.certFile) };
        }
        proof = { kind: "file", fileSha256: hashSecret(bytes), passwordSha256: hashSecret(req.password?.reveal() ?? "") };
    }
    const app = state.credentials.apps.find((a) => a.appId.toLowerCase() === (req.appId ?? "").toLowerCase());
    if (!app) return { ok: false, error: connectErrors.appNotFound(req.appId ?? "", req.org) };
    if (proof.kind === "none") return { ok: false, error: connectErrors.invalidSignature() };
    if (proof.fileSha256 !== app.certificateFileSha256) return { ok: false, error: connectErrors.invalidSignature() };
    if (proof.passwordSha256 !== app.certificatePasswordSha256) return { ok: false, error: connectErrors.badPassword() };
    return { ok: true, authType: req.certificate ? "Certificate" : "CertificateFile" };
}

const BANNER = [
    "----------------------------------------------------------------------------------------",
    "This V3 EXO PowerShell module contains new REST API backed Exchange Online cmdlets which doesn't require WinRM for Client-Server communication.",
    "(Exchange Online emulator: no Microsoft cloud is contacted.)",
    "----------------------------------------------------------------------------------------",
].join("\n");

export const connectExchangeOnline: CmdletDef = {
    name: "Connect-ExchangeOnline",
    module: EXO_MODULE,
    kind: "session",
    params: SIGNATURE,
    async run(ctx) {
        const p = ctx.params;
        if (p.has("Certificate") && p.has("CertificateFilePath")) {
            throw new PsError(authError("ArgumentException", "System.ArgumentException", "Specify either -Certificate or -CertificateFilePath, not both."));
        }
        if (p.has("ManagedIdentityAccountId") && p.get("ManagedIdentity") !== true) {
            throw new PsError(authError("ArgumentException", "System.ArgumentException", "The ManagedIdentityAccountId parameter can only be used with the ManagedIdentity switch."));
        }
        type ConnectFault = { fail: boolean; message: string | undefined; latency: number };
        // Without -SkipLoadingFormatData the module downloads and loads the format data first (the
        // module article: the switch makes Connect-ExchangeOnline "faster").
        const formatData = (s: TenantState) => (p.get("SkipLoadingFormatData") === true ? 0 : s.latency.formatDataMs);
        const current = await ctx.readTenant();
        // The lock (and a copy of a state that can hold 100,000 recipients) only when a fault is to be consumed.
        const peeked = current.faults.failConnect;
        const fault: ConnectFault = !(peeked && peeked.remaining > 0)
            ? { fail: false, message: undefined, latency: current.latency.connectMs + formatData(current) }
            : await ctx.updateTenant((s): { result: ConnectFault; changed: boolean } => {
                const f = s.faults.failConnect;
                const latency = s.latency.connectMs + formatData(s);
                if (f && f.remaining > 0) {
                    f.remaining -= 1;
                    return { result: { fail: true, message: f.message, latency }, changed: true };
                }
                return { result: { fail: false, message: undefined, latency }, changed: false };
            });
        if (fault.latency > 0) await ctx.sleep(fault.latency);
        if (fault.fail) throw new PsError(connectErrors.injected(fault.message));
        const state = await ctx.readTenant();
        const res = authenticate(state, {
            appId: p.get("AppId") as string | undefined,
            org: p.get("Organization") as string | undefined,
            certFile: p.get("CertificateFilePath") as string | undefined,
            password: p.get("CertificatePassword") as SecureString | undefined,
            certificate: p.get("Certificate") as X509Certificate | undefined,
            managedIdentity: p.get("ManagedIdentity") === true,
            managedIdentityAccountId: p.get("ManagedIdentityAccountId") as string | undefined,
            accessToken: p.get("AccessToken") as string | undefined,
        });
        if (!res.ok) throw new PsError(res.error);
        const names = p.get("CommandName");
        ctx.session.connection = {
            connectionId: randomUUID(),
            organization: state.organization.name,
            tenantId: state.organization.tenantId,
            appId: (p.get("AppId") as string | undefined) ?? null,
            authType: res.authType,
            commandNames: Array.isArray(names) ? names.map((n) => String(n).toLowerCase()) : null,
            connectedAt: new Date().toISOString(),
        };
        if (p.get("ShowBanner") !== false) return [BANNER];
        return [];
    },
};
