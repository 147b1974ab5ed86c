import { strict as assert } from "assert";
import {
    AuthError,
    classify,
    errorFromJson,
    errorToJson,
    ExchangeError,
    fromStderr,
    isRetryable,
    NotFoundError,
    SessionLostError,
    ThrottledError,
    TimeoutError,
    ValidationError,
    withAttempts,
} from "../../../components/exchange/errors";

const CASES: Array<{ name: string; record: { reason?: string; message?: string; errorId?: string }; expected: new (...a: never[]) => ExchangeError }> = [
    {
        name: "EXO not found",
        record: {
            reason: "ManagementObjectNotFoundException",
            message: "The operation couldn't be performed because object 'fabrikam.com' couldn't be found on 'AM4PR01A001DC01.EURPR01A001.prod.outlook.com'.",
            errorId: "[Server=AM4PR01MB1234,RequestId=abc],Microsoft.Exchange.Management.Tasks.ManagementObjectNotFoundException",
        },
        expected: NotFoundError,
    },
    {
        name: "ExternalRelay refused",
        record: { reason: "ValidationException", message: "ExternalRelay isn't supported in Exchange Online." },
        expected: ValidationError,
    },
    {
        name: "MatchSubDomains on Authoritative",
        record: { reason: "DataValidationException", message: "MatchSubDomains can only be set on InternalRelay domains." },
        expected: ValidationError,
    },
    {
        name: "parameter binding",
        record: { reason: "ParameterBindingException", message: "A parameter cannot be found that matches parameter name 'Foo'." },
        expected: ValidationError,
    },
    { name: "micro delay", record: { reason: "ThrottlingException", message: "Micro delay applied. Actual delayed: 5000 msecs, Enforced" }, expected: ThrottledError },
    { name: "server busy", record: { message: "The server is busy. Try again later." }, expected: ThrottledError },
    { name: "AADSTS", record: { message: "AADSTS700027: Client assertion contains an invalid signature." }, expected: AuthError },
    { name: "unauthorized", record: { reason: "UnauthorizedAccessException", message: "UnAuthorized" }, expected: AuthError },
    {
        name: "cmdlet not loaded",
        record: {
            reason: "CommandNotFoundException",
            message: "The term 'Get-AcceptedDomain' is not recognized as a name of a cmdlet, function, script file, or executable program.",
        },
        expected: SessionLostError,
    },
];

describe("errors", () => {
    describe("#classify", () => {
        for (const c of CASES) {
            it(`${c.name} -> ${c.expected.name}`, () => {
                const e = classify("Get-AcceptedDomain", c.record);
                assert.ok(e instanceof c.expected, `got ${e.constructor.name}`);
                assert.ok(e.message.includes(c.record.message ?? ""), "keeps EXO's text");
                assert.ok(e.message.startsWith("Get-AcceptedDomain failed"));
            });
        }

        it("an unknown error is neither gone nor retryable", () => {
            const e = classify("Get-AcceptedDomain", { reason: "IOException", message: "disk on fire" });
            assert.equal(e.constructor, ExchangeError);
            assert.equal(e instanceof NotFoundError, false);
            assert.equal(isRetryable(e), false);
        });

        it("only throttling, lost and hung sessions are retryable", () => {
            assert.equal(isRetryable(new ThrottledError("x", "m")), true);
            assert.equal(isRetryable(new SessionLostError("x", "m")), true);
            assert.equal(isRetryable(new TimeoutError("x", "m")), true);
            assert.equal(isRetryable(new ValidationError("x", "m")), false);
            assert.equal(isRetryable(new AuthError("x", "m")), false);
            assert.equal(isRetryable(new NotFoundError("x", "m")), false);
        });

        it("auth errors carry the fix", () => {
            assert.match(classify("Connect-ExchangeOnline", { message: "AADSTS7000215" }).message, /exchange:auth/);
        });
    });

    describe("#fromStderr", () => {
        it("reads the JSON record written by the catch wrapper", () => {
            const line = JSON.stringify({ reason: "ManagementObjectNotFoundException", message: "object 'x' couldn't be found on 'srv'.", errorId: "id" });
            const e = fromStderr("Get-AcceptedDomain", `${line}\n`);
            assert.ok(e instanceof NotFoundError);
            assert.deepEqual(e.record, { reason: "ManagementObjectNotFoundException", message: "object 'x' couldn't be found on 'srv'.", errorId: "id" });
        });

        it("classifies plain text written outside the wrapper", () => {
            const e = fromStderr("Set-AcceptedDomain", "Set-AcceptedDomain: The term 'Set-AcceptedDomain' is not recognized as a name of a cmdlet");
            assert.ok(e instanceof SessionLostError);
        });

        it("the first record decides", () => {
            const a = JSON.stringify({ reason: "ThrottlingException", message: "Micro delay applied" });
            const b = JSON.stringify({ reason: "ManagementObjectNotFoundException", message: "couldn't be found on" });
            assert.ok(fromStderr("Get-AcceptedDomain", `${a}\n${b}`) instanceof ThrottledError);
        });
    });

    it("withAttempts keeps the class, adds the count and the cause", () => {
        const cause = new ThrottledError("Get-AcceptedDomain", "Get-AcceptedDomain failed: busy");
        const wrapped = withAttempts(cause, 5);
        assert.ok(wrapped instanceof ThrottledError);
        assert.match(wrapped.message, /gave up after 5 attempts/);
        assert.equal((wrapped as { cause?: unknown }).cause, cause);
    });
});

