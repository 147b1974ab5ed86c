/**
 * The session keeper (session-keeper.ts, keeper-client.ts) as real processes against the emulated
 * tenant: the "CLI" is a child process this test starts and ends, the "provider processes" are
 * KeeperSession objects created one after another, as the preview and the update of one `up` are.
 */
import { strict as assert } from "assert";
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import { getAcceptedDomain, getAcceptedDomains, setAcceptedDomain } from "../../../components/exchange/commands";
import { NotFoundError } from "../../../components/exchange/errors";
import { KeeperSession, readThroughKeeper } from "../../../components/exchange/keeper-client";
import { processStartTime, type CliIdentity } from "../../../components/exchange/parent-watchdog";
import { keeperAddress } from "../../../components/exchange/session-keeper";
import { TenantReader } from "../../../components/exchange/tenant-reader";
import { emulatorBuilt, kbTenant, type Tenant } from "./emulated-tenant";

function alive(pid: number): boolean {
    return processStartTime(pid) !== undefined;
}

async function until(what: string, test: () => boolean, ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!test()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
        await new Promise((r) => setTimeout(r, 25));
    }
}

describe("session keeper: one sign-in for every provider process of a CLI run", function () {
    this.timeout(30_000);
    let tenant: Tenant;
    let cli: ChildProcess;
    let identity: CliIdentity;
    let sessions: KeeperSession[];
    const lines: string[] = [];
    const session = (over: Parameters<Tenant["settings"]>[0] = {}): KeeperSession => {
        const s = new KeeperSession(tenant.settings(over), { log: (l) => lines.push(l) }, identity);
        sessions.push(s);
        return s;
    };
    /** The keeper: the parent of the emulated pwsh it started. */
    const keeperPid = (): number => {
        const emulator = Number(tenant.events("start").at(-1)?.pid);
        const stat = fs.readFileSync(`/proc/${emulator}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    };

    before(function () {
        if (!emulatorBuilt()) throw new Error("dist/emulator/main.js is missing: run `npx tsc -p tsconfig.json` first");
        if (!fs.existsSync("/proc/self/stat")) this.skip(); // the keeper needs /proc to watch the CLI; elsewhere the session is in-process
    });
    beforeEach(async () => {
        tenant = kbTenant();
        sessions = [];
        lines.length = 0;
        cli = spawn(process.execPath, ["-e", "setTimeout(() => undefined, 120000)"], { stdio: "ignore" });
        await until("the stand-in CLI runs", () => cli.pid !== undefined && alive(cli.pid));
        identity = { pid: cli.pid as number, startTime: processStartTime(cli.pid as number) as string };
    });
    afterEach(async () => {
        for (const s of sessions) await s.dispose();
        cli.kill("SIGKILL");
        await until("the keeper is gone", () => tenant.events("exit").length >= tenant.events("start").length).catch(() => undefined);
        tenant.cleanup();
    });

    it("the preview's and the update's provider processes share one pwsh start and one connect", async () => {
        const preview = session();
        assert.match(await preview.run(getAcceptedDomains()), /"DomainName":"contoso.com"/);
        await preview.dispose(); // the engine ends the preview's provider process
        const update = session();
        await update.run(setAcceptedDomain("contoso.com", { domainType: "InternalRelay" }));
        assert.match(await update.run(getAcceptedDomain("contoso.com")), /InternalRelay/);
        assert.equal(tenant.events("start").length, 1);
        assert.equal(tenant.calls("Connect-ExchangeOnline").length, 1);
        assert.equal(tenant.read().acceptedDomains.find((d) => d.domainName === "contoso.com")?.domainType, "InternalRelay");
    });

    it("the update's provider gets the preview's read from the keeper's memory; a Set forgets it", async () => {
        const preview = session();
        assert.match(await preview.run(getAcceptedDomains()), /"DomainName":"contoso.com","DomainType":"Authoritative"/);
        await preview.dispose();
        const update = session();
        assert.match(await update.run(getAcceptedDomains()), /"DomainName":"contoso.com","DomainType":"Authoritative"/);
        assert.equal(tenant.calls("Get-AcceptedDomain").length, 1, "answered from memory");
        await update.run(setAcceptedDomain("contoso.com", { domainType: "InternalRelay" }));
        assert.match(await update.run(getAcceptedDomains()), /"DomainName":"contoso.com","DomainType":"InternalRelay"/);
        assert.equal(tenant.calls("Get-AcceptedDomain").length, 2, "read again after the write");
    });

    it("the stack program starts the keeper and the run's reads without waiting; the provider's reads then run nowhere again", async () => {
        const sent = await readThroughKeeper(tenant.settings(), identity, (runner) => new TenantReader(runner).readAhead(["contoso.com", "fabrikam.com"]));
        assert.equal(sent, true);
        await until("the program's reads ran", () => tenant.calls("Get-OutboundConnector").length === 1 && tenant.calls("Get-EXORecipient").length >= 1);
        const reader = new TenantReader(session());
        reader.readAhead(["contoso.com", "fabrikam.com"]);
        const signals = await reader.coexistence("contoso.com", { syncedRecipients: true });
        assert.equal(signals.syncedRecipients, "found");
        assert.equal((await reader.liveDomain("contoso.com")).domainType, "Authoritative");
        for (const cmdlet of ["Connect-ExchangeOnline", "Get-AcceptedDomain", "Get-OnPremisesOrganization", "Get-OutboundConnector"]) {
            assert.equal(tenant.calls(cmdlet).length, 1, `${cmdlet} once`);
        }
        const recipientQueries = tenant.calls("Get-EXORecipient").length;
        await reader.hasSyncedRecipients("fabrikam.com");
        assert.equal(tenant.calls("Get-EXORecipient").length, recipientQueries, "the same queries, answered from memory");
        assert.equal(tenant.events("start").length, 1);
    });

    it("a stack program busy registering its resources: the keeper starts and signs in meanwhile, before the program's loop turns", async () => {
        // The program does not await its reads and goes on registering resources synchronously
        // (seconds for 1,000 domains). Blocking this loop the same way, the sign-in must still happen.
        const sent = readThroughKeeper(tenant.settings(), identity, (runner) => void runner.run(getAcceptedDomains()).catch(() => undefined));
        const deadline = Date.now() + 10_000;
        const pause = new Int32Array(new SharedArrayBuffer(4));
        while (tenant.calls("Connect-ExchangeOnline").length === 0 && Date.now() < deadline) Atomics.wait(pause, 0, 0, 25);
        assert.equal(tenant.calls("Connect-ExchangeOnline").length, 1, "signed in while the program's event loop was blocked");
        assert.equal(await sent, true);
        await until("the program's read ran", () => tenant.calls("Get-AcceptedDomain").length === 1);
        assert.equal(tenant.events("start").length, 1);
    });

    it("a warning the program's reads got (a micro delay) is printed by the next provider, not lost", async () => {
        tenant.edit((t) => {
            t.faults.microDelayNextCalls = 1;
        });
        await readThroughKeeper(tenant.settings(), identity, (runner) => void runner.run(getAcceptedDomains()).catch(() => undefined));
        await until("the program's read ran", () => tenant.calls("Get-AcceptedDomain").length === 1);
        assert.deepEqual(lines, [], "the program prints nothing");
        await session().run(getAcceptedDomains());
        await until("the provider got the keeper's lines", () => lines.length > 0);
        assert.ok(lines.some((l) => /Micro delay applied/.test(l)), lines.join("\n"));
    });

    it("errors keep their class across the socket: NotFound stays NotFound", async () => {
        await assert.rejects(session().run(getAcceptedDomain("missing.example")), (e: unknown) => e instanceof NotFoundError && /missing\.example/.test(e.message));
    });

    it("ends with the CLI: pwsh and the keeper exit and the socket goes, within a second", async () => {
        await session().run(getAcceptedDomains());
        const keeper = keeperPid();
        const { socket } = keeperAddress(tenant.settings(), identity);
        assert.ok(fs.existsSync(socket));
        cli.kill("SIGKILL");
        await until("the keeper exited", () => !alive(keeper), 1_000);
        await until("pwsh exited", () => tenant.events("exit").length === 1, 1_000);
        assert.equal(fs.existsSync(socket), false);
    });

    it("other settings (another stack, another password) never reach that session, and a wrong token is hung up on", async () => {
        await session().run(getAcceptedDomains());
        await session({ commandTimeoutSeconds: 21 }).run(getAcceptedDomains());
        assert.equal(tenant.calls("Connect-ExchangeOnline").length, 2, "a second keeper for the other settings");
        const { socket } = keeperAddress(tenant.settings(), identity);
        const refused = await new Promise<string>((resolve) => {
            const s = net.connect(socket, () => {
                s.write(JSON.stringify({ token: "guess" }) + "\n" + JSON.stringify({ id: 1, cmdlet: "Get-AcceptedDomain", text: "Get-AcceptedDomain" }) + "\n");
            });
            let got = "";
            s.on("data", (b) => (got += b.toString()));
            s.on("close", () => resolve(got));
        });
        assert.equal(refused, "", "nothing answered");
        assert.equal(tenant.calls("Get-AcceptedDomain").length, 2);
    });

    it("a keeper gone mid-run: the provider carries on in its own process", async () => {
        const s = session();
        await s.run(getAcceptedDomains());
        process.kill(keeperPid(), "SIGKILL");
        assert.match(await s.run(getAcceptedDomains()), /"DomainName":"contoso.com"/);
        assert.equal(tenant.events("start").length, 2, "its own pwsh");
    });
});
