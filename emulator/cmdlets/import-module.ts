/**
 * Import-Module — https://learn.microsoft.com/powershell/module/microsoft.powershell.core/import-module
 * Syntax (Name): Import-Module [-Global] [-Prefix <String>] [-Name] <String[]> [-Function <String[]>]
 *   [-Cmdlet <String[]>] [-Variable <String[]>] [-Alias <String[]>] [-Force] [-SkipEditionCheck]
 *   [-PassThru] [-AsCustomObject] [-MinimumVersion <Version>] [-MaximumVersion <String>]
 *   [-RequiredVersion <Version>] [-ArgumentList <Object[]>] [-DisableNameChecking] [-NoClobber]
 *   [-Scope <String>] [<CommonParameters>]
 * Models ExchangeOnlineManagement only (modules.ts): the newest installed version, or -RequiredVersion;
 * a version that can't load on this PowerShell fails as the assembly load would.
 */
import { PsError } from "../errors";
import { stateModule } from "../lazy-state";
import { EXO_MODULE_NAME, assemblyLoadError, loadsOn, moduleNotFoundError, newestFirst } from "../modules";
import type { CmdletDef, ParamSpec } from "./types";

const SWITCH = "System.Management.Automation.SwitchParameter";
const SIGNATURE: readonly ParamSpec[] = [
    { name: "Global", type: "switch", psType: SWITCH },
    { name: "Prefix", type: "string", psType: "System.String", unsupported: true },
    { name: "Name", type: "string[]", psType: "System.String[]", position: 0, mandatory: true },
    { name: "Function", type: "string[]", psType: "System.String[]", unsupported: true },
    { name: "Cmdlet", type: "string[]", psType: "System.String[]", unsupported: true },
    { name: "Variable", type: "string[]", psType: "System.String[]", unsupported: true },
    { name: "Alias", type: "string[]", psType: "System.String[]", unsupported: true },
    { name: "Force", type: "switch", psType: SWITCH },
    { name: "SkipEditionCheck", type: "switch", psType: SWITCH },
    { name: "PassThru", type: "switch", psType: SWITCH, unsupported: true },
    { name: "AsCustomObject", type: "switch", psType: SWITCH, unsupported: true },
    { name: "MinimumVersion", type: "string", psType: "System.Version", unsupported: true },
    { name: "MaximumVersion", type: "string", psType: "System.String", unsupported: true },
    { name: "RequiredVersion", type: "string", psType: "System.Version" },
    { name: "ArgumentList", type: "object[]", psType: "System.Object[]", unsupported: true },
    { name: "DisableNameChecking", type: "switch", psType: SWITCH },
    { name: "NoClobber", type: "switch", psType: SWITCH },
    { name: "Scope", type: "string", psType: "System.String" },
];

export const importModule: CmdletDef = {
    name: "Import-Module",
    module: "Microsoft.PowerShell.Core",
    kind: "local",
    params: SIGNATURE,
    async run(ctx) {
        const names = ctx.params.get("Name");
        const required = ctx.params.get("RequiredVersion");
        const version = required === undefined || required === null ? undefined : String(required);
        for (const name of (Array.isArray(names) ? names : [names]).map(String)) {
            if (name.toLowerCase() !== EXO_MODULE_NAME.toLowerCase()) throw new PsError(moduleNotFoundError(name, version));
            const path = ctx.session.statePath;
            const host = path ? stateModule().readTenantState(path).host : { psVersion: "7.4.6", exchangeOnlineManagement: [] };
            const installed = newestFirst(host.exchangeOnlineManagement);
            const pick = version === undefined ? installed[0] : installed.find((v) => v === version);
            if (pick === undefined) throw new PsError(moduleNotFoundError(EXO_MODULE_NAME, version));
            if (!loadsOn(pick, host.psVersion)) throw new PsError(assemblyLoadError(pick));
            ctx.session.exoModule = pick;
        }
        return [];
    },
};
