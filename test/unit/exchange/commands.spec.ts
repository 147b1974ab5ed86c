import { strict as assert } from "assert";
import {
    COMMAND_NAMES,
    connectExchangeOnline,
    getAcceptedDomain,
    getAcceptedDomains,
    dirSyncedFilter,
    getDirSyncedRecipientIn,
    setAcceptedDomain,
    SYNCED_QUERY_MAX_FILTER_CHARS,
    syncedQueryGroups,
    wrap,
} from "../../../components/exchange/commands";

const WRAP_PREFIX = "try { ";

describe("commands", () => {
    describe("#setAcceptedDomain", () => {
        it("emits only the changed parameters", () => {
            const cmd = setAcceptedDomain("contoso.com", { domainType: "InternalRelay" });
            assert.equal(cmd.cmdlet, "Set-AcceptedDomain");
            assert.match(cmd.text, /Set-AcceptedDomain -Identity 'contoso\.com' -DomainType 'InternalRelay' -Confirm:\$false/);
            assert.doesNotMatch(cmd.text, /MatchSubDomains|OutboundOnly/);
        });

        it("renders booleans as switch values", () => {
            const cmd = setAcceptedDomain("contoso.com", { matchSubDomains: true, outboundOnly: false });
            assert.match(cmd.text, /-MatchSubDomains:\$true -OutboundOnly:\$false -Confirm:\$false/);
            assert.doesNotMatch(cmd.text, /DomainType/);
        });

        it("quotes a hostile identity", () => {
            const cmd = setAcceptedDomain("x'; Remove-AcceptedDomain y; '", { outboundOnly: true });
            assert.ok(cmd.text.includes("-Identity 'x''; Remove-AcceptedDomain y; '''"));
        });

        it("refuses an empty change (a Set is sent only when something differs)", () => {
            assert.throws(() => setAcceptedDomain("contoso.com", {}), /nothing to change/);
        });

        it("is wrapped so errors reach stderr as JSON", () => {
            assert.ok(setAcceptedDomain("a.com", { outboundOnly: true }).text.startsWith(WRAP_PREFIX));
        });
    });

    describe("#connectExchangeOnline", () => {
        it("certificate: app id, file, password as SecureString, no banner, only our cmdlets", () => {
            const cmd = connectExchangeOnline({
                organization: "contoso.onmicrosoft.com",
                auth: { kind: "certificate", appId: "app-1", certificateFilePath: "/k/c.pfx", certificatePassword: "p'w$d" },
            });
            assert.ok(cmd.text.startsWith("$ErrorActionPreference = 'Stop'; "));
            assert.match(cmd.text, /-AppId 'app-1' -CertificateFilePath '\/k\/c\.pfx' -CertificatePassword \(ConvertTo-SecureString -String 'p''w\$d' -AsPlainText -Force\)/);
            assert.match(cmd.text, /-Organization 'contoso\.onmicrosoft\.com' -ShowBanner:\$false/);
            assert.ok(cmd.text.includes(`-CommandName ${COMMAND_NAMES.map((c) => `'${c}'`).join(",")}`));
            assert.equal(cmd.cmdlet, "Connect-ExchangeOnline");
        });

        it("managed identity", () => {
            const cmd = connectExchangeOnline({ organization: "contoso.onmicrosoft.com", auth: { kind: "managedIdentity" } });
            assert.match(cmd.text, /Connect-ExchangeOnline -ManagedIdentity -Organization 'contoso\.onmicrosoft\.com'/);
        });

        it("user-assigned managed identity: -ManagedIdentityAccountId with the client id", () => {
            const cmd = connectExchangeOnline({ organization: "contoso.onmicrosoft.com", auth: { kind: "managedIdentity", accountId: "0b5e'x" } });
            assert.match(cmd.text, /Connect-ExchangeOnline -ManagedIdentity -ManagedIdentityAccountId '0b5e''x' -Organization/);
        });

        it("-SkipLoadingFormatData, and the chosen module imported first inside the error wrapper", () => {
            const cmd = connectExchangeOnline({ organization: "contoso.onmicrosoft.com", auth: { kind: "managedIdentity" }, moduleVersion: "3.9.2" });
            assert.match(cmd.text, /-ShowBanner:\$false -SkipLoadingFormatData -CommandName/);
            assert.match(cmd.text, /try \{ Import-Module -Name ExchangeOnlineManagement -RequiredVersion '3\.9\.2'; Connect-ExchangeOnline /);
        });

        it("access token", () => {
            const cmd = connectExchangeOnline({ organization: "contoso.onmicrosoft.com", auth: { kind: "accessToken", accessToken: "eyJ.a.b" } });
            assert.match(cmd.text, /Connect-ExchangeOnline -AccessToken 'eyJ\.a\.b' -Organization/);
        });

        it("uses the resolved certificate path when given", () => {
            const cmd = connectExchangeOnline({
                organization: "c.onmicrosoft.com",
                auth: { kind: "certificate", appId: "a", certificateFilePath: "rel.pfx", certificatePassword: "x" },
                certificateFilePath: "/abs/rel.pfx",
            });
            assert.ok(cmd.text.includes("-CertificateFilePath '/abs/rel.pfx'"));
        });
    });

    describe("reads", () => {
        it("bulk Get-AcceptedDomain selects the managed properties as compressed JSON", () => {
            assert.match(
                getAcceptedDomains().text,
                /Get-AcceptedDomain -ResultSize Unlimited \| Select-Object -Property Name,DomainName,DomainType,MatchSubDomains,OutboundOnly,Default,Guid \| ConvertTo-Json -Depth 4 -Compress/,
            );
            assert.match(getAcceptedDomain("a'b.com").text, /Get-AcceptedDomain -Identity 'a''b\.com' \|/);
        });

        it("synced recipients: one bounded Get-EXORecipient for a group of domains, with the documented filter", () => {
            // Single-quoted through quote.ts (no expansion): the OPATH quotes are doubled once for PowerShell.
            assert.ok(
                getDirSyncedRecipientIn(["contoso.com", "fabrikam.com"]).text.includes(
                    "Get-EXORecipient -ResultSize 1 -Properties EmailAddresses -Filter 'IsDirSynced -eq ''True'' -and " +
                        "(EmailAddresses -like ''*@contoso.com'' -or EmailAddresses -like ''*@fabrikam.com'')' -WarningAction SilentlyContinue |",
                ),
            );
            // A quote in a value is doubled for OPATH, then each of those again for PowerShell.
            assert.ok(getDirSyncedRecipientIn(["o'x.com"]).text.includes("-like ''*@o''''x.com''"));
            assert.throws(() => getDirSyncedRecipientIn([]), /0 domains/);
            const many = Array.from({ length: 60 }, (_, i) => `d${i}.contoso.com`);
            assert.throws(() => getDirSyncedRecipientIn(many), /60 domains, a filter of \d+ characters; group them with syncedQueryGroups/);
        });

        it("synced recipients: groups of domains whose filters stay within 2048 characters, as few as fit", () => {
            const domains = Array.from({ length: 1000 }, (_, i) => `d${String(i).padStart(4, "0")}.bench.example`);
            const groups = syncedQueryGroups(domains);
            assert.deepEqual(groups.flat(), domains, "every domain once, in order");
            for (const g of groups) assert.ok(dirSyncedFilter(g).length <= SYNCED_QUERY_MAX_FILTER_CHARS, `${g.length} domains: ${dirSyncedFilter(g).length} chars`);
            // Full: each group but the last would overflow with the next domain.
            for (let i = 0; i + 1 < groups.length; i++) assert.ok(dirSyncedFilter([...groups[i], groups[i + 1][0]]).length > SYNCED_QUERY_MAX_FILTER_CHARS);
            assert.equal(groups.length, 25); // 41 of these names fit in one filter (2,034 characters)
            for (const g of groups) assert.doesNotThrow(() => getDirSyncedRecipientIn(g));
            // A domain of the longest legal name still gets a query of its own.
            const longest = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`;
            assert.deepEqual(syncedQueryGroups([longest, "contoso.com"]).flat(), [longest, "contoso.com"]);
            assert.deepEqual(syncedQueryGroups([]), []);
        });

        it("every command is a single line", () => {
            for (const c of [getAcceptedDomains(), getDirSyncedRecipientIn(["contoso.com"]), setAcceptedDomain("a.com", { domainType: "Authoritative" })]) {
                assert.doesNotMatch(c.text, /[\r\n]/);
            }
        });
    });

    it("wrap reports reason, message and errorId as one JSON line on stderr", () => {
        const text = wrap("Get-X");
        assert.equal(
            text,
            "try { Get-X } catch { [Console]::Error.WriteLine((@{ reason = $_.CategoryInfo.Reason; message = $_.Exception.Message; errorId = $_.FullyQualifiedErrorId } | ConvertTo-Json -Compress)); }",
        );
    });
});
