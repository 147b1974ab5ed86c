/**
 * What the workflows publish on GitHub (scripts/ci/github.ts does the REST):
 *
 *   publish.ts pr-comment  --repo <owner/name> --pr <n> --outcome success|failure --base-ref <ref> --event-log <file> [--report <file>]
 *   publish.ts drift-issue --repo <owner/name> --stack <name> --report-exit-code 0|1 --report <file>
 *
 * Token and API address from the environment (GH_TOKEN, GITHUB_API_URL). Prints what it did.
 */
import * as fs from "fs";
import { githubApi, syncDriftIssue, upsertPullRequestComment } from "./github";
import { composePullRequestComment, policyResults } from "./pr-comment";

const USAGE = [
    "usage: publish.ts pr-comment --repo <owner/name> --pr <n> --outcome success|failure --base-ref <ref> --event-log <file> [--report <file>]",
    "       publish.ts drift-issue --repo <owner/name> --stack <name> --report-exit-code 0|1 --report <file>",
].join("\n");

export function parsePublishArgs(argv: readonly string[]): { command: "pr-comment" | "drift-issue"; options: Map<string, string> } {
    const [command, ...rest] = argv;
    if (command !== "pr-comment" && command !== "drift-issue") throw new Error(`unknown command "${command ?? ""}"\n${USAGE}`);
    const options = new Map<string, string>();
    for (let i = 0; i < rest.length; i += 2) {
        const [flag, value] = [rest[i], rest[i + 1]];
        if (!flag.startsWith("--") || value === undefined || value.startsWith("--")) throw new Error(`${flag} needs a value\n${USAGE}`);
        options.set(flag.slice(2), value);
    }
    const required = command === "pr-comment" ? ["repo", "pr", "outcome", "base-ref", "event-log"] : ["repo", "stack", "report-exit-code", "report"];
    const missing = required.filter((k) => !options.get(k));
    if (missing.length > 0) throw new Error(`${command}: missing ${missing.map((m) => `--${m}`).join(", ")}\n${USAGE}`);
    return { command, options };
}

const readIfThere = (file: string | undefined): string | undefined => (file && fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined);

async function main(argv: readonly string[]): Promise<number> {
    const { command, options } = parsePublishArgs(argv);
    const api = githubApi();
    const repo = options.get("repo")!;
    if (command === "pr-comment") {
        const body = composePullRequestComment({
            passed: options.get("outcome") === "success",
            baseRef: options.get("base-ref")!,
            results: policyResults(readIfThere(options.get("event-log")) ?? ""),
            report: readIfThere(options.get("report")),
        });
        const r = await upsertPullRequestComment(api, repo, Number(options.get("pr")), body);
        process.stdout.write(`publish: ${r.action} the gate comment ${r.id} on pull request ${options.get("pr")}\n`);
        return 0;
    }
    const code = options.get("report-exit-code");
    if (code !== "0" && code !== "1") {
        process.stdout.write(`publish: the drift report failed (exit ${code}): the stack's issue is left as it is\n`);
        return 0;
    }
    const stack = options.get("stack")!;
    const r = await syncDriftIssue(api, repo, stack, code === "1" ? "drift" : "in-sync", readIfThere(options.get("report")) ?? "");
    process.stdout.write(`publish: drift issue for stack ${stack}: ${r.action}${r.number !== undefined ? ` #${r.number}` : ""}\n`);
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (error: unknown) => {
            process.stderr.write(`publish: error: ${(error as Error).message}\n`);
            process.exit(2);
        },
    );
}
