/**
 * Get-EXORecipient — https://learn.microsoft.com/powershell/module/exchange/get-exorecipient
 * Syntax (Identity set): Get-EXORecipient [[-Identity] <String>] [-ExternalDirectoryObjectId <Guid>] [-Filter <String>]
 *   [-IncludeSoftDeletedRecipients] [-OrganizationalUnit <String>] [-PrimarySmtpAddress <String>] [-Properties <String[]>]
 *   [-PropertySets <PropertySet[]>] [-RecipientPreviewFilter <String>] [-RecipientType <String[]>]
 *   [-RecipientTypeDetails <String[]>] [-ResultSize <Unlimited>] [-UserPrincipalName <String>]
 * (Anr set: -Anr <String> instead of the identities.)
 * - A cmdlet of the module itself (REST), not of the server: Connect-ExchangeOnline -CommandName does not
 *   limit it. Before a connection the emulator reports it "not recognized" like the server's cmdlets
 *   (the real module's text there is not verified).
 * - -ResultSize defaults to 1000. -PropertySets: Minimum (default), Archive, Custom, MailboxMove, Policy;
 *   All is accepted and discouraged (exchange-online-powershell-v2). Minimum is ExchangeVersion,
 *   ExternalDirectoryObjectId, Name, OrganizationId, RecipientType, RecipientTypeDetails (cmdlet-property-sets);
 *   other properties come only with -Properties or -PropertySets All.
 * - -Filter (filters-v2): -like/-notlike take a wildcard only at the start or the end of a value; the
 *   filter is matched by the service, and its result pages cost latency.pageMs each (interpreter.ts).
 */
import { exoErrors, psErrors } from "../errors";
import { recipientObject } from "../exo-objects";
import { FilterError, innerWildcards, parseFilter } from "../opath";
import { RECIPIENT_FILTERABLE, selectRecipients } from "../recipients";
import { limitResults } from "../result-size";
import type { RecipientState, TenantState } from "../state";
import { PSObject, type Value } from "../values";
import { EXO_MODULE, type CmdletDef, type ParamSpec } from "./types";

/** Longest -Filter value the emulated service takes (see the check below). */
const MAX_FILTER_CHARS = 2048;

const PROPERTY_SETS = ["All", "Archive", "Custom", "MailboxMove", "Minimum", "Policy"] as const;

const SIGNATURE: readonly ParamSpec[] = [
    { name: "Identity", type: "string", psType: "System.String", position: 0 },
    { name: "Filter", type: "string", psType: "System.String" },
    { name: "ResultSize", type: "resultsize", psType: "Microsoft.Exchange.Management.RestApiClient.Unlimited`1[System.UInt32]" },
    { name: "PropertySets", type: "string[]", psType: "Microsoft.Exchange.Management.RestApiClient.PropertySet[]" },
    { name: "Properties", type: "string[]", psType: "System.String[]" },
    { name: "RecipientTypeDetails", type: "string[]", psType: "System.String[]" },
    { name: "RecipientType", type: "string[]", psType: "System.String[]" },
    { name: "PrimarySmtpAddress", type: "string", psType: "System.String" },
    { name: "ExternalDirectoryObjectId", type: "string", psType: "System.Guid" },
    { name: "UserPrincipalName", type: "string", psType: "System.String", unsupported: true },
    { name: "Anr", type: "string", psType: "System.String", unsupported: true },
    { name: "IncludeSoftDeletedRecipients", type: "switch", psType: "System.Management.Automation.SwitchParameter", unsupported: true },
    { name: "OrganizationalUnit", type: "string", psType: "System.String", unsupported: true },
    { name: "RecipientPreviewFilter", type: "string", psType: "System.String", unsupported: true },
];

/** The Minimum property set of Get-EXORecipient (cmdlet-property-sets), always returned. */
const MINIMUM = ["ExchangeVersion", "ExternalDirectoryObjectId", "Name", "OrganizationId", "RecipientType", "RecipientTypeDetails"] as const;

