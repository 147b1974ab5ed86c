/**
 * Get-OutboundConnector — https://learn.microsoft.com/powershell/module/exchange/get-outboundconnector
 * Syntax: Get-OutboundConnector [[-Identity] <OutboundConnectorIdParameter>] [-IncludeTestModeConnectors <Boolean>]
 *   [-IsTransportRuleScoped <Boolean>] [-ResultSize <Unlimited>]
 * ConnectorType is OnPremises or Partner; RecipientDomains lists the domains the connector routes to.
 */
import { exoErrors } from "../errors";
import { matchesIdentity, outboundConnectorObject } from "../exo-objects";
import { EXO_MODULE, type CmdletDef, type ParamSpec } from "./types";

const SIGNATURE: readonly ParamSpec[] = [
    { name: "Identity", type: "string", psType: "Microsoft.Exchange.Configuration.Tasks.OutboundConnectorIdParameter", position: 0 },
    { name: "IncludeTestModeConnectors", type: "bool", psType: "System.Boolean", unsupported: true },
    { name: "IsTransportRuleScoped", type: "bool", psType: "System.Boolean" },
    { name: "ResultSize", type: "resultsize", psType: "Microsoft.Exchange.Data.Unlimited`1[System.UInt32]" },
];

export const getOutboundConnector: CmdletDef = {
    name: "Get-OutboundConnector",
    module: EXO_MODULE,
    kind: "read",
    params: SIGNATURE,
    async run(ctx) {
        const state = await ctx.readTenant();
        const identity = ctx.params.get("Identity");
        if (typeof identity === "string") {
            const c = state.outboundConnectors.find((x) => matchesIdentity(identity, [x.name, x.guid]));
            if (!c) {
                ctx.writeError(exoErrors.notFound(ctx.cmdlet, identity, state.organization.domainController));
                return [];
            }
            return [outboundConnectorObject(c)];
        }
        const scoped = ctx.params.get("IsTransportRuleScoped");
        let all = state.outboundConnectors.filter((c) => scoped === undefined || c.isTransportRuleScoped === scoped);
        const size = ctx.params.get("ResultSize") ?? 1000;
        if (typeof size === "number") all = all.slice(0, size);
        return all.map(outboundConnectorObject);
    },
};
