/**
 * Error records as pwsh exposes them to `catch { $_ }`: CategoryInfo.Reason is the exception's type
 * name (e.g. ManagementObjectNotFoundException), Exception.Message the text, FullyQualifiedErrorId the id.
 * The EXO texts live here so they are written once; emulator/README.md lists them all.
 */
import { randomUUID } from "crypto";
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
    | "ProtocolError"
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
    /** CategoryInfo.Activity when it differs from `command` (EXO V3: the cmdlet, while Write-ErrorMessage raised it). */
    activity?: string;
    /** Raised by a `throw` statement (ConciseView says "Exception"; ConvertToException made errorId the message). */
    thrown?: boolean;
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
        ["Activity", info.activity ?? info.command ?? ""],
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

/**
 * The "<reason>" of pwsh 7's ConciseView ("<reason>: <message>", what a redirected stderr shows):
 * "Exception" for what `throw` raised, else the command, else the category
 * (PowerShellCore_format_ps1xml.cs L1254-1280).
 */
export function errorReasonForHost(info: ErrorInfo): string {
    if (info.thrown) return "Exception";
    return info.command ?? (info.reason === "RuntimeException" ? "Exception" : info.category);
}

const EXO_TASKS = "Microsoft.Exchange.Configuration.Tasks";

/**
 * The mailbox server a REST request ran on, as EXO stamps it ("AM6PR06MB5795"), derived from the
 * tenant's domain controller name so it is stable per tenant.
 */
function mailboxServer(domainController: string): string {
    let h = 0x811c9dc5;
    for (let i = 0; i < domainController.length; i++) h = Math.imul(h ^ domainController.charCodeAt(i), 0x01000193) >>> 0;
    return `${domainController.split(".")[0].slice(0, 7).toUpperCase()}MB${String(h % 10000).padStart(4, "0")}`;
}

/**
 * An error of a REST-backed V3 cmdlet (ExchangeOnlineManagement 3, which raises it through its
 * generated module's Write-ErrorMessage). Seen in users' output (docs/exchange-online-fidelity.md):
 *   Write-ErrorMessage : ||The operation couldn't be performed because object '…' couldn't be found on '…PROD.OUTLOOK.COM'.
 *   CategoryInfo : NotSpecified: (:) [Get-Recipient], ManagementObjectNotFoundException
 *   FullyQualifiedErrorId : [Server=AM6PR06MB5795,RequestId=7f6f2d5f-…,TimeStamp=Tue, 28 Mar 2023 13:55:04 GMT],Write-ErrorMessage
 * The message is "<ErrId>|<ExceptionType>|<text>", in recent builds with both fields empty ("||…"),
 * and the errorId no longer carries the FailureCategory (module 3.0.0 release notes).
 */
function restError(cmdlet: string, domainController: string, reason: string, exceptionType: string, text: string, targetObject?: string): ErrorInfo {
    return {
        reason,
        exceptionType,
        message: `||${text}`,
        errorId: `[Server=${mailboxServer(domainController)},RequestId=${randomUUID()},TimeStamp=${new Date().toUTCString()}],Write-ErrorMessage`,
        category: "NotSpecified",
        command: "Write-ErrorMessage",
        activity: cmdlet,
        targetObject,
    };
}

/**
 * The shape the V3 module's REST client gives an HTTP failure (seen for Get-EXO* cmdlets,
 * office-docs-powershell#10972 for 500, #8058 for 401): "Error while querying REST service.
 * HttpStatusCode=<n> ErrorMessage=<the service's JSON>", the status in the message only.
 */
