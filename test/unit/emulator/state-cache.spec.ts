/** The emulator parses a state file once per version: a 300,000-recipient tenant must not be parsed per cmdlet call. */
import * as assert from "assert";
import * as fs from "fs";
import { readTenantState, updateTenantState, writeTenantState } from "../../../emulator/state";
import { makeTenant, type Tenant } from "./helpers";

describe("emulator state cache", () => {
    const made: Tenant[] = [];
    const fresh = (): Tenant => {
        const t = makeTenant();
        made.push(t);
        return t;
    };
    afterEach(() => made.splice(0).forEach((t) => t.remove()));

    it("returns the parsed state while the file is unchanged, frozen so that no cmdlet changes it in place", () => {
        const t = fresh();
        const a = readTenantState(t.state);
        assert.strictEqual(readTenantState(t.state), a);
        assert.ok(Object.isFrozen(a.recipients[0]));
        assert.throws(() => {
            (a.acceptedDomains[0] as { domainType: string }).domainType = "InternalRelay";
        }, TypeError);
    });

    it("reads again after any write: its own, another process's rename, or an edit in place", async () => {
        const t = fresh();
        const before = readTenantState(t.state);
        await updateTenantState(t.state, (s) => {
            s.acceptedDomains[0].domainType = "InternalRelay";
            return { result: undefined, changed: true };
        });
        assert.strictEqual(readTenantState(t.state).acceptedDomains[0].domainType, "InternalRelay");
        assert.strictEqual(before.acceptedDomains[0].domainType, "Authoritative", "the old version is left as it was");

        t.edit((s) => (s.acceptedDomains[0].domainType = "Authoritative")); // as another process would
        assert.strictEqual(readTenantState(t.state).acceptedDomains[0].domainType, "Authoritative");

        // An edit in place by a person, same inode: the size or mtime changes.
        const text = fs.readFileSync(t.state, "utf8").replace('"Authoritative"', '"InternalRelay" ');
        fs.writeFileSync(t.state, text);
        assert.strictEqual(readTenantState(t.state).acceptedDomains[0].domainType, "InternalRelay");
    });

    it("a write validates what it stores and the next read sees exactly that", () => {
        const t = fresh();
        const s = structuredClone(readTenantState(t.state));
        s.latency.pageMs = 1500;
        writeTenantState(t.state, s);
        assert.strictEqual(readTenantState(t.state).latency.pageMs, 1500);
        assert.strictEqual(t.read().latency.pageMs, 1500);
    });
});
