/**
 * One bulk read per kind per run, shared by every resource (as Microsoft365DSC's
 * Export lists all domains with one Get-AcceptedDomain, without its per-domain Get
 * afterwards). The provider process lives for one run, so the cache does too.
 *
 * Outputs are parsed with zod. A failed read is not cached (the next caller
 * retries it) and never turns into "absent": only a complete successful list that
 * lacks the domain means NotFound.
 */
import { z } from "zod";
import type { CoexistenceSignals, DomainSettings, SyncedRecipients } from "../schema";
import {
    getAcceptedDomains,
    getDirSyncedRecipientIn,
    syncedQueryGroups,
    getOnPremisesOrganization,
    getOutboundConnectors,
    type Command,
} from "./commands";
import { domainMatches } from "../domain-match";
import type { LiveSettings } from "./diff";
import { ExchangeError, NotFoundError } from "./errors";
import { splitPwshOutput } from "./pwsh-output";
import type { CommandRunner } from "./session";
import { SyncedRecipientPool } from "./synced-recipients";

/** An accepted domain as the tenant has it. */
export interface LiveDomain extends LiveSettings {
    /** The accepted domain's Name (its -Identity). */
    identity: string;
    domainName: string;
    /** The object's Guid, when the read returned it: the identity a write uses when Names could be ambiguous. */
    guid?: string;
    /** Names of the tenant's other objects with this DomainName (Microsoft365DSC#2193: a "…_RELOCNF_…" copy). */
    duplicates: string[];
    /** Several objects share the DomainName and none is named like it: no write can tell which is meant. */
    ambiguous: boolean;
}

/** AcceptedDomainType enum values, for output that serialises enums as numbers. */
const DOMAIN_TYPE_NUMBERS: Record<number, string> = { 0: "Authoritative", 1: "ExternalRelay", 2: "InternalRelay" };

/** A string, or an object carrying the string (EXO types such as SmtpDomain serialise as objects). */
const stringish = z.union([
    z.string(),
    z.object({ Domain: z.string() }).transform((o) => o.Domain),
    z.object({ Address: z.string() }).transform((o) => o.Address),
]);

/**
 * A boolean, or the strings "True"/"False": some REST-backed V3 properties may serialise that way
 * (reported, not verified: docs/exchange-online-fidelity.md), so both read the same.
 */
const boolish = z.union([
    z.boolean(),
    z
        .string()
        .regex(/^\s*(true|false)\s*$/i, { error: 'expected a boolean or "True"/"False"' })
        .transform((v) => v.trim().toLowerCase() === "true"),
]);

const acceptedDomainRow = z.object({
    Name: z.string().nullish(),
    DomainName: stringish,
    DomainType: z.union([z.string(), z.number().transform((n) => DOMAIN_TYPE_NUMBERS[n] ?? String(n))]),
    MatchSubDomains: boolish.nullish(),
    OutboundOnly: boolish.nullish(),
    Guid: stringish.nullish(),
});

const onPremisesOrganizationRow = z.object({ HybridDomains: z.array(stringish).nullish() });

const outboundConnectorRow = z.object({
    Name: z.string(),
    ConnectorType: z.union([z.string(), z.number().transform((n) => (n === 1 ? "OnPremises" : "Partner"))]).nullish(),
    RecipientDomains: z.array(stringish).nullish(),
    AllAcceptedDomains: boolish.nullish(),
    Enabled: boolish.nullish(),
});

/** One recipient of the synced-recipient query; a single proxy address may come back as a plain string. */
export const syncedRecipientRow = z.object({
    Name: z.string().nullish(),
    EmailAddresses: z.union([z.array(z.string()), z.string().transform((a) => [a])]).nullish(),
});

/**
 * Parses a read's ConvertTo-Json output: nothing = [], one object = [object], an array as is.
 * The JSON is the line behind RESULT_MARKER (commands.ts); the rest of stdout is the host's own
 * text (terminal sequences, warnings over one or more lines) and is never parsed. Output without
 * the marker (another runner) is read whole, minus terminal sequences and WARNING/VERBOSE/DEBUG lines.
 */
