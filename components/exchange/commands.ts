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
 *   Get-EXORecipient -Filter with the filterable properties IsDirSynced and EmailAddresses:
 *   https://learn.microsoft.com/powershell/exchange/filter-properties
 */
import type { ConnectAuth, DomainSettings } from "../schema";
import { EXO_MODULE } from "./host-check";
import { RESULT_MARKER } from "./pwsh-output";
import { bool, opathString, quote, quoteList } from "./quote";

/**
 * The server's cmdlets this project uses: Connect-ExchangeOnline -CommandName loads only these.
 * Get-EXORecipient is not among them: the Get-EXO* cmdlets ship in the module itself.
 */
export const COMMAND_NAMES = ["Get-AcceptedDomain", "Set-AcceptedDomain", "Get-OnPremisesOrganization", "Get-OutboundConnector"] as const;

/** A command ready to send, plus the name used in messages and retry lines. */
export interface Command {
    /** The cmdlet, e.g. "Get-AcceptedDomain" (never contains values). */
    readonly cmdlet: string;
    /** The full PowerShell text. May contain secrets (Connect): never log it. */
    readonly text: string;
}

/** Properties read from Get-AcceptedDomain. */
export const ACCEPTED_DOMAIN_PROPERTIES = ["Name", "DomainName", "DomainType", "MatchSubDomains", "OutboundOnly", "Default", "Guid"] as const;

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
    /** With the access token in hand (config.ts connectAuth). */
    auth: ConnectAuth;
    /** certificateFilePath resolved to an absolute path. */
    certificateFilePath?: string;
    /**
     * The ExchangeOnlineManagement version to import first (host-check.ts chose it): autoloading
     * takes the newest installed one, which may need a newer PowerShell than this pwsh.
     */
    moduleVersion?: string;
}

/**
 * `$ErrorActionPreference = 'Stop'` then Connect-ExchangeOnline, app-only, no banner, only our
 * cmdlets, and -SkipLoadingFormatData (the Connect-ExchangeOnline page: it "avoids downloading the
 * format data for REST API connections", which speeds up the connect; we read properties, never
 * formatted views).
 */
export function connectExchangeOnline(args: ConnectArgs): Command {
    const common = `-Organization ${quote(args.organization)} -ShowBanner:$false -SkipLoadingFormatData -CommandName ${quoteList(COMMAND_NAMES)}`;
    let auth: string;
    switch (args.auth.kind) {
        case "certificate":
            auth =
                `-AppId ${quote(args.auth.appId)} -CertificateFilePath ${quote(args.certificateFilePath ?? args.auth.certificateFilePath)} ` +
                `-CertificatePassword (ConvertTo-SecureString -String ${quote(args.auth.certificatePassword)} -AsPlainText -Force)`;
            break;
        case "managedIdentity":
            // A user-assigned identity is named by -ManagedIdentityAccountId; without it, the system-assigned one.
            auth = args.auth.accountId === undefined ? "-ManagedIdentity" : `-ManagedIdentity -ManagedIdentityAccountId ${quote(args.auth.accountId)}`;
            break;
        case "accessToken":
            auth = `-AccessToken ${quote(args.auth.accessToken)}`;
            break;
    }
    const load = args.moduleVersion === undefined ? "" : `Import-Module -Name ${EXO_MODULE} -RequiredVersion ${quote(args.moduleVersion)}; `;
    return { cmdlet: "Connect-ExchangeOnline", text: `$ErrorActionPreference = 'Stop'; ${wrap(`${load}Connect-ExchangeOnline ${auth} ${common}`)}` };
}

function select(properties: readonly string[]): string {
    return `Select-Object -Property ${properties.join(",")} | ${toJson}`;
}

/**
 * A read whose JSON is printed on one line behind RESULT_MARKER: stdout also carries the host's
 * own text (terminal sequences, warnings that span lines), and only the marked line is parsed.
 * An empty result prints the bare marker (a string plus $null is the string).
 */
function marked(pipeline: string): string {
    return `${quote(RESULT_MARKER)} + (${pipeline})`;
}

/**
 * What the host offers: the PowerShell version and the installed ExchangeOnlineManagement versions
 * (Get-Module -ListAvailable reads the module path only; nothing is imported). Sent before the
 * connect, so a missing or unusable module fails with what to install (host-check.ts).
 */
export function probeHost(): Command {
    const modules = `[string[]]@(Get-Module -ListAvailable -Name ${EXO_MODULE} | Select-Object -ExpandProperty Version)`;
    return {
        cmdlet: "Get-Module",
        text: wrap(marked(`@{ psVersion = $PSVersionTable.PSVersion.ToString(); modules = ${modules} } | ${toJson}`)),
    };
}