/** A recipient with the Minimum set plus the asked-for properties the emulator knows. */
function exoRecipientObject(r: RecipientState, state: TenantState, extra: readonly string[] | "all"): PSObject {
    const full = recipientObject(r);
    const minimum: [string, Value][] = [
        ["ExchangeVersion", "0.20 (15.0.0.0)"],
        ["ExternalDirectoryObjectId", r.guid],
        ["Name", r.name],
        ["OrganizationId", `EURPR01A001.prod.outlook.com/Microsoft Exchange Hosted Organizations/${state.organization.name} - EURPR01A001.prod.outlook.com/ConfigurationUnits/${state.organization.name}/Configuration`],
        ["RecipientType", r.recipientType],
        ["RecipientTypeDetails", r.recipientTypeDetails ?? r.recipientType],
    ];
    const wanted = (name: string) => extra === "all" || extra.some((e) => e.toLowerCase() === name.toLowerCase());
    const more = full.entries().filter(([n]) => wanted(n) && !MINIMUM.some((m) => m.toLowerCase() === n.toLowerCase()));
    return new PSObject("Microsoft.Exchange.Management.RestApiClient.ExORecipient", [...minimum, ...more]);
}

export const getExoRecipient: CmdletDef = {
    name: "Get-EXORecipient",
    module: EXO_MODULE,
    kind: "read",
    moduleNative: true,
    params: SIGNATURE,
    async run(ctx) {
        const state = await ctx.readTenant();
        const server = state.organization.domainController;
        const sets = ctx.params.get("PropertySets");
        const setNames = Array.isArray(sets) ? sets.map(String) : [];
        for (const s of setNames) {
            if (!PROPERTY_SETS.some((p) => p.toLowerCase() === s.toLowerCase())) {
                ctx.writeError(
                    psErrors.bind(
                        ctx.cmdlet,
                        "ParameterArgumentTransformationError",
                        `Cannot process argument transformation on parameter 'PropertySets'. Cannot convert value "${s}" to type "Microsoft.Exchange.Management.RestApiClient.PropertySet". Error: "Unable to match the identifier name ${s} to a valid enumerator name. Specify one of the following enumerator names and try again:\n${PROPERTY_SETS.join(", ")}"`,
                        "ParameterBindingArgumentTransformationException",
                    ),
                );
                return [];
            }
        }
        const filterText = ctx.params.get("Filter");
        let filter;
        if (typeof filterText === "string") {
            // Microsoft documents 2048 characters for a RecipientFilter (office-docs-powershell#8036) and
            // admins met a -Filter limit (#7471); held to the same figure here, with a text of our own
            // (docs/exchange-online-fidelity.md E16: not verified).
            if (filterText.length > MAX_FILTER_CHARS) {
                ctx.writeError(exoErrors.badFilter(ctx.cmdlet, server, `The filter is ${filterText.length} characters long; a filter can be at most ${MAX_FILTER_CHARS} characters.`));
                return [];
            }
            try {
                filter = parseFilter(filterText, RECIPIENT_FILTERABLE);
            } catch (e) {
                if (!(e instanceof FilterError)) throw e;
                ctx.writeError(exoErrors.badFilter(ctx.cmdlet, server, e.message));
                return [];
            }
            const inner = innerWildcards(filter);
            if (inner.length > 0) {
                ctx.writeError(
                    exoErrors.badFilter(ctx.cmdlet, server, `The filter value '${inner[0]}' has a wildcard inside it: wildcards are supported only at the beginning or the end of a value.`),
                );
                return [];
            }
        }
        const identity = ctx.params.get("Identity") ?? ctx.params.get("PrimarySmtpAddress") ?? ctx.params.get("ExternalDirectoryObjectId");
        const selected = selectRecipients(state.recipients, ctx.params, identity, filter);
        if (!selected.found) {
            ctx.writeError(exoErrors.notFound(ctx.cmdlet, String(identity), server));
            return [];
        }
        const props = ctx.params.get("Properties");
        const extra = setNames.some((s) => s.toLowerCase() === "all") ? "all" : Array.isArray(props) ? props.map(String) : [];
        return limitResults(ctx, selected.recipients).map((r) => exoRecipientObject(r, state, extra));
    },
};
