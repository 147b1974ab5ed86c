/**
 * The single source of truth for the shapes that cross module boundaries: stack
 * config, the AcceptedDomain resource's inputs and outputs, and the type token
 * the policy pack matches on. Types are derived from these zod schemas.
 *
 * Policies import only this file (never the provider or node-powershell).
 */
import { z } from "zod";

/** Token of the dynamic resource: `pulumi-nodejs:dynamic/<module>:<Type>` (pulumi/pulumi PR #11873). */
export const ACCEPTED_DOMAIN_TYPE = "pulumi-nodejs:dynamic/exchange:AcceptedDomain";

/** The two types Exchange Online accepts for Set-AcceptedDomain -DomainType (ExternalRelay is refused in the cloud). */
export const domainTypeSchema = z.enum(["Authoritative", "InternalRelay"]);
export type DomainType = z.infer<typeof domainTypeSchema>;

/** What happens to the tenant when the resource leaves the stack. */
export const onDeleteSchema = z.enum(["retain", "restore"]);
export type OnDelete = z.infer<typeof onDeleteSchema>;

/**
 * Tenant-side coexistence signals, read once per run by the provider's check and
 * attached to the checked inputs as plain values, so the policy pack sees them at
 * preview (an unknown value would downgrade a mandatory rule to advisory).
 */
export const coexistenceSignalsSchema = z.object({
    /** The domain is in Get-OnPremisesOrganization's HybridDomains. */
    hybridDomain: z.boolean(),
    /** Names of OnPremises outbound connectors whose RecipientDomains cover the domain. */
    onPremisesConnectors: z.array(z.string()),
    /** Count of directory-synced recipients (IsDirSynced) with an address in the domain. */
    syncedRecipients: z.number().int().nonnegative(),
    /** Entra ID signals, present only when the stack enables the azuread lookup. */
    entra: z
        .object({
            federated: z.boolean(),
            syncedUsers: z.number().int().nonnegative(),
        })
        .optional(),
});
export type CoexistenceSignals = z.infer<typeof coexistenceSignalsSchema>;
