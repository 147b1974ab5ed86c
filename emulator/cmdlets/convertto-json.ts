/**
 * ConvertTo-Json — https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/convertto-json
 * Syntax: ConvertTo-Json [-InputObject] <Object> [-Depth <Int32>] [-Compress] [-EnumsAsStrings] [-AsArray]
 *   [-EscapeHandling <StringEscapeHandling>]
 * One pipeline item serialises as itself, several as an array (-AsArray forces an array).
 * Exceeding -Depth writes "WARNING: Resulting JSON is truncated as serialization has exceeded the set depth of N."
 */
import { convertToJson } from "../json";
import type { Value } from "../values";
import type { CmdletDef, ParamSpec } from "./types";

const SIGNATURE: readonly ParamSpec[] = [
    { name: "InputObject", type: "object", psType: "System.Object", position: 0 },
    { name: "Depth", type: "int", psType: "System.Int32" },
    { name: "Compress", type: "switch", psType: "System.Management.Automation.SwitchParameter" },
    { name: "EnumsAsStrings", type: "switch", psType: "System.Management.Automation.SwitchParameter" },
    { name: "AsArray", type: "switch", psType: "System.Management.Automation.SwitchParameter" },
    { name: "EscapeHandling", type: "enum", psType: "Newtonsoft.Json.StringEscapeHandling", values: ["Default"] },
];

export const convertToJsonCmdlet: CmdletDef = {
    name: "ConvertTo-Json",
    module: "Microsoft.PowerShell.Utility",
    kind: "local",
    params: SIGNATURE,
    input: "all",
    async run(ctx) {
        const items: Value[] = ctx.params.has("InputObject") ? [ctx.params.get("InputObject") ?? null] : ctx.input;
        if (items.length === 0) return [];
        const depth = (ctx.params.get("Depth") as number | undefined) ?? 2;
        const value: Value = items.length === 1 && ctx.params.get("AsArray") !== true ? items[0] : items;
        const { text, truncated } = convertToJson(value, { depth, compress: ctx.params.get("Compress") === true });
        if (truncated) ctx.warn(`Resulting JSON is truncated as serialization has exceeded the set depth of ${depth}.`);
        return [text];
    },
};