/** Every accepted domain in one call (the bulk read shared by all resources of a run). */
export function getAcceptedDomains(): Command {
    return { cmdlet: "Get-AcceptedDomain", text: wrap(marked(`Get-AcceptedDomain -ResultSize Unlimited | ${select(ACCEPTED_DOMAIN_PROPERTIES)}`)) };
}

/** One accepted domain by identity. */
export function getAcceptedDomain(identity: string): Command {
    return { cmdlet: "Get-AcceptedDomain", text: wrap(marked(`Get-AcceptedDomain -Identity ${quote(identity)} | ${select(ACCEPTED_DOMAIN_PROPERTIES)}`)) };
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
    return { cmdlet: "Get-OnPremisesOrganization", text: wrap(marked(`Get-OnPremisesOrganization | ${select(["Name", "HybridDomains"])}`)) };
}

/**
 * Outbound connectors: which route mail on-premises (ConnectorType OnPremises) and for which domains:
 * RecipientDomains, or every accepted domain with AllAcceptedDomains (New-OutboundConnector page).
 */
export function getOutboundConnectors(): Command {
    return {
        cmdlet: "Get-OutboundConnector",
        text: wrap(marked(`Get-OutboundConnector | ${select(["Name", "ConnectorType", "RecipientDomains", "AllAcceptedDomains", "Enabled"])}`)),
    };
}

/**
 * Longest -Filter value the product sends. Microsoft documents 2048 characters for a RecipientFilter
 * (New-DynamicDistributionGroup, office-docs-powershell#8036) and nothing for -Filter, where admins
 * have met a limit (office-docs-powershell#7471: a Get-User filter of 59 GUIDs refused); so the
 * documented figure is taken for both (docs/exchange-online-fidelity.md E16: not verified).
 */
export const SYNCED_QUERY_MAX_FILTER_CHARS = 2048;

/** The OPATH filter asking for a directory-synced recipient with an address in any of the domains. */
export function dirSyncedFilter(domains: readonly string[]): string {
    const any = domains.map((d) => `EmailAddresses -like ${opathString(`*@${d}`)}`).join(" -or ");
    return `IsDirSynced -eq 'True' -and (${any})`;
}

/** The domains in as few groups as possible, each one filter of at most SYNCED_QUERY_MAX_FILTER_CHARS (order kept). */
export function syncedQueryGroups(domains: readonly string[]): string[][] {
    const groups: string[][] = [];
    let group: string[] = [];
    for (const d of domains) {
        if (group.length > 0 && dirSyncedFilter([...group, d]).length > SYNCED_QUERY_MAX_FILTER_CHARS) {
            groups.push(group);
            group = [];
        }
        group.push(d);
    }
    if (group.length > 0) groups.push(group);
    return groups;
}

/**
 * Whether any directory-synced recipient has an address in one of the domains: one bounded server-side
 * query, whose cost does not grow with the directory (-ResultSize 1 stops at the first match).
 * - Get-EXORecipient, not Get-Recipient: Microsoft's Get-Recipient page recommends the EXO cmdlet in
 *   Exchange Online (learn.microsoft.com/powershell/module/exchange/get-exorecipient).
 * - `EmailAddresses -like '*@<domain>'`: filters of the V3 module take a wildcard only at the start or
 *   the end of a value, so the proxy prefix ("smtp:*@…") can't be written (learn.microsoft.com/powershell/exchange/filters-v2).
 *   The match takes every proxy type ending in @<domain>; a synced object with any such address is a sign.
 * - Name and EmailAddresses of the one recipient: its addresses tell which of the domains it is in
 *   (EmailAddresses is not in the Minimum property set, so it is asked for with -Properties).
 * - The "only the first 1 items" warning of -ResultSize 1 is expected here and silenced.
 * - At most SYNCED_QUERY_MAX_FILTER_CHARS of filter: syncedQueryGroups makes the groups.
 */
export function getDirSyncedRecipientIn(domains: readonly string[]): Command {
    const filter = dirSyncedFilter(domains);
    if (domains.length === 0 || (domains.length > 1 && filter.length > SYNCED_QUERY_MAX_FILTER_CHARS)) {
        throw new Error(`getDirSyncedRecipientIn: ${domains.length} domains, a filter of ${filter.length} characters; group them with syncedQueryGroups`);
    }
    return {
        cmdlet: "Get-EXORecipient",
        text: wrap(
            marked(
                `Get-EXORecipient -ResultSize 1 -Properties EmailAddresses -Filter ${quote(filter)} -WarningAction SilentlyContinue | ${select(["Name", "EmailAddresses"])}`,
            ),
        ),
    };
}
