import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { compiledIsFresh } from "../../../components/accepted-domain";

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
});
