/**
 * Which domains have directory-synced recipients, at a cost that grows neither with the directory nor,
 * in the common case, with the number of domains: the questions of concurrent checks are pooled and
 * asked as one "any of these?" query per group (group testing). A group with none answers all its
 * domains at once; a group with some is halved until each domain that has some stands alone. So a
 * stack of N Authoritative cloud-only domains costs ceil(N / group size) queries, and each domain
 * that does have synced recipients (a violation the admin must fix) adds about log2(group size).
 */

/** Asks the tenant whether any directory-synced recipient has an address in one of the domains. */
export type AnySyncedQuery = (domains: readonly string[]) => Promise<boolean>;

interface Waiter {
    resolve(found: boolean): void;
    reject(error: unknown): void;
}

export class SyncedRecipientPool {
    private readonly answers = new Map<string, Promise<boolean>>();
    private pending = new Map<string, Waiter>();
    private scheduled = false;

    constructor(
        private readonly ask: AnySyncedQuery,
        private readonly groupSize: number,
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
            // Checks waiting on the same earlier read resume in one burst: collect them all, then ask.
            setImmediate(() => void this.flush());
        }
        return answer;
    }

    private async flush(): Promise<void> {
        this.scheduled = false;
        const batch = this.pending;
        this.pending = new Map();
        const domains = [...batch.keys()].sort();
        for (let i = 0; i < domains.length; i += this.groupSize) {
            const group = domains.slice(i, i + this.groupSize);
            try {
                await this.resolveGroup(group, batch, "unknown");
            } catch (error) {
                for (const d of group) batch.get(d)?.reject(error);
            }
        }
    }

    /** Answers every domain of the group; `known`: what a larger query already tells about it. */
    private async resolveGroup(group: readonly string[], waiters: Map<string, Waiter>, known: "some" | "none" | "unknown"): Promise<void> {
        const some = known === "unknown" ? await this.ask(group) : known === "some";
        if (!some) {
            for (const d of group) settle(waiters, d, false);
            return;
        }
        if (group.length === 1) {
            settle(waiters, group[0], true);
            return;
        }
        const half = Math.ceil(group.length / 2);
        const left = group.slice(0, half);
        const leftSome = await this.ask(left);
        await this.resolveGroup(left, waiters, leftSome ? "some" : "none");
        // Some are in the group and none on the left: they are on the right, without asking.
        await this.resolveGroup(group.slice(half), waiters, leftSome ? "unknown" : "some");
    }
}

function settle(waiters: Map<string, Waiter>, domain: string, found: boolean): void {
    waiters.get(domain)?.resolve(found);
    waiters.delete(domain);
}
