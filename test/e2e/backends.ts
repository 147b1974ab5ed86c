/**
 * Real local state backends for the end-to-end tests: Azurite (Microsoft's Azure Storage
 * emulator, pinned in package.json and run from node_modules, so nothing is fetched at test time)
 * serving Pulumi's DIY azblob backend.
 *
 * Each server is started on 127.0.0.1 on a free port with its data in a directory of its own, its
 * PID is recorded in a pid file there, and `stopAzurite` ends only that process: the one named by
 * the pid file, after checking (by /proc start time and command line) that the PID still belongs
 * to it. A server started for a test also carries a watchdog (exit-with-parent.js) that ends it if
 * the test process dies without its after() hook, so a crashed run never leaves one behind.
 *
 * Sources:
 * - Azurite, its options and the well-known development account and key:
 *   https://learn.microsoft.com/azure/storage/common/storage-use-azurite
 *   ("Command line options", "Well-known storage account and key", "HTTP connection strings").
 * - Shared Key signing of the two REST calls made here (Create Container, List Blobs):
 *   https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key
 *   (StringToSign for the Blob service; with the emulator's path-style URLs the account name
 *   appears twice in CanonicalizedResource, as that page says).
 * - The azblob URL Pulumi opens: gocloud.dev/blob/azureblob (URLOpener: `localemu`, `domain`,
 *   `protocol`; AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY) and gocloud.dev/blob (blob.go
 *   applyPrefixParam: `prefix=` wraps the bucket in PrefixedBucket); Pulumi v3.274.1
 *   pkg/backend/diy/backend.go newDIYBackend opens it with its own azblob URLMux, which still
 *   applies `prefix=`, and https://www.pulumi.com/docs/iac/operations/stack-management/using-a-diy-backend/.
 */
import { spawn, type ChildProcess } from "child_process";
import { createHmac } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";

const repoRoot = path.resolve(__dirname, "..", "..");

/** Azurite's built-in development account (the Microsoft page above): not a secret. */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
/** The REST version the two calls here speak (any recent one; Azurite runs with --skipApiVersionCheck). */
const API_VERSION = "2021-12-02";

/** A Pulumi state backend a workspace can use instead of its own file backend. */
export interface StateBackend {
    readonly kind: "azblob";
    /** The PULUMI_BACKEND_URL for state kept under `prefix` (ends with "/"). */
    urlFor(prefix: string): string;
    /** What the CLI needs in its environment to reach the backend. */
    readonly env: Record<string, string>;
    /** Keys of every blob under `prefix` (what is really stored there). */
    listKeys(prefix: string): Promise<string[]>;
}

export interface AzuriteServer extends StateBackend {
    readonly port: number;
    readonly pid: number;
    readonly container: string;
    /** Azurite's data directory; the pid file and Azurite's stderr log are in it too. */
    readonly location: string;
    readonly pidFile: string;
}

export interface StartOptions {
    /** Data directory (created); default a fresh one under <repo>/.tmp/backends. */
    location?: string;
    /** Blob container that will hold the state (created). */
    container?: string;
    /** Keep running after this process ends (the CLI's `start`); tests leave it false. */
    detached?: boolean;
    /** How long to wait for Azurite to answer. */
    readyTimeoutMs?: number;
}

/** What the pid file records: enough to tell that a PID is still the process that was started. */
interface PidRecord {
    pid: number;
    /** Field 22 of /proc/<pid>/stat (clock ticks after boot): differs once the PID is reused. */
    startTicks: string;
    port: number;
    container: string;
    location: string;
    /** The data directory was made by startAzurite (not given): stopping removes it. */
    madeLocation: boolean;
}

const PID_FILE = "azurite.pid.json";

/** Starts Azurite's blob service, waits until it answers and creates the container. */
export async function startAzurite(opts: StartOptions = {}): Promise<AzuriteServer> {
    const location = path.resolve(opts.location ?? fs.mkdtempSync(path.join(ensureDir(path.join(repoRoot, ".tmp", "backends")), "azblob-")));
    ensureDir(location);
    const container = opts.container ?? "pulumi-state";
    const port = await freePort();
    const child = spawnAzurite(location, port, opts.detached === true);
    const pid = child.pid;
    if (pid === undefined) throw new Error("azurite-blob did not start");
    const pidFile = path.join(location, PID_FILE);
    const record: PidRecord = { pid, startTicks: startTicks(pid) ?? "", port, container, location, madeLocation: opts.location === undefined };
    fs.writeFileSync(pidFile, JSON.stringify(record) + "\n");
    const server = azuriteServer(record, pidFile);
    try {
        await waitUntilAnswering(server, child, opts.readyTimeoutMs ?? 20_000);
        await createContainer(server);
    } catch (error) {
        await stopAzurite(pidFile);
        throw error;
    }
    if (opts.detached) child.unref();
    return server;
}

