/**
 * The tenant snapshot: the accepted domains that the run's one bulk
 * Get-AcceptedDomain returned, written by the provider to the file named in
 * EXO_TENANT_SNAPSHOT. A tool that drives a run (the drift report) learns from it
 * the domains the stack does not manage, out of the run's own session, instead of
 * starting and connecting a second one (issue 7: one connect per run).
 *
 * Only names and settings: no credential, nothing from the connection. Unset
 * variable, no file: providers started by plain `pulumi` commands write nothing.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import type { LiveDomain } from "./tenant-reader";

export const TENANT_SNAPSHOT_ENV = "EXO_TENANT_SNAPSHOT";

const liveDomainSchema = z.object({
    identity: z.string(),
    domainName: z.string(),
    domainType: z.string(),
    matchSubDomains: z.boolean(),
    outboundOnly: z.boolean(),
    guid: z.string().optional(),
    duplicates: z.array(z.string()).default([]),
    ambiguous: z.boolean().default(false),
}) satisfies z.ZodType<LiveDomain, unknown>;

const snapshotSchema = z.object({
    schemaVersion: z.literal(1),
    domains: z.array(liveDomainSchema),
});

/** Writes the snapshot atomically (a reader never sees half a file), readable by the owner only. */
export function writeTenantSnapshot(file: string, domains: readonly LiveDomain[]): void {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(snapshotSchema.parse({ schemaVersion: 1, domains })), { mode: 0o600 });
    fs.renameSync(tmp, file);
}

/** The snapshot's domains, or undefined when no provider wrote one. A damaged file is an error, not "no domains". */
export function readTenantSnapshot(file: string): LiveDomain[] | undefined {
    if (!fs.existsSync(file)) {
        return undefined;
    }
    let json: unknown;
    try {
        json = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new Error(`the tenant snapshot ${file} is not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    const parsed = snapshotSchema.safeParse(json);
    if (!parsed.success) {
        throw new Error(`the tenant snapshot ${file} has an unexpected shape: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    }
    return parsed.data.domains;
}

/**
 * The provider's hook: a writer for the file named in the environment, or
 * undefined. A failed write is reported and does not fail the run (the tool then
 * reads the tenant itself).
 */
export function snapshotWriterFromEnv(env: NodeJS.ProcessEnv, report: (line: string) => void): ((domains: readonly LiveDomain[]) => void) | undefined {
    const file = env[TENANT_SNAPSHOT_ENV];
    if (!file) {
        return undefined;
    }
    return (domains) => {
        try {
            writeTenantSnapshot(file, domains);
        } catch (error) {
            report(`could not write the tenant snapshot ${TENANT_SNAPSHOT_ENV}=${file}: ${error instanceof Error ? error.message : String(error)}`);
        }
    };
}
