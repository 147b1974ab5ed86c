/**
 * Set-AcceptedDomain — https://learn.microsoft.com/powershell/module/exchangepowershell/set-accepteddomain
 * Syntax: Set-AcceptedDomain [-Identity] <AcceptedDomainIdParameter> [-AddressBookEnabled <Boolean>]
 *   [-CanHaveCloudCache <Boolean>] [-Confirm] [-DomainController <Fqdn>] [-DomainType <AcceptedDomainType>]
 *   [-EnableNego2Authentication <Boolean>] [-MakeDefault <Boolean>] [-MailFlowRegion <String>]
 *   [-MatchSubDomains <Boolean>] [-Name <String>] [-OutboundOnly <Boolean>] [-PendingCompletion <Boolean>]
 *   [-PendingRemoval <Boolean>] [-SendingFromDomainDisabled <Boolean>] [-SendingToDomainDisabled <Boolean>] [-WhatIf]
 * AcceptedDomainType enum: Authoritative, ExternalRelay, InternalRelay
 * (https://learn.microsoft.com/en-us/previous-versions/office/exchange-server-api/ff340752(v=exchg.150)).
 * Exchange Online accepts only Authoritative and InternalRelay; MatchSubDomains only on InternalRelay
 * (the refusal texts are modelled on Microsoft365DSC's EXOAcceptedDomain resource, which mirrors EXO's rule;
 * exact EXO wording is not published). A Set that changes nothing writes EXO's warning
 * "The command completed successfully but no settings of '<id>' have been modified."
 */
import { exoErrors } from "../errors";
import { findAcceptedDomain } from "../exo-objects";
import { EXO_MODULE, type CmdletDef, type ParamSpec } from "./types";

const SIGNATURE: readonly ParamSpec[] = [
    { name: "Identity", type: "string", psType: "Microsoft.Exchange.Configuration.Tasks.AcceptedDomainIdParameter", position: 0, mandatory: true },
    { name: "AddressBookEnabled", type: "bool", psType: "System.Boolean", unsupported: true },
    { name: "CanHaveCloudCache", type: "bool", psType: "System.Boolean", unsupported: true },
    { name: "DomainController", type: "string", psType: "Microsoft.Exchange.Data.Fqdn", unsupported: true },
    { name: "DomainType", type: "enum", psType: "Microsoft.Exchange.Data.Directory.SystemConfiguration.AcceptedDomainType", values: ["Authoritative", "ExternalRelay", "InternalRelay"] },
    { name: "EnableNego2Authentication", type: "bool", psType: "System.Boolean", unsupported: true },
    { name: "MakeDefault", type: "bool", psType: "System.Boolean" },
    { name: "MailFlowRegion", type: "string", psType: "System.String", unsupported: true },
    { name: "MatchSubDomains", type: "bool", psType: "System.Boolean" },
    { name: "Name", type: "string", psType: "System.String", unsupported: true },
    { name: "OutboundOnly", type: "bool", psType: "System.Boolean" },
    { name: "PendingCompletion", type: "bool", psType: "System.Boolean", unsupported: true },
    { name: "PendingRemoval", type: "bool", psType: "System.Boolean", unsupported: true },
    { name: "SendingFromDomainDisabled", type: "bool", psType: "System.Boolean", unsupported: true },
    { name: "SendingToDomainDisabled", type: "bool", psType: "System.Boolean", unsupported: true },
];

export const EXTERNAL_RELAY_REFUSED = "ExternalRelay accepted domains aren't supported in Exchange Online. Use DomainType Authoritative or InternalRelay.";
export const MATCH_SUBDOMAINS_REFUSED = "MatchSubDomains can only be enabled on an InternalRelay domain.";
export const noSettingsModified = (identity: string) => `The command completed successfully but no settings of '${identity}' have been modified.`;

export const setAcceptedDomain: CmdletDef = {
    name: "Set-AcceptedDomain",
    module: EXO_MODULE,
    kind: "write",
    params: SIGNATURE,
    shouldProcess: true,
    input: "identity",
    async run(ctx) {
        const identity = String(ctx.params.get("Identity"));
        const domainType = ctx.params.get("DomainType") as string | undefined;
        const matchSub = ctx.params.get("MatchSubDomains") as boolean | undefined;
        const outboundOnly = ctx.params.get("OutboundOnly") as boolean | undefined;
        const makeDefault = ctx.params.get("MakeDefault") as boolean | undefined;
        const tenant = await ctx.readTenant();
        if (domainType === "ExternalRelay") {
            ctx.writeError(exoErrors.invalidOperation(ctx.cmdlet, EXTERNAL_RELAY_REFUSED, identity, tenant.organization.domainController));
            return [];
        }
        const current = findAcceptedDomain(tenant.acceptedDomains, identity);
        if (current.kind === "many") {
            ctx.writeError(exoErrors.ambiguous(ctx.cmdlet, identity, tenant.organization.domainController));
            return [];
        }
        if (current.kind === "one" && (await ctx.whatIf(current.domain.name))) return [];
        type Outcome = { kind: "notFound"; server: string } | { kind: "refused"; message: string; server: string } | { kind: "unchanged"; name: string } | { kind: "changed" };
        const outcome = await ctx.updateTenant((state): { result: Outcome; changed: boolean } => {
            const found = findAcceptedDomain(state.acceptedDomains, identity);
            if (found.kind !== "one") return { result: { kind: "notFound", server: state.organization.domainController }, changed: false };
            const d = found.domain;
            const nextType = domainType ?? d.domainType;
            const nextMatch = matchSub ?? d.matchSubDomains;
            if (nextMatch && nextType !== "InternalRelay" && (matchSub === true || domainType !== undefined)) {
                return { result: { kind: "refused", message: MATCH_SUBDOMAINS_REFUSED, server: state.organization.domainController }, changed: false };
            }
            let changed = false;
            if (nextType !== d.domainType) {
                d.domainType = nextType as typeof d.domainType;
                changed = true;
            }
            if (nextMatch !== d.matchSubDomains) {
                d.matchSubDomains = nextMatch;
                changed = true;
            }
            if (outboundOnly !== undefined && outboundOnly !== d.outboundOnly) {
                d.outboundOnly = outboundOnly;
                changed = true;
            }
            if (makeDefault === true && !d.default) {
                for (const other of state.acceptedDomains) other.default = other === d;
                changed = true;
            }
            if (!changed) return { result: { kind: "unchanged", name: d.name }, changed: false };
            d.whenChangedUtc = new Date().toISOString();
            return { result: { kind: "changed" }, changed: true };
        });
        if (outcome.kind === "notFound") ctx.writeError(exoErrors.notFound(ctx.cmdlet, identity, outcome.server));
        else if (outcome.kind === "refused") ctx.writeError(exoErrors.invalidOperation(ctx.cmdlet, outcome.message, identity, outcome.server));
        else if (outcome.kind === "unchanged") ctx.warn(noSettingsModified(outcome.name));
        return [];
    },
};
