/**
 * Error records as pwsh exposes them to `catch { $_ }`: CategoryInfo.Reason is the exception's type
 * name (e.g. ManagementObjectNotFoundException), Exception.Message the text, FullyQualifiedErrorId the id.
 * The EXO texts live here so they are written once; emulator/README.md lists them all.
 */
import { PSObject, Value } from "./values";

export type ErrorCategory =
    | "NotSpecified"
    | "ObjectNotFound"
    | "InvalidArgument"
    | "InvalidData"
    | "InvalidOperation"
    | "ParserError"
    | "AuthenticationError"
    | "OperationTimeout"
    | "ResourceBusy"
    | "ResourceUnavailable"
    | "ReadError"
    | "PermissionDenied"
    | "OperationStopped";

export interface ErrorInfo {
    /** Exception type name without namespace: what CategoryInfo.Reason shows. */
    reason: string;
    /** Full .NET type name, for `catch [Full.Type.Name]`. */
    exceptionType: string;
    message: string;
    errorId: string;
    category: ErrorCategory;
    /** Command that raised it; pwsh's concise view prefixes the message with it. */
    command?: string;
    targetObject?: string;
}

/** A terminating error travelling up to the nearest try/catch (or the top of the chunk). */
export class PsError extends Error {
    constructor(
        readonly info: ErrorInfo,
        /** throw / -ErrorAction Stop end the whole chunk; binding and lookup errors end only the statement. */
        readonly scriptTerminating = false,
    ) {
        super(info.message);
        this.name = "PsError";
    }
}

/** The `$_` object a catch block sees. */
export function errorRecordValue(info: ErrorInfo): PSObject {
    const exception = new PSObject(info.exceptionType, [
        ["Message", info.message],
        ["GetType", info.exceptionType],
    ]);
    const categoryInfo = new PSObject("System.Management.Automation.ErrorCategoryInfo", [
        ["Category", info.category],
        ["Activity", info.command ?? ""],
        ["Reason", info.reason],
        ["TargetName", info.targetObject ?? ""],
        ["TargetType", info.targetObject === undefined ? "" : "String"],
    ]);
    const entries: [string, Value][] = [
        ["Exception", exception],
        ["CategoryInfo", categoryInfo],
        ["FullyQualifiedErrorId", info.errorId],
        ["TargetObject", info.targetObject ?? null],
    ];
    return new PSObject("System.Management.Automation.ErrorRecord", entries);
}

/** pwsh 7 ConciseView, which is what a redirected stderr shows: "<Command>: <message>". */
export function formatErrorForHost(info: ErrorInfo): string {
    const prefix = info.command ?? (info.reason === "RuntimeException" ? "Exception" : info.category);
    return `${prefix}: ${info.message}`;
}

const EXO_TASKS = "Microsoft.Exchange.Configuration.Tasks";

/** Stable 8-hex id, like the ones EXO puts at the front of FullyQualifiedErrorId. */
function shortId(text: string): string {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    return h.toString(16).toUpperCase().padStart(8, "0");
}

/** EXO task class behind a cmdlet, for FullyQualifiedErrorId (…SystemConfigurationTasks.SetAcceptedDomain). */
export function exoTaskClass(cmdlet: string): string {
    const ns = /Recipient/i.test(cmdlet) ? "Microsoft.Exchange.Management.RecipientTasks" : "Microsoft.Exchange.Management.SystemConfigurationTasks";
    return `${ns}.${cmdlet.replace(/-/g, "")}`;
}

export const exoErrors = {
    /** Unknown identity. Text as EXO prints it ("…couldn't be found on '<server>'."). */
    notFound(cmdlet: string, identity: string, server: string): ErrorInfo {
        const message = `The operation couldn't be performed because object '${identity}' couldn't be found on '${server}'.`;
        return {
            reason: "ManagementObjectNotFoundException",
            exceptionType: `${EXO_TASKS}.ManagementObjectNotFoundException`,
            message,
            errorId: `${shortId(cmdlet + "notfound")},${exoTaskClass(cmdlet)}`,
            category: "ObjectNotFound",
            command: cmdlet,
            targetObject: identity,
        };
    },
    /** Validation refusals (ExternalRelay, MatchSubDomains outside InternalRelay). */
    invalidOperation(cmdlet: string, message: string, identity: string): ErrorInfo {
        return {
            reason: "InvalidOperationException",
            exceptionType: "System.InvalidOperationException",
            message,
            errorId: `${shortId(cmdlet + message)},${exoTaskClass(cmdlet)}`,
            category: "InvalidOperation",
            command: cmdlet,
            targetObject: identity,
        };
    },
    /** Throttling: server busy with EXO's micro-delay wording (KB 2881759). */
    serverBusy(cmdlet: string, delayMs: number): ErrorInfo {
        return {
            reason: "ServerBusyException",
            exceptionType: "Microsoft.Exchange.Data.Directory.ServerBusyException",
            message: `The server is busy. Micro delay applied. Actual delayed: ${delayMs} msecs, Enforced: True. Please retry after ${Math.ceil(delayMs / 1000)} seconds.`,
            errorId: `${shortId(cmdlet + "busy")},${exoTaskClass(cmdlet)}`,
            category: "ResourceBusy",
            command: cmdlet,
        };
    },
    /** Transient server-side failure on a read. */
    transient(cmdlet: string): ErrorInfo {
        return {
            reason: "TransientException",
            exceptionType: "Microsoft.Exchange.Data.Storage.TransientException",
            message: "A transient server error occurred (HTTP 503 Service Unavailable). Please try again.",
            errorId: `${shortId(cmdlet + "transient")},${exoTaskClass(cmdlet)}`,
            category: "ResourceUnavailable",
            command: cmdlet,
        };
    },
};

/** Errors pwsh itself raises (binding, lookup, parsing). Texts as pwsh 7 prints them. */
export const psErrors = {
    commandNotFound(name: string): ErrorInfo {
        return {
            reason: "CommandNotFoundException",
            exceptionType: "System.Management.Automation.CommandNotFoundException",
            message: `The term '${name}' is not recognized as a name of a cmdlet, function, script file, or executable program.\nCheck the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
            errorId: "CommandNotFoundException",
            category: "ObjectNotFound",
            command: name,
            targetObject: name,
        };
    },
    bind(cmdlet: string, errorId: string, message: string, reason = "ParameterBindingException"): ErrorInfo {
        return {
            reason,
            exceptionType: `System.Management.Automation.${reason}`,
            message,
            errorId: `${errorId},${cmdlet}`,
            category: "InvalidArgument",
            command: cmdlet,
        };
    },
    runtime(message: string, errorId: string, category: ErrorCategory = "InvalidOperation"): ErrorInfo {
        return {
            reason: "RuntimeException",
            exceptionType: "System.Management.Automation.RuntimeException",
            message,
            errorId,
            category,
        };
    },
};
