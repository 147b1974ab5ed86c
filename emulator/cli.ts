#!/usr/bin/env node
/**
 * People CLI for the emulated tenant (after `npx tsc -p tsconfig.json`):
 *   node dist/emulator/cli.js init-kb-demo <state.json> [--force]
 *   node dist/emulator/cli.js show <state.json> [--json]
 *   node dist/emulator/cli.js route <state.json> <address>
 * Exit codes: 0 ok, 1 bad input/state (message on stderr), 2 usage.
 */
import { DEMO_ACCESS_TOKEN, DEMO_APP_ID, DEMO_CERT_PASSWORD, DEMO_ORGANIZATION, writeKbDemo } from "./demo";
import { simulateRoute } from "./route";
import { StateFileError, loadTenantState, type TenantState } from "./state";

const USAGE = `usage:
  node dist/emulator/cli.js init-kb-demo <state.json> [--force]   create the KB demo tenant (and its demo certificate file)
  node dist/emulator/cli.js show <state.json> [--json]            show the tenant
  node dist/emulator/cli.js route <state.json> <address>          where a message from an online user to <address> goes`;

export function renderTenant(s: TenantState): string {
    const lines: string[] = [];
    lines.push(`Organization: ${s.organization.name} (${s.organization.displayName || "no display name"}), tenant ${s.organization.tenantId}`);
    lines.push("", "Accepted domains:");
    for (const d of s.acceptedDomains) {
        const flags = [d.default && "default", d.initialDomain && "initial", d.isCoexistenceDomain && "coexistence", d.matchSubDomains && "match-subdomains", d.outboundOnly && "outbound-only"].filter(Boolean);
        lines.push(`  ${d.domainName.padEnd(32)} ${d.domainType.padEnd(14)} ${flags.join(", ")}`);
    }
    lines.push("", "Recipients:");
    for (const r of s.recipients) lines.push(`  ${r.primarySmtpAddress.padEnd(32)} ${r.recipientType.padEnd(14)} ${r.isDirSynced ? "dir-synced" : "cloud"}`);
    lines.push("", "On-premises organizations:");
    for (const o of s.onPremisesOrganizations) lines.push(`  ${o.name}: hybrid domains ${o.hybridDomains.join(", ") || "(none)"}`);
    lines.push("", "Outbound connectors:");
    for (const c of s.outboundConnectors) lines.push(`  ${c.name} [${c.connectorType}${c.enabled ? "" : ", disabled"}] -> ${c.recipientDomains.join(", ") || "(no domains)"} via ${c.smartHosts.join(", ") || "MX"}`);
    lines.push("", `Entra ID: onPremisesSyncEnabled=${s.entra.organization.onPremisesSyncEnabled}`);
    for (const d of s.entra.domains) lines.push(`  ${d.id.padEnd(32)} ${d.authenticationType}`);
    lines.push("", `Credentials: ${s.credentials.apps.length} app(s), ${s.credentials.accessTokenSha256.length} access token(s), managed identity ${s.credentials.managedIdentityAllowed ? "allowed" : "not allowed"} (stored as SHA-256 digests)`);
    const f = s.faults;
    lines.push(
        `Faults: throttleNextCalls=${f.throttleNextCalls}, crashAfterCmdlets=${f.crashAfterCmdlets ?? "off"}, hang=${f.hang ? `${f.hang.cmdlet}` : "off"}, failConnect=${f.failConnect ? f.failConnect.remaining : "off"}, transientReadErrors=${f.transientReadErrors}`,
    );
    lines.push(`Latency: connect ${s.latency.connectMs} ms, default cmdlet ${s.latency.defaultCmdletMs} ms`);
    return lines.join("\n");
}

export function runCli(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
    const [cmd, file, ...rest] = argv;
    try {
        if (cmd === "init-kb-demo" && file) {
            const r = writeKbDemo(file, rest.includes("--force"));
            out(`Created the KB demo tenant in ${r.stateFile}
Demo credentials (plaintext documented for the demo only; the state stores SHA-256 digests):
  -Organization '${DEMO_ORGANIZATION}' -AppId '${DEMO_APP_ID}'
  -CertificateFilePath '${r.certificateFile}' -CertificatePassword (ConvertTo-SecureString -String '${DEMO_CERT_PASSWORD}' -AsPlainText -Force)
  or -AccessToken '${DEMO_ACCESS_TOKEN}', or -ManagedIdentity
Try: node dist/emulator/cli.js route ${file} megan.legacy@contoso.com`);
            return 0;
        }
        if (cmd === "show" && file) {
            const s = loadTenantState(file);
            out(rest.includes("--json") ? JSON.stringify(s, null, 2) : renderTenant(s));
            return 0;
        }
        if (cmd === "route" && file && rest[0]) {
            const r = simulateRoute(loadTenantState(file), rest[0]);
            out(`${r.outcome}: ${r.summary}`);
            return 0;
        }
    } catch (e) {
        err(e instanceof StateFileError || e instanceof Error ? e.message : String(e));
        return 1;
    }
    err(USAGE);
    return 2;
}

if (require.main === module) {
    process.exitCode = runCli(process.argv.slice(2), (s) => process.stdout.write(s + "\n"), (s) => process.stderr.write(s + "\n"));
}
