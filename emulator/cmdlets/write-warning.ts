/**
 * Write-Warning — https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/write-warning
 * Syntax: Write-Warning [-Message] <String>. Redirected, the warning stream shows as "WARNING: <text>" on stdout.
 */
import type { CmdletDef, ParamSpec } from "./types";

const SIGNATURE: readonly ParamSpec[] = [{ name: "Message", type: "string", psType: "System.String", position: 0, mandatory: true }];

export const writeWarning: CmdletDef = {
    name: "Write-Warning",
    module: "Microsoft.PowerShell.Utility",
    kind: "local",
    params: SIGNATURE,
    async run(ctx) {
        ctx.warn(String(ctx.params.get("Message") ?? ""));
        return [];
    },
};
