import { strict as assert } from "assert";
import { getAcceptedDomains, getOutboundConnectors, setAcceptedDomain } from "../../../components/exchange/commands";
import { isRead, RecentReads } from "../../../components/exchange/recent-reads";

/** An execute() that counts its calls and answers when told to. */
function pending(): { calls: number; execute: () => Promise<string>; answer: (v: string) => void; fail: (e: Error) => void } {
    const waiting: { resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
    const p = {
        calls: 0,
        execute: () => {
            p.calls++;
            return new Promise<string>((resolve, reject) => waiting.push({ resolve, reject }));
        },
        answer: (v: string) => waiting.shift()?.resolve(v),
        fail: (e: Error) => waiting.shift()?.reject(e),
    };
    return p;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("recent reads (the keeper's reuse of a run's reads)", () => {
    let now = 0;
    const clock = (): number => now;
    beforeEach(() => (now = 1_000));

    it("only Get-* cmdlets are reads", () => {
        assert.equal(isRead(getAcceptedDomains()), true);
        assert.equal(isRead(getOutboundConnectors()), true);
        assert.equal(isRead(setAcceptedDomain("contoso.com", { domainType: "InternalRelay" })), false);
    });

    it("the same read asked while it runs, and within maxAgeMs of its answer, runs once", async () => {
        const reads = new RecentReads(60_000, clock);
        const p = pending();
        const first = reads.run(getAcceptedDomains(), p.execute);
        const second = reads.run(getAcceptedDomains(), p.execute);
        p.answer("list");
        assert.deepEqual(await Promise.all([first, second]), ["list", "list"]);
        now += 60_000;
        assert.equal(await reads.run(getAcceptedDomains(), p.execute), "list");
        assert.equal(p.calls, 1);
    });

    it("a read older than maxAgeMs runs again; another command text is another read", async () => {
        const reads = new RecentReads(60_000, clock);
        const p = pending();
        const first = reads.run(getAcceptedDomains(), p.execute);
        p.answer("old");
        await first;
        now += 60_001;
        const again = reads.run(getAcceptedDomains(), p.execute);
        const other = reads.run(getOutboundConnectors(), p.execute);
        p.answer("new");
        p.answer("connectors");
        assert.deepEqual(await Promise.all([again, other]), ["new", "connectors"]);
        assert.equal(p.calls, 3);
    });

    it("a failed read is never reused: the next asker runs it again", async () => {
        const reads = new RecentReads(60_000, clock);
        const p = pending();
        const failed = reads.run(getAcceptedDomains(), p.execute);
        p.fail(new Error("HttpStatusCode=500"));
        await assert.rejects(failed, /500/);
        await tick();
        const retried = reads.run(getAcceptedDomains(), p.execute);
        p.answer("list");
        assert.equal(await retried, "list");
        assert.equal(p.calls, 2);
    });

    it("a write forgets every read, and is never reused itself", async () => {
        const reads = new RecentReads(60_000, clock);
        const p = pending();
        const before = reads.run(getAcceptedDomains(), p.execute);
        p.answer("before");
        await before;
        const set = setAcceptedDomain("contoso.com", { domainType: "InternalRelay" });
        const w1 = reads.run(set, p.execute);
        p.answer("");
        await w1;
        const w2 = reads.run(set, p.execute);
        p.answer("");
        await w2;
        const after = reads.run(getAcceptedDomains(), p.execute);
        p.answer("after");
        assert.equal(await after, "after");
        assert.equal(p.calls, 4, "read, write, write, read");
    });
});
