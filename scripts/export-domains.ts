/**
 * Export: declare the tenant as it is.
 *
 *   node -r ts-node/register/transpile-only scripts/export-domains.ts [--cwd <project dir>] [--stack <name>] [--domain <name>]... [--include-microsoft-domains] [--dry-run]
 *
 * Reads the accepted domains (one connect, one bulk Get-AcceptedDomain; nothing is
 * written to the tenant) and writes the stack config exchange:domains, so that a
 * first `up` adopts them unchanged. --domain limits it to those domains (the
 * others stay declared as they are): the supported way to bring one domain under
 * code, since `pulumi import` can't import dynamic resources (docs/drift.md).
 * Microsoft's own domains (<tenant>.onmicrosoft.com, <tenant>.mail.onmicrosoft.com) are left out
 * unless already declared, named with --domain, or --include-microsoft-domains is given: they stay
 * as Microsoft set them. --dry-run prints the config without writing it. Exit 0 done, 2 error.
 */
import { COMMON_OPTIONS, HelpRequested, parseToolArgs, type StackArgs } from "./drift/args";
import { readConnectionConfig } from "../components/exchange/config";
import { domainsConfigSchema, type DomainConfigEntry } from "../components/schema";
import { domainsConfigJson, exportDomains } from "./drift/export";
import { cliFailure, selectStack } from "./drift/pulumi-cli";
import { readStackTenant } from "./drift/run";

export interface ExportArgs extends StackArgs {
    only: string[];
    dryRun: boolean;
    includeMicrosoftDomains: boolean;
}

const USAGE = "usage: export-domains [--cwd <project dir>] [--stack <name>] [--domain <name>]... [--include-microsoft-domains] [--dry-run]";

const HELP = [
    USAGE,
    "",
    "Declares the tenant as it is: reads the accepted domains (one connect, one Get-AcceptedDomain; nothing is",
    "written to the tenant) and writes them to the stack config exchange:domains, so that the first up adopts",
    "them unchanged. Microsoft's own domains (<tenant>.onmicrosoft.com, <tenant>.mail.onmicrosoft.com) are left",
    "out: they stay as Microsoft set them. See docs/drift.md.",
    "",
    "Options:",
    COMMON_OPTIONS,
    "  --domain, -d <name>          only this domain (repeatable); the others stay declared as they are",
    "  --include-microsoft-domains  declare Microsoft's own domains too",
    "  --dry-run                    print the config without writing it",
    "",
    "Exit codes: 0 done, 2 error.",
].join("\n");

export function parseExportArgs(argv: readonly string[], cwd: string): ExportArgs {
    const args: ExportArgs = { workDir: cwd, only: [], dryRun: false, includeMicrosoftDomains: false };
    return parseToolArgs(argv, cwd, args, USAGE, (flag, value) => {
        if (flag === "--dry-run") args.dryRun = true;
        else if (flag === "--include-microsoft-domains") args.includeMicrosoftDomains = true;
        else if (flag === "--domain" || flag === "-d") args.only.push(value());
        else return false;
        return true;
    }, HELP);
}

async function main(): Promise<number> {
    let args: ExportArgs;
    try {
        args = parseExportArgs(process.argv.slice(2), process.cwd());
    } catch (error) {
        if (error instanceof HelpRequested) {
            process.stdout.write(`${error.help}\n`);
            return 0;
        }
        throw error;
    }
    const { stack } = await selectStack({ workDir: args.workDir, stack: args.stack });
    const config = await stack.getAllConfig();
    // Validates the connection settings first, with the provider's messages.
    readConnectionConfig((key) => config[key]?.value);
    const raw = config["exchange:domains"]?.value;
    const current: Record<string, DomainConfigEntry> = raw ? (domainsConfigSchema.parse(JSON.parse(raw)) as Record<string, DomainConfigEntry>) : {};
    const tenant = await readStackTenant(stack);
    const result = exportDomains(tenant, current, { only: args.only, includeMicrosoftDomains: args.includeMicrosoftDomains });
    for (const s of result.skipped) {
        process.stderr.write(`export: skipped ${s.domain}: ${s.reason}\n`);
    }
    if (!args.dryRun) {
        await stack.setAllConfigJson(domainsConfigJson(result.domains));
    }
    process.stdout.write(JSON.stringify({ "exchange:domains": result.domains }, null, 2) + "\n");
    process.stderr.write(
        `export: ${args.dryRun ? "would declare" : `declared in stack ${stack.name}`} ${Object.keys(result.domains).length} domain(s); ` +
            `the first up adopts them without changing the tenant; then scripts/pulumi preview --refresh --expect-no-changes --stack ${stack.name} exits 0\n`,
    );
    return 0;
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (error: unknown) => {
            process.stderr.write(`export: error: ${cliFailure(error)}\n`);
            process.exit(2);
        },
    );
}
