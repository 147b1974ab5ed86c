/**
 * Exchange Online error text -> typed errors. One table decides the class.
 * Only NotFoundError may be read as "the domain is gone" (the opposite of
 * Microsoft365DSC issue #6771, where any read error became "Absent").
 *
 * Shapes modelled on Microsoft's pages and on what ExchangeOnlineManagement 3 (REST) raises
 * (docs/exchange-online-fidelity.md has the sources):
 * - not found: "||The operation couldn't be performed because object '<id>' couldn't be found on '<server>'."
 *   (ManagementObjectNotFoundException; in REST mode the message may carry a "||" prefix and the
 *   FullyQualifiedErrorId is "[Server=…,RequestId=…,TimeStamp=…] <hex>,<task>" without the
 *   FailureCategory, ExchangeOnlineManagement 3.0.0 release notes, office-docs-powershell#10972)
 * - server errors: "…HttpStatusCode=500 ErrorMessage={"error":{"code":"InternalServerError"…": the status
 *   is in the message only
 * - throttling that outlasted the module's own retries: HTTP 429 / TooManyRequests
 *   ("Micro delay applied", KB 2881759, is a warning, not an error)
 * - Connect-ExchangeOnline's errors: FullyQualifiedErrorId equals the exception message (PowerShell
 *   MiscOps.cs ConvertToException), so it carries tenant names such as shop-503.onmicrosoft.com
 * - cmdlets that aren't loaded (no or expired session): CommandNotFoundException "... is not recognized as ..."
 *
 * Names and values EXO quotes ('shop-503.onmicrosoft.com', 'throttle.example') are masked before
 * matching, and an HTTP status counts only where it is written as one, so a tenant or domain name
 * never decides the class.
 */
import { stripTerminalSequences } from "./pwsh-output";

/** What the catch wrapper in commands.ts writes to stderr. */
export interface ErrorRecord {
    reason?: string | null;
    message?: string | null;
    errorId?: string | null;
}

export type ErrorKind = "notFound" | "validation" | "throttled" | "auth" | "setup" | "sessionLost" | "timeout" | "transient" | "unknown";

/** Base class: an Exchange cmdlet failed. */
export class ExchangeError extends Error {
    readonly kind: ErrorKind = "unknown";
    constructor(
        readonly cmdlet: string,
        message: string,
        readonly record: ErrorRecord = {},
    ) {
        super(message);
        this.name = new.target.name;
    }
}

/** EXO says the object doesn't exist. The only error that means "gone". */
export class NotFoundError extends ExchangeError {
    override readonly kind = "notFound";
}
/** EXO refused the values (never retried). */
export class ValidationError extends ExchangeError {
    override readonly kind = "validation";
}
/** EXO throttled the call (retried with backoff). */
export class ThrottledError extends ExchangeError {
    override readonly kind = "throttled";
}
/** Authentication or authorization failed (never retried: fix exchange:auth). */
export class AuthError extends ExchangeError {
    override readonly kind = "auth";
}
/**
 * The machine can't run the session at all: pwsh missing at exchange:pwshPath, or the
 * ExchangeOnlineManagement module missing or unusable. Never retried; fails the run once.
 */
export class SetupError extends ExchangeError {
    override readonly kind = "setup";
}
/** The pwsh session broke, exited or lost its connection (dispose, reconnect, retry). */
export class SessionLostError extends ExchangeError {
    override readonly kind = "sessionLost";
}
/** A cmdlet didn't answer in time; the session is treated as hung (dispose, reconnect, retry). */
export class TimeoutError extends ExchangeError {
    override readonly kind = "timeout";
}
/**
 * A transient server-side failure (HTTP 5xx, "try again"): retried on the same session.
 * Microsoft365DSC's Test-M365DSCTransientError (Modules/M365DSCErrorHandler.psm1) treats
 * 5xx and timeouts as transient too.
 */
export class TransientError extends ExchangeError {
    override readonly kind = "transient";
}

/** Whether a failed attempt may be retried. */
export function isRetryable(error: unknown): error is ThrottledError | SessionLostError | TimeoutError | TransientError {
    return error instanceof ThrottledError || error instanceof SessionLostError || error instanceof TimeoutError || error instanceof TransientError;
}

/** Whether the session must be disposed and reconnected before the next attempt. */
export function needsReconnect(error: unknown): boolean {
    return error instanceof SessionLostError || error instanceof TimeoutError;
}

type ErrorClass = new (cmdlet: string, message: string, record?: ErrorRecord) => ExchangeError;

// Shared by the message rows and the status rows below: the same error, the same advice.
const AUTH_HINT =
    "check exchange:auth (app id, certificate and its password, or the access token) and that the app has the Exchange.ManageAsApp permission and an Exchange role";
