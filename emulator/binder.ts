/**
 * Parameter binding as pwsh does it: case-insensitive names, unambiguous prefixes, aliases,
 * `-Switch`, `-Switch:$false`, `-Name value`, positional arguments, common parameters, mandatory
 * checks, and type conversion with pwsh's error texts (about_Parameters, about_CommonParameters).
 */
import { PsError, psErrors } from "./errors";
import { BoundParams, type CmdletDef, type ParamSpec } from "./cmdlets/types";
import { PSObject, PSHashtable, SecureString, X509Certificate, toPsString, type Value } from "./values";

export type RawArg = { kind: "param"; name: string; value?: Value; hasValue: boolean } | { kind: "arg"; value: Value };

const PREFERENCE_VALUES = ["SilentlyContinue", "Stop", "Continue", "Inquire", "Ignore", "Suspend", "Break"] as const;

/** Common parameters (about_CommonParameters); the ones the emulator doesn't model refuse clearly. */
export const COMMON_PARAMS: readonly ParamSpec[] = [
    { name: "ErrorAction", type: "enum", psType: "System.Management.Automation.ActionPreference", values: PREFERENCE_VALUES, aliases: ["ea"] },
    { name: "WarningAction", type: "enum", psType: "System.Management.Automation.ActionPreference", values: PREFERENCE_VALUES, aliases: ["wa"] },
    { name: "InformationAction", type: "enum", psType: "System.Management.Automation.ActionPreference", values: PREFERENCE_VALUES, aliases: ["infa"] },
    { name: "Verbose", type: "switch", psType: "System.Management.Automation.SwitchParameter", aliases: ["vb"] },
    { name: "Debug", type: "switch", psType: "System.Management.Automation.SwitchParameter", aliases: ["db"] },
    { name: "ErrorVariable", type: "string", psType: "System.String", aliases: ["ev"], unsupported: true },
    { name: "WarningVariable", type: "string", psType: "System.String", aliases: ["wv"], unsupported: true },
    { name: "InformationVariable", type: "string", psType: "System.String", aliases: ["iv"], unsupported: true },
    { name: "OutVariable", type: "string", psType: "System.String", aliases: ["ov"], unsupported: true },
    { name: "OutBuffer", type: "int", psType: "System.Int32", aliases: ["ob"], unsupported: true },
    { name: "PipelineVariable", type: "string", psType: "System.String", aliases: ["pv"], unsupported: true },
    { name: "ProgressAction", type: "enum", psType: "System.Management.Automation.ActionPreference", values: PREFERENCE_VALUES, aliases: ["proga"] },
];

const SHOULD_PROCESS_PARAMS: readonly ParamSpec[] = [
    { name: "WhatIf", type: "switch", psType: "System.Management.Automation.SwitchParameter", aliases: ["wi"] },
    { name: "Confirm", type: "switch", psType: "System.Management.Automation.SwitchParameter", aliases: ["cf"] },
];

export function allParams(def: CmdletDef): readonly ParamSpec[] {
    return [...def.params, ...(def.shouldProcess ? SHOULD_PROCESS_PARAMS : []), ...COMMON_PARAMS];
}

function resolveParam(def: CmdletDef, name: string): ParamSpec {
    const params = allParams(def);
    const lower = name.toLowerCase();
    const exact = params.find((p) => p.name.toLowerCase() === lower || p.aliases?.some((a) => a.toLowerCase() === lower));
    if (exact) return exact;
    const matches = params.filter((p) => p.name.toLowerCase().startsWith(lower));
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) {
        throw new PsError(
            psErrors.bind(def.name, "AmbiguousParameter", `Parameter cannot be processed because the parameter name '${name}' is ambiguous. Possible matches include: ${matches.map((m) => `-${m.name}`).join(" ")}.`),
        );
    }
    throw new PsError(psErrors.bind(def.name, "NamedParameterNotFound", `A parameter cannot be found that matches parameter name '${name}'.`));
}

export function psTypeName(v: Value): string {
    if (v === null) return "null";
    if (typeof v === "string") return "System.String";
    if (typeof v === "number") return Number.isInteger(v) ? "System.Int32" : "System.Double";
    if (typeof v === "boolean") return "System.Boolean";
    if (Array.isArray(v)) return "System.Object[]";
    if (v instanceof PSHashtable) return "System.Collections.Hashtable";
    if (v instanceof SecureString) return "System.Security.SecureString";
    if (v instanceof X509Certificate) return "System.Security.Cryptography.X509Certificates.X509Certificate2";
    if (v instanceof PSObject) return v.typeName;
    return "System.Object";
}

function transformError(cmdlet: string, p: ParamSpec, detail: string): PsError {
    return new PsError(
        psErrors.bind(cmdlet, "ParameterArgumentTransformationError", `Cannot process argument transformation on parameter '${p.name}'. ${detail}`, "ParameterBindingArgumentTransformationException"),
    );
}

function convertError(cmdlet: string, p: ParamSpec, detail: string): PsError {
    return new PsError(psErrors.bind(cmdlet, "CannotConvertArgumentNoMessage", `Cannot bind parameter '${p.name}'. ${detail}`));
}

