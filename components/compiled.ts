/**
 * The compiled JavaScript of components/ (dist/components, which scripts/setup builds), used in place
 * of the TypeScript sources when it is at least as new as every one of them. The stack program and the
 * provider text then load plain JavaScript instead of having ts-node transpile some twenty modules on
 * each run (about 0.4 s before the program's first resource registers, measured with bench/run.ts; the
 * provider process starts only then, so every run waits for it). An edited source makes dist stale, and
 * the source itself is loaded until the next build: an edit is never silently ignored.
 */
import * as fs from "fs";
import * as path from "path";

/** The checkout root: this file is components/compiled.ts, or dist/components/compiled.js once built. */
const ROOT = path.basename(path.resolve(__dirname, "..")) === "dist" ? path.resolve(__dirname, "..", "..") : path.resolve(__dirname, "..");

/** Every .ts under srcDir has a .js under outDir that is not older than it. */
export function compiledIsFresh(srcDir: string, outDir: string): boolean {
    for (const entry of fs.readdirSync(srcDir, { withFileTypes: true })) {
        const src = path.join(srcDir, entry.name);
        if (entry.isDirectory()) {
            if (!compiledIsFresh(src, path.join(outDir, entry.name))) return false;
        } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
            const out = path.join(outDir, entry.name.replace(/\.ts$/, ".js"));
            if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(src).mtimeMs) return false;
        }
    }
    return true;
}

/** Whether dist/components is fresh, per checkout root: checked once per process. */
const freshness = new Map<string, boolean>();

/**
 * The file to load for a module of components/, given its resolved path: its dist/ twin when dist is
 * fresh, else the path itself (a .js path is already compiled, and other paths are not ours).
 */
export function compiledModulePath(resolved: string, root: string = ROOT): string {
    const sources = path.join(root, "components");
    const compiled = path.join(root, "dist", "components");
    const rel = path.relative(sources, resolved);
    if (!resolved.endsWith(".ts") || rel.startsWith("..") || path.isAbsolute(rel)) {
        return resolved;
    }
    let fresh = freshness.get(root);
    if (fresh === undefined) {
        fresh = compiledIsFresh(sources, compiled);
        freshness.set(root, fresh);
    }
    return fresh ? path.join(compiled, rel).replace(/\.ts$/, ".js") : resolved;
}

/** Loads a module of components/ (a path from require.resolve) compiled when possible; typed by the caller. */
export function loadComponentModule<T>(resolved: string): T {
    return require(compiledModulePath(resolved)) as T;
}
