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

/** The coexistence facts the run read (hybrid domains, on-premises connectors), when it read them. */
const factsSchema = z.object({
    hybridDomains: z.array(z.string()),
    onPremisesConnectors: z.array(z.object({ name: z.string(), recipientDomains: z.array(z.string()), allAcceptedDomains: z.boolean() })),
});
export type SnapshotFacts = z.infer<typeof factsSchema>;

const snapshotSchema = z.object({
    schemaVersion: z.literal(1),
    domains: z.array(liveDomainSchema),
    facts: factsSchema.optional(),
});

/** What a run saw of the tenant: its accepted domains, and its coexistence facts when it read them. */
export interface TenantSnapshot {
    domains: LiveDomain[];
    facts?: SnapshotFacts;
}

/** Writes the snapshot atomically (a reader never sees half a file), readable by the owner only. */
export function writeTenantSnapshot(file: string, domains: readonly LiveDomain[], facts?: SnapshotFacts): void {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(snapshotSchema.parse({ schemaVersion: 1, domains, ...(facts ? { facts } : {}) })), { mode: 0o600 });
    fs.renameSync(tmp, file);
}

/** The snapshot's domains, or undefined when no provider wrote one. A damaged file is an error, not "no domains". */
export function readTenantSnapshot(file: string): LiveDomain[] | undefined {
    return readTenantSnapshotWithFacts(file)?.domains;
}

/** The whole snapshot (domains and facts), or undefined when no provider wrote one. */
export function readTenantSnapshotWithFacts(file: string): TenantSnapshot | undefined {
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
    return parsed.data;
}

/** The reader's hooks that keep the snapshot: every bulk list of domains, and the coexistence facts. */
export interface SnapshotHooks {
    onDomains(domains: readonly LiveDomain[]): void;
    onFacts(facts: SnapshotFacts): void;
}

/**
 * The provider's hooks: a writer for the file named in the environment, or undefined. Each call
 * rewrites the file with the latest domains and facts. A failed write is reported and does not fail
 * the run (the tool then reads the tenant itself).
 */
export function snapshotWriterFromEnv(env: NodeJS.ProcessEnv, report: (line: string) => void): SnapshotHooks | undefined {
    const file = env[TENANT_SNAPSHOT_ENV];
    if (!file) {
        return undefined;
    }
    let domains: readonly LiveDomain[] | undefined;
    let facts: SnapshotFacts | undefined;
    const write = () => {
        if (!domains) return; // facts alone are no snapshot: the tool would read the tenant anyway
        try {
            writeTenantSnapshot(file, domains, facts);
        } catch (error) {
            report(`could not write the tenant snapshot ${TENANT_SNAPSHOT_ENV}=${file}: ${error instanceof Error ? error.message : String(error)}`);
        }
    };
    return {
        onDomains: (d) => {
            domains = d;
            write();
        },
        onFacts: (f) => {
            facts = f;
            write();
        },
    };
}
