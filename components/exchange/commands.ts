/**
 * Exchange Online commands as pure builders. Values pass through quote.ts only;
 * each command is one line (node-powershell writes it to pwsh's stdin as a line).
 *
 * Cmdlet references (Microsoft Learn, exchange-ps):
 * - Connect-ExchangeOnline: https://learn.microsoft.com/powershell/module/exchange/connect-exchangeonline
 * - Get-AcceptedDomain:     https://learn.microsoft.com/powershell/module/exchange/get-accepteddomain
 * - Set-AcceptedDomain:     https://learn.microsoft.com/powershell/module/exchange/set-accepteddomain
 *   (-DomainType <AcceptedDomainType>, -MatchSubDomains <Boolean>, -OutboundOnly <Boolean>)
 * - Get-OnPremisesOrganization (HybridDomains), Get-OutboundConnector (ConnectorType, RecipientDomains),
 *   Get-Recipient -Filter with the filterable property IsDirSynced:
 *   https://learn.microsoft.com/powershell/exchange/filter-properties
 */
import type { AuthConfig, DomainSettings } from "../schema";
import { bool, quote, quoteList } from "./quote";

/** The cmdlets this project uses: Connect-ExchangeOnline -CommandName loads only these. */
export const COMMAND_NAMES = ["Get-AcceptedDomain", "Set-AcceptedDomain", "Get-OnPremisesOrganization", "Get-OutboundConnector", "Get-Recipient"] as const;

/** A command ready to send, plus the name used in messages and retry lines. */
export interface Command {
    /** The cmdlet, e.g. "Get-AcceptedDomain" (never contains values). */
    readonly cmdlet: string;
    /** The full PowerShell text. May contain secrets (Connect): never log it. */
    readonly text: string;
}

/** Properties read from Get-AcceptedDomain. */
export const ACCEPTED_DOMAIN_PROPERTIES = ["Name", "DomainName", "DomainType", "MatchSubDomains", "OutboundOnly", "Default"] as const;

const toJson = "ConvertTo-Json -Depth 4 -Compress";

/**
 * Wraps a statement so that a terminating error becomes one JSON line on stderr
 * (reason = exception type, message = EXO's text, errorId), which errors.ts classifies.
 */
export function wrap(statement: string): string {
    return (
        `try { ${statement} } catch { [Console]::Error.WriteLine((@{ reason = $_.CategoryInfo.Reason; ` +
        `message = $_.Exception.Message; errorId = $_.FullyQualifiedErrorId } | ConvertTo-Json -Compress)); }`
    );
}

/** Connection settings needed to build the Connect-ExchangeOnline line. */
export interface ConnectArgs {
    organization: string;
    auth: AuthConfig;
    /** certificateFilePath resolved to an absolute path. */
    certificateFilePath?: string;
}

/** `$ErrorActionPreference = 'Stop'` then Connect-ExchangeOnline, app-only, no banner, only our cmdlets. */
export function connectExchangeOnline(args: ConnectArgs): Command {
    const common = `-Organization ${quote(args.organization)} -ShowBanner:$false -CommandName ${quoteList(COMMAND_NAMES)}`;
    let auth: string;
    switch (args.auth.kind) {
        case "certificate":
            auth =
                `-AppId ${quote(args.auth.appId)} -CertificateFilePath ${quote(args.certificateFilePath ?? args.auth.certificateFilePath)} ` +
                `-CertificatePassword (ConvertTo-SecureString -String ${quote(args.auth.certificatePassword)} -AsPlainText -Force)`;
            break;
        case "managedIdentity":
            auth = "-ManagedIdentity";
            break;
        case "accessToken":
            auth = `-AccessToken ${quote(args.auth.accessToken)}`;
            break;
    }
    return { cmdlet: "Connect-ExchangeOnline", text: `$ErrorActionPreference = 'Stop'; ${wrap(`Connect-ExchangeOnline ${auth} ${common}`)}` };
}

function select(properties: readonly string[]): string {
    return `Select-Object -Property ${properties.join(",")} | ${toJson}`;
}

/** Every accepted domain in one call (the bulk read shared by all resources of a run). */
export function getAcceptedDomains(): Command {
    return { cmdlet: "Get-AcceptedDomain", text: wrap(`Get-AcceptedDomain -ResultSize Unlimited | ${select(ACCEPTED_DOMAIN_PROPERTIES)}`) };
}

/** One accepted domain by identity. */
export function getAcceptedDomain(identity: string): Command {
    return { cmdlet: "Get-AcceptedDomain", text: wrap(`Get-AcceptedDomain -Identity ${quote(identity)} | ${select(ACCEPTED_DOMAIN_PROPERTIES)}`) };
}

const SET_PARAMETERS: Record<keyof DomainSettings, (v: DomainSettings[keyof DomainSettings]) => string> = {
    domainType: (v) => `-DomainType ${quote(String(v))}`,
    matchSubDomains: (v) => `-MatchSubDomains:${bool(v === true)}`,
    outboundOnly: (v) => `-OutboundOnly:${bool(v === true)}`,
};

/** Set-AcceptedDomain with only the changed parameters (M365DSC's splat, minus auth). */
export function setAcceptedDomain(identity: string, changed: Partial<DomainSettings>): Command {
    const params = (Object.keys(SET_PARAMETERS) as (keyof DomainSettings)[])
        .filter((k) => changed[k] !== undefined)
        .map((k) => SET_PARAMETERS[k](changed[k] as DomainSettings[typeof k]));
    if (params.length === 0) {
        throw new Error(`setAcceptedDomain(${identity}): nothing to change; callers send a Set only when a property differs`);
    }
    return { cmdlet: "Set-AcceptedDomain", text: wrap(`Set-AcceptedDomain -Identity ${quote(identity)} ${params.join(" ")} -Confirm:$false`) };
}

/** The hybrid on-premises organization(s): HybridDomains. */
export function getOnPremisesOrganization(): Command {
    return { cmdlet: "Get-OnPremisesOrganization", text: wrap(`Get-OnPremisesOrganization | ${select(["Name", "HybridDomains"])}`) };
}

/** Outbound connectors: which route mail on-premises (ConnectorType OnPremises) and for which domains. */
export function getOutboundConnectors(): Command {
    return {
        cmdlet: "Get-OutboundConnector",
        text: wrap(`Get-OutboundConnector | ${select(["Name", "ConnectorType", "RecipientDomains", "Enabled"])}`),
    };
}

/** Directory-synced recipients with their addresses (counted per domain by the tenant reader). */
export function getDirSyncedRecipients(): Command {
    return {
        cmdlet: "Get-Recipient",
        text: wrap(`Get-Recipient -ResultSize Unlimited -Filter ${quote("IsDirSynced -eq 'True'")} | ${select(["PrimarySmtpAddress", "EmailAddresses"])}`),
    };
}
