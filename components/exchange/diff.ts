/**
 * Desired-versus-live comparison, one property at a time (pure).
 * The result drives diff (changes?), create/update (which Set parameters) and
 * check (the drift shown by a plain preview).
 */
import { MANAGED_SETTINGS, type AcceptedDomainInputs, type DomainSettings } from "../schema";

/** Live settings may hold a type the cloud refuses (e.g. ExternalRelay left from a migration). */
export type LiveSettings = Omit<DomainSettings, "domainType"> & { domainType: string };

/** The managed settings of inputs or outputs. */
export function settingsOf(x: DomainSettings): DomainSettings {
    return { domainType: x.domainType, matchSubDomains: x.matchSubDomains, outboundOnly: x.outboundOnly };
}

/** The properties whose live value differs from the desired one, with the desired value. */
export function changedSettings(desired: DomainSettings, live: LiveSettings): Partial<DomainSettings> {
    const changed: Partial<DomainSettings> = {};
    for (const key of MANAGED_SETTINGS) {
        if (desired[key] !== live[key]) {
            Object.assign(changed, { [key]: desired[key] });
        }
    }
    return changed;
}

/** property -> "<live> -> <desired>" for every differing property ({} when in sync). */
export function driftOf(desired: DomainSettings, live: LiveSettings): Record<string, string> {
    const drift: Record<string, string> = {};
    for (const key of Object.keys(changedSettings(desired, live)) as (keyof DomainSettings)[]) {
        drift[key] = `${String(live[key])} -> ${String(desired[key])}`;
    }
    return drift;
}

/** Inputs that only this stack keeps (no tenant counterpart); a change needs an update to reach the outputs. */
const LOCAL_INPUTS = ["directorySynced", "onDelete"] as const satisfies readonly (keyof AcceptedDomainInputs)[];

export interface DiffDecision {
    changes: boolean;
    replaces: string[];
    /** Managed properties that differ from the live tenant. */
    changed: (keyof DomainSettings)[];
}

/**
 * Decides the diff: a different domain name is a replacement; otherwise an update
 * when any managed property differs from the LIVE tenant (so out-of-band changes
 * show up), or a local-only input changed. `live` undefined = the domain is missing:
 * report a change so the update fails with the "add and verify" message.
 */
export function decideDiff(
    olds: Pick<AcceptedDomainInputs, "domainName" | (typeof LOCAL_INPUTS)[number]>,
    news: AcceptedDomainInputs,
    live: LiveSettings | undefined,
): DiffDecision {
    if (olds.domainName !== news.domainName) {
        return { changes: true, replaces: ["domainName"], changed: [] };
    }
    if (live === undefined) {
        return { changes: true, replaces: [], changed: [] };
    }
    const changed = Object.keys(changedSettings(settingsOf(news), live)) as (keyof DomainSettings)[];
    const localChanged = LOCAL_INPUTS.some((k) => olds[k] !== undefined && olds[k] !== news[k]);
    return { changes: changed.length > 0 || localChanged, replaces: [], changed };
}