const ORGANIZATION_HINT =
    "check exchange:organization: it must be the tenant's initial domain, e.g. contoso.onmicrosoft.com";
const THROTTLED_HINT = "Exchange Online throttled the request";
const TRANSIENT_HINT = "a transient Exchange Online server error";

/**
 * A value EXO quotes in its text: 'contoso.com', 'AM0PR01…OUTLOOK.COM', 'shop-503.onmicrosoft.com'.
 * An opening quote follows a space or bracket and a closing one precedes a space or punctuation,
 * so the apostrophe in "couldn't" is not a quote; doubled quotes stay inside the value.
 */
const QUOTED_VALUE = /(^|[\s(\[=:,])'(?:[^']|'')*'(?=$|[\s.,;:)\]!?])/g;

/** The text with every quoted value replaced by '…': what the table matches. */
export function maskQuotedValues(text: string): string {
    return text.replace(QUOTED_VALUE, "$1'…'");
}

/** EXO's REST request stamp at the front of FullyQualifiedErrorId: [Server=…,RequestId=…,TimeStamp=…]. */
const REQUEST_STAMP = /\[[^\]]*=[^\]]*\]/g;

/**
 * HTTP statuses as EXO and the module write them: HttpStatusCode=500, "(401) Unauthorized",
 * HTTP 503, "status code does not indicate success: 429", or a reason that is only the code.
 * A bare number (a RequestId, a server name, shop-503.com) is not a status.
 */
const STATUS_FORMS: readonly RegExp[] = [
    /HttpStatusCode\s*[=:]\s*"?(\d{3})\b/i,
    /\bHTTP(?:\/\d(?:\.\d)?)?\s+(\d{3})\b/i,
    /\((\d{3})\)\s*[A-Z][a-z]/,
    /\bstatus code(?: does not indicate success)?\s*:?\s*(\d{3})\b/i,
    /^\s*(\d{3})\s*$/,
];

/** Between the fields of matchableText, so each form can be tested against one field. */
const FIELD_SEPARATOR = " | ";

/** The HTTP status written in the text, if any (quoted values already masked). */
export function httpStatusOf(text: string): number | undefined {
    for (const field of text.split(FIELD_SEPARATOR)) {
        for (const form of STATUS_FORMS) {
            const m = form.exec(field);
            if (m) {
                return Number(m[1]);
            }
        }
    }
    return undefined;
}

const STATUS_TABLE: ReadonlyArray<{ test: (status: number) => boolean; make: ErrorClass; hint: string }> = [
    { test: (s) => s === 401 || s === 403, make: AuthError, hint: AUTH_HINT },
    { test: (s) => s === 429, make: ThrottledError, hint: THROTTLED_HINT },
    { test: (s) => s === 500 || s === 502 || s === 503 || s === 504, make: TransientError, hint: TRANSIENT_HINT },
];

