/**
 * Get-Module — https://learn.microsoft.com/powershell/module/microsoft.powershell.core/get-module
 * Syntax (Available): Get-Module [[-Name] <String[]>] [-FullyQualifiedName <ModuleSpecification[]>]
 *   [-All] [-ListAvailable] [-PSEdition <String>] [-SkipEditionCheck] [-Refresh] [<CommonParameters>]
 * Without -ListAvailable: the modules loaded in the session. With it: the installed ones, read from
 * the module path (here, state `host.exchangeOnlineManagement`), one object per version.
 */
import { stateModule } from "../lazy-state";
import { EXO_MODULE_NAME, newestFirst } from "../modules";
import { PSObject, wildcardMatch, type Value } from "../values";
import type { CmdletDef, ParamSpec } from "./types";

const SWITCH = "System.Management.Automation.SwitchParameter";
const SIGNATURE: readonly ParamSpec[] = [
    { name: "Name", type: "string[]", psType: "System.String[]", position: 0 },
    { name: "FullyQualifiedName", type: "object[]", psType: "Microsoft.PowerShell.Commands.ModuleSpecification[]", unsupported: true },
    { name: "All", type: "switch", psType: SWITCH },
    { name: "ListAvailable", type: "switch", psType: SWITCH },
    { name: "PSEdition", type: "string", psType: "System.String", unsupported: true },
    { name: "SkipEditionCheck", type: "switch", psType: SWITCH },
    { name: "Refresh", type: "switch", psType: SWITCH },
];

function moduleInfo(version: string): PSObject {
    return new PSObject("System.Management.Automation.PSModuleInfo", [
        ["Name", EXO_MODULE_NAME],
        ["Version", version],
        ["ModuleType", "Script"],
        ["Path", `/root/.local/share/powershell/Modules/${EXO_MODULE_NAME}/${version}/${EXO_MODULE_NAME}.psd1`],
    ]);
}

export const getModule: CmdletDef = {
    name: "Get-Module",
    module: "Microsoft.PowerShell.Core",
    kind: "local",
    params: SIGNATURE,
    async run(ctx) {
        const names = ctx.params.get("Name");
        const wanted = (Array.isArray(names) ? names : names === undefined || names === null ? ["*"] : [names]).map(String);
        if (!wanted.some((n) => wildcardMatch(EXO_MODULE_NAME, n, false))) return [];
        let versions: string[];
        if (ctx.params.get("ListAvailable") === true) {
            const path = ctx.session.statePath;
            versions = path ? newestFirst(stateModule().readTenantState(path).host.exchangeOnlineManagement) : [];
        } else {
            versions = ctx.session.exoModule ? [ctx.session.exoModule] : [];
        }
        return versions.map((v): Value => moduleInfo(v));
    },
};