/** Converts an argument to the parameter's type, with pwsh's texts (secret values are never echoed). */
export function convertArg(cmdlet: string, p: ParamSpec, v: Value): Value {
    const one = Array.isArray(v) && v.length === 1 ? v[0] : v;
    switch (p.type) {
        case "switch":
        case "bool":
            if (typeof one === "boolean") return one;
            if (typeof one === "number") return one !== 0;
            if (p.type === "switch") throw transformError(cmdlet, p, `Cannot convert the "${toPsString(one)}" value of type "${psTypeName(one)}" to type "System.Management.Automation.SwitchParameter".`);
            throw transformError(cmdlet, p, `Cannot convert value "${psTypeName(one)}" to type "System.Boolean". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.`);
        case "string":
            if (Array.isArray(v) && v.length > 1) {
                throw new PsError(psErrors.bind(cmdlet, "CannotConvertArgument", `Cannot convert 'System.Object[]' to the type 'System.String' required by parameter '${p.name}'. Specified method is not supported.`));
            }
            if (one instanceof SecureString) throw convertError(cmdlet, p, `Cannot convert the value of type "System.Security.SecureString" to type "System.String".`);
            return one === null ? null : toPsString(one);
        case "string[]":
            return (Array.isArray(v) ? v : [v]).map((x) => toPsString(x));
        case "securestring":
            if (one instanceof SecureString) return one;
            throw convertError(cmdlet, p, `Cannot convert the value of type "${psTypeName(one)}" to type "System.Security.SecureString".`);
        case "certificate":
            if (one instanceof X509Certificate) return one;
            throw convertError(cmdlet, p, `Cannot convert the value of type "${psTypeName(one)}" to type "System.Security.Cryptography.X509Certificates.X509Certificate2".`);
        case "int": {
            const n = typeof one === "number" ? one : typeof one === "string" && /^\s*-?\d+\s*$/.test(one) ? Number(one) : NaN;
            if (!Number.isInteger(n)) throw convertError(cmdlet, p, `Cannot convert value "${toPsString(one)}" to type "${p.psType}". Error: "The input string '${toPsString(one)}' was not in a correct format."`);
            return n;
        }
        case "resultsize": {
            if (typeof one === "string" && one.toLowerCase() === "unlimited") return "Unlimited";
            const n = typeof one === "number" ? one : typeof one === "string" && /^\s*\d+\s*$/.test(one) ? Number(one) : NaN;
            if (!Number.isInteger(n) || n < 1) {
                throw convertError(cmdlet, p, `Cannot convert value "${toPsString(one)}" to type "${p.psType}". Error: "The value "${toPsString(one)}" isn't valid: use Unlimited or a whole number greater than 0."`);
            }
            return n;
        }
        case "enum": {
            const s = toPsString(one);
            const hit = p.values?.find((x) => x.toLowerCase() === s.trim().toLowerCase());
            if (!hit) {
                throw convertError(
                    cmdlet,
                    p,
                    `Cannot convert value "${s}" to type "${p.psType}". Error: "Unable to match the identifier name ${s} to a valid enumerator name. Specify one of the following enumerator names and try again:\n${(p.values ?? []).join(", ")}"`,
                );
            }
            return hit;
        }
        case "object[]":
            return Array.isArray(v) ? v : [v];
        case "object":
            return v;
    }
}

export function bindParameters(def: CmdletDef, raw: RawArg[]): BoundParams {
    const bound = new BoundParams();
    const positional: Value[] = [];
    for (let i = 0; i < raw.length; i++) {
        const a = raw[i];
        if (a.kind === "arg") {
            positional.push(a.value);
            continue;
        }
        const p = resolveParam(def, a.name);
        if (p.unsupported) {
            throw new PsError(
                psErrors.bind(def.name, "ParameterNotModelledByEmulator", `The parameter '${p.name}' of ${def.name} exists in PowerShell/Exchange Online but is not modelled by the Exchange Online emulator; remove it from the command.`, "NotSupportedException"),
            );
        }
        if (bound.has(p.name)) {
            throw new PsError(
                psErrors.bind(def.name, "ParameterAlreadyBound", `Cannot bind parameter because parameter '${p.name}' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, "-parameter value1,value2,value3".`),
            );
        }
        let value: Value;
        if (a.hasValue) value = a.value ?? null;
        else if (p.type === "switch") value = true;
        else {
            const next = raw[i + 1];
            if (!next || next.kind !== "arg") {
                throw new PsError(psErrors.bind(def.name, "MissingArgument", `Missing an argument for parameter '${p.name}'. Specify a parameter of type '${p.psType}' and try again.`));
            }
            value = next.value;
            i++;
        }
        bound.set(p.name, convertArg(def.name, p, value));
    }
    const byPosition = def.params.filter((p) => p.position !== undefined && !bound.has(p.name)).sort((x, y) => (x.position ?? 0) - (y.position ?? 0));
    for (const v of positional) {
        const p = byPosition.shift();
        if (!p) {
            throw new PsError(psErrors.bind(def.name, "PositionalParameterNotFound", `A positional parameter cannot be found that accepts argument '${toPsString(v)}'.`));
        }
        bound.set(p.name, convertArg(def.name, p, v));
    }
    return bound;
}

export function checkMandatory(def: CmdletDef, bound: BoundParams): void {
    const missing = def.params.filter((p) => p.mandatory && !bound.has(p.name)).map((p) => p.name);
    if (missing.length) {
        throw new PsError(psErrors.bind(def.name, "MissingMandatoryParameter", `Cannot process command because of one or more missing mandatory parameters: ${missing.join(" ")}.`));
    }
}
