/**
 * Get-OnPremisesOrganization — https://learn.microsoft.com/powershell/module/exchange/get-onpremisesorganization
 * Syntax: Get-OnPremisesOrganization [[-Identity] <OrganizationIdParameter>] [-DomainController <Fqdn>]
 * Properties (HybridDomains, InboundConnector, OutboundConnector, OrganizationName, OrganizationGuid,
 * OrganizationRelationship): OnPremisesOrganization members,
 * https://learn.microsoft.com/en-us/previous-versions/office/exchange-server-api/jj955936(v=exchg.150).
 * Returns nothing when the tenant has no hybrid on-premises organization object.
 */
import { exoErrors } from "../errors";
import { matchesIdentity, onPremisesOrganizationObject } from "../exo-objects";
import { EXO_MODULE, type CmdletDef, type ParamSpec } from "./types";

const SIGNATURE: readonly ParamSpec[] = [
    { name: "Identity", type: "string", psType: "Microsoft.Exchange.Configuration.Tasks.OrganizationIdParameter", position: 0 },
    { name: "DomainController", type: "string", psType: "Microsoft.Exchange.Data.Fqdn", unsupported: true },
];

export const getOnPremisesOrganization: CmdletDef = {
    name: "Get-OnPremisesOrganization",
    module: EXO_MODULE,
    kind: "read",
    params: SIGNATURE,
    async run(ctx) {
        const state = await ctx.readTenant();
        const identity = ctx.params.get("Identity");
        const all = state.onPremisesOrganizations;
        if (typeof identity === "string") {
            const o = all.find((x) => matchesIdentity(identity, [x.name, x.guid]));
            if (!o) {
                ctx.writeError(exoErrors.notFound(ctx.cmdlet, identity, state.organization.domainController));
                return [];
            }
            return [onPremisesOrganizationObject(o)];
        }
        return all.map(onPremisesOrganizationObject);
    },
};
