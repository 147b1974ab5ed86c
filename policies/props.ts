/**
 * What the policies read from an AcceptedDomain: its checked inputs (args.props),
 * validated with zod so that no rule reasons about a shape it did not expect.
 *
 * Derived from the checked-inputs schema in components/schema.ts (the single
 * source of the shape), with a stricter domainName and without `drift`, which no
 * rule reads. Unknown keys (such as the dynamic provider's `__provider`) are ignored.
 *
 * Parsing reads every property through the SDK's unknown-checking proxy; an unknown
 * value throws UnknownValueError out of zod untouched, and the SDK reports it as
 * "can't run policy during preview" (pulumi-policy sdk/nodejs/policy/server.ts).
 */
import { z } from "zod";
import { acceptedDomainInputsSchema } from "../components/schema";

/** The resource's domainName after the provider's check: lowercase ASCII FQDN without trailing dot. */
const checkedDomainNameSchema = z
    .string()
    .regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
        message: "must be a lowercase ASCII domain name without trailing dot",
    });

export const acceptedDomainPropsSchema = acceptedDomainInputsSchema.omit({ drift: true }).extend({
    domainName: checkedDomainNameSchema,
});
export type AcceptedDomainProps = z.infer<typeof acceptedDomainPropsSchema>;

export type ParsedProps = { ok: true; props: AcceptedDomainProps } | { ok: false; problems: string[] };

/** Longest rendering of an offending value in a message; props carry no secrets, but a closure string would drown the message. */
const MAX_VALUE_CHARS = 60;

function render(value: unknown): string {
    if (value === undefined) {
        return "missing";
    }
    const text = JSON.stringify(value) ?? String(value);
    return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}...` : text;
}

/** Parses props; each problem names the key, the value found and what was expected. */
export function parseAcceptedDomainProps(props: Record<string, unknown>): ParsedProps {
    const result = acceptedDomainPropsSchema.safeParse(props, { reportInput: true });
    if (result.success) {
        return { ok: true, props: result.data };
    }
    const problems = result.error.issues.map((issue) => {
        const key = issue.path.length > 0 ? issue.path.join(".") : "(props)";
        return `${key} is ${render(issue.input)}: ${issue.message}`;
    });
    return { ok: false, problems };
}
