/**
 * Drift report: does the tenant still match the code?
 *
 *   node -r ts-node/register/transpile-only scripts/drift-report.ts [--cwd <project dir>] [--stack <name>] [--json | --markdown]
 *
 * Prints, per domain and property, the declared and the live value (table by
 * default), plus the tenant's unmanaged domains. Exit 0 in sync, 1 drift, 2 error.
 * See docs/drift.md.
 */
import { COMMON_OPTIONS, HelpRequested, parseToolArgs, type StackArgs } from "./drift/args";
import { exitCode, errorReport, renderJson, renderMarkdown, renderTable, type DriftReport } from "./drift/report";
import { runDriftReport } from "./drift/run";

export interface ReportArgs extends StackArgs {
    format: "table" | "json" | "markdown";
}

const USAGE = "usage: drift-report [--cwd <project dir>] [--stack <name>] [--json | --markdown]";

const HELP = [
    USAGE,
    "",
    "Does the tenant still match the code? Runs a refresh-preview of the stack (nothing is written to the",
    "tenant) and prints, per domain and property, the declared and the live value, the tenant's unmanaged",
    "domains and the hybrid mail-flow advisories. See docs/drift.md.",
    "",
    "Options:",
    COMMON_OPTIONS,
    "  --json              the report as JSON (schema in docs/drift.md)",
    "  --markdown          the report as Markdown, for a pull-request comment",
    "",
    "Exit codes: 0 in sync, 1 drift, 2 error (nothing is known about drift).",
].join("\n");

/** Parses the command line; throws with the usage on anything unknown. */
export function parseReportArgs(argv: readonly string[], cwd: string): ReportArgs {
    const args: ReportArgs = { workDir: cwd, format: "table" };
    return parseToolArgs(argv, cwd, args, USAGE, (flag) => {
        if (flag !== "--json" && flag !== "--markdown") return false;
        const format = flag === "--json" ? "json" : "markdown";
        if (args.format !== "table" && args.format !== format) throw new Error(`--json and --markdown exclude each other; ${USAGE}`);
        args.format = format;
        return true;
    }, HELP);
}

export function render(report: DriftReport, format: ReportArgs["format"]): string {
    return format === "json" ? renderJson(report) : format === "markdown" ? renderMarkdown(report) : renderTable(report);
}

async function main(): Promise<number> {
    let args: ReportArgs;
    try {
        args = parseReportArgs(process.argv.slice(2), process.cwd());
    } catch (error) {
        if (error instanceof HelpRequested) {
            process.stdout.write(`${error.help}\n`);
            return 0;
        }
        process.stderr.write(`drift-report: ${(error as Error).message}\n`);
        return 2;
    }
    let report: DriftReport;
    try {
        report = await runDriftReport({ workDir: args.workDir, stack: args.stack });
    } catch (error) {
        report = errorReport(args.stack ?? "(none)", (error as Error).message ?? String(error));
    }
    process.stdout.write(render(report, args.format));
    if (report.status === "error" && args.format !== "table") {
        // JSON or Markdown usually goes to a file: the error also goes to stderr, so a CI log shows it.
        // The table already printed it on stdout; once is enough.
        process.stderr.write(`drift-report: error: ${report.error}\n`);
    }
    return exitCode(report);
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (error: unknown) => {
            process.stderr.write(`drift-report: error: ${String(error)}\n`);
            process.exit(2);
        },
    );
}
