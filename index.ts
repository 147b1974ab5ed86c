/**
 * The stack program: exchange:* config (validated with zod) -> one AcceptedDomain
 * per declared domain, and a summary output.
 *
 * Connection settings (exchange:organization, exchange:auth, exchange:pwshPath) are
 * validated here for early, clear errors, but only the provider uses them: it reads
 * them itself in its configure hook, so no credential enters a resource's inputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { AcceptedDomains, ConfigError, readStackConfig } from "./components";

function loadConfig() {
    try {
        // runtime.getConfig reads the raw value without the SDK's "value is a secret" warning;
        // the program never prints or exports auth, and error messages redact secret fields.
        return readStackConfig((key) => pulumi.runtime.getConfig(key));
    } catch (error) {
        // RunError: the CLI prints the message without a stack trace.
        throw error instanceof ConfigError ? new pulumi.RunError(error.message) : error;
    }
}

const config = loadConfig();

if (config.entra) {
    // TODO(entra): call entraSignals(Object.keys(config.domains)) from ./components/entra-signals
    // (owned by the policy engineer; not yet present) and pass the result as `entra` below.
    pulumi.log.warn("exchange:entra is true, but the Entra ID lookup is not wired into this program yet; Entra signals are omitted");
}

const domains = new AcceptedDomains("accepted-domains", { domains: config.domains });

/** Domain -> { domainType, matchSubDomains, outboundOnly, originalDomainType }. */
export const summary = domains.summary;
/** The tenant the stack manages. */
export const organization = config.organization;