/** The server a pid file describes (for the CLI's `stop`, or a process that did not start it). */
export function azuriteFromPidFile(pidFile: string): AzuriteServer {
    return azuriteServer(readPidRecord(pidFile), pidFile);
}

/**
 * Stops the Azurite a pid file names, only if that PID is still that Azurite; SIGTERM first (it
 * closes its databases), SIGKILL after 5 s. Removes the pid file, and the data directory when
 * startAzurite made it. Returns whether a process was stopped.
 */
export async function stopAzurite(pidFile: string): Promise<boolean> {
    if (!fs.existsSync(pidFile)) return false;
    const record = readPidRecord(pidFile);
    let stopped = false;
    if (isOurProcess(record)) {
        stopped = true;
        signal(record.pid, "SIGTERM");
        if (!(await exitedWithin(record, 5_000))) {
            signal(record.pid, "SIGKILL");
            await exitedWithin(record, 5_000);
        }
    }
    fs.rmSync(pidFile, { force: true });
    if (record.madeLocation) fs.rmSync(record.location, { recursive: true, force: true });
    return stopped;
}

// ---------------------------------------------------------------------------
// Process handling
// ---------------------------------------------------------------------------

/** The azurite-blob entry point from the installed package's own `bin` map. */
function azuriteBlobEntry(): string {
    const pkgFile = require.resolve("azurite/package.json", { paths: [repoRoot] });
    const pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8")) as { bin?: Record<string, string> };
    const rel = pkg.bin?.["azurite-blob"];
    if (!rel) throw new Error(`${pkgFile} has no azurite-blob entry: run npm ci`);
    return path.join(path.dirname(pkgFile), rel);
}

function spawnAzurite(location: string, port: number, detached: boolean): ChildProcess {
    // node itself, not the .bin shim, so the recorded PID is the server.
    const watchdog = detached ? [] : ["--require", path.join(__dirname, "exit-with-parent.js")];
    const args = [
        ...watchdog,
        azuriteBlobEntry(),
        "--blobHost", "127.0.0.1",
        "--blobPort", String(port),
        "--location", location,
        // No access log on the console; any API version the Go SDK sends is accepted; and no
        // telemetry (Azurite collects it by default, and nothing here may leave the machine).
        "--silent",
        "--skipApiVersionCheck",
        "--disableTelemetry",
    ];
    const log = fs.openSync(path.join(location, "azurite.log"), "a");
    try {
        return spawn(process.execPath, args, { cwd: location, stdio: ["ignore", log, log], detached });
    } finally {
        fs.closeSync(log);
    }
}

/** A port nobody listens on now: the kernel's pick for a listen on port 0. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.on("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const { port } = srv.address() as net.AddressInfo;
            srv.close(() => resolve(port));
        });
    });
}

function startTicks(pid: number): string | undefined {
    try {
        // The command name (field 2) may hold spaces and parentheses: count fields after the last ")".
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    } catch {
        return undefined;
    }
}

/** Whether record.pid is still the Azurite that was started: same start time, same data directory. */
function isOurProcess(record: PidRecord): boolean {
    const ticks = startTicks(record.pid);
    if (ticks === undefined || (record.startTicks !== "" && ticks !== record.startTicks)) return false;
    try {
        const cmdline = fs.readFileSync(`/proc/${record.pid}/cmdline`, "utf8").split("\0");
        return cmdline.some((a) => a.includes("azurite")) && cmdline.includes(record.location);
    } catch {
        return false;
    }
}

function signal(pid: number, sig: NodeJS.Signals): void {
    try {
        process.kill(pid, sig);
    } catch {
        // already gone
    }
}

async function exitedWithin(record: PidRecord, ms: number): Promise<boolean> {
    for (const until = Date.now() + ms; Date.now() < until; ) {
        // A zombie (our own child not yet reaped) counts as gone: it holds no port or file.
        if (!isOurProcess(record) || processState(record.pid) === "Z") return true;
        await sleep(100);
    }
    return false;
}

function processState(pid: number): string | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    } catch {
        return undefined;
    }
}

function readPidRecord(pidFile: string): PidRecord {
    return JSON.parse(fs.readFileSync(pidFile, "utf8")) as PidRecord;
}

function ensureDir(dir: string): string {
    fs.mkdirSync(dir, { recursive: true });
    return dir;
}

function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}

// ---------------------------------------------------------------------------
// The server as a Pulumi backend, and its REST calls
// ---------------------------------------------------------------------------

