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
import { parseToolArgs, type StackArgs } from "./drift/args";
import { readConnectionConfig } from "../components/exchange/config";
import { domainsConfigSchema, type DomainConfigEntry } from "../components/schema";
import { domainsConfigJson, exportDomains } from "./drift/export";
import { selectStack } from "./drift/pulumi-cli";
import { readStackTenant } from "./drift/run";

export interface ExportArgs extends StackArgs {
    only: string[];
    dryRun: boolean;
    includeMicrosoftDomains: boolean;
}

const USAGE = "usage: export-domains [--cwd <project dir>] [--stack <name>] [--domain <name>]... [--include-microsoft-domains] [--dry-run]";

export function parseExportArgs(argv: readonly string[], cwd: string): ExportArgs {
    const args: ExportArgs = { workDir: cwd, only: [], dryRun: false, includeMicrosoftDomains: false };
    return parseToolArgs(argv, cwd, args, USAGE, (flag, value) => {
        if (flag === "--dry-run") args.dryRun = true;
        else if (flag === "--include-microsoft-domains") args.includeMicrosoftDomains = true;
        else if (flag === "--domain" || flag === "-d") args.only.push(value());
        else return false;
        return true;
    });
}

async function main(): Promise<number> {
    const args = parseExportArgs(process.argv.slice(2), process.cwd());
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
            process.stderr.write(`export: error: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exit(2);
        },
    );
}
