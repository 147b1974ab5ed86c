import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";

/** Every invoke the program made, by token. */
const invokes: string[] = [];
/** What the next invokes do; each test sets it. */
let respond: (token: string) => Record<string, unknown> = () => ({});

const GET_DOMAINS = "azuread:index/getDomains:getDomains";
const GET_USERS = "azuread:index/getUsers:getUsers";

/** A gRPC error as the resource monitor returns it: invoke.ts rethrows `err.details`. */
function engineError(details: string): Error {
    return Object.assign(new Error(details), { code: 2, details });
}

const user = (upn: string, synced: boolean, mail = "") => ({
    accountEnabled: true,
    displayName: upn,
    employeeId: "",
    mail,
    mailNickname: upn.split("@")[0],
    objectId: `id-${upn}`,
    onpremisesImmutableId: "",
    onpremisesSamAccountName: synced ? upn.split("@")[0] : "",
    onpremisesUserPrincipalName: synced ? upn : "",
    usageLocation: "",
    userPrincipalName: upn,
});

const domain = (domainName: string, authenticationType: "Managed" | "Federated") => ({
    adminManaged: false,
    authenticationType,
    default: false,
    domainName,
    initial: false,
    root: true,
    supportedServices: ["Email"],
    verified: true,
});

describe("#entraSignals", () => {
    // The module under test is loaded after the mocks, as Pulumi's testing guide requires.
    let entra: typeof import("../../../components/entra-signals");

    before(async () => {
        await pulumi.runtime.setMocks(
            {
                call: (args) => {
                    invokes.push(args.token);
                    return respond(args.token);
                },
                newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
            },
            "exchange-accepted-domains",
            "test",
            true,
        );
        entra = await import("../../../components/entra-signals");
    });

    beforeEach(() => {
        invokes.length = 0;
    });

    function happyPath(): (token: string) => Record<string, unknown> {
        return (token) =>
            token === GET_DOMAINS
                ? { domains: [domain("contoso.com", "Federated"), domain("fabrikam.com", "Managed")] }
                : {
                      users: [
                          user("ann@contoso.com", true),
                          user("bob@contoso.com", true),
                          user("cloud@contoso.com", false),
                          user("eve@fabrikam.com", false),
                          user("joe@onprem.local", true, "joe@fabrikam.com"),
                      ],
                  };
    }

    it("loading the module asks Entra ID nothing (off unless the stack calls it)", () => {
        assert.deepEqual(invokes, []);
    });

    it("reports federation and synced users per domain", async () => {
        respond = happyPath();
        const signals = await entra.lookupEntraSignals(["contoso.com", "fabrikam.com"]);
        assert.deepEqual(signals, {
            "contoso.com": { federated: true, syncedUsers: 2 },
            "fabrikam.com": { federated: false, syncedUsers: 1 },
        });
    });

    it("normalises names and reports a domain Entra ID does not know as clear", async () => {
        respond = happyPath();
        const signals = await entra.lookupEntraSignals(["Contoso.COM.", "tailspin.com"]);
        assert.deepEqual(signals, {
            "contoso.com": { federated: true, syncedUsers: 2 },
            "tailspin.com": { federated: false, syncedUsers: 0 },
        });
    });

    it("makes one invoke per kind, whatever the number of domains", async () => {
        respond = happyPath();
        await entra.lookupEntraSignals(["contoso.com", "fabrikam.com", "tailspin.com", "contoso.com"]);
        assert.deepEqual([...invokes].sort(), [GET_DOMAINS, GET_USERS]);
    });

    it("makes no invoke for no domains", async () => {
        respond = () => {
            throw engineError("should not be called");
        };
        assert.deepEqual(await entra.lookupEntraSignals([]), {});
        assert.deepEqual(invokes, []);
    });

    it("resolves as an Output", async () => {
        respond = happyPath();
        const value = await new Promise<Record<string, unknown>>((resolve) => entra.entraSignals(["fabrikam.com"]).apply(resolve));
        assert.deepEqual(value, { "fabrikam.com": { federated: false, syncedUsers: 1 } });
    });

    it("fails with a clear message when the azuread plugin is missing", async () => {
        respond = () => {
            throw engineError(
                "no resource plugin 'pulumi-resource-azuread' found in the workspace at version v6.9.1 or on your $PATH, " +
                    "install the plugin using `pulumi plugin install resource azuread v6.9.1`",
            );
        };
        await assert.rejects(entra.lookupEntraSignals(["contoso.com"]), (error: Error) => {
            assert.ok(error instanceof entra.EntraPluginMissingError, String(error));
            assert.match(error.message, /azuread provider plugin is not available: pulumi-resource-azuread v6\.9\.1 is not installed/);
            assert.match(error.message, /set exchange:entra to false/);
            assert.match(error.message, /Engine said: no resource plugin 'pulumi-resource-azuread'/);
            return true;
        });
    });

    it("reports other failures as lookup errors, not as a missing plugin", async () => {
        respond = () => {
            throw engineError("Authorization_RequestDenied: Insufficient privileges to complete the operation.");
        };
        await assert.rejects(entra.lookupEntraSignals(["contoso.com"]), (error: Error) => {
            assert.ok(error instanceof entra.EntraLookupError, String(error));
            assert.match(error.message, /Entra ID lookup \(azuread getDomains\/getUsers\) failed: Authorization_RequestDenied/);
            return true;
        });
    });
});
