/**
 * The cmdlet table. New-AcceptedDomain / Remove-AcceptedDomain are deliberately absent: Exchange Online
 * has no such cmdlets (accepted domains come from the Microsoft 365 admin center), so pwsh reports them
 * "not recognized". Tenant cmdlets (kind read/write) exist only after Connect-ExchangeOnline and only
 * those named by -CommandName when it is given.
 */
import { connectExchangeOnline } from "./connect-exchange-online";
import { convertToJsonCmdlet } from "./convertto-json";
import { convertToSecureString } from "./convertto-securestring";
import { disconnectExchangeOnline } from "./disconnect-exchange-online";
import { getAcceptedDomain } from "./get-accepted-domain";
import { getConnectionInformation } from "./get-connection-information";
import { getModule } from "./get-module";
import { importModule } from "./import-module";
import { getOnPremisesOrganization } from "./get-on-premises-organization";
import { getOutboundConnector } from "./get-outbound-connector";
import { getExoRecipient } from "./get-exo-recipient";
import { getRecipient } from "./get-recipient";
import { outNull } from "./out-null";
import { selectObject } from "./select-object";
import { setAcceptedDomain } from "./set-accepted-domain";
import type { CmdletDef, SessionState } from "./types";
import { writeOutput } from "./write-output";
import { writeWarning } from "./write-warning";

export const CMDLETS: readonly CmdletDef[] = [
    connectExchangeOnline,
    disconnectExchangeOnline,
    getConnectionInformation,
    convertToSecureString,
    getAcceptedDomain,
    setAcceptedDomain,
    getOnPremisesOrganization,
    getOutboundConnector,
    getRecipient,
    getExoRecipient,
    selectObject,
    convertToJsonCmdlet,
    outNull,
    writeOutput,
    writeWarning,
    getModule,
    importModule,
];

const ALIASES: Record<string, string> = { select: "Select-Object", echo: "Write-Output", write: "Write-Output" };

/** Resolves a command name as the session sees it; undefined means "not recognized". */
export function resolveCmdlet(name: string, session: SessionState): CmdletDef | undefined {
    const lower = (ALIASES[name.toLowerCase()] ?? name).toLowerCase();
    const def = CMDLETS.find((c) => c.name.toLowerCase() === lower);
    if (!def) return undefined;
    if (def.kind === "read" || def.kind === "write") {
        const conn = session.connection;
        if (!conn) return undefined;
        if (conn.commandNames && !def.moduleNative && !conn.commandNames.includes(lower)) return undefined;
    }
    return def;
}