describe("errors: certificate problems", () => {
    it("a wrong .pfx password (CryptographicException) is an AuthError", () => {
        const e = classify("Connect-ExchangeOnline", { reason: "CryptographicException", message: "The specified network password is not correct." });
        assert.ok(e instanceof AuthError);
    });
});

describe("status codes in EXO messages", () => {
    it("a domain name containing 503 or 401 does not make a validation error retryable or an auth error", () => {
        const { classify, ValidationError } = require("../../../components/exchange/errors") as typeof import("../../../components/exchange/errors");
        const e = classify("Set-AcceptedDomain", {
            reason: "TaskArgumentException",
            message: "The value 'shop-503.com' isn't valid: MatchSubDomains can only be set on an InternalRelay domain. Domain api-401.contoso.com",
        });
        if (!(e instanceof ValidationError)) throw new Error(`classified as ${e.constructor.name}: ${e.message}`);
    });

    it("a status code in the error id still classifies", () => {
        const { classify, TransientError, ThrottledError } = require("../../../components/exchange/errors") as typeof import("../../../components/exchange/errors");
        if (!(classify("Get-AcceptedDomain", { reason: "HttpException", errorId: "HTTP 503,Get-AcceptedDomain", message: "x" }) instanceof TransientError)) throw new Error("503 in errorId not transient");
        if (!(classify("Get-AcceptedDomain", { reason: "429", message: "x" }) instanceof ThrottledError)) throw new Error("429 in reason not throttled");
    });
});

