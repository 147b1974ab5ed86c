/**
 * Get-AcceptedDomain — https://learn.microsoft.com/powershell/module/exchange/Get-AcceptedDomain
 * Syntax: Get-AcceptedDomain [[-Identity] <AcceptedDomainIdParameter>] [-DomainController <Fqdn>] [-ResultSize <Unlimited>]
 * -DomainController is on-premises only. -ResultSize defaults to 1000 like EXO (the Admin API page
 * https://learn.microsoft.com/en-us/exchange/reference/admin-api-endpoints-accepted-domain: "By default,
 * up to 1,000 results are returned"); 'Unlimited' returns all. An unknown -Identity is
 * ManagementObjectNotFoundException "The operation couldn't be performed because object '<id>' couldn't be found on '<server>'."
 * An object with validation errors is returned with IsValid false after a warning whose reasons go
 * on over further lines, so only its first line starts with "WARNING:" (host.ts; the wording follows
 * Exchange's "has been corrupted … The following validation errors happened:", not verified for EXO).
 */
import { exoErrors } from "../errors";
import { acceptedDomainObject, findAcceptedDomain } from "../exo-objects";
import { limitResults } from "../result-size";
import type { Value } from "../values";
import { EXO_MODULE, type CmdletDef, type ParamSpec } from "./types";

const SIGNATURE: readonly ParamSpec[] = [
    { name: "Identity", type: "string", psType: "Microsoft.Exchange.Configuration.Tasks.AcceptedDomainIdParameter", position: 0 },
    { name: "DomainController", type: "string", psType: "Microsoft.Exchange.Data.Fqdn", unsupported: true },
    { name: "ResultSize", type: "resultsize", psType: "Microsoft.Exchange.Data.Unlimited`1[System.UInt32]" },
];

/** The warning for an object whose stored values no longer validate. */
export function corruptedObjectWarning(name: string, errors: readonly string[]): string {
    return (
        `The object ${name} has been corrupted or isn't compatible with Microsoft support requirements, and it's in an inconsistent state. ` +
        `The following validation errors happened:\n${errors.join("\n")}`
    );
}

export const getAcceptedDomain: CmdletDef = {
    name: "Get-AcceptedDomain",
    module: EXO_MODULE,
    kind: "read",
    params: SIGNATURE,
    async run(ctx) {
        const state = await ctx.readTenant();
        const identity = ctx.params.get("Identity");
        if (typeof identity === "string") {
            const found = findAcceptedDomain(state.acceptedDomains, identity);
            if (found.kind === "many") {
                ctx.writeError(exoErrors.ambiguous(ctx.cmdlet, identity, state.organization.domainController));
                return [];
            }
            if (found.kind === "none") {
                ctx.writeError(exoErrors.notFound(ctx.cmdlet, identity, state.organization.domainController));
                return [];
            }
            const d = found.domain;
            if (d.validationErrors.length > 0) ctx.warn(corruptedObjectWarning(d.name, d.validationErrors));
            return [acceptedDomainObject(d, state)];
        }
        for (const d of state.acceptedDomains) {
            if (d.validationErrors.length > 0) ctx.warn(corruptedObjectWarning(d.name, d.validationErrors));
        }
        return limitResults(ctx, state.acceptedDomains).map((d): Value => acceptedDomainObject(d, state));
    },
};
