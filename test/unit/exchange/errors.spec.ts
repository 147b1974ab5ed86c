import { strict as assert } from "assert";
import {
    AuthError,
    classify,
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