function restStatusError(cmdlet: string, domainController: string, status: number, code: string, detail: string, innerType: string): ErrorInfo {
    const body = JSON.stringify({ error: { code, message: detail, innererror: { message: detail, type: innerType } } });
    return {
        reason: "RestClientException",
        exceptionType: "Microsoft.Exchange.Management.RestApiClient.RestClientException",
        message: `Error while querying REST service. HttpStatusCode=${status} ErrorMessage=${body}`,
        errorId: `[Server=${mailboxServer(domainController)},RequestId=${randomUUID()},TimeStamp=${new Date().toUTCString()}],Write-ErrorMessage`,
        category: "ProtocolError",
        command: "Write-ErrorMessage",
        activity: cmdlet,
    };
}

export const exoErrors = {
    /** Unknown identity: "||The operation couldn't be performed because object '<id>' couldn't be found on '<server>'." */
    notFound(cmdlet: string, identity: string, server: string): ErrorInfo {
        return restError(
            cmdlet,
            server,
            "ManagementObjectNotFoundException",
            `${EXO_TASKS}.ManagementObjectNotFoundException`,
            `The operation couldn't be performed because object '${identity}' couldn't be found on '${server}'.`,
            identity,
        );
    },
    /**
     * An identity that matches several objects (two accepted domains with one DomainName, Microsoft365DSC#2193):
     * Exchange's ManagementObjectAmbiguousException text; its REST form for EXO is not verified.
     */
    ambiguous(cmdlet: string, identity: string, server: string): ErrorInfo {
        return restError(
            cmdlet,
            server,
            "ManagementObjectAmbiguousException",
            `${EXO_TASKS}.ManagementObjectAmbiguousException`,
            `The operation couldn't be performed because '${identity}' matches multiple entries.`,
            identity,
        );
    },
    /** Validation refusals (ExternalRelay, MatchSubDomains outside InternalRelay). */
    invalidOperation(cmdlet: string, message: string, identity: string, server: string): ErrorInfo {
        return restError(cmdlet, server, "InvalidOperationException", "System.InvalidOperationException", message, identity);
    },
    /**
     * Throttling that outlasted the module's own retries ("V3 cmdlets … are resilient to transient
     * failures, handling retries and throttling errors inherently", the module's banner): HTTP 429.
     * No real 429 text was found; this follows the 500 shape (fidelity doc: not verified).
     */
    tooManyRequests(cmdlet: string, server: string, retryAfterSeconds: number): ErrorInfo {
        return restStatusError(
            cmdlet,
            server,
            429,
            "TooManyRequests",
            `The request was throttled because the tenant exceeded its request budget. Retry after ${retryAfterSeconds} seconds.`,
            "Microsoft.Exchange.Data.Storage.ResourceUnhealthyException",
        );
    },
    /** A transient server failure (office-docs-powershell#10972: HttpStatusCode=500 InternalServerError, ADTransientException). */
    transient(cmdlet: string, server: string): ErrorInfo {
        return restStatusError(
            cmdlet,
            server,
            500,
            "InternalServerError",
            "The call to Microsoft Exchange Active Directory Topology service on server 'TopologyClientTcpEndpoint (localhost)' returned an error. Error details Active Directory server  is not available. Error message: Active directory response: The LDAP server is unavailable..",
            "Microsoft.Exchange.Data.Directory.ADTransientException",
        );
    },
    /**
     * A Get-EXO* -Filter the service refuses (a wildcard inside a value, an unknown property). The REST
     * error shape is that of the 500 above; the wording is not documented (fidelity doc: not verified).
     */
    badFilter(cmdlet: string, server: string, detail: string): ErrorInfo {
        return restStatusError(cmdlet, server, 400, "BadRequest", detail, "Microsoft.Exchange.Management.RestApiClient.InvalidFilterException");
    },
};

/**
 * KB 2881759's throttling message: a warning that "can be safely ignored", not an error
 * ("WARNING: Micro delay applied. Actual delayed: <X> msecs, Enforced …"; the fields after
 * "Enforced" are modelled).
 */
export function microDelayWarning(delayMs: number): string {
    return `Micro delay applied. Actual delayed: ${delayMs} msecs, Enforced: True, Capped delay: ${delayMs} msecs, Required: False, Additional info: .;`;
}

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
