/**
 * The stack program: exchange:* config (validated with zod) -> one AcceptedDomain
 * per declared domain, and a summary output.
 *
 * Connection settings (exchange:organization, exchange:auth, exchange:pwshPath) are
 * validated here for early, clear errors, but only the provider uses them: it reads
 * them itself in its configure hook, so no credential enters a resource's inputs.
 */
// First, before the SDK's modules load: the run's sign-in and reads (components/start-reads.ts).
import "./components/start-reads";
import * as pulumi from "@pulumi/pulumi";
import { loadComponentModule } from "./components/compiled";

// The components as compiled JavaScript when dist/ is fresh (components/compiled.ts): the provider
// process only starts at the first registration, so time spent transpiling here delays every run.
const { AcceptedDomains, ConfigError, readStackConfig, startReadsFromProgram } = loadComponentModule<typeof import("./components")>(require.resolve("./components"));

function loadConfig() {
    try {
        // runtime.getConfig reads the raw value without the SDK's "value is a secret" warning;
        // the program never prints or exports auth, and error messages redact secret fields.
        return readStackConfig((key) => pulumi.runtime.getConfig(key), Object.keys(pulumi.runtime.allConfig()));
    } catch (error) {
        // RunError: the CLI prints the message without a stack trace.
        throw error instanceof ConfigError ? new pulumi.RunError(error.message) : error;
    }
}

const config = loadConfig();

// Entra ID signals (federated domain, users synced from on-premises) come from
// @pulumi/azuread, whose provider plugin must be installed: off unless
// exchange:entra enables it, and loaded only then.
function loadEntraSignals() {
    const entraModule = loadComponentModule<typeof import("./components/entra-signals")>(require.resolve("./components/entra-signals"));
    try {
        entraModule.assertAzureadPluginInstalled();
    } catch (error) {
        throw error instanceof entraModule.EntraPluginMissingError ? new pulumi.RunError(error.message) : error;
    }
    return entraModule.entraSignals(Object.keys(config.domains));
}
const entra = config.entra ? loadEntraSignals() : undefined;

// The run's sign-in and tenant reads start now, in its session keeper, while the program registers
// its resources and the engine starts the provider process (components/exchange/read-ahead.ts);
// after every check of the program that can fail (the config, including every domain name, and the
// azuread plugin), so a failing program signs in nowhere. Not awaited: the provider waits for them.
// Usually already under way: components/start-reads.ts started them with the same checks, before
// the SDK loaded, and this call then gets that answer.
void startReadsFromProgram((key) => pulumi.runtime.getConfig(key));

const domains = new AcceptedDomains("accepted-domains", { domains: config.domains, entra });

/** Domain -> { domainType, matchSubDomains, outboundOnly, originalDomainType }. */
export const summary = domains.summary;
/** The tenant the stack manages. */
export const organization = config.organization;
