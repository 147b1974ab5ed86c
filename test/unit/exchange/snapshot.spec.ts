/**
 * The tenant snapshot (snapshot.ts): what the provider's one bulk read returned,
 * handed to the tool driving the run instead of a second session.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readTenantSnapshot, snapshotWriterFromEnv, TENANT_SNAPSHOT_ENV, writeTenantSnapshot } from "../../../components/exchange/snapshot";
import { TenantReader, type LiveDomain } from "../../../components/exchange/tenant-reader";

const CONTOSO: LiveDomain = { identity: "contoso.com", domainName: "contoso.com", domainType: "InternalRelay", matchSubDomains: false, outboundOnly: false, duplicates: [], ambiguous: false };

describe("tenant snapshot", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "snapshot-spec-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("round-trips the domains; the file is the owner's only and no temporary file is left", () => {
        const file = path.join(dir, "tenant.json");
        writeTenantSnapshot(file, [CONTOSO]);
        assert.deepEqual(readTenantSnapshot(file), [CONTOSO]);
        assert.equal(fs.statSync(file).mode & 0o077, 0);
        assert.deepEqual(fs.readdirSync(dir), ["tenant.json"]);
    });

    it("no file means no snapshot (the tool then reads the tenant itself), not an empty tenant", () => {
        assert.equal(readTenantSnapshot(path.join(dir, "absent.json")), undefined);
    });

    it("a damaged file is an error naming the file, never an empty list", () => {
        const file = path.join(dir, "tenant.json");
        fs.writeFileSync(file, "{\"schemaVersion\":1");
        assert.throws(() => readTenantSnapshot(file), /tenant\.json is not JSON/);
        fs.writeFileSync(file, JSON.stringify({ schemaVersion: 1, domains: [{ domainName: "x" }] }));
        assert.throws(() => readTenantSnapshot(file), /unexpected shape: domains\.0\.identity/);
    });

    it("the writer exists only when the variable names a file; a failed write is reported, not thrown", () => {
        assert.equal(snapshotWriterFromEnv({}, () => undefined), undefined);
        const lines: string[] = [];
        const write = snapshotWriterFromEnv({ [TENANT_SNAPSHOT_ENV]: path.join(dir, "missing-dir", "tenant.json") }, (l) => lines.push(l));
        assert.ok(write);
        write.onDomains([CONTOSO]);
        assert.equal(lines.length, 1);
        assert.match(lines[0], /could not write the tenant snapshot EXO_TENANT_SNAPSHOT=.*missing-dir/);
    });

    it("the reader hands every successful bulk list to onDomains, and nothing for a failed one", async () => {
        const seen: (readonly LiveDomain[])[] = [];
        let fail = true;
        const reader = new TenantReader(
            {
                run: async () => {
                    if (fail) throw new Error("transient");
                    return JSON.stringify([{ Name: "Contoso.com", DomainName: "contoso.com", DomainType: "InternalRelay", MatchSubDomains: false, OutboundOnly: false }]);
                },
            },
            { onDomains: (d) => seen.push(d) },
        );
        await assert.rejects(reader.acceptedDomains(), /transient/);
        assert.equal(seen.length, 0);
        fail = false;
        await reader.acceptedDomains();
        assert.deepEqual(seen, [[{ ...CONTOSO, identity: "Contoso.com" }]]);
    });
});
