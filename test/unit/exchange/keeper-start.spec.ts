/**
 * The session keeper's process starts pwsh before it loads zod (about 0.16 s here, on the critical
 * path of a run's first read otherwise): its modules up to the spawn must not pull zod in.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";

/** The node_modules packages a fresh process has loaded after requiring the module. */
function packagesLoadedBy(modulePath: string): string[] {
    const script = [
        `require(${JSON.stringify(modulePath)});`,
        "const names = Object.keys(require.cache).map((k) => /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(k)?.[1]).filter((n) => n && !n.startsWith('ts-node') && !n.startsWith('@cspotcode') && !n.startsWith('source-map'));",
        "process.stdout.write(JSON.stringify([...new Set(names)]));",
    ].join("\n");
    const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: path.resolve(__dirname, "../../.."), encoding: "utf8" });
    return JSON.parse(out) as string[];
}

describe("session keeper start", function () {
    this.timeout(60_000);

    it("the keeper's module graph (session-keeper, session) loads no zod before pwsh starts", () => {
        const loaded = packagesLoadedBy(path.resolve(__dirname, "../../../components/exchange/session-keeper.ts"));
        assert.ok(!loaded.includes("zod"), `zod loaded by the keeper's modules: ${loaded.join(", ")}`);
    });

    it("the lifecycle module does load zod (the check above would pass vacuously otherwise)", () => {
        const loaded = packagesLoadedBy(path.resolve(__dirname, "../../../components/exchange/lifecycle.ts"));
        assert.ok(loaded.includes("zod"), `packages: ${loaded.join(", ")}`);
    });
});