/** First matching row wins; rows test reason, errorId and message together, quoted values masked. */
const TABLE: ReadonlyArray<{ test: RegExp; make: ErrorClass; hint: string }> = [
    {
        test: /ManagementObjectNotFoundException|couldn't be found on|could not be found on|object .* couldn't be found/i,
        make: NotFoundError,
        hint: "",
    },
    {
        // AADSTS90002 "Tenant '…' not found", AADSTS900023 "Specified tenant identifier '…' is neither a valid DNS name…",
        // module 3.9.0 "Organization cannot be a Guid, please enter the name of the tenant instead."
        test: /AADSTS90002\b|AADSTS900023\b|Tenant .* not found|tenant identifier .* is neither|Organization cannot be a Guid/i,
        make: AuthError,
        hint: ORGANIZATION_HINT,
    },
    {
        test: /Unauthori[sz]ed|\bForbidden\b|Msal(Service|Client|UiRequired)Exception|CryptographicException|password is not correct|AADSTS\d+|AccessDenied|access is denied|authentication (failed|error)|invalid (client )?(secret|certificate|token)|certificate.*(password|not valid|invalid|couldn't be|could not be)|token.*(expired|invalid)|isn't assigned|not authorized/i,
        make: AuthError,
        hint: AUTH_HINT,
    },
    {
        test: /Throttl|TooManyRequests|too many requests|micro ?delay|server ?busy|OverBudget|exceeded the (maximum|budget)|try again later|BackoffException/i,
        make: ThrottledError,
        hint: THROTTLED_HINT,
    },
    {
        test: /TransientException|transient (server )?error|InternalServerError|ServiceUnavailable|Service Unavailable|Bad ?Gateway|Gateway ?Time-?out|temporarily unavailable/i,
        make: TransientError,
        hint: TRANSIENT_HINT,
    },
    {
        test: /CommandNotFoundException|is not recognized as|session (has )?(expired|closed|broken)|PSRemotingTransportException|runspace|connection (was )?(closed|reset|lost|aborted)|not connected/i,
        make: SessionLostError,
        hint: "the Exchange Online session was lost",
    },
    {
        test: /Validation|ArgumentException|ParameterBinding|TaskArgument|InvalidOperation|isn't valid|is not valid|isn't supported|is not supported|not allowed|can't be|cannot be|must be|can only|only valid/i,
        make: ValidationError,
        hint: "",
    },
];

/** The fields of a record as the table reads them: request stamps dropped, quoted values masked. */
export function matchableText(record: ErrorRecord): string {
    const message = (record.message ?? "").trim();
    let errorId = (record.errorId ?? "").trim();
    // Connect-ExchangeOnline's errorId is its message (ConvertToException): nothing more to read there.
    errorId = errorId === message ? "" : errorId.replace(REQUEST_STAMP, " ").trim();
    return [record.reason ?? "", errorId, message]
        .map((s) => maskQuotedValues(s.trim()))
        .filter((s) => s !== "")
        .join(FIELD_SEPARATOR);
}

/** EXO's message as shown to people: REST mode's "<ErrId>|<ExceptionType>|" fields ("||" when empty) dropped. */
function shownMessage(record: ErrorRecord): string {
    return (record.message ?? record.reason ?? "unknown error").trim().replace(/^[^|\s]*\|[^|\s]*\|\s*/, "");
}

/** Classifies one error record from the given cmdlet. */
export function classify(cmdlet: string, record: ErrorRecord): ExchangeError {
    const text = matchableText(record);
    const exo = shownMessage(record);
    const status = httpStatusOf(text);
    const statusRow = status === undefined ? undefined : STATUS_TABLE.find((row) => row.test(status));
    const make = (row: { make: ErrorClass; hint: string }): ExchangeError =>
        new row.make(cmdlet, `${cmdlet} failed: ${exo}${row.hint ? ` (${row.hint})` : ""}`, record);
    if (TABLE[0].test.test(text)) {
        return make(TABLE[0]);
    }
    if (statusRow) {
        return make(statusRow);
    }
    const row = TABLE.slice(1).find((r) => r.test.test(text));
    return row ? make(row) : new ExchangeError(cmdlet, `${cmdlet} failed: ${exo}`, record);
}

/**
 * Classifies what a command wrote to stderr: JSON records from the catch wrapper
 * (one per line), or plain text when pwsh failed outside it. The first record decides.
 */
export function fromStderr(cmdlet: string, stderr: string): ExchangeError {
    const records: ErrorRecord[] = [];
    const plain: string[] = [];
    for (const line of stripTerminalSequences(stderr).split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "")) {
        try {
            const parsed: unknown = JSON.parse(line);
            if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
                const o = parsed as Record<string, unknown>;
                const str = (v: unknown) => (typeof v === "string" ? v : undefined);
                records.push({ reason: str(o.reason), message: str(o.message), errorId: str(o.errorId) });
                continue;
            }
        } catch {
            // not one of ours: keep the text
        }
        plain.push(line);
    }
    return classify(cmdlet, records[0] ?? { message: plain.join(" ") });
}

/** Wraps the last cause of a retried operation with the attempt count; keeps its class. */
export function withAttempts(error: ExchangeError, attempts: number): ExchangeError {
    const Ctor = error.constructor as ErrorClass;
    const wrapped = new Ctor(error.cmdlet, `${error.message} (gave up after ${attempts} attempts)`, error.record);
    (wrapped as { cause?: unknown }).cause = error;
    return wrapped;
}

/** An error as the session keeper sends it to a provider (session-keeper.ts): its class by kind. */
export interface ErrorJson {
    /** ExchangeError's kind, or "error" for anything else (a bug): its message only. */
    kind: ErrorKind | "error";
    cmdlet: string;
    message: string;
    record: ErrorRecord;
}

const CLASS_OF_KIND: Record<ErrorKind, ErrorClass> = {
    notFound: NotFoundError,
    validation: ValidationError,
    throttled: ThrottledError,
    auth: AuthError,
    setup: SetupError,
    sessionLost: SessionLostError,
    timeout: TimeoutError,
    transient: TransientError,
    unknown: ExchangeError,
};

export function errorToJson(error: unknown): ErrorJson {
    if (error instanceof ExchangeError) {
        return { kind: error.kind, cmdlet: error.cmdlet, message: error.message, record: error.record };
    }
    return { kind: "error", cmdlet: "", message: error instanceof Error ? error.message : String(error), record: {} };
}

/** The same class, cmdlet, message and record on this side: callers tell NotFound from a read failure by class. */
export function errorFromJson(json: ErrorJson): Error {
    return json.kind === "error" ? new Error(json.message) : new CLASS_OF_KIND[json.kind](json.cmdlet, json.message, json.record);
}
