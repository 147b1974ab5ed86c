import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { compiledIsFresh, compiledModulePath } from "../../../components/compiled";

describe("which lifecycle module the provider loads", () => {
    let root: string;
    const write = (rel: string, when: number) => {
        const file = path.join(root, rel);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, "");
        fs.utimesSync(file, when, when);
    };
    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "lifecycle-"));
        write("src/a.ts", 1000);
        write("src/exchange/b.ts", 1000);
        write("src/types.d.ts", 5000);
        write("out/a.js", 2000);
        write("out/exchange/b.js", 2000);
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("uses the compiled code when every source has an output at least as new", () => {
        assert.strictEqual(compiledIsFresh(path.join(root, "src"), path.join(root, "out")), true);
    });

    it("falls back to the sources when one was edited after the build", () => {
        write("src/exchange/b.ts", 3000);
        assert.strictEqual(compiledIsFresh(path.join(root, "src"), path.join(root, "out")), false);
    });

    it("falls back to the sources when a new source has no output yet", () => {
        write("src/exchange/c.ts", 1000);
        assert.strictEqual(compiledIsFresh(path.join(root, "src"), path.join(root, "out")), false);
    });

    describe("#compiledModulePath: what the stack program and the provider text load", () => {
        beforeEach(() => {
            write("components/index.ts", 1000);
            write("components/exchange/lifecycle.ts", 1000);
            write("dist/components/index.js", 2000);
            write("dist/components/exchange/lifecycle.js", 2000);
        });

        it("the dist/ twin of a components/ module when dist is fresh", () => {
            assert.strictEqual(compiledModulePath(path.join(root, "components", "exchange", "lifecycle.ts"), root), path.join(root, "dist", "components", "exchange", "lifecycle.js"));
        });

        it("the source itself when any source is newer than its output (an edit is never ignored)", () => {
            write("components/schema.ts", 3000); // each test has its own root, so nothing was memoised for it
            assert.strictEqual(compiledModulePath(path.join(root, "components", "index.ts"), root), path.join(root, "components", "index.ts"));
        });

        it("a path that is already JavaScript, or not under components/, as it is", () => {
            const js = path.join(root, "dist", "components", "index.js");
            assert.strictEqual(compiledModulePath(js, root), js);
            const other = path.join(root, "scripts", "x.ts");
            assert.strictEqual(compiledModulePath(other, root), other);
        });
    });
});
