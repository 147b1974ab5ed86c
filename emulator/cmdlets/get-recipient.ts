/**
 * Get-Recipient — https://learn.microsoft.com/powershell/module/exchange/get-recipient
 * Syntax (Identity set): Get-Recipient [[-Identity] <RecipientIdParameter>] [-Filter <String>] [-ResultSize <Unlimited>]
 *   [-RecipientType <RecipientType[]>] [-RecipientTypeDetails <RecipientTypeDetails[]>] [-Properties <String[]>]
 *   [-PropertySet <PropertySet>] [-SortBy <String>] [-Anr <String>] [-BookmarkDisplayName <String>] [-Capabilities <…>]
 *   [-ExcludeRecipientTypeDetails <…>] [-IncludeBookmarkObject <Boolean>] [-IncludeManagerWithDisplayNames]
 *   [-IncludeSoftDeletedRecipients] [-OrganizationalUnit <…>] [-RecipientPreviewFilter <String>]
 * -Filter is OPATH (https://learn.microsoft.com/powershell/exchange/filter-properties): the emulator
 * understands IsDirSynced, EmailAddresses, PrimarySmtpAddress, RecipientType, RecipientTypeDetails,
 * Name, DisplayName, ExternalEmailAddress. Default -ResultSize is 1000.
 */
import { exoErrors, psErrors } from "../errors";
import { recipientObject } from "../exo-objects";
import { FilterError, parseFilter } from "../opath";
import { RECIPIENT_FILTERABLE, selectRecipients } from "../recipients";
import { limitResults } from "../result-size";
import { EXO_MODULE, type CmdletDef, type ParamSpec } from "./types";

const SIGNATURE: readonly ParamSpec[] = [
    { name: "Identity", type: "string", psType: "Microsoft.Exchange.Configuration.Tasks.RecipientIdParameter", position: 0 },
    { name: "Filter", type: "string", psType: "System.String" },
    { name: "ResultSize", type: "resultsize", psType: "Microsoft.Exchange.Data.Unlimited`1[System.UInt32]" },
    { name: "RecipientType", type: "string[]", psType: "Microsoft.Exchange.Data.Directory.Recipient.RecipientType[]" },
    { name: "RecipientTypeDetails", type: "string[]", psType: "Microsoft.Exchange.Data.Directory.Recipient.RecipientTypeDetails[]" },
    { name: "Properties", type: "string[]", psType: "System.String[]", unsupported: true },
    { name: "PropertySet", type: "string", psType: "Microsoft.Exchange.Management.RestApiClient.PropertySet", unsupported: true },
    { name: "SortBy", type: "string", psType: "System.String", unsupported: true },
    { name: "Anr", type: "string", psType: "System.String", unsupported: true },
    { name: "BookmarkDisplayName", type: "string", psType: "System.String", unsupported: true },
    { name: "Capabilities", type: "string[]", psType: "System.String[]", unsupported: true },
    { name: "ExcludeRecipientTypeDetails", type: "string[]", psType: "System.String[]", unsupported: true },
    { name: "IncludeBookmarkObject", type: "bool", psType: "System.Boolean", unsupported: true },
    { name: "IncludeManagerWithDisplayNames", type: "switch", psType: "System.Management.Automation.SwitchParameter", unsupported: true },
    { name: "IncludeSoftDeletedRecipients", type: "switch", psType: "System.Management.Automation.SwitchParameter", unsupported: true },
    { name: "OrganizationalUnit", type: "string", psType: "System.String", unsupported: true },
    { name: "RecipientPreviewFilter", type: "string", psType: "System.String", unsupported: true },
];

export const getRecipient: CmdletDef = {
    name: "Get-Recipient",
    module: EXO_MODULE,
    kind: "read",
    params: SIGNATURE,
    async run(ctx) {
        const filterText = ctx.params.get("Filter");
        let filter;
        if (typeof filterText === "string") {
            try {
                filter = parseFilter(filterText, RECIPIENT_FILTERABLE);
            } catch (e) {
                if (!(e instanceof FilterError)) throw e;
                ctx.writeError(psErrors.bind(ctx.cmdlet, "ParameterBindingFailed", `Cannot bind parameter 'Filter' to the target. Exception setting "Filter": "${e.message}"`));
                return [];
            }
        }
        const state = await ctx.readTenant();
        const identity = ctx.params.get("Identity");
        const selected = selectRecipients(state.recipients, ctx.params, identity, filter);
        if (!selected.found) {
            ctx.writeError(exoErrors.notFound(ctx.cmdlet, String(identity), state.organization.domainController));
            return [];
        }
        return limitResults(ctx, selected.recipients).map(recipientObject);
    },
};
