/**
 * The AcceptedDomain lifecycle, loaded by the dynamic provider at run time (see
 * accepted-domain.ts for why it is required rather than captured). Each function
 * is one provider method; all Exchange calls go through the shared session and
 * the shared tenant reader.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
    acceptedDomainRawInputsSchema,
    domainTypeSchema,
    type AcceptedDomainInputs,
    type AcceptedDomainOutputs,
    type CoexistenceSignals,
    type DomainSettings,
} from "../schema";
import { guardAuthoritative, guardClock, KB_CONSEQUENCE, overrideUsedLine } from "../authoritative-guard";
import { coexistenceSignalList } from "../coexistence-signals";
import { microsoftDomainKind } from "../microsoft-domains";
import { setAcceptedDomain } from "./commands";
import { readConnectionConfig, type ConfigGetter } from "./config";
import { changedSettings, decideDiff, driftOf, settingsOf, type LiveSettings } from "./diff";
import { NotFoundError } from "./errors";
import { installParentWatchdog } from "./parent-watchdog";
import { needsSyncedRecipients, readAheadDomains } from "./read-ahead";
import { installQuietProviderErrors, providerCall } from "./provider-errors";
import { configureSession, resetSession, sharedSession, type SessionOptions } from "./session";
import { snapshotWriterFromEnv } from "./snapshot";
import { sharedReader, type LiveDomain, type TenantReader, type TenantReaderOptions } from "./tenant-reader";

/** The engine's marker for a value not known during preview (@pulumi/pulumi runtime/rpc unknownValue). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Prints a plain line (pulumi.log from a dynamic provider doesn't reach the CLI). */
let say: (line: string) => void = (line) => console.log(line);

/** The tenant reader's options: decided once per provider process, at configure (tenant() runs per call). */
let readerOptions: TenantReaderOptions = {};

/**
 * The declared domains whose synced-recipient question is asked ahead, with the run's other reads, at
 * the first check or read (TenantReader.readAhead); undefined once asked. The engine checks resources
 * one after another, so questions asked per check could never be pooled into one query; and asked
 * at a refresh's first read, the answers come while the engine starts the program.
 */
let readAhead: string[] | undefined;

/** configure: reads exchange:* from the stack config; the session connects on first use. */
export function configure(get: ConfigGetter, options: SessionOptions = {}): void {
    if (options.log) {
        say = options.log;
    }
    configureSession(readConnectionConfig(get), options);
    readerOptions = { ...snapshotWriterFromEnv(process.env, (line) => say(line)) };
    readAhead = readAheadDomains(get);
}

function tenant(): TenantReader {
    return sharedReader(sharedSession(), readerOptions);
}

/** The reader, with the run's reads started on the first call (not from delete: a destroy needs none of them). */
function tenantReadingAhead(): TenantReader {
    const reader = tenant();
    if (readAhead !== undefined) {
        reader.readAhead(readAhead);
        readAhead = undefined;
    }
    return reader;
}

function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) {
        return true;
    }
    if (value !== null && typeof value === "object") {
        return Object.values(value as Record<string, unknown>).some(containsUnknown);
    }
    return false;
}

