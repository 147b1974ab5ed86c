/**
 * Policy config, zod first: each rule declares its config as a zod object, and the
 * JSON schema the CLI validates `--policy-pack-config` against (the rule's
 * `configSchema`) is derived from it, so the two cannot drift.
 *
 * The schema uses the "input" view (fields with defaults are optional, defaults are
 * listed so the engine fills them in) and JSON Schema draft-07, which the CLI's
 * validator (gojsonschema) understands. `enforcementLevel` is never a property:
 * the SDK reserves it (pulumi-policy tests/integration/invalid_policy).
 */
import type { PolicyConfigSchema } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { z } from "zod";

type ConfigObject = z.ZodObject<z.ZodRawShape>;

export function configSchemaOf(schema: ConfigObject): PolicyConfigSchema {
    const json = z.toJSONSchema(schema, { io: "input", target: "draft-7" });
    // zod emits a draft-07 object schema; the SDK's type is the same standard, typed more narrowly.
    const properties = (json.properties ?? {}) as Record<string, PolicyConfigJSONSchema>;
    const required = Array.isArray(json.required) ? json.required : [];
    return required.length > 0 ? { properties, required } : { properties };
}

/**
 * Reads a rule's config with its zod schema. The CLI has validated it already;
 * a failure here means the pack ran without that validation, and must be loud
 * rather than fall back to a permissive default.
 */
export function readConfig<S extends ConfigObject>(policyName: string, schema: S, raw: object): z.infer<S> {
    const result = schema.safeParse(raw, { reportInput: true });
    if (result.success) {
        return result.data;
    }
    const problems = result.error.issues.map((issue) => {
        const key = [policyName, ...issue.path.map(String)].join(".");
        return `${key} = ${JSON.stringify(issue.input) ?? "missing"}: ${issue.message}`;
    });
    throw new Error(
        `policy config for ${policyName} is invalid: ${problems.join("; ")}. ` +
            `Fix the --policy-pack-config file (see policies/README.md).`,
    );
}
