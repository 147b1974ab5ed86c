/** Public, pure pieces of the emulator for other modules and tests (no process side effects). */
export { simulateRoute, acceptedDomainFor, onPremisesConnectorFor, NDR_RECIPIENT_NOT_FOUND, type RouteResult } from "./route";
export {
    tenantStateSchema,
    acceptedDomainSchema,
    recipientSchema,
    outboundConnectorSchema,
    onPremisesOrganizationSchema,
    faultsSchema,
    latencySchema,
    credentialsSchema,
    entraSchema,
    parseTenantState,
    loadTenantState,
    writeTenantState,
    updateTenantState,
    hashSecret,
    StateFileError,
    type TenantState,
    type AcceptedDomainState,
    type RecipientState,
    type OutboundConnectorState,
    type OnPremisesOrganizationState,
    type Faults,
} from "./state";
export { acceptedDomainState, buildKbDemoTenant, writeKbDemo, demoCertificatePath, DEMO_APP_ID, DEMO_CERT_PASSWORD, DEMO_ACCESS_TOKEN, DEMO_ORGANIZATION } from "./demo";
export { readJournal, redactParams, REDACTED } from "./journal";
export { parseScript, ParseError } from "./parser/parser";
export { EXTERNAL_RELAY_REFUSED, MATCH_SUBDOMAINS_REFUSED, noSettingsModified } from "./cmdlets/set-accepted-domain";
export { connectErrors } from "./cmdlets/connect-exchange-online";
export { exoErrors } from "./errors";

import * as fs from "fs";
import * as path from "path";

/** The project root: the nearest parent with emulator/bin/pwsh (from dist/emulator or from the sources). */
function emulatorRoot(): string {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "emulator", "bin", "pwsh"))) return dir;
        if (path.dirname(dir) === dir) return path.resolve(__dirname, "..", "..");
    }
}

/** Absolute path of the launcher node-powershell should start. */
export const EMULATOR_PWSH = path.join(emulatorRoot(), "emulator", "bin", "pwsh");