/** check: validate and normalise; attach the tenant's coexistence signals and the live drift. */
export async function check(_olds: unknown, news: Record<string, unknown>): Promise<dynamic.CheckResult<AcceptedDomainInputs>> {
    if (containsUnknown(news)) {
        // Preview with values still unknown: the engine checks again once they are known.
        return { inputs: news as AcceptedDomainInputs };
    }
    const parsed = acceptedDomainRawInputsSchema.safeParse(news);
    if (!parsed.success) {
        return {
            failures: parsed.error.issues.map((issue) => ({
                property: issue.path.join(".") || "domainName",
                reason: issue.message,
            })),
        };
    }
    const d = parsed.data;
    const reader = tenantReadingAhead();
    const signals = await reader.coexistence(d.domainName, { syncedRecipients: needsSyncedRecipients(d) });
    const coexistence: CoexistenceSignals = d.entra ? { ...signals, entra: d.entra } : signals;
    const live = await liveOrUndefined(reader, d.domainName);
    const desired: DomainSettings = { domainType: d.domainType, matchSubDomains: d.matchSubDomains, outboundOnly: d.outboundOnly };
    const inputs: AcceptedDomainInputs = {
        domainName: d.domainName,
        ...desired,
        directorySynced: d.directorySynced,
        onDelete: d.onDelete,
        coexistence,
        drift: live ? driftOf(desired, live) : {},
        duplicates: live?.duplicates ?? [],
        ...(d.authoritativeDespiteCoexistence ? { authoritativeDespiteCoexistence: d.authoritativeDespiteCoexistence } : {}),
    };
    if (!live) {
        // Preview must not pass in silence for a domain up can only fail on.
        say(`${missingDomainText(d.domainName)} (up will fail on it)`);
    } else {
        // Said at preview too, where no policy pack may run: what up will refuse, or which override it will use.
        const verdict = guardFor(inputs, live.domainType);
        if (!verdict.allowed) {
            say(
                `${d.domainName}: up will refuse to make it Authoritative while coexistence signals hold ` +
                    `(${signalsOf(inputs).map((x) => x.text).join("; ")}): Microsoft KB 2510049; set domainType "InternalRelay", ` +
                    `or add a reviewed authoritativeDespiteCoexistence to exchange:domains.${d.domainName}`,
            );
        } else if (verdict.override) {
            say(overrideUsedLine(d.domainName, signalsOf(inputs), verdict.override));
        }
    }
    return { inputs };
}

function signalsOf(inputs: Pick<AcceptedDomainInputs, "coexistence" | "directorySynced">) {
    return coexistenceSignalList(inputs.coexistence, inputs.directorySynced);
}

/** The guard's verdict on setting the declared type over the live one. */
function guardFor(inputs: AcceptedDomainInputs, liveType: string) {
    return guardAuthoritative({
        domainName: inputs.domainName,
        desiredType: inputs.domainType,
        liveType,
        signals: signalsOf(inputs),
        override: inputs.authoritativeDespiteCoexistence,
        today: guardClock.today(),
    });
}

/** Refuses a write the guard refuses, before anything is sent. */
function enforceGuard(inputs: AcceptedDomainInputs, live: LiveDomain): void {
    const verdict = guardFor(inputs, live.domainType);
    if (!verdict.allowed) {
        throw new Error(verdict.message);
    }
}

async function liveOrUndefined(reader: TenantReader, domainName: string): Promise<LiveDomain | undefined> {
    try {
        return await reader.liveDomain(domainName);
    } catch (error) {
        if (error instanceof NotFoundError) {
            return undefined;
        }
        throw error; // any other read error fails: it never means "absent"
    }
}

/** diff: desired inputs against the LIVE tenant (shared bulk read); a new domain name is a replacement. */
export async function diff(_id: string, olds: AcceptedDomainOutputs, news: AcceptedDomainInputs): Promise<dynamic.DiffResult> {
    if (containsUnknown(news)) {
        return { changes: true };
    }
    const live = olds.domainName === news.domainName ? await liveOrUndefined(tenant(), news.domainName) : undefined;
    const decision = decideDiff(olds, news, live);
    // Replacing adopts the new domain and releases the old one; they don't collide, so create-before-delete is fine.
    return { changes: decision.changes, replaces: decision.replaces };
}

function missingDomainText(domainName: string): string {
    return (
        `${domainName} is not an accepted domain of this tenant. Exchange Online can't create accepted domains: ` +
        `add and verify it in Microsoft 365 first (admin center > Settings > Domains), then run again.`
    );
}

function missingDomain(domainName: string): Error {
    return new Error(`${missingDomainText(domainName)} Nothing was changed.`);
}

async function liveOrMissing(domainName: string): Promise<LiveDomain> {
    try {
        return await tenant().liveDomain(domainName);
    } catch (error) {
        throw error instanceof NotFoundError ? missingDomain(domainName) : error;
    }
}

/**
 * The -Identity a write names: the Name, or the Guid when other objects share the DomainName, since
 * EXO resolves an identity by Name or DomainName and the wrong object must never be written.
 */