describe("errors: Exchange Online V3 (REST) shapes", () => {
    const {
        classify: c,
        fromStderr: fs,
        maskQuotedValues,
        httpStatusOf,
        TransientError,
        ThrottledError,
        NotFoundError: NF,
        AuthError: AE,
        ValidationError: VE,
    } = require("../../../components/exchange/errors") as typeof import("../../../components/exchange/errors");
    const STAMP = "[Server=AM6PR06MB5795,RequestId=7f6f2d5f-726b-5584-2121-922596043d50,TimeStamp=Tue, 28 Mar 2023 13:55:04 GMT],Write-ErrorMessage";

    it("not found: '||' message, ManagementObjectNotFoundException, request-stamp errorId", () => {
        const e = c("Get-AcceptedDomain", {
            reason: "ManagementObjectNotFoundException",
            message: "||The operation couldn't be performed because object 'fabrikam.com' couldn't be found on 'AM0PR01A001DC01.EURPRD01.PROD.OUTLOOK.COM'.",
            errorId: STAMP,
        });
        assert.ok(e instanceof NF, e.constructor.name);
        assert.match(e.message, /^Get-AcceptedDomain failed: The operation couldn't/, "the '||' prefix is not shown");
    });

    it("not found with the exception type in the message and a generic reason", () => {
        const e = c("Get-Recipient", {
            reason: "Exception",
            message: "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'x@y.com' couldn't be found on 'DB6PR06A001DC06.EURPR06A001.prod.outlook.com'.",
            errorId: STAMP,
        });
        assert.ok(e instanceof NF, e.constructor.name);
        assert.match(e.message, /failed: The operation couldn't/, "the id and type fields are not shown");
    });

    it("HTTP 500 in the message only (office-docs-powershell#10972) is transient", () => {
        const e = c("Get-AcceptedDomain", {
            reason: "RestClientException",
            message: 'Error while querying REST service. HttpStatusCode=500 ErrorMessage={"error":{"code":"InternalServerError","message":"Active Directory server  is not available.","innererror":{"type":"Microsoft.Exchange.Data.Directory.ADTransientException"}}}',
            errorId: STAMP,
        });
        assert.ok(e instanceof TransientError, e.constructor.name);
    });

    it("HTTP 429 after the module's retries is throttling, with or without the error code", () => {
        const withCode = c("Get-AcceptedDomain", { reason: "RestClientException", message: 'Error while querying REST service. HttpStatusCode=429 ErrorMessage={"error":{"code":"TooManyRequests"}}', errorId: STAMP });
        const statusOnly = c("Get-AcceptedDomain", { reason: "RestClientException", message: "Error while querying REST service. HttpStatusCode=429 ErrorMessage=", errorId: STAMP });
        const netStyle = c("Get-AcceptedDomain", { reason: "HttpRequestException", message: "Response status code does not indicate success: 429 (Too Many Requests)." });
        for (const e of [withCode, statusOnly, netStyle]) assert.ok(e instanceof ThrottledError, `${e.constructor.name}: ${e.message}`);
    });

    it("HTTP 401 in the message is an auth error", () => {
        const e = c("Get-AcceptedDomain", { reason: "RestClientException", message: 'Error while querying REST service. HttpStatusCode=401 ErrorMessage={"error":{"code":"Unauthorized"}}' });
        assert.ok(e instanceof AE, e.constructor.name);
    });

    it("a Connect error whose errorId is its message: a tenant named shop-503 is not a 503", () => {
        const message = "AADSTS90002: Tenant 'shop-503.onmicrosoft.com' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.";
        const e = c("Connect-ExchangeOnline", { reason: "MsalServiceException", message, errorId: message });
        assert.ok(e instanceof AE, e.constructor.name);
        assert.match(e.message, /check exchange:organization/, "a wrong tenant is blamed on exchange:organization, not exchange:auth");
        assert.doesNotMatch(e.message, /exchange:auth/);
    });

    it("tenant, app and domain names never decide the class", () => {
        const cases: Array<[string, new (...a: never[]) => import("../../../components/exchange/errors").ExchangeError]> = [
            ["AADSTS700016: Application with identifier 'throttle-429-app' was not found in the directory 'busy-502.onmicrosoft.com'.", AE],
            ["The value 'throttled-503.example' isn't valid: MatchSubDomains can only be set on an InternalRelay domain.", VE],
        ];
        for (const [message, expected] of cases) {
            const e = c("Connect-ExchangeOnline", { reason: "Exception", message, errorId: message });
            assert.ok(e instanceof expected, `${message} -> ${e.constructor.name}`);
        }
    });

    it("a GUID as organization is the organization's fault", () => {
        const message = "Organization cannot be a Guid, please enter the name of the tenant instead.";
        const e = c("Connect-ExchangeOnline", { reason: "ArgumentException", message, errorId: message });
        assert.ok(e instanceof AE);
        assert.match(e.message, /exchange:organization/);
    });

    it("#maskQuotedValues masks quoted values, not apostrophes", () => {
        assert.equal(
            maskQuotedValues("The operation couldn't be performed because object 'shop-503.com' couldn't be found on 'S.PROD.OUTLOOK.COM'."),
            "The operation couldn't be performed because object '…' couldn't be found on '…'.",
        );
        assert.equal(maskQuotedValues("Tenant 'it''s-429' not found"), "Tenant '…' not found");
    });

    it("#httpStatusOf reads only statuses written as statuses", () => {
        assert.equal(httpStatusOf("Error while querying REST service. HttpStatusCode=500 ErrorMessage={}"), 500);
        assert.equal(httpStatusOf("The remote server returned an error: (401) Unauthorized."), 401);
        assert.equal(httpStatusOf("HTTP 503,Get-AcceptedDomain"), 503);
        assert.equal(httpStatusOf("429"), 429);
        assert.equal(httpStatusOf("RequestId=5031-429 on server AM0PR503MB"), undefined);
        assert.equal(httpStatusOf("domain api-401.contoso.com"), undefined);
    });

    it("stderr with ConciseView colours still yields the record", () => {
        const line = JSON.stringify({ reason: "ManagementObjectNotFoundException", message: "||object 'x' couldn't be found on 's'." });
        assert.ok(fs("Get-AcceptedDomain", `\u001b[?1h\u001b[?1l${line}\n`) instanceof NF);
        const plain = fs("Get-AcceptedDomain", "\u001b[31;1mGet-AcceptedDomain: \u001b[31;1mThe term 'Get-AcceptedDomain' is not recognized as a name of a cmdlet\u001b[0m\n");
        assert.doesNotMatch(plain.message, /\u001b/, "no escape reaches a message");
    });
});

describe("errors across the session keeper's socket", () => {
    it("keep their class, cmdlet, message and record, so NotFound still means gone and nothing else does", () => {
        const record = { reason: "ManagementObjectNotFoundException", message: "couldn't be found", errorId: "x" };
        for (const Ctor of [NotFoundError, ValidationError, ThrottledError, AuthError, SessionLostError, TimeoutError, ExchangeError]) {
            const back = errorFromJson(JSON.parse(JSON.stringify(errorToJson(new Ctor("Get-AcceptedDomain", "the message", record)))));
            assert.ok(back instanceof Ctor && back.constructor === Ctor, Ctor.name);
            assert.deepEqual([(back as ExchangeError).cmdlet, back.message, (back as ExchangeError).record], ["Get-AcceptedDomain", "the message", record]);
        }
        const bug = errorFromJson(errorToJson(new TypeError("x is undefined")));
        assert.ok(!(bug instanceof ExchangeError) && bug.message === "x is undefined", "any other error stays a plain error, never a NotFound");
    });
});
