/**
 * Write-Output — https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/write-output
 * Syntax: Write-Output [-InputObject] <PSObject[]> [-NoEnumerate]
 */
import type { Value } from "../values";
import type { CmdletDef, ParamSpec } from "./types";

const SIGNATURE: readonly ParamSpec[] = [
    { name: "InputObject", type: "object[]", psType: "System.Management.Automation.PSObject[]", position: 0 },
    { name: "NoEnumerate", type: "switch", psType: "System.Management.Automation.SwitchParameter" },
];

export const writeOutput: CmdletDef = {
    name: "Write-Output",
    module: "Microsoft.PowerShell.Utility",
    kind: "local",
    params: SIGNATURE,
    input: "all",
    async run(ctx) {
        const v = ctx.params.get("InputObject") as Value[] | undefined;
        if (v === undefined) return ctx.input;
        return ctx.params.get("NoEnumerate") === true ? [v] : v;
    },
};
