/**
 * Which domains have directory-synced recipients, at a cost that grows neither with the directory nor,
 * in the common case, with the number of domains. Questions are pooled and asked as one bounded
 * "the first synced recipient in any of these domains" query per group of domains:
 * - none: every domain of the group has none, answered at once;
 * - one: its addresses name the domain(s) it is in; those are answered "found", and the rest of the
 *   group is asked again. So a group costs 1 query plus 1 per domain that has synced recipients (a
 *   violation the admin must fix, or an InternalRelay domain asked about for its restore).
 * Should the recipient come back without addresses in the group's domains (its EmailAddresses not
 * returned), the group is halved instead until each domain with some stands alone.
 */

/** One recipient the query returned, or none. */
export type SyncedAnswer = { found: false } | { found: true; addresses: readonly string[] };

/** Asks the tenant for the first directory-synced recipient with an address in one of the domains. */
export type SyncedQuery = (domains: readonly string[]) => Promise<SyncedAnswer>;

interface Waiter {
    resolve(found: boolean): void;
    reject(error: unknown): void;
}

/** The group's domains one of the addresses is in (a proxy such as "smtp:a@contoso.com" ends in "@contoso.com"). */
export function domainsOfAddresses(addresses: readonly string[], group: readonly string[]): string[] {
    const lower = addresses.map((a) => a.toLowerCase());
    return group.filter((d) => lower.some((a) => a.endsWith(`@${d.toLowerCase()}`)));
}

/** Splits the domains asked in one turn into the groups asked together, one query each. */
export type Grouping = (domains: readonly string[]) => string[][];

/** Groups of at most `size` domains. */
export function groupsOfAtMost(size: number): Grouping {
    return (domains) => Array.from({ length: Math.ceil(domains.length / size) }, (_, i) => domains.slice(i * size, (i + 1) * size));
}

export class SyncedRecipientPool {
    private readonly answers = new Map<string, Promise<boolean>>();
    private pending = new Map<string, Waiter>();
    private scheduled = false;

    constructor(
        private readonly query: SyncedQuery,
        private readonly grouping: Grouping,
    ) {}

    /** Whether the domain has directory-synced recipients; asked once per run unless the query failed. */
    has(domain: string): Promise<boolean> {
        const known = this.answers.get(domain);
        if (known) {
            return known;
        }
        const answer = new Promise<boolean>((resolve, reject) => this.pending.set(domain, { resolve, reject }));
        // A failed answer is forgotten, so the next caller asks again (read errors never become "none").
        answer.catch(() => this.answers.delete(domain));
        this.answers.set(domain, answer);
        if (!this.scheduled) {
            this.scheduled = true;
            // Everything asked in this turn of the event loop goes into the same queries.
            setImmediate(() => void this.flush());
        }
        return answer;
    }

    private async flush(): Promise<void> {
        this.scheduled = false;
        const batch = this.pending;
        this.pending = new Map();
        // Every group's first query is asked at once: the session runs them one after another in this
        // order, ahead of whatever is asked later (an up's Sets), instead of each waiting for the one before.
        await Promise.all(
            this.grouping([...batch.keys()].sort()).map((group) =>
                this.resolveGroup(group, batch).catch((error: unknown) => {
                    for (const d of group) batch.get(d)?.reject(error);
                }),
            ),
        );
    }

    private async resolveGroup(group: readonly string[], waiters: Map<string, Waiter>): Promise<void> {
        let rest = [...group];
        while (rest.length > 0) {
            const answer = await this.query(rest);
            if (!answer.found) {
                for (const d of rest) settle(waiters, d, false);
                return;
            }
            const hit = domainsOfAddresses(answer.addresses, rest);
            if (hit.length === 0) {
                await this.halve(rest, waiters);
                return;
            }
            for (const d of hit) settle(waiters, d, true);
            rest = rest.filter((d) => !hit.includes(d));
        }
    }

    /** The group has some, but the answer did not say where: ask each half (group testing by halving). */
    private async halve(group: readonly string[], waiters: Map<string, Waiter>): Promise<void> {
        if (group.length === 1) {
            settle(waiters, group[0], true);
            return;
        }
        const half = Math.ceil(group.length / 2);
        const left = group.slice(0, half);
        const right = group.slice(half);
        if ((await this.query(left)).found) {
            await this.halve(left, waiters);
            await this.resolveGroup(right, waiters);
        } else {
            for (const d of left) settle(waiters, d, false);
            await this.halve(right, waiters); // the group has some and the left none: they are on the right
        }
    }
}

function settle(waiters: Map<string, Waiter>, domain: string, found: boolean): void {
    waiters.get(domain)?.resolve(found);
    waiters.delete(domain);
}
