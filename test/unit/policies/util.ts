/**
 * Test harness for single policies, after pulumi-policy's sdk/nodejs/policy/tests/util.ts:
 * builds the args the SDK's analyzer builds (props wrapped in unknownCheckingProxy,
 * exported since @pulumi/policy 1.21.0), runs the rule and collects what it reported.
 */
import type {
    PolicyConfigSchema,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import { z } from "zod";
import { ACCEPTED_DOMAIN_TYPE } from "../../../components/schema";

export interface PolicyRun {
    violations: string[];
    /** Reason given to args.notApplicable, when the rule called it. */
    notApplicable?: string;
    /** The SDK turns an unknown value read at preview into an advisory "can't run" message; this is its text. */
    unknownAtPreview?: string;
}

class NotApplicable extends Error {
    constructor(readonly reason: string | undefined) {
        super(reason ?? "not applicable");
    }
}

const OPTIONS: PolicyResourceOptions = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

function urnOf(type: string, name: string): string {
    return `urn:pulumi:test::exchange-accepted-domains::${type}::${name}`;
}

async function collect(run: (report: (message: string) => void) => Promise<void> | void): Promise<PolicyRun> {
    const violations: string[] = [];
    try {
        await run((message) => violations.push(message));
    } catch (e) {
        if (e instanceof NotApplicable) {
            return { violations, notApplicable: e.reason };
        }
        // proxy.d.ts is stripped (@internal), so UnknownValueError arrives untyped: no narrowing.
        if (e instanceof UnknownValueError) {
            return { violations, unknownAtPreview: (e as Error).message };
        }
        throw e;
    }
    return { violations };
}

export interface ResourceOptions {
    type?: string;
    name?: string;
}

/** Runs a resource policy against one resource's props with the given policy config. */
export async function runPolicy(
    policy: ResourceValidationPolicy,
    props: Record<string, unknown>,
    config: object = {},
    { type = ACCEPTED_DOMAIN_TYPE, name = "domain" }: ResourceOptions = {},
): Promise<PolicyRun> {
    const proxied = unknownCheckingProxy(props) as Record<string, unknown>;
    const args: ResourceValidationArgs = {
        type,
        props: proxied,
        urn: urnOf(type, name),
        name,
        opts: OPTIONS,
        stackTags: new Map<string, string>(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
    const validations = policy.validateResource === undefined ? [] : [policy.validateResource].flat();
    return collect(async (report) => {
        for (const validate of validations) {
            await validate(args, (message) => report(message));
        }
    });
}

export interface StackResource {
    type?: string;
    name: string;
    props: Record<string, unknown>;
}

/** Runs a stack policy over a list of resources (their outputs, as analyzeStack sees them). */
export async function runStackPolicy(
    policy: StackValidationPolicy,
    resources: StackResource[],
    config: object = {},
): Promise<PolicyRun> {
    const policyResources: PolicyResource[] = resources.map(({ type = ACCEPTED_DOMAIN_TYPE, name, props }) => ({
        type,
        name,
        urn: urnOf(type, name),
        props: unknownCheckingProxy(props) as Record<string, unknown>,
        opts: OPTIONS,
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
    }));
    const args: StackValidationArgs = {
        resources: policyResources,
        stackTags: new Map<string, string>(),
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
    return collect((report) => policy.validateStack(args, (message) => report(message)));
}

/**
 * Validates a config object against a rule's JSON configSchema the way the CLI does
 * (pulumi pkg/resource/analyzer/config.go convertSchema: an object schema made of
 * the rule's properties and required list), using zod's JSON Schema reader.
 */
export function validateAgainstConfigSchema(schema: PolicyConfigSchema | undefined, config: object): boolean {
    const objectSchema = { type: "object" as const, properties: schema?.properties ?? {}, required: schema?.required ?? [] };
    return z.fromJSONSchema(objectSchema as Parameters<typeof z.fromJSONSchema>[0]).safeParse(config).success;
}

/** Happy-path props of an AcceptedDomain as the provider's check emits them: no coexistence signal at all. */
export function domainProps(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        domainName: "contoso.com",
        domainType: "Authoritative",
        matchSubDomains: false,
        outboundOnly: false,
        directorySynced: false,
        onDelete: "retain",
        coexistence: { hybridDomain: false, onPremisesConnectors: [], subdomainConnectors: [], syncedRecipients: "none" },
        duplicates: [],
        // The dynamic provider's serialised closure travels with the inputs; rules must ignore it.
        __provider: "exports.handler = __f0;",
        ...overrides,
    };
}

/** Coexistence signals with overrides, for one mutation per test. */
export function coexistence(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return { hybridDomain: false, onPremisesConnectors: [], subdomainConnectors: [], syncedRecipients: "none", ...overrides };
}
