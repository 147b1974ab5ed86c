/**
 * Secret hygiene under the real CLI: with certificate-password auth and with
 * access-token auth, after up, refresh, a failing run and destroy, neither value
 * appears (as text or base64) in the backend files (state, history, backups),
 * Pulumi's home and temp directories (logs), the emulator's journal and state,
 * or any CLI output or error message.
 *
 * The tenant is given distinctive credentials (digests only, as the emulator
 * stores them), so a hit can only be a leak.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { hashSecret } from "../../emulator";
import {
    changeTenant,
    createWorkspace,
    DEMO_APP_ID,
    DEMO_ORGANIZATION,
    pulumi,
    removeWorkspace,
    secretValue,
    seedTenant,
    tenant,
    writeStackConfig,
    type Workspace,
} from "./harness";

const CERT_PASSWORD = "Cert-Pw-6b1f0e9d'\u2019$(x)";
const ACCESS_TOKEN = "eyJ0eXAiOiJKV1Qi.tok-3c8a51d2e7.sig";

/** Every text file under a directory (binaries such as plugins are skipped). */
function filesUnder(dir: string): { file: string; text: string }[] {
    if (!fs.existsSync(dir)) return [];
    const out: { file: string; text: string }[] = [];
    const walk = (d: string): void => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else if (e.isFile() && fs.statSync(p).size < 50 * 1024 * 1024) out.push({ file: p, text: fs.readFileSync(p, "latin1") });
        }
    };
    walk(dir);
    return out;
}

function forms(secret: string): string[] {
    return [secret, Buffer.from(secret, "utf8").toString("latin1"), Buffer.from(secret, "utf8").toString("base64")];
}

describe("secret hygiene: no credential in state, logs, journal or output", function () {
    this.timeout(10 * 60 * 1000);
    let ws: Workspace;
    let cert: string;
    const outputs: { step: string; text: string }[] = [];

    const run = async (step: string, args: string[]): Promise<number> => {
        const r = await pulumi(ws, args);
        outputs.push({ step, text: r.output });
        return r.code;
    };

    /** Asserts that no form of the secret appears anywhere the run left traces. */
    const assertNowhere = (secret: string): void => {
        const places = [
            ...filesUnder(ws.backendDir),
            ...filesUnder(ws.env.PULUMI_HOME as string),
            ...filesUnder(ws.env.TMPDIR as string),
            ...filesUnder(path.dirname(ws.journalPath)).filter((f) => f.file === ws.journalPath || f.file === ws.statePath),
            ...outputs.map((o) => ({ file: `output of ${o.step}`, text: o.text })),
        ];
        assert.ok(places.some((p) => p.file === ws.journalPath), "the journal was scanned");
        for (const p of places) {
            for (const f of forms(secret)) {
                assert.ok(!p.text.includes(f), `the secret appears in ${p.file}`);
            }
        }
    };

    /** up, refresh, a failing run (sign-in refused), a run after it, destroy. */
    const lifecycle = async (auth: Record<string, unknown>): Promise<void> => {
        await changeTenant(ws, (t) => {
            const contoso = t.acceptedDomains.find((d) => d.domainName === "contoso.com");
            if (contoso) contoso.domainType = "Authoritative"; // the KB outage, so each phase has a change to make
        });
        writeStackConfig(ws, {
            "exchange:organization": DEMO_ORGANIZATION,
            "exchange:auth": auth,
            "exchange:domains": { "contoso.com": { type: "InternalRelay", directorySynced: true, onDelete: "restore" } },
            "exchange:retryDelayMs": 50,
        });
        assert.strictEqual(await run("up", ["up", "--yes", "--skip-preview"]), 0, outputs.at(-1)?.text);
        assert.strictEqual(tenant(ws).acceptedDomains.find((d) => d.domainName === "contoso.com")?.domainType, "InternalRelay");
        assert.strictEqual(await run("refresh", ["refresh", "--yes", "--skip-preview"]), 0, outputs.at(-1)?.text);
        assert.strictEqual(await run("stack output", ["stack", "output", "--json"]), 0);
        assert.strictEqual(await run("stack export", ["stack", "export"]), 0);

        await changeTenant(ws, (t) => (t.faults.failConnect = { remaining: 100 }));
        assert.notStrictEqual(await run("failing preview", ["preview", "--refresh"]), 0);
        assert.match(outputs.at(-1)?.text ?? "", /Connect-ExchangeOnline failed: AADSTS/, "the failure is reported");
        await changeTenant(ws, (t) => (t.faults.failConnect = null));

        // A failing delete too: restoring contoso.com to Authoritative while synced is refused.
        assert.notStrictEqual(await run("refused destroy", ["destroy", "--yes", "--skip-preview"]), 0);
        assert.match(outputs.at(-1)?.text ?? "", /refusing to restore contoso\.com to Authoritative/);
        writeStackConfig(ws, {
            "exchange:organization": DEMO_ORGANIZATION,
            "exchange:auth": auth,
            "exchange:domains": { "contoso.com": { type: "InternalRelay", directorySynced: true } },
            "exchange:retryDelayMs": 50,
        });
        assert.strictEqual(await run("up (retain)", ["up", "--yes", "--skip-preview"]), 0, outputs.at(-1)?.text);
        assert.strictEqual(await run("destroy", ["destroy", "--yes", "--skip-preview"]), 0, outputs.at(-1)?.text);
    };

    before(async () => {
        ws = await createWorkspace({ name: "secrets" });
        // Pulumi and its plugins write any log files under the temp directory: keep it in the workspace.
        ws.env.TMPDIR = path.join(ws.dir, "tmp");
        fs.mkdirSync(ws.env.TMPDIR);
        cert = await seedTenant(ws, (t) => {
            t.credentials.apps[0].certificatePasswordSha256 = hashSecret(CERT_PASSWORD);
            t.credentials.accessTokenSha256 = [hashSecret(ACCESS_TOKEN)];
        });
    });
    after(() => removeWorkspace(ws));

    it("certificate password: up, refresh, failing runs and destroy leave no trace of it", async () => {
        await lifecycle({ kind: "certificate", appId: DEMO_APP_ID, certificateFilePath: cert, certificatePassword: await secretValue(ws, CERT_PASSWORD) });
        assertNowhere(CERT_PASSWORD);
    });

    it("access token: up, refresh, failing runs and destroy leave no trace of it", async () => {
        await lifecycle({ kind: "accessToken", accessToken: await secretValue(ws, ACCESS_TOKEN) });
        assertNowhere(ACCESS_TOKEN);
        assertNowhere(CERT_PASSWORD);
    });

    it("both values were really used to sign in (the journal shows them redacted)", () => {
        // Guards against a vacuous pass: both values were really used to sign in.
        const journal = fs.readFileSync(ws.journalPath, "utf8");
        assert.match(journal, /"AccessToken":"\[REDACTED\]"/);
        assert.match(journal, /"CertificatePassword":"\[REDACTED\]"|"String":"\[REDACTED\]"/);
    });
});
