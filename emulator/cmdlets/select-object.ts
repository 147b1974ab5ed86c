/**
 * Select-Object — https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/select-object
 * Syntax (DefaultParameter): Select-Object [[-Property] <Object[]>] [-ExcludeProperty <String[]>]
 *   [-ExpandProperty <String>] [-Unique] [-Last <Int32>] [-First <Int32>] [-Skip <Int32>] [-Wait] [-InputObject <PSObject>]
 * -Property takes names (wildcards allowed); calculated properties need script blocks, which the emulator
 * does not run. Output objects are "Selected.<type>" PSCustomObjects with the properties in the order asked.
 */
import { PsError, psErrors } from "../errors";
import { PSHashtable, PSObject, wildcardMatch, type Value } from "../values";
import type { CmdletDef, ParamSpec } from "./types";

const SIGNATURE: readonly ParamSpec[] = [
    { name: "Property", type: "object[]", psType: "System.Object[]", position: 0 },
    { name: "ExcludeProperty", type: "string[]", psType: "System.String[]" },
    { name: "ExpandProperty", type: "string", psType: "System.String" },
    { name: "Unique", type: "switch", psType: "System.Management.Automation.SwitchParameter", unsupported: true },
    { name: "Last", type: "int", psType: "System.Int32" },
    { name: "First", type: "int", psType: "System.Int32" },
    { name: "Skip", type: "int", psType: "System.Int32" },
    { name: "Wait", type: "switch", psType: "System.Management.Automation.SwitchParameter", unsupported: true },
    { name: "InputObject", type: "object", psType: "System.Management.Automation.PSObject" },
];

function propsOf(v: Value): [string, Value][] {
    if (v instanceof PSObject || v instanceof PSHashtable) return v.entries();
    return [];
}

export const selectObject: CmdletDef = {
    name: "Select-Object",
    module: "Microsoft.PowerShell.Utility",
    kind: "local",
    params: SIGNATURE,
    input: "all",
    async run(ctx) {
        let items: Value[] = ctx.params.has("InputObject") ? [ctx.params.get("InputObject") ?? null] : ctx.input;
        const skip = ctx.params.get("Skip") as number | undefined;
        if (skip) items = items.slice(skip);
        const first = ctx.params.get("First") as number | undefined;
        if (first !== undefined) items = items.slice(0, first);
        const last = ctx.params.get("Last") as number | undefined;
        if (last !== undefined) items = last === 0 ? [] : items.slice(-last);
        const wanted = ctx.params.get("Property") as Value[] | undefined;
        for (const w of wanted ?? []) {
            if (typeof w !== "string") {
                throw new PsError(psErrors.runtime("Calculated properties (hashtables with script blocks) are not supported by the Exchange Online emulator; select plain property names.", "NotSupported,Microsoft.PowerShell.Commands.SelectObjectCommand", "InvalidArgument"));
            }
        }
        const exclude = (ctx.params.get("ExcludeProperty") as string[] | undefined) ?? [];
        const expand = ctx.params.get("ExpandProperty") as string | undefined;
        const out: Value[] = [];
        for (const item of items) {
            if (expand !== undefined) {
                const hit = propsOf(item).find(([k]) => k.toLowerCase() === expand.toLowerCase());
                if (!hit) {
                    ctx.writeError(psErrors.runtime(`Property "${expand}" cannot be found.`, "ExpandPropertyNotFound,Microsoft.PowerShell.Commands.SelectObjectCommand", "InvalidArgument"));
                    continue;
                }
                if (Array.isArray(hit[1])) out.push(...hit[1]);
                else out.push(hit[1]);
                continue;
            }
            if (!wanted) {
                out.push(item);
                continue;
            }
            const props = propsOf(item);
            const typeName = item instanceof PSObject ? item.typeName : "System.Object";
            const sel = new PSObject(`Selected.${typeName.replace(/^Deserialized\./, "")}`);
            for (const w of wanted as string[]) {
                if (/[*?[]/.test(w)) {
                    for (const [k, v] of props) if (wildcardMatch(k, w) && !exclude.some((e) => wildcardMatch(k, e))) sel.set(k, v);
                } else {
                    const hit = props.find(([k]) => k.toLowerCase() === w.toLowerCase());
                    sel.set(hit ? hit[0] : w, hit ? hit[1] : null);
                }
            }
            out.push(sel);
        }
        return out;
    },
};