export function writeIdentity(live: LiveDomain): string {
    if (live.ambiguous) {
        throw new Error(
            `refusing to change ${live.domainName}: the tenant has ${live.duplicates.length + 1} accepted-domain objects for it ` +
                `(${[live.identity, ...live.duplicates].map((n) => `"${n}"`).join(", ")}) and none is named like the domain, ` +
                `so no write can tell which one is meant (Microsoft365DSC#2193). Ask Microsoft support to remove the stale copy, ` +
                `then run again. Nothing was changed.`,
        );
    }
    return live.duplicates.length > 0 && live.guid ? live.guid : live.identity;
}

/** Sets only the properties that differ; returns their names. */
async function apply(live: LiveDomain, desired: DomainSettings): Promise<string[]> {
    const changed = changedSettings(desired, live);
    const names = Object.keys(changed);
    if (names.length > 0) {
        await sharedSession().run(setAcceptedDomain(writeIdentity(live), changed));
        await tenant().recordSettings(live.domainName, desired);
    }
    return names;
}

function liveSettings(live: LiveSettings): DomainSettings {
    // A live type the cloud refuses (ExternalRelay) is recorded as it is; restore would send it back verbatim.
    return live as DomainSettings;
}

/** create: adopt the existing domain, record its original settings, Set what differs. */
export async function create(inputs: AcceptedDomainInputs): Promise<dynamic.CreateResult<AcceptedDomainOutputs>> {
    const live = await liveOrMissing(inputs.domainName);
    enforceGuard(inputs, live);
    const original = settingsOf(liveSettings(live));
    await apply(live, settingsOf(inputs));
    const outs = { ...inputs, drift: {}, identity: live.identity, original } satisfies AcceptedDomainOutputs;
    return { id: inputs.domainName, outs };
}

/** read (refresh): the live values; only NotFound means gone, other errors fail the refresh. */
export async function read(id: string, props: AcceptedDomainOutputs | undefined): Promise<dynamic.ReadResult<AcceptedDomainOutputs>> {
    const domainName = props?.domainName ?? id;
    const reader = tenantReadingAhead();
    const live = await liveOrUndefined(reader, domainName);
    if (!live) {
        return {}; // no id: the domain is gone from the tenant
    }
    const current = settingsOf(liveSettings(live));
    const base: AcceptedDomainOutputs = props ?? {
        // No recorded outputs (a read without state): the live settings are the original ones.
        // Not reachable through `pulumi import` today: the engine sends no state, so the
        // dynamic-provider host can't load this code at all (docs/drift.md).
        domainName,
        ...current,
        directorySynced: false,
        onDelete: "retain",
        coexistence: await reader.coexistence(domainName, { syncedRecipients: false }),
        drift: {},
        duplicates: live.duplicates,
        identity: live.identity,
        original: current,
    };
    return { id, props: { ...base, ...current, identity: live.identity, drift: {} } };
}

/** update: Set only what differs from the live tenant. */
export async function update(_id: string, olds: AcceptedDomainOutputs, news: AcceptedDomainInputs): Promise<dynamic.UpdateResult<AcceptedDomainOutputs>> {
    const live = await liveOrMissing(news.domainName);
    enforceGuard(news, live);
    await apply(live, settingsOf(news));
    const original = olds.original ?? settingsOf(liveSettings(live));
    return { outs: { ...news, drift: {}, identity: live.identity, original } };
}

/**
 * delete: by default leave the domain exactly as it is. With onDelete "restore",
 * set back the recorded original settings, except a restore to Authoritative while
 * any coexistence signal holds (that would bring back the KB outage: NDRs for
 * on-premises recipients); policy packs don't see deletes, so the provider refuses.
 */
