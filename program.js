/**
 * The stack program's entry (Pulumi.yaml `main`, with `typescript: false`): the compiled
 * dist/index.js when it and dist/components are at least as new as their TypeScript sources
 * (scripts/setup builds them), else index.ts through ts-node, as Pulumi's nodejs runtime would load it.
 *
 * Why: with `typescript: true` Pulumi loads the TypeScript compiler before every run of the program
 * (about 0.25 s here, twice in an `up` with its preview) and, unless PULUMI_NODEJS_TRANSPILE_ONLY is
 * set, type-checks it too (seconds). An edited source makes dist stale and is loaded as TypeScript
 * until the next build: an edit is never silently ignored.
 */
"use strict";
const fs = require("fs");
const path = require("path");

const dist = (rel) => path.join(__dirname, "dist", rel);
const notOlder = (js, ts) => fs.existsSync(js) && fs.statSync(js).mtimeMs >= fs.statSync(path.join(__dirname, ts)).mtimeMs;

/** dist/index.js when the build is fresh (components/compiled.ts judges components/), else undefined. */
function compiledProgram() {
    if (!notOlder(dist("index.js"), "index.ts") || !notOlder(dist("components/compiled.js"), "components/compiled.ts")) return undefined;
    const { compiledIsFresh } = require(dist("components/compiled.js"));
    return compiledIsFresh(path.join(__dirname, "components"), dist("components")) ? dist("index.js") : undefined;
}

/** index.ts, registered with ts-node the way @pulumi/pulumi's cmd/run does for `typescript: true`. */
function typeScriptProgram() {
    const transpileOnly = process.env.PULUMI_NODEJS_TRANSPILE_ONLY ? process.env.PULUMI_NODEJS_TRANSPILE_ONLY === "true" : undefined;
    require("ts-node").register({
        project: path.join(__dirname, "tsconfig.json"),
        ...(transpileOnly === undefined ? {} : { transpileOnly }),
    });
    return path.join(__dirname, "index.ts");
}

module.exports = require(compiledProgram() ?? typeScriptProgram());
