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
export { buildKbDemoTenant, writeKbDemo, demoCertificatePath, DEMO_APP_ID, DEMO_CERT_PASSWORD, DEMO_ACCESS_TOKEN, DEMO_ORGANIZATION } from "./demo";
export { readJournal, redactParams, REDACTED } from "./journal";
export { parseScript, ParseError } from "./parser/parser";
export { EXTERNAL_RELAY_REFUSED, MATCH_SUBDOMAINS_REFUSED, noSettingsModified } from "./cmdlets/set-accepted-domain";
export { connectErrors } from "./cmdlets/connect-exchange-online";
export { exoErrors } from "./errors";

import * as path from "path";
/** Absolute path of the launcher node-powershell should start. */
export const EMULATOR_PWSH = path.resolve(__dirname, "..", "..", "emulator", "bin", "pwsh");