export async function remove(_id: string, props: AcceptedDomainOutputs): Promise<void> {
    const domainName = props.domainName;
    if (props.onDelete !== "restore" || !props.original) {
        say(`delete: left ${domainName} as it is (onDelete: retain); it is no longer managed by this stack`);
        return;
    }
    const reader = tenant();
    const live = await liveOrUndefined(reader, domainName);
    if (!live) {
        say(`delete: ${domainName} is no longer in the tenant; nothing to restore`);
        return;
    }
    const original = settingsOf(props.original);
    if (!domainTypeSchema.safeParse(original.domainType).success) {
        // Adopted as ExternalRelay (e.g. left from a migration): Set-AcceptedDomain in the
        // cloud refuses that type, so a restore could only fail; leave the domain and say why.
        say(
            `delete: ${domainName} was ${String(original.domainType)} when adopted, a type Exchange Online refuses to set; ` +
                `left as it is (${live.domainType}); it is no longer managed by this stack`,
        );
        return;
    }
    // Microsoft's own domains are never shared with on-premises (microsoft-domains.ts): their restore is not the KB outage.
    if (original.domainType === "Authoritative" && live.domainType !== "Authoritative" && microsoftDomainKind(domainName) === undefined) {
        const signals = await reader.coexistence(domainName, { syncedRecipients: true });
        const held = coexistenceSignalList(props.coexistence?.entra ? { ...signals, entra: props.coexistence.entra } : signals, props.directorySynced);
        const verdict = guardAuthoritative({
            domainName,
            desiredType: original.domainType,
            liveType: live.domainType,
            signals: held,
            override: props.authoritativeDespiteCoexistence,
            today: guardClock.today(),
        });
        if (!verdict.allowed) {
            throw new Error(restoreRefusal(domainName, held.map((x) => x.text), live.domainType));
        }
        if (verdict.override) {
            say(overrideUsedLine(domainName, held, verdict.override));
        }
    }
    const changed = await apply(live, original);
    say(
        changed.length > 0
            ? `delete: restored ${domainName} to its original settings (${changed.map((k) => `${k}=${String(original[k as keyof DomainSettings])}`).join(", ")})`
            : `delete: ${domainName} already has its original settings; nothing changed`,
    );
}

/**
 * Why a restore was refused, and the way out from where the user stands: the domain has already left
 * the code, so "set onDelete: retain" alone can't be done; it must come back first.
 */
export function restoreRefusal(domainName: string, signals: readonly string[], liveType: string): string {
    return (
        `refusing to restore ${domainName} to Authoritative: coexistence signals hold (${signals.join("; ")}). ${KB_CONSEQUENCE}. ` +
        `Nothing was changed, and the domain is still in the stack. To stop managing it and leave it ${liveType}: add it back to ` +
        `exchange:domains as { type: "${liveType}", onDelete: "retain" }, run up, then remove it and run up again. ` +
        `To restore it anyway, end the coexistence first, or add a reviewed authoritativeDespiteCoexistence to it the same way.`
    );
}

/**
 * The provider object the engine's dynamic-provider host calls: what the
 * `__provider` text of every AcceptedDomain returns (accepted-domain.ts).
 */
export const acceptedDomainProvider = {
    configure: async (req: dynamic.ConfigureRequest): Promise<void> => {
        installQuietProviderErrors();
        // Only here, in the provider process: a CLI killed outright must not leave it and its pwsh behind.
        installParentWatchdog({ onGone: resetSession });
        return providerCall(say, async () => configure((key) => req.config.get(key)));
    },
    check: (olds: AcceptedDomainInputs, news: AcceptedDomainInputs) => providerCall(say, () => check(olds, news as unknown as Record<string, unknown>)),
    diff: (id: string, olds: AcceptedDomainOutputs, news: AcceptedDomainInputs) => providerCall(say, () => diff(id, olds, news)),
    create: (inputs: AcceptedDomainInputs) => providerCall(say, () => create(inputs)),
    read: (id: string, props?: AcceptedDomainOutputs) => providerCall(say, () => read(id, props)),
    update: (id: string, olds: AcceptedDomainOutputs, news: AcceptedDomainInputs) => providerCall(say, () => update(id, olds, news)),
    delete: (id: string, props: AcceptedDomainOutputs) => providerCall(say, () => remove(id, props)),
} satisfies dynamic.ResourceProvider<AcceptedDomainInputs, AcceptedDomainOutputs>;
