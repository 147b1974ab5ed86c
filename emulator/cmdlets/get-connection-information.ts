/**
 * Get-ConnectionInformation — https://learn.microsoft.com/powershell/module/exchangepowershell/get-connectioninformation
 * Syntax: Get-ConnectionInformation [-ConnectionId <String[]>] | [-ModulePrefix <String[]>]
 * Returns one object per active REST connection (nothing when disconnected).
 */
import { PSObject } from "../values";
import { EXO_MODULE, type CmdletDef, type ParamSpec } from "./types";

const SIGNATURE: readonly ParamSpec[] = [
    { name: "ConnectionId", type: "string[]", psType: "System.String[]" },
    { name: "ModulePrefix", type: "string[]", psType: "System.String[]", unsupported: true },
];

export const getConnectionInformation: CmdletDef = {
    name: "Get-ConnectionInformation",
    module: EXO_MODULE,
    kind: "session",
    params: SIGNATURE,
    async run(ctx) {
        const c = ctx.session.connection;
        if (!c) return [];
        const ids = ctx.params.get("ConnectionId");
        if (Array.isArray(ids) && !ids.some((i) => String(i) === c.connectionId)) return [];
        return [
            new PSObject("Microsoft.Exchange.Management.ExoPowershellSnapin.ConnectionInformation", [
                ["ConnectionId", c.connectionId],
                ["State", "Connected"],
                ["Id", 1],
                ["Name", "ExchangeOnline_1"],
                ["UserPrincipalName", null],
                ["ConnectionUri", "https://outlook.office365.com"],
                ["AzureAdAuthorizationEndpointUri", "https://login.microsoftonline.com/organizations"],
                ["TokenExpiryTimeUTC", new Date(Date.parse(c.connectedAt) + 3600_000).toISOString()],
                ["CertificateAuthentication", c.authType === "Certificate" || c.authType === "CertificateFile"],
                ["ModuleName", "tmpEXO_emulated"],
                ["ModulePrefix", ""],
                ["Organization", c.organization],
                ["DelegatedOrganization", null],
                ["AppId", c.appId],
                ["PageSize", 1000],
                ["TenantID", c.tenantId],
                ["TokenStatus", "Active"],
                ["ConnectionUsedForInbuiltCmdlets", true],
                ["IsEopSession", false],
            ]),
        ];
    },
};
