/** Errors reach the CLI once, without a stack trace; connection errors are said once for the run. */
import { strict as assert } from "assert";
import { AuthError, ValidationError } from "../../../components/exchange/errors";
import { installQuietProviderErrors, providerCall } from "../../../components/exchange/provider-errors";

describe("provider errors", () => {
    let printed: unknown[][];
    let original: typeof console.error;
    beforeEach(() => {
        printed = [];
        original = console.error;
        // What the host's own console.error would write; the quiet filter wraps it.
        console.error = (...args: unknown[]) => void printed.push(args);
        installQuietProviderErrors();
    });
    afterEach(() => (console.error = original));

    /** What the dynamic-provider host does with an error a method throws (cmd/dynamic-provider/index.js). */
    async function host(fn: () => Promise<unknown>): Promise<string> {
        try {
            await fn();
            return "";
        } catch (e) {
            const err = e as Error;
            console.error(`${err}: ${err.stack}`);
            return err.message;
        }
    }

    it("the host's `${e}: ${e.stack}` line is dropped; the message still reaches the engine", async () => {
        const message = await host(() => providerCall(() => undefined, async () => {
            throw new ValidationError("Set-AcceptedDomain", "MatchSubDomains is only for InternalRelay");
        }));
        assert.equal(message, "MatchSubDomains is only for InternalRelay");
        assert.deepEqual(printed, [], "no stack trace printed");
        console.error("something else");
        assert.deepEqual(printed, [["something else"]], "other lines pass");
    });

    it("a sign-in failure is said once for the run; each resource gets a short pointer", async () => {
        const said: string[] = [];
        const fail = () => providerCall((l) => said.push(l), async () => {
            throw new AuthError("Connect-ExchangeOnline", "Connect-ExchangeOnline failed: AADSTS7000215 (check exchange:auth)");
        });
        const first = await host(fail);
        const second = await host(fail);
        assert.deepEqual(said, ["error: Connect-ExchangeOnline failed: AADSTS7000215 (check exchange:auth)"]);
        assert.match(first, /^not done: Exchange Online could not be reached for this run \(sign-in failed/);
        assert.equal(second, first);
        assert.deepEqual(printed, []);
    });
});