export function parseJsonRows<T>(cmdlet: string, stdout: string, row: z.ZodType<T>): T[] {
    const { result, hostLines } = splitPwshOutput(stdout);
    const text = (result ?? hostLines.filter((l) => !/^\s*(WARNING|VERBOSE|DEBUG):/.test(l)).join("\n")).trim();
    if (text === "") {
        return [];
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch {
        throw new ExchangeError(cmdlet, `${cmdlet} returned output that isn't JSON: ${text.slice(0, 200)}`);
    }
    const rows = z.array(row).safeParse(Array.isArray(json) ? json : [json]);
    if (!rows.success) {
        throw new ExchangeError(cmdlet, `${cmdlet} returned an unexpected shape: ${rows.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    }
    return rows.data;
}

/** An enabled OnPremises outbound connector: the domains it routes on-premises. */
export interface OnPremisesConnector {
    name: string;
    recipientDomains: string[];
    /** AllAcceptedDomains: it routes every accepted domain on-premises, whatever RecipientDomains says. */
    allAcceptedDomains: boolean;
}

/** The tenant's coexistence facts that one read gives for every domain (recipients are read per domain). */
export interface CoexistenceFacts {
    hybridDomains: Set<string>;
    onPremisesConnectors: OnPremisesConnector[];
}

/** Which domains need the synced-recipient query: the others get "not-read". */
export interface CoexistenceNeeds {
    syncedRecipients: boolean;
}

/** Whether a connector's RecipientDomains entry ("*", "contoso.com", "*.contoso.com") covers the domain. */
export function recipientDomainCovers(entry: string, domain: string): boolean {
    return entry.trim() === "*" || domainMatches(entry, domain);
}

/** Whether a connector routes the domain's subdomains: "*", "*.<domain>" (or a wildcard above it), or AllAcceptedDomains. */
export function routesSubdomains(c: OnPremisesConnector, domain: string): boolean {
    return c.allAcceptedDomains || c.recipientDomains.some((d) => recipientDomainCovers(d, `sub.${domain}`) && d.trim().startsWith("*"));
}

/** The coexistence signals of one domain (without Entra, which the program supplies). */
export function signalsFor(facts: CoexistenceFacts, domain: string, syncedRecipients: SyncedRecipients): CoexistenceSignals {
    const covering = facts.onPremisesConnectors.filter((c) => c.allAcceptedDomains || c.recipientDomains.some((d) => recipientDomainCovers(d, domain)));
    return {
        hybridDomain: facts.hybridDomains.has(domain),
        onPremisesConnectors: covering.map((c) => c.name).sort(),
        subdomainConnectors: covering
            .filter((c) => routesSubdomains(c, domain))
            .map((c) => c.name)
            .sort(),
        syncedRecipients,
    };
}

export interface TenantReaderOptions {
    /** Called with every complete list the bulk read returns (the tenant snapshot, snapshot.ts). */
    onDomains?: (domains: readonly LiveDomain[]) => void;
    /** Called with the coexistence facts once they are read (the tenant snapshot keeps them for the drift report). */
    onFacts?: (facts: { hybridDomains: string[]; onPremisesConnectors: OnPremisesConnector[] }) => void;
}

export class TenantReader {
    private domains: Promise<Map<string, LiveDomain>> | undefined;
    private facts: Promise<CoexistenceFacts> | undefined;
    /** Whether directory-synced recipients have an address in a domain: concurrent questions pooled into few queries. */
    private readonly synced = new SyncedRecipientPool(
        async (domains) => {
            const [first] = await this.rows(getDirSyncedRecipientIn(domains), syncedRecipientRow);
            return first ? { found: true, addresses: first.EmailAddresses ?? [] } : { found: false };
        },
        syncedQueryGroups,
    );

    constructor(
        private readonly runner: CommandRunner,
        private readonly options: TenantReaderOptions = {},
    ) {}

    /** All accepted domains, keyed by lower-case domain name (one Get-AcceptedDomain per run). */
    acceptedDomains(): Promise<Map<string, LiveDomain>> {
        return (this.domains ??= this.uncachedOnFailure(this.readDomains(), () => (this.domains = undefined)));
    }

    /** The live domain, or NotFoundError when the complete list lacks it. */
    async liveDomain(domainName: string): Promise<LiveDomain> {
        const live = (await this.acceptedDomains()).get(domainName.toLowerCase());
        if (!live) {
            throw new NotFoundError(
                "Get-AcceptedDomain",
                `${domainName} is not an accepted domain of this tenant`,
                { reason: "ManagementObjectNotFoundException" },
            );
        }
        return live;
    }

    /** Records settings just written by Set-AcceptedDomain, so later reads in this run see them. */
    async recordSettings(domainName: string, settings: DomainSettings): Promise<void> {
        const map = await this.acceptedDomains();
        const live = map.get(domainName.toLowerCase());
        if (live) {
            map.set(domainName.toLowerCase(), { ...live, ...settings });
        }
    }

    /**
     * Coexistence signals of one domain: two reads per run shared by all domains, plus whether it has
     * synced recipients where its rules need that (needs.syncedRecipients; pooled bounded queries).
     */
    async coexistence(domainName: string, needs: CoexistenceNeeds): Promise<CoexistenceSignals> {
        const domain = domainName.toLowerCase();
        const facts = await this.coexistenceFacts();
        const synced: SyncedRecipients = needs.syncedRecipients ? ((await this.hasSyncedRecipients(domain)) ? "found" : "none") : "not-read";
        return signalsFor(facts, domain, synced);
    }

    /** The two tenant-wide coexistence reads (one of each per run). */
    coexistenceFacts(): Promise<CoexistenceFacts> {
        return (this.facts ??= this.uncachedOnFailure(this.readFacts(), () => (this.facts = undefined)));
    }

    /**
     * Starts every read the run will need, in the order it will need them: the bulk list first (a
     * refresh waits on it), then the coexistence reads. They then run while the engine does other
     * work, e.g. starts the program after a refresh, instead of when the first check asks. A failure
     * reaches the caller that needs the answer, which asks again; it is never taken for "absent".
     */
    readAhead(syncedRecipientDomains: readonly string[]): void {
        this.acceptedDomains().catch(() => undefined);
        this.coexistenceFacts().catch(() => undefined);
        this.askSyncedRecipients(syncedRecipientDomains);
    }

    /** Asks ahead for these domains, pooled into as few queries as possible; later calls get the answers. */
    askSyncedRecipients(domainNames: readonly string[]): void {
        for (const d of domainNames) {
            // A failure reaches the check that needs the answer (and is asked again there), not this caller.
            this.hasSyncedRecipients(d).catch(() => undefined);
        }
    }

    /** Whether any directory-synced recipient has an address in the domain (pooled Get-EXORecipient -ResultSize 1 queries). */
    hasSyncedRecipients(domainName: string): Promise<boolean> {
        return this.synced.has(domainName.toLowerCase());
    }

    private uncachedOnFailure<T>(p: Promise<T>, clear: () => void): Promise<T> {
        p.catch(clear);
        return p;
    }

    /**
     * A bulk read lists what exists; it has no object of its own to be missing.
     * Should EXO still answer one with a not-found error (e.g. about a domain
     * controller), that is a read failure: only a domain absent from a successful
     * list may mean "gone" (liveDomain), never an error text.
     */
    private async rows<T>(command: Command, row: z.ZodType<T>): Promise<T[]> {
        try {
            return parseJsonRows(command.cmdlet, await this.runner.run(command), row);
        } catch (error) {
            if (error instanceof NotFoundError) {
                throw new ExchangeError(error.cmdlet, `${error.message} (a bulk read failed; this does not mean the domain is gone)`, error.record);
            }
            throw error;
        }
    }

    private async readDomains(): Promise<Map<string, LiveDomain>> {
        const byName = new Map<string, z.infer<typeof acceptedDomainRow>[]>();
        for (const r of await this.rows(getAcceptedDomains(), acceptedDomainRow)) {
            const domainName = r.DomainName.toLowerCase();
            byName.set(domainName, [...(byName.get(domainName) ?? []), r]);
        }
        const map = new Map<string, LiveDomain>();
        for (const [domainName, rows] of byName) {
            // Of several objects for one DomainName, the one named like the domain is the real one.
            const named = rows.find((r) => (r.Name ?? domainName).toLowerCase() === domainName);
            const r = named ?? rows[0];
            map.set(domainName, {
                identity: r.Name ?? domainName,
                domainName,
                ...(r.Guid ? { guid: r.Guid } : {}),
                domainType: r.DomainType,
                matchSubDomains: r.MatchSubDomains ?? false,
                outboundOnly: r.OutboundOnly ?? false,
                duplicates: rows.filter((x) => x !== r).map((x) => x.Name ?? domainName),
                ambiguous: rows.length > 1 && named === undefined,
            });
        }
        this.options.onDomains?.([...map.values()]);
        return map;
    }

    private async readFacts(): Promise<CoexistenceFacts> {
        // Both asked at once: the session runs one command at a time anyway, and this way the second
        // is queued right behind the first, ahead of the synced-recipient queries asked in the same
        // turn (readAhead), which no check can use before it has these facts.
        const [orgs, connectors] = await Promise.all([
            this.rows(getOnPremisesOrganization(), onPremisesOrganizationRow),
            this.rows(getOutboundConnectors(), outboundConnectorRow),
        ]);
        const hybridDomains = new Set(orgs.flatMap((o) => o.HybridDomains ?? []).map((d) => d.toLowerCase()));
        const onPremisesConnectors = connectors
            .filter((c) => String(c.ConnectorType ?? "").toLowerCase() === "onpremises" && c.Enabled !== false)
            .map((c) => ({ name: c.Name, recipientDomains: c.RecipientDomains ?? [], allAcceptedDomains: c.AllAcceptedDomains === true }));
        const facts = { hybridDomains, onPremisesConnectors };
        this.options.onFacts?.({ hybridDomains: [...hybridDomains], onPremisesConnectors });
        return facts;
    }
}

// One reader per process, next to the one session.
const READER_KEY = Symbol.for("exchange-accepted-domains/tenant-reader");

/** The process's reader over the given runner (created once; options apply at creation). */
export function sharedReader(runner: CommandRunner, options: TenantReaderOptions = {}): TenantReader {
    const g = globalThis as unknown as Record<symbol, { runner: CommandRunner; reader: TenantReader } | undefined>;
    const current = g[READER_KEY];
    if (current && current.runner === runner) {
        return current.reader;
    }
    const reader = new TenantReader(runner, options);
    g[READER_KEY] = { runner, reader };
    return reader;
}
