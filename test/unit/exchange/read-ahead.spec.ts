/** The program's early reads: the config as the SDK reads it, and no start for a config the program will refuse. */
import { strict as assert } from "assert";
import { envConfig, needsSyncedRecipients, startReadsBeforeSdk } from "../../../components/exchange/read-ahead";
import { readStackConfig } from "../../../components/exchange/config";

const PROGRAM_ARGV = [process.execPath, "/x/node_modules/@pulumi/pulumi/cmd/run/index.js"];

describe("read-ahead", () => {
    it("envConfig reads PULUMI_CONFIG as @pulumi/pulumi does: ns:config:key means ns:key", () => {
        const { get, keys } = envConfig({
            PULUMI_CONFIG: JSON.stringify({ "exchange:config:organization": "contoso.onmicrosoft.com", "exchange:domains": '{"contoso.com":{"type":"Shared"}}' }),
        });
        assert.deepEqual(keys, ["exchange:organization", "exchange:domains"]);
        assert.equal(get("exchange:organization"), "contoso.onmicrosoft.com");
        assert.equal(get("exchange:domains"), '{"contoso.com":{"type":"Shared"}}');
        assert.equal(get("exchange:auth"), undefined);
        assert.deepEqual(envConfig({}).keys, []);
    });

    it("the config the early start validates is the config the program refuses (same keys, same error)", () => {
        const { get, keys } = envConfig({ PULUMI_CONFIG: JSON.stringify({ "exchange:organization": "contoso.onmicrosoft.com", "exchange:commandTimeoutSecond": "30" }) });
        assert.throws(() => readStackConfig(get, keys), /exchange:commandTimeoutSecond is not a setting of this project/);
    });

    it("startReadsBeforeSdk never throws: outside a program host, on invalid JSON, or on a refused config it starts nothing", async () => {
        assert.equal(await startReadsBeforeSdk({ PULUMI_CONFIG: "{}" }, [process.execPath, "mocha"]), false);
        assert.equal(await startReadsBeforeSdk({ PULUMI_CONFIG: "{not json" }, PROGRAM_ARGV), false);
        assert.equal(await startReadsBeforeSdk({ PULUMI_CONFIG: JSON.stringify({ "exchange:domains": '{"contoso.com":{"type":"Hosted"}}' }) }, PROGRAM_ARGV), false);
    });

    it("only a domain that would be Authoritative needs the synced-recipient query, never Microsoft's own", () => {
        assert.equal(needsSyncedRecipients({ domainName: "contoso.com", domainType: "Authoritative", onDelete: "retain" }), true);
        assert.equal(needsSyncedRecipients({ domainName: "contoso.com", domainType: "InternalRelay", onDelete: "retain" }), false);
        assert.equal(needsSyncedRecipients({ domainName: "contoso.com", domainType: "InternalRelay", onDelete: "restore" }), true);
        assert.equal(needsSyncedRecipients({ domainName: "contoso.onmicrosoft.com", domainType: "Authoritative", onDelete: "restore" }), false);
    });
});
