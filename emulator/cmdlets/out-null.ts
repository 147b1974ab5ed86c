/**
 * Out-Null — https://learn.microsoft.com/powershell/module/microsoft.powershell.core/out-null
 * Syntax: Out-Null [-InputObject <PSObject>]. Discards its input.
 */
import type { CmdletDef, ParamSpec } from "./types";

const SIGNATURE: readonly ParamSpec[] = [{ name: "InputObject", type: "object", psType: "System.Management.Automation.PSObject" }];

export const outNull: CmdletDef = {
    name: "Out-Null",
    module: "Microsoft.PowerShell.Core",
    kind: "local",
    params: SIGNATURE,
    input: "all",
    async run() {
        return [];
    },
};
