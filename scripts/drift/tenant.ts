/**
 * Reads the tenant's accepted domains for the tools, through the session layer
 * (components/exchange): the stack's own connection config, one connect, one bulk
 * Get-AcceptedDomain, nothing written. Secrets stay in memory.
 */
import * as path from "path";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { readConnectionConfig, type ConnectionSettings } from "../../components/exchange/config";
import { ExchangeSession } from "../../components/exchange/session";
import { TenantReader, type LiveDomain } from "../../components/exchange/tenant-reader";

/**
 * Connection settings from a stack's config (as `stack.getAllConfig()` returns
 * it). A relative certificate path resolves from the program's directory, where
 * the provider process runs.
 */
export function connectionFromStackConfig(config: ConfigMap, programDir: string): ConnectionSettings {
    const settings = readConnectionConfig((key) => config[key]?.value);
    if (settings.auth.kind === "certificate" && !path.isAbsolute(settings.auth.certificateFilePath)) {
        return { ...settings, auth: { ...settings.auth, certificateFilePath: path.resolve(programDir, settings.auth.certificateFilePath) } };
    }
    return settings;
}

/** Every accepted domain of the tenant (one connect, one bulk read), sorted by name. */
export async function readTenantDomains(settings: ConnectionSettings, log: (line: string) => void = (l) => process.stderr.write(l + "\n")): Promise<LiveDomain[]> {
    const session = new ExchangeSession(settings, { log });
    try {
        const map = await new TenantReader(session).acceptedDomains();
        return [...map.values()].sort((a, b) => a.domainName.localeCompare(b.domainName));
    } finally {
        await session.dispose();
    }
}
