/** Pooled synced-recipient questions: few queries, every answer right, failures never "none". */
import * as assert from "assert";
import { SyncedRecipientPool, domainsOfAddresses, groupsOfAtMost, type SyncedAnswer } from "../../../components/exchange/synced-recipients";

/** A fake tenant: synced recipients by their addresses; `blind` returns them without addresses. */
function tenant(recipients: readonly string[][], opts: { blind?: boolean; fail?: () => boolean } = {}) {
    const asked: string[][] = [];
    const query = async (group: readonly string[]): Promise<SyncedAnswer> => {
        asked.push([...group]);
        await new Promise((r) => setTimeout(r, 1));
        if (opts.fail?.()) throw new Error("HttpStatusCode=500");
        const first = recipients.find((addresses) => domainsOfAddresses(addresses, group).length > 0);
        return first ? { found: true, addresses: opts.blind ? [] : first } : { found: false };
    };
    return { query, asked };
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `d${String(i).padStart(4, "0")}.example`);
const user = (...domains: string[]) => domains.map((d, i) => `${i === 0 ? "SMTP" : "smtp"}:u@${d}`);

describe("SyncedRecipientPool", () => {
    it("answers N domains with none in ceil(N / group size) queries", async () => {
        const t = tenant([user("contoso.mail.onmicrosoft.com")]);
        const pool = new SyncedRecipientPool(t.query, groupsOfAtMost(50));
        const answers = await Promise.all(names(1000).map((d) => pool.has(d)));
        assert.ok(answers.every((a) => a === false));
        assert.equal(t.asked.length, 20);
    });

    it("a recipient's addresses name its domains: one more query per domain that has some", async () => {
        const domains = names(200);
        const t = tenant([user(domains[3], "x.mail.onmicrosoft.com"), user(domains[77], domains[78]), user(domains[150])]);
        const pool = new SyncedRecipientPool(t.query, groupsOfAtMost(50));
        const answers = await Promise.all(domains.map((d) => pool.has(d)));
        assert.deepEqual(domains.filter((_, i) => answers[i]), [domains[3], domains[77], domains[78], domains[150]]);
        assert.equal(t.asked.length, 4 + 3, "4 groups, and one more query after each of the 3 recipients found");
        assert.ok(t.asked.every((g) => g.length <= 50));
    });

    it("every answer is right whatever the mix, with or without addresses in the answer (exhaustive over 6 domains)", async () => {
        const domains = names(6);
        for (const blind of [false, true]) {
            for (let mask = 0; mask < 64; mask++) {
                const synced = domains.filter((_, i) => mask & (1 << i));
                const pool = new SyncedRecipientPool(tenant(synced.map((d) => user(d)), { blind }).query, groupsOfAtMost(4));
                const answers = await Promise.all(domains.map((d) => pool.has(d)));
                assert.deepEqual(domains.filter((_, i) => answers[i]), synced, `mask ${mask}, blind ${blind}`);
            }
        }
    });

    it("without addresses in the answer, halving finds one domain in about 2·log2(group) queries", async () => {
        const domains = names(50);
        const t = tenant([user(domains[37])], { blind: true });
        const pool = new SyncedRecipientPool(t.query, groupsOfAtMost(50));
        const answers = await Promise.all(domains.map((d) => pool.has(d)));
        assert.deepEqual(domains.filter((_, i) => answers[i]), [domains[37]]);
        assert.ok(t.asked.length <= 1 + 2 * 6, `got ${t.asked.length}`);
    });

    it("asks every group's first query at once, in order, so a command asked later waits behind all of them", async () => {
        const domains = names(150);
        const t = tenant([]);
        const pool = new SyncedRecipientPool(t.query, groupsOfAtMost(50));
        const answers = Promise.all(domains.map((d) => pool.has(d)));
        await new Promise((r) => setImmediate(r)); // the pool's turn, before any query has answered
        assert.deepEqual(t.asked.map((g) => g[0]), [domains[0], domains[50], domains[100]]);
        assert.ok((await answers).every((a) => a === false));
    });

    it("asks once per domain per run", async () => {
        const t = tenant([user("a.example")]);
        const pool = new SyncedRecipientPool(t.query, groupsOfAtMost(50));
        assert.equal(await pool.has("a.example"), true);
        assert.equal(await pool.has("a.example"), true);
        assert.equal(t.asked.length, 1);
    });

    it("a failed query fails its group's answers and is asked again, never read as none", async () => {
        let failures = 1;
        const t = tenant([user("b.example")], { fail: () => failures-- > 0 });
        const pool = new SyncedRecipientPool(t.query, groupsOfAtMost(50));
        const first = await Promise.allSettled(["a.example", "b.example"].map((d) => pool.has(d)));
        assert.ok(first.every((r) => r.status === "rejected"));
        assert.deepEqual(await Promise.all(["a.example", "b.example"].map((d) => pool.has(d))), [false, true]);
    });

    it("domainsOfAddresses matches whole domains only", () => {
        assert.deepEqual(domainsOfAddresses(["SMTP:a@Contoso.com", "SIP:a@fabrikam.com"], ["contoso.com", "fabrikam.com", "tailspin.com"]), ["contoso.com", "fabrikam.com"]);
        assert.deepEqual(domainsOfAddresses(["smtp:a@sub.contoso.com", "smtp:a@notcontoso.com"], ["contoso.com"]), []);
    });
});
