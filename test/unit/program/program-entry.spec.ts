/**
 * program.js, the stack program's entry (Pulumi.yaml main): the compiled dist/index.js when the build is fresh, else
 * index.ts through ts-node (Pulumi.yaml has `typescript: false`, so nothing else would load it).
 * Each case runs the real program.js in a fresh Node process, on a scratch tree of its own.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../exchange/emulated-tenant";

describe("program.js: which stack program a run loads", () => {
    let root: string;
    const write = (rel: string, content: string, when: number) => {
        const file = path.join(root, rel);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, content);
        fs.utimesSync(file, when, when);
    };
    /** What the program exported, as loaded by a fresh process (the way the language host's run does). */
    const loaded = (): string =>
        execFileSync(process.execPath, ["-e", `process.stdout.write(String(require(${JSON.stringify(path.join(root, "program.js"))}).which))`], {
            env: { ...process.env, NODE_PATH: path.join(ROOT, "node_modules"), PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
            encoding: "utf8",
        });

    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "program-entry-"));
        fs.copyFileSync(path.join(ROOT, "program.js"), path.join(root, "program.js"));
        write("tsconfig.json", JSON.stringify({ compilerOptions: { module: "commonjs", strict: true } }), 1000);
        // A TypeScript-only construct, so the source can't be loaded without ts-node.
        write("index.ts", `const which: string = "source";\nexport { which };\n`, 1000);
        write("components/compiled.ts", "", 1000);
        write("components/exchange/lifecycle.ts", "", 1000);
        write("dist/index.js", `exports.which = "compiled";\n`, 2000);
        write("dist/components/compiled.js", fs.readFileSync(path.join(ROOT, "dist", "components", "compiled.js"), "utf8"), 2000);
        write("dist/components/exchange/lifecycle.js", "", 2000);
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("the compiled program when index.ts and components/ are no newer than dist/", () => {
        assert.strictEqual(loaded(), "compiled");
    });

    it("index.ts through ts-node when it was edited after the build", () => {
        write("index.ts", `const which: string = "edited";\nexport { which };\n`, 3000);
        assert.strictEqual(loaded(), "edited");
    });

    it("index.ts when a module of components/ was edited after the build, or has no output", () => {
        write("components/exchange/lifecycle.ts", "", 3000);
        assert.strictEqual(loaded(), "source");
        write("components/exchange/lifecycle.ts", "", 1000);
        write("components/exchange/new-module.ts", "", 1000);
        assert.strictEqual(loaded(), "source");
    });

    it("index.ts when there is no build at all", () => {
        fs.rmSync(path.join(root, "dist"), { recursive: true });
        assert.strictEqual(loaded(), "source");
    });

    it("is what the project runs: Pulumi.yaml's main, with Pulumi's own TypeScript loading off", () => {
        // In Pulumi.yaml, not package.json: a scratch program under the checkout (the tests' workspaces)
        // would otherwise find the checkout's package.json upwards and run program.js instead of its own.
        const project = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
        assert.match(project, /^main: program\.js$/m);
        assert.match(project, /^\s+typescript: false$/m);
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { main?: string };
        assert.strictEqual(pkg.main, undefined);
    });
});
