/**
 * Exchange Online error text -> typed errors. One table decides the class.
 * Only NotFoundError may be read as "the domain is gone" (the opposite of
 * Microsoft365DSC issue #6771, where any read error became "Absent").
 *
 * Texts modelled on Microsoft's docs and support pages:
 * - not found: "The operation couldn't be performed because object '<id>' couldn't be found on '<server>'."
 *   (ManagementObjectNotFoundException, e.g. Get-AcceptedDomain -Identity with an unknown name)
 * - throttling: "Micro delay applied" / server busy / ThrottlingException
 *   https://support.microsoft.com/topic/-micro-delay-applied-warning-or-delays-occur-in-exchange-online-86716b03-53ff-d07f-3b24-b638a9f6b733
 * - cmdlets that aren't loaded (no or expired session): CommandNotFoundException "... is not recognized as ..."
 */

/** What the catch wrapper in commands.ts writes to stderr. */
export interface ErrorRecord {
    reason?: string | null;
    message?: string | null;
    errorId?: string | null;
}

export type ErrorKind = "notFound" | "validation" | "throttled" | "auth" | "sessionLost" | "timeout" | "transient" | "unknown";

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

// Shared by the message rows and the status-code rows below: the same error, the same advice.
const AUTH_HINT =
    "check exchange:auth (app id, certificate and its password, or the access token) and that the app has the Exchange.ManageAsApp permission and an Exchange role";
const THROTTLED_HINT = "Exchange Online throttled the request";
const TRANSIENT_HINT = "a transient Exchange Online server error";

/**
 * First matching row wins; rows test reason, errorId and message together.
 * Bare HTTP status codes are matched separately (STATUS_TABLE), against reason and
 * errorId only: EXO's message carries the domain name, and shop-503.com is not a 503.
 */
const STATUS_TABLE: ReadonlyArray<{ test: RegExp; make: ErrorClass; hint: string }> = [
    { test: /\b40[13]\b/, make: AuthError, hint: AUTH_HINT },
    { test: /\b429\b/, make: ThrottledError, hint: THROTTLED_HINT },
    { test: /\b50[234]\b/, make: TransientError, hint: TRANSIENT_HINT },
];

const TABLE: ReadonlyArray<{ test: RegExp; make: ErrorClass; hint: string }> = [
    {
        test: /ManagementObjectNotFoundException|couldn't be found on|could not be found on|object .* couldn't be found/i,
        make: NotFoundError,
        hint: "",
    },
    {
        test: /Unauthori[sz]ed|Msal(Service|Client|UiRequired)Exception|CryptographicException|password is not correct|AADSTS\d+|AccessDenied|access is denied|authentication (failed|error)|invalid (client )?(secret|certificate|token)|certificate.*(password|not valid|invalid|couldn't be|could not be)|token.*(expired|invalid)|isn't assigned|not authorized/i,
        make: AuthError,
        hint: AUTH_HINT,
    },
    {
        test: /Throttl|micro ?delay|server ?busy|too many requests|OverBudget|exceeded the (maximum|budget)|try again later|BackoffException/i,
        make: ThrottledError,
        hint: THROTTLED_HINT,
    },
    {
        test: /TransientException|transient (server )?error|Service Unavailable|Bad Gateway|Gateway Time-?out|temporarily unavailable/i,
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

/** Classifies one error record from the given cmdlet. */
export function classify(cmdlet: string, record: ErrorRecord): ExchangeError {
    const text = [record.reason, record.errorId, record.message].filter((s): s is string => typeof s === "string").join(" | ");
    const exo = (record.message ?? record.reason ?? "unknown error").trim();
    const codes = [record.reason, record.errorId].filter((s): s is string => typeof s === "string").join(" | ");
    const status = STATUS_TABLE.find((row) => row.test.test(codes));
    for (const row of status ? [TABLE[0], status, ...TABLE.slice(1)] : TABLE) {
        if (row.test.test(text)) {
            const message = `${cmdlet} failed: ${exo}${row.hint ? ` (${row.hint})` : ""}`;
            return new row.make(cmdlet, message, record);
        }
    }
    return new ExchangeError(cmdlet, `${cmdlet} failed: ${exo}`, record);
}

/**
 * Classifies what a command wrote to stderr: JSON records from the catch wrapper
 * (one per line), or plain text when pwsh failed outside it. The first record decides.
 */
export function fromStderr(cmdlet: string, stderr: string): ExchangeError {
    const records: ErrorRecord[] = [];
    const plain: string[] = [];
    for (const line of stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "")) {
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