function azuriteServer(record: PidRecord, pidFile: string): AzuriteServer {
    const server: AzuriteServer = {
        kind: "azblob",
        port: record.port,
        pid: record.pid,
        container: record.container,
        location: record.location,
        pidFile,
        // localemu=true: path-style URLs (http://127.0.0.1:<port>/<account>/<container>), as Azurite
        // serves them (gocloud azureblob NewServiceURL).
        urlFor: (prefix) =>
            `azblob://${record.container}?localemu=true&domain=127.0.0.1:${record.port}&protocol=http${prefix ? `&prefix=${encodeURIComponent(prefix)}` : ""}`,
        env: { AZURE_STORAGE_ACCOUNT: AZURITE_ACCOUNT, AZURE_STORAGE_KEY: AZURITE_KEY },
        listKeys: (prefix) => listBlobKeys(server, prefix),
    };
    return server;
}

async function waitUntilAnswering(server: AzuriteServer, child: ChildProcess, timeoutMs: number): Promise<void> {
    let exited: string | undefined;
    child.once("exit", (code, sig) => (exited = `exited (${code ?? sig})`));
    for (const until = Date.now() + timeoutMs; Date.now() < until; ) {
        if (exited) break;
        // Any HTTP answer (an unsigned request gets 4xx) means it is serving.
        if ((await request(server, "GET", "", {}).catch(() => undefined)) !== undefined) return;
        await sleep(100);
    }
    const log = fs.readFileSync(path.join(server.location, "azurite.log"), "utf8").slice(-2000);
    throw new Error(`azurite-blob on 127.0.0.1:${server.port} ${exited ?? `did not answer within ${timeoutMs} ms`}:\n${log}`);
}

/** Create Container; an existing one (409, e.g. a restarted server on the same data) is fine. */
async function createContainer(server: AzuriteServer): Promise<void> {
    const r = await request(server, "PUT", `/${server.container}`, { restype: "container" });
    if (r.status !== 201 && r.status !== 409) {
        throw new Error(`creating container ${server.container} failed: HTTP ${r.status} ${r.body}`);
    }
}

/** List Blobs under a prefix, following continuation markers. */
async function listBlobKeys(server: AzuriteServer, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let marker = "";
    do {
        const query: Record<string, string> = { restype: "container", comp: "list", prefix, ...(marker ? { marker } : {}) };
        const r = await request(server, "GET", `/${server.container}`, query);
        if (r.status !== 200) throw new Error(`listing ${server.container}/${prefix} failed: HTTP ${r.status} ${r.body}`);
        for (const m of r.body.matchAll(/<Name>([^<]*)<\/Name>/g)) keys.push(decodeXml(m[1]));
        marker = /<NextMarker>([^<]+)<\/NextMarker>/.exec(r.body)?.[1] ?? "";
    } while (marker);
    return keys;
}

function decodeXml(s: string): string {
    return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

interface Reply {
    status: number;
    body: string;
}

/** One Shared Key-signed request with an empty body; `resource` is the path after the account. */
function request(server: AzuriteServer, method: string, resource: string, query: Record<string, string>): Promise<Reply> {
    const headers: Record<string, string> = { "x-ms-date": new Date().toUTCString(), "x-ms-version": API_VERSION };
    const urlPath = `/${AZURITE_ACCOUNT}${resource}`;
    headers.authorization = sharedKeyAuthorization(method, urlPath, query, headers);
    const search = new URLSearchParams(query).toString();
    return new Promise((resolve, reject) => {
        const req = http.request(
            { host: "127.0.0.1", port: server.port, method, path: `${urlPath}${search ? `?${search}` : ""}`, headers: { ...headers, "content-length": "0" }, timeout: 5_000 },
            (res) => {
                let body = "";
                res.setEncoding("utf8");
                res.on("data", (c: string) => (body += c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
            },
        );
        req.on("timeout", () => req.destroy(new Error("timed out")));
        req.on("error", reject);
        req.end();
    });
}

/**
 * Authorization: SharedKey <account>:<HMAC-SHA256 of StringToSign> (Authorize with Shared Key):
 * the verb, eleven standard headers (all empty here; Content-Length "0" is signed as empty), the
 * x-ms-* headers sorted, then "/<account><url path>" and each query parameter as "\nname:value".
 */
export function sharedKeyAuthorization(method: string, urlPath: string, query: Record<string, string>, headers: Record<string, string>): string {
    const standard = ["", "", "", "", "", "", "", "", "", "", ""]; // Content-Encoding … Range
    const msHeaders = Object.keys(headers)
        .filter((h) => h.toLowerCase().startsWith("x-ms-"))
        .sort()
        .map((h) => `${h.toLowerCase()}:${headers[h].trim()}\n`)
        .join("");
    const params = Object.keys(query)
        .sort()
        .map((k) => `\n${k.toLowerCase()}:${query[k]}`)
        .join("");
    const stringToSign = `${method}\n${standard.join("\n")}\n${msHeaders}/${AZURITE_ACCOUNT}${urlPath}${params}`;
    const signature = createHmac("sha256", Buffer.from(AZURITE_KEY, "base64")).update(stringToSign, "utf8").digest("base64");
    return `SharedKey ${AZURITE_ACCOUNT}:${signature}`;
}
