/** Drives the emulator through node-powershell itself: protocol, the issue's check, every cmdlet and its errors. */
import * as assert from "assert";
import * as fs from "fs";
import { spawnSync } from "child_process";
import { PowerShell } from "node-powershell";
import { readFramed } from "../../../components/exchange/framed-reader";
import { stripTerminalSequences } from "../../../components/exchange/pwsh-output";
import { DEMO_ACCESS_TOKEN, DEMO_ORGANIZATION } from "../../../emulator/demo";
import { pageLatency } from "../../../emulator/faults";
import { PWSH, connectCommand, connected, makeTenant, pwshEnv, q, run, startShell, wrap, type Tenant } from "./helpers";

interface Caught {
    reason: string;
    message: string;
    errorId: string;
}

function caught(stderr: string): Caught {
    return JSON.parse(stderr.trim()) as Caught;
}

const NOT_RECOGNIZED = (name: string) => `The term '${name}' is not recognized as a name of a cmdlet, function, script file, or executable program.`;

describe("emulator through node-powershell", function () {
    let t: Tenant;
    let ps: PowerShell | undefined;
    beforeEach(() => {
        t = makeTenant();
    });
    afterEach(async () => {
        await ps?.dispose();
        ps = undefined;
        t.remove();
    });

    describe("issue check", () => {
        it("connects, reads and changes an accepted domain, and the state file shows the change", async () => {
            ps = startShell(t, { throwOnInvocationError: true });
            await ps.invoke(`$ErrorActionPreference = 'Stop'`);
            await ps.invoke(wrap(connectCommand(t) + " -CommandName 'Get-AcceptedDomain','Set-AcceptedDomain'"));
            const read = await run(ps, "Get-AcceptedDomain -Identity 'contoso.com' | Select-Object -Property DomainName,DomainType,MatchSubDomains | ConvertTo-Json -Depth 4 -Compress");
            assert.deepStrictEqual(JSON.parse(read.stdout), { DomainName: "contoso.com", DomainType: "Authoritative", MatchSubDomains: false });
            await ps.invoke(wrap("Set-AcceptedDomain -Identity 'contoso.com' -DomainType 'InternalRelay' -MatchSubDomains:$true -OutboundOnly:$false -Confirm:$false"));
            const d = t.read().acceptedDomains.find((x) => x.name === "contoso.com");
            assert.strictEqual(d?.domainType, "InternalRelay");
            assert.strictEqual(d?.matchSubDomains, true);
            const again = await run(ps, "Get-AcceptedDomain -Identity 'contoso.com' | Select-Object -Property DomainType | ConvertTo-Json -Compress");
            assert.deepStrictEqual(JSON.parse(again.stdout), { DomainType: "InternalRelay" });
        });
    });

    describe("protocol", () => {
        it("writes pipeline output to stdout and Console.Error to stderr, which fails the call", async () => {
            ps = startShell(t);
            const ok = await run(ps, "[Console]::Out.WriteLine('out'); Write-Output 'second'");
            assert.deepStrictEqual([ok.stdout.trim(), ok.hadErrors], ["out\nsecond", false]);
            const bad = await run(ps, "[Console]::Error.WriteLine('bad')");
            assert.deepStrictEqual([bad.stderr.trim(), bad.hadErrors], ["bad", true]);
        });
        it("keeps variables across invocations", async () => {
            ps = startShell(t);
            await run(ps, "$x = 'kept'");
            assert.strictEqual((await run(ps, "Write-Output $x")).stdout.trim(), "kept");
        });
        it("runs a multi-line block only at a blank line, and drops one still open at end of input (InputLoop block mode)", () => {
            const env = pwshEnv(t);
            const ran = spawnSync(PWSH, ["-NoLogo", "-NoExit", "-Command", "-"], { input: "try {\n  Write-Output 'in block'\n}\ncatch { }\n\nWrite-Output 'after'\n", env });
            assert.deepStrictEqual(stripTerminalSequences(ran.stdout.toString()).trim().split("\n"), ["in block", "after"]);
            const dropped = spawnSync(PWSH, ["-NoLogo", "-NoExit", "-Command", "-"], { input: "Write-Output 'first'\ntry {\n  Write-Output 'never'\n", env });
            assert.deepStrictEqual([dropped.status, stripTerminalSequences(dropped.stdout.toString()).trim()], [0, "first"]);
        });
        it("writes DECCKM around every line it runs and ends with the ESC[?1h of the read that met end of input (PowerShell/PowerShell#26631)", () => {
            const r = spawnSync(PWSH, ["-NoLogo", "-NoExit", "-Command", "-"], { input: "Write-Output 'hi'\n\n", env: pwshEnv(t) });
            assert.strictEqual(r.stdout.toString("hex"), Buffer.from("\u001b[?1h\u001b[?1lhi\n\u001b[?1h\u001b[?1h").toString("hex"));
            for (const env of [{ NO_COLOR: "1" }, { TERM: "dumb" }]) {
                const plain = spawnSync(PWSH, ["-NoLogo", "-NoExit", "-Command", "-"], { input: "Write-Output 'hi'\n", env: pwshEnv(t, env) });
                assert.strictEqual(plain.stdout.toString(), "hi\n", JSON.stringify(env));
            }
        });
        it("a missing mandatory parameter takes the next stdin line as its value; under -NonInteractive it is an error", () => {
            const input = "Write-Warning\nthe next protocol line\nWrite-Output 'after'\n";
            const asked = spawnSync(PWSH, ["-NoLogo", "-NoExit", "-Command", "-"], { input, env: pwshEnv(t, { NO_COLOR: "1" }) });
            assert.deepStrictEqual(asked.stdout.toString().split("\n"), [
                "cmdlet Write-Warning at command pipeline position 1",
                "Supply values for the following parameters:",
                "Message: WARNING: the next protocol line",
                "after",
                "",
            ]);
            const refused = spawnSync(PWSH, ["-NoLogo", "-NonInteractive", "-NoExit", "-Command", "-"], { input, env: pwshEnv(t, { TERM: "dumb" }) });
            assert.match(refused.stderr.toString(), /^Write-Warning: Cannot process command because of one or more missing mandatory parameters: Message\./);
            assert.match(refused.stderr.toString(), /The term 'the' is not recognized/, "the next line ran as a command of its own instead");
            assert.strictEqual(refused.stdout.toString(), "after\n");
        });
        it("colours warnings and keeps the prefix on a multi-line warning's first line only", async () => {
            ps = startShell(t);
            const r = await run(ps, 'Write-Warning "first`nsecond"');
            assert.ok(r.rawStdout.includes("\u001b[33;1mWARNING: first\nsecond\u001b[0m\n"), JSON.stringify(r.rawStdout));
            const e = await run(ps, "Get-Nothing");
            assert.ok(e.rawStderr.startsWith("\u001b[31;1mGet-Nothing: \u001b[31;1mThe term 'Get-Nothing' is not recognized"), JSON.stringify(e.rawStderr));
        });
        it("-NonInteractive refuses a confirmation prompt; without it the prompt swallows the protocol lines until the timeout", async () => {
            ps = await connected(t);
            const r = await run(ps, wrap("Set-AcceptedDomain -Identity contoso.com -OutboundOnly $true -Confirm"));
            assert.strictEqual(caught(r.stderr).message, "PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.");
            assert.strictEqual(t.read().acceptedDomains[0].outboundOnly, false);
            const interactive = new PowerShell({ executable: PWSH, throwOnInvocationError: false, invocationTimeout: 1500, spawnOptions: { env: pwshEnv(t) } });
            (interactive as unknown as { readBulkFromOutput: typeof readFramed }).readBulkFromOutput = readFramed;
            try {
                await run(interactive, connectCommand(t));
                const hung = await interactive.invoke("Set-AcceptedDomain -Identity contoso.com -OutboundOnly $true -Confirm");
                assert.deepStrictEqual([hung.hadErrors, hung.stdout, hung.stderr], [true, undefined, undefined], "timed out: the prompt read node-powershell's marker lines");
            } finally {
                await interactive.dispose();
            }
            assert.strictEqual(t.read().acceptedDomains[0].outboundOnly, false);
        });
        it("reports parse errors on stderr pwsh-style and stays usable", async () => {
            // An unterminated string would be incomplete input (block mode), not an error: use a stray token.
            ps = startShell(t);
            const r = await run(ps, "Write-Output 'x' )");
            assert.ok(r.hadErrors);
            assert.match(r.stderr, /^ParserError:/);
            assert.match(r.stderr, /Unexpected token '\)' in expression or statement\./);
            const after = await run(ps, "Write-Output 'fine'");
            assert.strictEqual(after.stdout.trim(), "fine");
        });
        it("exits 0 when stdin closes and 143 on SIGTERM (dispose), journaling both", async () => {
            const r = spawnSync(PWSH, ["-NoLogo", "-NoExit", "-Command", "-"], { input: "Write-Output 'hi'\n", env: pwshEnv(t) });
            assert.deepStrictEqual([r.status, stripTerminalSequences(r.stdout.toString()).trim()], [0, "hi"]);
            const s = startShell(t);
            await run(s, "Write-Output 1");
            await s.dispose();
            const exits = t.events().filter((e) => e.event === "exit");
            assert.deepStrictEqual(exits.map((e) => [e.code, e.reason]), [[0, "stdin-closed"], [143, "SIGTERM"]]);
        });
        it("prints a clear error when dist/ is missing", () => {
            const r = spawnSync("sh", ["-c", `cp ${PWSH} ${t.dir}/pwsh && ${t.dir}/pwsh`]);
            assert.strictEqual(r.status, 1);
            assert.match(r.stderr.toString(), /dist\/emulator\/main\.js is missing: run 'npx tsc -p tsconfig.json'/);
        });
    });

    describe("hostile strings", () => {
        // No line break: under -Command - a literal that spans lines opens a block that takes the
        // protocol's marker lines and never runs (see block mode above), which is why quote.ts refuses one.
        const hostile = ["it's", "\u2018a\u2019 \u201Ab\u201B", "$(Remove-Item /)", "back`tick `n", '"double" ; Get-AcceptedDomain | Set-AcceptedDomain'];
        for (const value of hostile) {
            it(`round-trips ${JSON.stringify(value)} as an inert literal`, async () => {
                ps = startShell(t);
                const r = await run(ps, `${q(value)} | ConvertTo-Json -Compress`);
                assert.strictEqual(JSON.parse(r.stdout), value);
            });
        }
        it("passes a hostile identity to the cmdlet unchanged (and changes nothing)", async () => {
            ps = await connected(t);
            const before = fs.readFileSync(t.state, "utf8");
            const id = "x'; Set-AcceptedDomain -Identity contoso.com -DomainType InternalRelay; '$(1)\u2019";
            const r = await run(ps, wrap(`Set-AcceptedDomain -Identity ${q(id)} -DomainType 'InternalRelay' -Confirm:$false -ErrorAction Stop`));
            assert.strictEqual(caught(r.stderr).message, `||The operation couldn't be performed because object '${id}' couldn't be found on 'AM0PR01A001DC01.EURPRD01.PROD.OUTLOOK.COM'.`);
            assert.strictEqual(fs.readFileSync(t.state, "utf8"), before);
        });
    });

    describe("session cmdlets", () => {
        it("EXO cmdlets are not recognized before Connect-ExchangeOnline", async () => {
            ps = startShell(t);
            const r = await run(ps, wrap("Get-AcceptedDomain"));
            assert.deepStrictEqual(caught(r.stderr).reason, "CommandNotFoundException");
            assert.ok(caught(r.stderr).message.startsWith(NOT_RECOGNIZED("Get-AcceptedDomain")));
        });
        it("New-AcceptedDomain and Remove-AcceptedDomain don't exist in Exchange Online", async () => {
            ps = await connected(t);
            for (const name of ["New-AcceptedDomain", "Remove-AcceptedDomain"]) {
                const r = await run(ps, wrap(`${name} -Name 'x.com' -DomainName 'x.com'`));
                assert.strictEqual(caught(r.stderr).errorId, "CommandNotFoundException");
                assert.ok(caught(r.stderr).message.startsWith(NOT_RECOGNIZED(name)));
            }
        });
        it("-CommandName loads only the named cmdlets", async () => {
            ps = startShell(t);
            await run(ps, connectCommand(t) + " -CommandName 'Get-AcceptedDomain'");
            assert.strictEqual((await run(ps, "Get-AcceptedDomain -Identity contoso.com | Select-Object -ExpandProperty DomainType")).stdout.trim(), "Authoritative");
            assert.strictEqual(caught((await run(ps, wrap("Get-Recipient"))).stderr).reason, "CommandNotFoundException");
        });
        it("Get-ConnectionInformation and Disconnect-ExchangeOnline", async () => {
            ps = await connected(t);
            const info = JSON.parse((await run(ps, "Get-ConnectionInformation | Select-Object State,Organization,TokenStatus,CertificateAuthentication | ConvertTo-Json -Compress")).stdout);
            assert.deepStrictEqual(info, { State: "Connected", Organization: DEMO_ORGANIZATION, TokenStatus: "Active", CertificateAuthentication: true });
            await run(ps, "Disconnect-ExchangeOnline -Confirm:$false");
            assert.strictEqual((await run(ps, "Get-ConnectionInformation | ConvertTo-Json")).stdout.trim(), "");
            assert.strictEqual(caught((await run(ps, wrap("Get-AcceptedDomain"))).stderr).reason, "CommandNotFoundException");
        });
        it("ConvertTo-SecureString never shows its plaintext", async () => {
            ps = startShell(t);
            const r = await run(ps, "$s = ConvertTo-SecureString -String 'demo-password' -AsPlainText -Force; $s; $s | ConvertTo-Json");
            assert.ok(!r.stdout.includes("demo-password"));
            assert.match(r.stdout, /System\.Security\.SecureString/);
        });
    });

    describe("Connect-ExchangeOnline authentication", () => {
        const connectError = async (cmd: string) => {
            ps = startShell(t);
            const r = await run(ps, `$ErrorActionPreference = 'Stop'; ${wrap(cmd)}`);
            assert.ok(r.hadErrors, "connect should fail");
            const c = caught(r.stderr);
            assert.strictEqual(caught((await run(ps, wrap("Get-AcceptedDomain"))).stderr).reason, "CommandNotFoundException");
            return c;
        };
        it("refuses a wrong certificate password", async () => {
            const c = await connectError(connectCommand(t, "wrong-password"));
            assert.deepStrictEqual([c.reason, c.message], ["CryptographicException", "The specified network password is not correct."]);
        });
        it("refuses an unknown app id with AADSTS700016", async () => {
            const c = await connectError(connectCommand(t, undefined, "00000000-0000-0000-0000-000000000000"));
            assert.match(c.message, /^AADSTS700016: Application with identifier '00000000-0000-0000-0000-000000000000' was not found in the directory 'contoso.onmicrosoft.com'/);
        });
        it("refuses a certificate that isn't the app's with AADSTS700027", async () => {
            fs.writeFileSync(`${t.dir}/other.pfx`, "other bytes");
            const c = await connectError(connectCommand(t).replace(t.cert, `${t.dir}/other.pfx`));
            assert.match(c.message, /^AADSTS700027: Client assertion contains an invalid signature/);
        });
        it("refuses an unknown organization with AADSTS90002", async () => {
            const c = await connectError(connectCommand(t, undefined, undefined, "fabrikam.onmicrosoft.com"));
            assert.match(c.message, /^AADSTS90002: Tenant 'fabrikam.onmicrosoft.com' not found/);
        });
        it("accepts the right access token and refuses another without echoing it", async () => {
            const c = await connectError(`Connect-ExchangeOnline -AccessToken 'secret-wrong-token' -Organization ${q(DEMO_ORGANIZATION)} -ShowBanner:$false`);
            assert.strictEqual(c.reason, "UnauthorizedAccessException");
            assert.ok(!c.message.includes("secret-wrong-token"));
            await ps?.dispose();
            ps = startShell(t);
            const ok = await run(ps, `Connect-ExchangeOnline -AccessToken ${q(DEMO_ACCESS_TOKEN)} -Organization ${q(DEMO_ORGANIZATION)} -ShowBanner:$false; Get-AcceptedDomain -Identity fabrikam.com | Select-Object -ExpandProperty DomainType`);
            assert.deepStrictEqual([ok.hadErrors, ok.stdout.trim()], [false, "InternalRelay"]);
        });
        it("managed identity follows the tenant's managedIdentityAllowed flag", async () => {
            ps = startShell(t);
            assert.strictEqual((await run(ps, `Connect-ExchangeOnline -ManagedIdentity -Organization ${q(DEMO_ORGANIZATION)} -ShowBanner:$false`)).hadErrors, false);
            await ps.dispose();
            t.edit((s) => {
                s.credentials.managedIdentityAllowed = false;
            });
            const c = await connectError(`Connect-ExchangeOnline -ManagedIdentity -Organization ${q(DEMO_ORGANIZATION)} -ShowBanner:$false`);
            assert.strictEqual(c.reason, "CredentialUnavailableException");
        });
        it("a user-assigned identity by its client id (-ManagedIdentityAccountId); a GUID -Organization is refused with the module's text", async () => {
            const clientId = "0b5e3c1a-2d4f-4a6b-8c9d-1e2f3a4b5c6d";
            t.edit((s) => {
                s.credentials.managedIdentityAllowed = false;
                s.credentials.userAssignedManagedIdentities = [clientId];
            });
            ps = startShell(t);
            const ok = await run(ps, `Connect-ExchangeOnline -ManagedIdentity -ManagedIdentityAccountId ${q(clientId.toUpperCase())} -Organization ${q(DEMO_ORGANIZATION)} -ShowBanner:$false`);
            assert.strictEqual(ok.hadErrors, false, ok.stderr);
            await ps.dispose();
            const other = await connectError(`Connect-ExchangeOnline -ManagedIdentity -ManagedIdentityAccountId 'not-this-one' -Organization ${q(DEMO_ORGANIZATION)} -ShowBanner:$false`);
            assert.strictEqual(other.reason, "AuthenticationFailedException");
            await ps.dispose();
            const guid = await connectError(`Connect-ExchangeOnline -ManagedIdentity -ManagedIdentityAccountId ${q(clientId)} -Organization ${q(t.read().organization.tenantId)} -ShowBanner:$false`);
            assert.deepStrictEqual([guid.message, guid.errorId], ["Organization cannot be a Guid, please enter the name of the tenant instead.", "Organization cannot be a Guid, please enter the name of the tenant instead."], "thrown: the errorId is the message");
        });
        it("accepts -Certificate from [X509Certificate2]::new(path, password)", async () => {
            ps = startShell(t);
            const r = await run(
                ps,
                `$cert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new(${q(t.cert)}, 'demo-password'); Connect-ExchangeOnline -AppId '6f1b7c9e-0d3a-4c51-9b8e-2a4f3e5d7c10' -Certificate $cert -Organization ${q(DEMO_ORGANIZATION)} -ShowBanner:$false; (Get-ConnectionInformation).CertificateAuthentication`,
            );
            assert.deepStrictEqual([r.hadErrors, r.stdout.trim()], [false, "True"]);
        });
        it("shows the banner unless -ShowBanner:$false", async () => {
            ps = startShell(t);
            const r = await run(ps, connectCommand(t).replace(" -ShowBanner:$false", ""));
            assert.match(r.stdout, /REST API backed Exchange Online cmdlets/);
        });
    });

    describe("Get-AcceptedDomain", () => {
        it("returns EXO's property names", async () => {
            ps = await connected(t);
            const all = JSON.parse((await run(ps, "Get-AcceptedDomain -ResultSize Unlimited | ConvertTo-Json -Depth 4 -Compress")).stdout) as Record<string, unknown>[];
            assert.deepStrictEqual(all.map((d) => d.DomainName), ["contoso.com", "fabrikam.com", "contoso.onmicrosoft.com", "contoso.mail.onmicrosoft.com"]);
            for (const key of ["DomainName", "DomainType", "Default", "InitialDomain", "IsCoexistenceDomain", "MatchSubDomains", "OutboundOnly", "Name", "Identity", "Guid", "AuthenticationType"]) assert.ok(key in all[0], key);
            assert.deepStrictEqual(all.map((d) => [d.InitialDomain, d.IsCoexistenceDomain]), [[false, false], [false, false], [true, false], [false, true]]);
            assert.strictEqual(all[0].AuthenticationType, "Federated");
        });
        it("pages with -ResultSize and warns that more exist", async () => {
            ps = await connected(t);
            const r = await run(ps, "Get-AcceptedDomain -ResultSize 2 | Select-Object -ExpandProperty DomainName");
            assert.deepStrictEqual(r.stdout.trim().split("\n").slice(-2), ["contoso.com", "fabrikam.com"]);
            assert.match(r.stdout, /^WARNING: By default, only the first 2 items are returned/);
        });
        it("defaults -ResultSize to 1000", async () => {
            t.edit((s) => {
                for (let i = 0; i < 1005; i++) s.acceptedDomains.push({ ...s.acceptedDomains[1], name: `d${i}.example`, domainName: `d${i}.example`, guid: "00000000-0000-4000-8000-" + String(i).padStart(12, "0") });
            });
            ps = await connected(t);
            assert.strictEqual((await run(ps, "@(Get-AcceptedDomain -WarningAction SilentlyContinue).Count")).stdout.trim(), "1000");
            assert.strictEqual((await run(ps, "@(Get-AcceptedDomain -ResultSize Unlimited).Count")).stdout.trim(), "1009");
        });
        it("raises ManagementObjectNotFoundException for an unknown identity", async () => {
            ps = await connected(t);
            const c = caught((await run(ps, wrap("Get-AcceptedDomain -Identity 'nope.example'"))).stderr);
            // REST (V3): "||" message, request stamp then Write-ErrorMessage, no FailureCategory (module 3.0.0 notes).
            assert.deepStrictEqual([c.reason, c.message], ["ManagementObjectNotFoundException", "||The operation couldn't be performed because object 'nope.example' couldn't be found on 'AM0PR01A001DC01.EURPRD01.PROD.OUTLOOK.COM'."]);
            assert.match(c.errorId, /^\[Server=AM0PR01MB\d{4},RequestId=[0-9a-f-]{36},TimeStamp=[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT\],Write-ErrorMessage$/);
        });
        it("without Stop, the not-found error is non-terminating: written to stderr, the script goes on", async () => {
            ps = startShell(t);
            await run(ps, connectCommand(t));
            const r = await run(ps, "Get-AcceptedDomain -Identity 'nope.example'; Write-Output 'after'");
            assert.strictEqual(r.stdout.trim(), "after");
            assert.match(r.stderr, /^Write-ErrorMessage: \|\|The operation couldn't be performed because object 'nope.example'/);
        });
    });

    describe("Set-AcceptedDomain", () => {
        it("refuses ExternalRelay", async () => {
            ps = await connected(t);
            const c = caught((await run(ps, wrap("Set-AcceptedDomain -Identity contoso.com -DomainType ExternalRelay -Confirm:$false"))).stderr);
            assert.deepStrictEqual([c.reason, c.message], ["InvalidOperationException", "||ExternalRelay accepted domains aren't supported in Exchange Online. Use DomainType Authoritative or InternalRelay."]);
            assert.strictEqual(t.read().acceptedDomains[0].domainType, "Authoritative");
        });
        it("refuses MatchSubDomains on an Authoritative domain and allows it on InternalRelay", async () => {
            ps = await connected(t);
            const c = caught((await run(ps, wrap("Set-AcceptedDomain -Identity contoso.com -MatchSubDomains $true -Confirm:$false"))).stderr);
            assert.strictEqual(c.message, "||MatchSubDomains can only be enabled on an InternalRelay domain.");
            const ok = await run(ps, wrap("Set-AcceptedDomain -Identity fabrikam.com -MatchSubDomains $true -Confirm:$false"));
            assert.strictEqual(ok.hadErrors, false);
            assert.strictEqual(t.read().acceptedDomains[1].matchSubDomains, true);
        });
        it("warns that no settings were modified when nothing changes", async () => {
            ps = await connected(t);
            const r = await run(ps, wrap("Set-AcceptedDomain -Identity contoso.com -DomainType Authoritative -Confirm:$false"));
            assert.deepStrictEqual([r.hadErrors, r.stdout.trim()], [false, "WARNING: The command completed successfully but no settings of 'contoso.com' have been modified."]);
            const events = t.events().filter((e) => e.cmdlet === "Set-AcceptedDomain");
            assert.strictEqual(events[events.length - 1].outcome, "warning");
        });
        it("-WhatIf reports and changes nothing", async () => {
            ps = await connected(t);
            const r = await run(ps, "Set-AcceptedDomain -Identity contoso.com -DomainType InternalRelay -WhatIf");
            assert.strictEqual(r.stdout.trim(), 'What if: Performing the operation "Set-AcceptedDomain" on target "contoso.com".');
            assert.strictEqual(t.read().acceptedDomains[0].domainType, "Authoritative");
        });
        it("takes identities from the pipeline and splatted parameters", async () => {
            ps = await connected(t);
            await run(ps, "$p = @{ DomainType = 'InternalRelay'; Confirm = $false }; Get-AcceptedDomain -Identity contoso.com | Set-AcceptedDomain @p");
            assert.strictEqual(t.read().acceptedDomains[0].domainType, "InternalRelay");
        });
        it("fails a misspelt, ambiguous, mistyped or missing parameter like pwsh", async () => {
            ps = await connected(t);
            const cases: [string, string, string][] = [
                ["Set-AcceptedDomain -Identity contoso.com -DomainTyp2 InternalRelay", "NamedParameterNotFound,Set-AcceptedDomain", "A parameter cannot be found that matches parameter name 'DomainTyp2'."],
                ["Set-AcceptedDomain -Identity contoso.com -S $true", "AmbiguousParameter,Set-AcceptedDomain", "Parameter cannot be processed because the parameter name 'S' is ambiguous. Possible matches include: -SendingFromDomainDisabled -SendingToDomainDisabled."],
                ["Set-AcceptedDomain -Identity contoso.com -MatchSubDomains 'yes'", "ParameterArgumentTransformationError,Set-AcceptedDomain", "Cannot process argument transformation on parameter 'MatchSubDomains'. Cannot convert value \"System.String\" to type \"System.Boolean\". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0."],
                ["Set-AcceptedDomain -DomainType InternalRelay", "MissingMandatoryParameter,Set-AcceptedDomain", "Cannot process command because of one or more missing mandatory parameters: Identity."],
                ["Set-AcceptedDomain -Identity", "MissingArgument,Set-AcceptedDomain", "Missing an argument for parameter 'Identity'. Specify a parameter of type 'Microsoft.Exchange.Configuration.Tasks.AcceptedDomainIdParameter' and try again."],
                ["Set-AcceptedDomain -Identity contoso.com -DomainType Relay", "CannotConvertArgumentNoMessage,Set-AcceptedDomain", 'Cannot bind parameter \'DomainType\'. Cannot convert value "Relay" to type "Microsoft.Exchange.Data.Directory.SystemConfiguration.AcceptedDomainType". Error: "Unable to match the identifier name Relay to a valid enumerator name. Specify one of the following enumerator names and try again:\nAuthoritative, ExternalRelay, InternalRelay"'],
                ["Get-AcceptedDomain contoso.com extra", "PositionalParameterNotFound,Get-AcceptedDomain", "A positional parameter cannot be found that accepts argument 'extra'."],
            ];
            for (const [cmd, errorId, message] of cases) {
                const c = caught((await run(ps, wrap(cmd))).stderr);
                assert.deepStrictEqual([c.errorId, c.message], [errorId, message], cmd);
            }
            assert.strictEqual(t.read().acceptedDomains[0].domainType, "Authoritative");
        });
    });

    describe("coexistence signals", () => {
        it("Get-OnPremisesOrganization returns HybridDomains", async () => {
            ps = await connected(t);
            const o = JSON.parse((await run(ps, "Get-OnPremisesOrganization | Select-Object Name,HybridDomains | ConvertTo-Json -Compress")).stdout);
            assert.deepStrictEqual(o, { Name: "Contoso On-Premises", HybridDomains: ["contoso.com", "fabrikam.com"] });
        });
        it("Get-OutboundConnector returns ConnectorType and RecipientDomains", async () => {
            ps = await connected(t);
            const c = JSON.parse((await run(ps, "Get-OutboundConnector | Select-Object Name,ConnectorType,RecipientDomains | ConvertTo-Json -Compress")).stdout);
            assert.deepStrictEqual(c, { Name: "Outbound to Contoso On-Premises", ConnectorType: "OnPremises", RecipientDomains: ["contoso.com", "fabrikam.com"] });
            const nf = caught((await run(ps, wrap("Get-OutboundConnector -Identity 'missing'"))).stderr);
            assert.strictEqual(nf.reason, "ManagementObjectNotFoundException");
        });
        it("Get-Recipient -Filter on IsDirSynced and EmailAddresses", async () => {
            ps = await connected(t);
            const synced = JSON.parse((await run(ps, `Get-Recipient -ResultSize Unlimited -Filter "IsDirSynced -eq 'True'" | Select-Object PrimarySmtpAddress | ConvertTo-Json -Compress`)).stdout) as { PrimarySmtpAddress: string }[];
            assert.deepStrictEqual(synced.map((r) => r.PrimarySmtpAddress), ["adele.vance@contoso.com", "megan.bowen@contoso.com", "lee.gu@fabrikam.com"]);
            const fab = JSON.parse((await run(ps, `Get-Recipient -Filter "EmailAddresses -like '*@fabrikam.com' -and IsDirSynced -eq `+"`$true"+`" | Select-Object Name | ConvertTo-Json -Compress`)).stdout);
            assert.deepStrictEqual(fab, { Name: "Lee Gu" });
        });
        it("Get-EXORecipient returns the Minimum property set unless asked for more", async () => {
            ps = await connected(t);
            const one = JSON.parse((await run(ps, `Get-EXORecipient -Identity 'adele.vance@contoso.com' | ConvertTo-Json -Compress`)).stdout) as Record<string, unknown>;
            assert.deepStrictEqual(Object.keys(one), ["ExchangeVersion", "ExternalDirectoryObjectId", "Name", "OrganizationId", "RecipientType", "RecipientTypeDetails"]);
            const more = JSON.parse((await run(ps, `Get-EXORecipient -Identity 'adele.vance@contoso.com' -Properties EmailAddresses,IsDirSynced | ConvertTo-Json -Compress`)).stdout) as Record<string, unknown>;
            assert.strictEqual(more.IsDirSynced, true);
            assert.ok(Array.isArray(more.EmailAddresses));
            const bad = caught((await run(ps, wrap(`Get-EXORecipient -PropertySets Everything`))).stderr);
            assert.match(bad.message, /Unable to match the identifier name Everything.*\n.*Minimum/s);
        });
        it("Get-EXORecipient -Filter: the service matches, -ResultSize bounds, a wildcard inside a value is refused", async () => {
            ps = await connected(t);
            const filter = `"IsDirSynced -eq 'True' -and EmailAddresses -like '*@contoso.com'"`;
            const all = JSON.parse((await run(ps, `Get-EXORecipient -ResultSize Unlimited -Filter ${filter} | Select-Object Name | ConvertTo-Json -Compress`)).stdout) as { Name: string }[];
            assert.deepStrictEqual(all.map((r) => r.Name), t.read().recipients.filter((r) => r.isDirSynced && r.emailAddresses.some((a) => /@contoso\.com$/i.test(a))).map((r) => r.name));
            assert.ok(all.length >= 2, "the demo tenant has more than one synced contoso.com recipient");
            const first = await run(ps, `Get-EXORecipient -ResultSize 1 -Filter ${filter} | Select-Object Name | ConvertTo-Json -Compress`);
            assert.deepStrictEqual(JSON.parse(first.stdout.split("\n").filter((l) => l.startsWith("{")).join("")), { Name: all[0].Name });
            assert.match(first.stdout, /WARNING: By default, only the first 1 items are returned/, "more results than -ResultSize: a warning");
            // With a wildcard the smtp: prefix counts (filter-properties, EmailAddresses); a complete address needs none.
            assert.strictEqual((await run(ps, `Get-EXORecipient -Filter "EmailAddresses -like 'adele*'" | ConvertTo-Json -Compress`)).stdout.trim(), "");
            assert.match((await run(ps, `Get-EXORecipient -Filter "EmailAddresses -like 'smtp:adele*'" | Select-Object Name | ConvertTo-Json -Compress`)).stdout, /"Name"/);
            assert.match((await run(ps, `Get-EXORecipient -Filter "EmailAddresses -eq 'adele.vance@contoso.com'" | Select-Object Name | ConvertTo-Json -Compress`)).stdout, /"Name"/);
            const inner = caught((await run(ps, wrap(`Get-EXORecipient -Filter "EmailAddresses -like 'smtp:*@contoso.com'"`))).stderr);
            assert.match(inner.message, /^Error while querying REST service\. HttpStatusCode=400 .*wildcards are supported only at the beginning or the end of a value/);
            // Longer than 2048 characters: refused, not read as "no such recipient".
            const clause = "EmailAddresses -like '*@contoso.com'";
            const fits = `IsDirSynced -eq 'True' -and (${clause}${` -or ${clause}`.repeat(40)})`;
            assert.ok(fits.length <= 2048 && `${fits} -or x`.length > 1600, `${fits.length}`);
            assert.match((await run(ps, `Get-EXORecipient -ResultSize 1 -Filter "${fits}" | Select-Object Name | ConvertTo-Json -Compress`)).stdout, /"Name"/);
            const long = `IsDirSynced -eq 'True' -and (${clause}${` -or ${clause}`.repeat(60)})`;
            const tooLong = caught((await run(ps, wrap(`Get-EXORecipient -ResultSize 1 -Filter "${long}"`))).stderr);
            assert.match(tooLong.message, new RegExp(`^Error while querying REST service\\. HttpStatusCode=400 .*The filter is ${long.length} characters long; a filter can be at most 2048 characters`));
        });
        it("Get-EXORecipient is the module's own cmdlet: -CommandName does not hide it", async () => {
            ps = startShell(t);
            const r = await run(ps, `$ErrorActionPreference = 'Stop'; ${wrap(connectCommand(t) + " -CommandName 'Get-AcceptedDomain'")}`);
            assert.strictEqual(r.hadErrors, false, r.stderr);
            assert.match((await run(ps, `Get-EXORecipient -ResultSize 1 | Select-Object Name | ConvertTo-Json -Compress`)).stdout, /"Name"/);
            assert.strictEqual(caught((await run(ps, wrap("Get-Recipient"))).stderr).reason, "CommandNotFoundException");
        });
        it("latency.pageMs is paid per started page of 1,000 returned objects", async () => {
            assert.deepStrictEqual([0, 1, 1000, 1001, 100_000].map((n) => pageLatency(1500, n)), [0, 1500, 1500, 3000, 150_000]);
            t.edit((s) => (s.latency.pageMs = 400));
            ps = await connected(t);
            await run(ps, `Get-EXORecipient -Filter "Name -eq 'nobody'" | Out-Null`);
            await run(ps, `Get-EXORecipient -ResultSize 1 | Out-Null`);
            const [empty, one] = t.events().filter((e) => e.event === "cmdlet" && e.cmdlet === "Get-EXORecipient") as unknown as { durationMs: number }[];
            assert.ok(empty.durationMs < 400, `an empty result pays no page (${empty.durationMs} ms)`);
            assert.ok(one.durationMs >= 400, `one object is one page (${one.durationMs} ms)`);
        });
        it("Get-Recipient refuses an invalid filter with EXO's text", async () => {
            ps = await connected(t);
            const c = caught((await run(ps, wrap(`Get-Recipient -Filter "IsDirSynced -equals 'True'"`))).stderr);
            assert.match(c.message, /^Cannot bind parameter 'Filter' to the target\. Exception setting "Filter": "Invalid filter syntax\./);
            const p = caught((await run(ps, wrap(`Get-Recipient -Filter "Colour -eq 'red'"`))).stderr);
            assert.match(p.message, /'Colour' is not a recognized filterable property/);
        });
    });

    describe("language", () => {
        it("$ErrorActionPreference = 'Stop' turns EXO errors into catchable ones; Continue does not", async () => {
            ps = await connected(t);
            const cont = await run(ps, "$ErrorActionPreference = 'Continue'; try { Get-AcceptedDomain -Identity nope } catch { Write-Output 'caught' }");
            assert.ok(!cont.stdout.includes("caught"));
            const stop = await run(ps, "$ErrorActionPreference = 'Stop'; try { Get-AcceptedDomain -Identity nope } catch { Write-Output 'caught' }");
            assert.strictEqual(stop.stdout.trim(), "caught");
        });
        it("supports catch by type, finally, throw, hashtables, arrays, casts and comparisons", async () => {
            ps = startShell(t);
            const r = await run(
                ps,
                "try { throw 'x' } catch [System.Management.Automation.RuntimeException] { 'typed' } finally { 'fin' }; [pscustomobject]@{ a = @(1,2); b = $null; c = (1 -eq 1) -and ('A' -like 'a*') } | ConvertTo-Json -Compress",
            );
            assert.deepStrictEqual(r.stdout.trim().split("\n"), ["typed", "fin", '{"a":[1,2],"b":null,"c":true}']);
        });
        it("an expression keeps its value in a hashtable and an assignment: @(1) stays an array of one", async () => {
            ps = startShell(t);
            const r = await run(ps, "$one = @('x'); @{ a = @(1); b = [string[]]@('3.9.2'); c = $one; d = (Write-Output 'y') } | ConvertTo-Json -Compress");
            assert.deepStrictEqual(JSON.parse(r.stdout), { a: [1], b: ["3.9.2"], c: ["x"], d: "y" });
        });
        it("Out-Null discards and ConvertTo-Json warns when -Depth truncates", async () => {
            ps = startShell(t);
            assert.strictEqual((await run(ps, "'x' | Out-Null")).stdout, "");
            const r = await run(ps, "@{ a = @{ b = @{ c = 1 } } } | ConvertTo-Json -Depth 1 -Compress");
            assert.deepStrictEqual(r.stdout.trim().split("\n"), ["WARNING: Resulting JSON is truncated as serialization has exceeded the set depth of 1.", '{"a":{"b":"System.Collections.Hashtable"}}']);
        });
        it("unknown commands and methods fail like pwsh", async () => {
            ps = startShell(t);
            const r = await run(ps, wrap("'a'.Frobnicate()"));
            assert.strictEqual(caught(r.stderr).message, "Method invocation failed because [System.String] does not contain a method named 'Frobnicate'.");
        });
    });
});
