/**
 * Entra ID coexistence signals for accepted domains, through @pulumi/azuread:
 *  - federated: the domain's authenticationType is "Federated" (getDomains);
 *  - syncedUsers: users of the domain (UPN or mail) that came from on-premises
 *    through Entra Connect (getUsers).
 *
 * Off unless the stack enables it (`exchange:entra`): the caller only calls this
 * then. Two invokes per run, whatever the number of domains.
 *
 * getUsers does not return onPremisesSyncEnabled (only getUser does, one call per
 * user), so a user counts as synced when it carries onPremisesSamAccountName or
 * onPremisesUserPrincipalName: Microsoft Graph populates those only for objects
 * synchronised by Entra Connect (Graph "user resource type").
 *
 * The azuread provider plugin cannot be downloaded on these machines; the engine
 * then fails the invoke with "no resource plugin 'pulumi-resource-azuread' found
 * ..." (pulumi sdk go/common/workspace/plugins.go, MissingError), or with a
 * failed download. Both become EntraPluginMissingError with what to do.
 */
import * as azuread from "@pulumi/azuread";
import type { GetUsersUser } from "@pulumi/azuread/types/output";
import { getVersion } from "@pulumi/azuread/utilities";
import * as pulumi from "@pulumi/pulumi";
import type { CoexistenceSignals } from "./schema";

/** What the policy reads as coexistence.entra (components/schema.ts). */
export type EntraDomainSignals = NonNullable<CoexistenceSignals["entra"]>;

const AZUREAD_VERSION = getVersion();

export class EntraPluginMissingError extends Error {
    constructor(readonly engineMessage: string) {
        super(
            `Entra ID signals are enabled (exchange:entra) but the azuread provider plugin is not available: ` +
                `pulumi-resource-azuread v${AZUREAD_VERSION} is not installed and cannot be downloaded on this machine. ` +
                `Install it from a file (pulumi plugin install resource azuread v${AZUREAD_VERSION} --file <plugin tarball>) ` +
                `or set exchange:entra to false. Engine said: ${engineMessage}`,
        );
        this.name = "EntraPluginMissingError";
    }
}

export class EntraLookupError extends Error {
    constructor(readonly engineMessage: string) {
        super(`Entra ID lookup (azuread getDomains/getUsers) failed: ${engineMessage}. Check the azuread provider's credentials, or set exchange:entra to false.`);
        this.name = "EntraLookupError";
    }
}

/**
 * Where the engine would find the azuread provider plugin: PULUMI_HOME's plugin
 * cache (resource-azuread-v<version>) or an ambient pulumi-resource-azuread on
 * PATH (pulumi sdk go/common/workspace/plugins.go). Undefined when neither holds it.
 */
export function findAzureadPlugin(env: NodeJS.ProcessEnv = process.env): string | undefined {
    const fs = require("fs") as typeof import("fs");
    const path = require("path") as typeof import("path");
    const os = require("os") as typeof import("os");
    const home = env.PULUMI_HOME || path.join(os.homedir(), ".pulumi");
    const candidates = [
        path.join(home, "plugins", `resource-azuread-v${AZUREAD_VERSION}`, "pulumi-resource-azuread"),
        ...(env.PATH ?? "").split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, "pulumi-resource-azuread")),
    ];
    return candidates.find((file) => {
        try {
            fs.accessSync(file, fs.constants.X_OK);
            return true;
        } catch {
            return false;
        }
    });
}

/**
 * Fails fast, before any resource registers, when Entra signals are enabled but
 * the plugin is missing: otherwise the engine fails the default azuread provider
 * with a bare "no resource plugin" error and the program never learns why.
 */
export function assertAzureadPluginInstalled(env: NodeJS.ProcessEnv = process.env): void {
    if (findAzureadPlugin(env) === undefined) {
        throw new EntraPluginMissingError(
            `no resource plugin 'pulumi-resource-azuread' v${AZUREAD_VERSION} in ${env.PULUMI_HOME || "~/.pulumi"}/plugins or on PATH`,
        );
    }
}

/** The engine's missing-plugin and failed-download errors both name the plugin. */
function isMissingPlugin(message: string): boolean {
    return /plugin/i.test(message) && /azuread/i.test(message);
}

function wrap(error: unknown): Error {
    const message = error instanceof Error ? error.message : String(error);
    return isMissingPlugin(message) ? new EntraPluginMissingError(message) : new EntraLookupError(message);
}

const normalize = (domain: string): string => domain.trim().toLowerCase().replace(/\.$/, "");

const domainOf = (address: string | undefined): string | undefined => {
    const at = address?.lastIndexOf("@") ?? -1;
    return at >= 0 && address !== undefined ? normalize(address.slice(at + 1)) : undefined;
};

const isSynced = (user: GetUsersUser): boolean =>
    (user.onpremisesSamAccountName ?? "") !== "" || (user.onpremisesUserPrincipalName ?? "") !== "";

/** Pure: the signals of each wanted domain from the two invoke results. */
export function signalsFrom(
    wanted: readonly string[],
    domains: readonly { domainName: string; authenticationType: string }[],
    users: readonly GetUsersUser[],
): Record<string, EntraDomainSignals> {
    const result: Record<string, EntraDomainSignals> = {};
    for (const name of wanted) {
        const entry = domains.find((d) => normalize(d.domainName) === name);
        const syncedUsers = users.filter(
            (u) => isSynced(u) && (domainOf(u.userPrincipalName) === name || domainOf(u.mail) === name),
        ).length;
        result[name] = { federated: entry?.authenticationType === "Federated", syncedUsers };
    }
    return result;
}

/** The lookup behind entraSignals, as a promise (for callers and tests that need the rejection). */
export async function lookupEntraSignals(
    domains: readonly string[],
    opts?: pulumi.InvokeOptions,
): Promise<Record<string, EntraDomainSignals>> {
    const wanted = [...new Set(domains.map(normalize))];
    if (wanted.length === 0) {
        return {}; // nothing to ask: no invoke, so no plugin needed
    }
    try {
        const [domainList, userList] = await Promise.all([
            azuread.getDomains({}, opts),
            azuread.getUsers({ returnAll: true }, opts),
        ]);
        return signalsFrom(wanted, domainList.domains, userList.users);
    } catch (error) {
        throw wrap(error);
    }
}

/**
 * Entra ID signals per domain (keys lowercase, trailing dot dropped). Call only
 * when `exchange:entra` enables it.
 */
export function entraSignals(
    domains: string[],
    opts?: pulumi.InvokeOptions,
): pulumi.Output<Record<string, EntraDomainSignals>> {
    return pulumi.output(lookupEntraSignals(domains, opts));
}
