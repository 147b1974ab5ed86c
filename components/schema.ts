/**
 * The single source of truth for the shapes that cross module boundaries: stack
 * config, the AcceptedDomain resource's inputs and outputs, and the type token
 * the policy pack matches on. Types are derived from these zod schemas.
 *
 * Policies import only this file (never the provider or node-powershell).
 */
import { domainToASCII } from "url";
import { z } from "zod";

/** Token of the dynamic resource: `pulumi-nodejs:dynamic/<module>:<Type>` (pulumi/pulumi PR #11873). */
export const ACCEPTED_DOMAIN_TYPE = "pulumi-nodejs:dynamic/exchange:AcceptedDomain";

/** The two types Exchange Online accepts for Set-AcceptedDomain -DomainType (ExternalRelay is refused in the cloud). */
export const domainTypeSchema = z.enum(["Authoritative", "InternalRelay"]);
export type DomainType = z.infer<typeof domainTypeSchema>;

/** What happens to the tenant when the resource leaves the stack. */
export const onDeleteSchema = z.enum(["retain", "restore"]);
export type OnDelete = z.infer<typeof onDeleteSchema>;

/** See coexistenceSignalsSchema.syncedRecipients. */
export const syncedRecipientsSchema = z.enum(["found", "none", "not-read"]);
export type SyncedRecipients = z.infer<typeof syncedRecipientsSchema>;

/**
 * Tenant-side coexistence signals, read once per run by the provider's check and
 * attached to the checked inputs as plain values, so the policy pack sees them at
 * preview (an unknown value would downgrade a mandatory rule to advisory).
 */
export const coexistenceSignalsSchema = z.object({
    /** The domain is in Get-OnPremisesOrganization's HybridDomains. */
    hybridDomain: z.boolean(),
    /** Names of OnPremises outbound connectors whose RecipientDomains cover the domain. */
    onPremisesConnectors: z.array(z.string()),
    /**
     * Of those, the ones that also route its subdomains ("*.<domain>", "*" or AllAcceptedDomains), which
     * MatchSubDomains needs ("Enable mail flow for subdomains in Exchange Online"). Not a coexistence signal.
     */
    subdomainConnectors: z.array(z.string()),
    /**
     * Whether a directory-synced recipient (IsDirSynced) has an address in the domain: "found" or
     * "none" from one bounded query (Get-EXORecipient -ResultSize 1), or "not-read" where no rule
     * needs it (a domain that will not be Authoritative, declared or restored, and Microsoft's own domains).
     */
    syncedRecipients: syncedRecipientsSchema,
    /** Entra ID signals, present only when the stack enables the azuread lookup. */
    entra: z
        .object({
            federated: z.boolean(),
            syncedUsers: z.number().int().nonnegative(),
        })
        .optional(),
});
export type CoexistenceSignals = z.infer<typeof coexistenceSignalsSchema>;

// ---------------------------------------------------------------------------
// Domain names and domain types as users write them
// ---------------------------------------------------------------------------

/**
 * Characters that cannot be in a hostname and are no international letter either: quotes of any kind
 * (ASCII, typographic, primes, guillemets), backtick, whitespace (any Unicode space or line break),
 * control and format characters (zero-width, bidi marks), and the ASCII punctuation hostnames exclude.
 */
const TYPO_CHARACTER = /["'`\u00AB\u00BB\u2018-\u201F\u2032-\u2037\u2039\u203A\u300C-\u300F\uFF02\uFF07\s\p{Cc}\p{Cf}<>()[\]{}\\/,;:!?#$%&=+~^|]/u;

/** A character for a message: itself when visible, and its code point and name where known. */
function describeCharacter(ch: string): string {
    const code = `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
    const names: Record<string, string> = {
        " ": "a space",
        "\t": "a tab",
        "'": "a single quote",
        '"': "a double quote",
        "`": "a backtick",
        "\u2018": "a left single quotation mark",
        "\u2019": "a right single quotation mark",
        "\u201C": "a left double quotation mark",
        "\u201D": "a right double quotation mark",
        "\u00A0": "a no-break space",
        "\u200B": "a zero-width space",
    };
    const name = names[ch];
    const visible = /[\s\p{Cc}\p{Cf}]/u.test(ch) ? "" : ` "${ch}"`;
    return name ? `${name} (${code})` : `the character${visible} (${code})`;
}

/** Result of normalising a user-written domain name. */
export type DomainNameResult = { ok: true; domain: string } | { ok: false; reason: string };

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Normalises a domain the way Exchange stores it: lower case, no trailing dot,
 * IDN in its ASCII (punycode) form. Refuses what can't be an accepted domain,
 * saying what to write instead.
 */
export function normalizeDomainName(raw: string): DomainNameResult {
    const trimmed = raw.trim().replace(/\.$/, "");
    if (trimmed === "") {
        return { ok: false, reason: "the domain name is empty; write the domain, e.g. contoso.com" };
    }
    if (trimmed.includes("@")) {
        return { ok: false, reason: `"${raw}" looks like an email address; write only the domain part, e.g. contoso.com` };
    }
    if (trimmed.startsWith("*")) {
        return {
            ok: false,
            reason: `"${raw}" is a wildcard; declare the parent domain and set matchSubDomains: true (InternalRelay only)`,
        };
    }
    // A character no hostname can hold is a typo (a stray quote from a copied snippet, a tab, a space),
    // not an international name: refuse it by name before IDNA would turn it into punycode.
    const typo = TYPO_CHARACTER.exec(trimmed);
    if (typo) {
        return {
            ok: false,
            reason: `${JSON.stringify(raw)} contains ${describeCharacter(typo[0])} at position ${typo.index + 1}, which can't be part of a domain name; remove it (write e.g. contoso.com)`,
        };
    }
    // domainToASCII lower-cases and applies IDNA/punycode; it returns "" for names it can't convert.
    const ascii = domainToASCII(trimmed);
    if (ascii === "") {
        return {
            ok: false,
            reason: `"${raw}" is not a valid domain name (it has characters that can't be converted to an ASCII/punycode name); write the domain as registered in Microsoft 365, e.g. contoso.com or xn--bcher-kva.example`,
        };
    }
    const labels = ascii.split(".");
    if (ascii.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^[0-9]+$/.test(labels[labels.length - 1])) {
        return {
            ok: false,
            reason: `"${raw}" is not a valid domain name; write a fully qualified domain of letters, digits and hyphens, e.g. contoso.com`,
        };
    }
    return { ok: true, domain: ascii };
}

/** Names the Microsoft KB uses for the two cloud domain types. */
export const KB_DOMAIN_TYPE_NAMES: Readonly<Record<string, DomainType>> = {
    shared: "InternalRelay",
    hosted: "Authoritative",
};

const DOMAIN_TYPE_FIX = "write Authoritative (the KB's Hosted) or InternalRelay (the KB's Shared)";

/** Why ExternalRelay is refused, and what to write instead. */
export const EXTERNAL_RELAY_REFUSAL =
    "ExternalRelay is not available in Exchange Online (Set-AcceptedDomain accepts only Authoritative or InternalRelay in the cloud); " +
    "for a domain whose mailboxes are partly elsewhere (e.g. on-premises), write InternalRelay (the KB's Shared)";

/** Why MatchSubDomains is refused on an Authoritative domain, and what to write instead. */
export const MATCH_SUBDOMAINS_REFUSAL =
    "matchSubDomains is only valid on an InternalRelay domain (Exchange Online refuses it on Authoritative); " +
    "set domainType: InternalRelay, or remove matchSubDomains";

/** A domain type as users may write it: either cloud name (any case) or the KB's Shared/Hosted. */
export const domainTypeInputSchema = z.string({ error: `domainType must be a string; ${DOMAIN_TYPE_FIX}` }).transform((value, ctx): DomainType => {
    const key = value.trim().toLowerCase();
    const canonical = domainTypeSchema.options.find((t) => t.toLowerCase() === key) ?? KB_DOMAIN_TYPE_NAMES[key];
    if (canonical) {
        return canonical;
    }
    ctx.addIssue({
        code: "custom",
        message: key === "externalrelay" ? EXTERNAL_RELAY_REFUSAL : `"${value}" is not a domain type; ${DOMAIN_TYPE_FIX}`,
    });
    return z.NEVER;
});

/** A domain name as users may write it, normalised (see normalizeDomainName). */
export const domainNameInputSchema = z.string({ error: "domainName must be a string, e.g. contoso.com" }).transform((value, ctx) => {
    const result = normalizeDomainName(value);
    if (result.ok) {
        return result.domain;
    }
    ctx.addIssue({ code: "custom", message: result.reason });
    return z.NEVER;
});

/** Entra ID signals for one domain (from the optional azuread lookup). */
export const entraSignalsSchema = z.object({
    federated: z.boolean(),
    syncedUsers: z.number().int().nonnegative(),
});
export type EntraSignals = z.infer<typeof entraSignalsSchema>;

// ---------------------------------------------------------------------------
// The AcceptedDomain resource: raw inputs, checked inputs, outputs
// ---------------------------------------------------------------------------

/** The three properties the resource manages in the tenant (Set-AcceptedDomain parameters). */
export const domainSettingsSchema = z.object({
    domainType: domainTypeSchema,
    matchSubDomains: z.boolean(),
    outboundOnly: z.boolean(),
});
export type DomainSettings = z.infer<typeof domainSettingsSchema>;
export const MANAGED_SETTINGS = ["domainType", "matchSubDomains", "outboundOnly"] as const satisfies readonly (keyof DomainSettings)[];

const booleanInput = (key: string) => z.boolean({ error: `${key} must be true or false` });

/** Whether the text is a calendar date as YYYY-MM-DD that exists (2025-02-30 does not: Date rolls it over). */
export function isRealDate(text: string): boolean {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
    const parsed = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text;
}

const isoDateSchema = z.string().refine(isRealDate, { error: "expires must be the last day the override holds, as YYYY-MM-DD (UTC), e.g. 2030-12-31" });

const requiredText = (key: string, what: string) => z.string({ error: `${key} is required: ${what}` }).trim().min(1, { error: `${key} must not be empty: ${what}` });

/**
 * The provider's own, reviewed exception to its guard: this domain may be made Authoritative although
 * it shows coexistence signals. Separate from the policy pack's exemptions (two owners, two keys): the
 * stack's owner writes this one, the policy owner those. Every field is required; an expired one no
 * longer counts (the last day it holds is `expires`, in UTC).
 */
export const authoritativeOverrideSchema = z.strictObject({
    reason: requiredText("reason", "why the domain may be Authoritative despite its coexistence signals"),
    approvedBy: requiredText("approvedBy", "who reviewed and approved it (name or email)"),
    expires: isoDateSchema,
});
export type AuthoritativeOverride = z.infer<typeof authoritativeOverrideSchema>;

/** Inputs as a program passes them (before the provider's check). */
export const acceptedDomainRawInputsSchema = z
    .object({
        domainName: domainNameInputSchema,
        domainType: domainTypeInputSchema,
        matchSubDomains: booleanInput("matchSubDomains").default(false),
        outboundOnly: booleanInput("outboundOnly").default(false),
        directorySynced: booleanInput("directorySynced").default(false),
        onDelete: z
            .enum(onDeleteSchema.options, {
                error: 'onDelete must be "retain" (default: leave the domain as it is) or "restore" (set back the settings recorded at adoption)',
            })
            .default("retain"),
        entra: entraSignalsSchema.optional(),
        authoritativeDespiteCoexistence: authoritativeOverrideSchema.optional(),
    })
    .superRefine((value, ctx) => {
        if (value.domainType === "Authoritative" && value.matchSubDomains) {
            ctx.addIssue({ code: "custom", path: ["matchSubDomains"], message: MATCH_SUBDOMAINS_REFUSAL });
        }
    });
export type AcceptedDomainRawInputs = z.input<typeof acceptedDomainRawInputsSchema>;

/**
 * Out-of-band drift seen by check: property -> "<live> -> <declared>", only for
 * properties whose live value differs. It is part of the checked inputs so that a
 * plain `pulumi preview` displays the pending fix (the CLI shows old outputs vs
 * new inputs, and a dynamic provider can't return a detailed diff).
 */
export const driftSchema = z.record(z.string(), z.string());

/** Inputs after the provider's check: normalised, plain known values. */
export const acceptedDomainInputsSchema = z.object({
    domainName: z.string(),
    domainType: domainTypeSchema,
    matchSubDomains: z.boolean(),
    outboundOnly: z.boolean(),
    directorySynced: z.boolean(),
    onDelete: onDeleteSchema,
    coexistence: coexistenceSignalsSchema,
    drift: driftSchema,
    /** Names of the tenant's other accepted-domain objects with this DomainName (e.g. a "…_RELOCNF_…" copy). */
    duplicates: z.array(z.string()),
    /** The stack owner's reviewed exception to the provider's Authoritative guard, when declared. */
    authoritativeDespiteCoexistence: authoritativeOverrideSchema.optional(),
});
export type AcceptedDomainInputs = z.infer<typeof acceptedDomainInputsSchema>;

/** Outputs: the inputs plus what adoption recorded. */
export const acceptedDomainOutputsSchema = acceptedDomainInputsSchema.extend({
    /** The accepted domain's Name in Exchange (the -Identity used for Set-AcceptedDomain). */
    identity: z.string(),
    /** The domain's settings when the stack adopted it; `onDelete: restore` sets these back. */
    original: domainSettingsSchema,
});
export type AcceptedDomainOutputs = z.infer<typeof acceptedDomainOutputsSchema>;

// ---------------------------------------------------------------------------
// Stack config (exchange:*)
// ---------------------------------------------------------------------------

/** Config namespace of every key below. */
export const CONFIG_NAMESPACE = "exchange";

/** A tenant id as Entra ID writes it: a GUID. */
const TENANT_GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

/**
 * Why a tenant id is refused: Connect-ExchangeOnline -Organization takes the tenant's primary
 * .onmicrosoft.com domain only; module 3.9.0 answers a GUID with "Organization cannot be a Guid,
 * please enter the name of the tenant instead." (office-docs-powershell commit 2e563a9c42, which
 * took "or the tenant id" back out of the Connect-ExchangeOnline page).
 */
export const ORGANIZATION_GUID_REFUSAL =
    "Connect-ExchangeOnline -Organization doesn't accept a tenant id (the module answers \"Organization cannot be a Guid\"); " +
    "use the tenant's initial domain, e.g. contoso.onmicrosoft.com (Microsoft 365 admin center > Settings > Domains)";

/** exchange:organization — the tenant's initial domain, as Connect-ExchangeOnline -Organization takes it. */
export const organizationConfigSchema = z
    .string({ error: "set it to the tenant's initial domain, e.g. contoso.onmicrosoft.com" })
    .transform((value, ctx) => {
        if (TENANT_GUID.test(value.trim())) {
            ctx.addIssue({ code: "custom", message: ORGANIZATION_GUID_REFUSAL });
            return z.NEVER;
        }
        const result = normalizeDomainName(value);
        if (result.ok) {
            return result.domain;
        }
        ctx.addIssue({ code: "custom", message: `${result.reason}; use the tenant's initial domain, e.g. contoso.onmicrosoft.com` });
        return z.NEVER;
    });

/** A POSIX environment variable name (what a workflow's `env:` can set). */
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const nonEmpty = (what: string) => z.string({ error: `${what} is required` }).min(1, { error: `${what} must not be empty` });

/** exchange:auth — how Connect-ExchangeOnline authenticates (app-only). Secret fields: certificatePassword, accessToken. */
export const authConfigSchema = z.discriminatedUnion(
    "kind",
    [
        z.strictObject({
            kind: z.literal("certificate"),
            /** Application (client) id of the Entra app with the Exchange.ManageAsApp permission. */
            appId: nonEmpty("appId (the Entra app's application id)"),
            /** Path to the .pfx file; relative paths resolve from the project directory. */
            certificateFilePath: nonEmpty("certificateFilePath (path to the app's .pfx certificate)"),
            /** The .pfx password: set it with `pulumi config set --secret --path exchange:auth.certificatePassword`. */
            certificatePassword: nonEmpty("certificatePassword (set it as a secret)"),
        }),
        z.strictObject({
            kind: z.literal("managedIdentity"),
            /**
             * A user-assigned identity's client (application) id, sent as -ManagedIdentityAccountId;
             * absent = the system-assigned identity (Connect-ExchangeOnline page).
             */
            accountId: nonEmpty("accountId (the user-assigned managed identity's client id)").optional(),
        }),
        z
            .strictObject({
                kind: z.literal("accessToken"),
                /** An OAuth access token for Exchange Online: set it as a secret. Tokens last about an hour. */
                accessToken: nonEmpty("accessToken (set it as a secret)").optional(),
                /**
                 * The environment variable that holds the token, read by the provider when it connects:
                 * the token is then in neither config nor state (CI hands it over per run, e.g. from
                 * GitHub OIDC; docs/real-tenant.md).
                 */
                accessTokenEnv: z
                    .string({ error: "accessTokenEnv must be the name of an environment variable, e.g. EXO_ACCESS_TOKEN" })
                    .regex(ENV_VAR_NAME, { error: "accessTokenEnv must be the name of an environment variable (letters, digits and _), e.g. EXO_ACCESS_TOKEN" })
                    .optional(),
            })
            .superRefine((auth, ctx) => {
                if ((auth.accessToken === undefined) === (auth.accessTokenEnv === undefined)) {
                    ctx.addIssue({
                        code: "custom",
                        message:
                            auth.accessToken === undefined
                                ? "set accessTokenEnv (the environment variable that holds the token, e.g. EXO_ACCESS_TOKEN) or accessToken (as a secret)"
                                : "set accessToken or accessTokenEnv, not both",
                    });
                }
            }),
    ],
    { error: 'kind must be "certificate" (appId, certificateFilePath, certificatePassword), "managedIdentity" (accountId for a user-assigned identity) or "accessToken" (accessTokenEnv, or accessToken)' },
);
export type AuthConfig = z.infer<typeof authConfigSchema>;

/** The auth as Connect-ExchangeOnline gets it: an access token always in hand (from config or the environment). */
export type ConnectAuth = Exclude<AuthConfig, { kind: "accessToken" }> | { kind: "accessToken"; accessToken: string };

/** Field names whose values are secrets: never printed, logged or stored in plaintext. */
export const SECRET_AUTH_FIELDS = ["certificatePassword", "accessToken"] as const;

/** One entry of exchange:domains. */
export const domainConfigEntrySchema = z.strictObject({
    type: domainTypeInputSchema,
    matchSubDomains: booleanInput("matchSubDomains").optional(),
    outboundOnly: booleanInput("outboundOnly").optional(),
    directorySynced: booleanInput("directorySynced").optional(),
    onDelete: z
        .enum(onDeleteSchema.options, {
            error: 'onDelete must be "retain" (default: leave the domain as it is) or "restore" (set back the settings recorded at adoption)',
        })
        .optional(),
    authoritativeDespiteCoexistence: authoritativeOverrideSchema.optional(),
});
export type DomainConfigEntry = z.input<typeof domainConfigEntrySchema>;

/** exchange:domains — map from domain name to its declared settings. */
export const domainsConfigSchema = z
    .record(z.string(), domainConfigEntrySchema, { error: "set it to a map from domain name to { type: ... }" })
    .superRefine((domains, ctx) => {
        const seen = new Map<string, string>();
        for (const [name, entry] of Object.entries(domains)) {
            const result = normalizeDomainName(name);
            if (!result.ok) {
                ctx.addIssue({ code: "custom", path: [name], message: result.reason });
                continue;
            }
            const previous = seen.get(result.domain);
            if (previous !== undefined) {
                ctx.addIssue({ code: "custom", path: [name], message: `"${name}" and "${previous}" are the same domain (${result.domain}); declare it once` });
            }
            seen.set(result.domain, name);
            if (entry.type === "Authoritative" && entry.matchSubDomains) {
                ctx.addIssue({ code: "custom", path: [name, "matchSubDomains"], message: MATCH_SUBDOMAINS_REFUSAL });
            }
        }
    });
export type DomainsConfig = z.infer<typeof domainsConfigSchema>;

/** The connection settings the provider needs (read in its configure hook). */
export const connectionConfigSchema = z.object({
    organization: organizationConfigSchema,
    auth: authConfigSchema,
    /** The pwsh executable; default: the embedded emulator (<project root>/emulator/bin/pwsh). A real tenant sets "pwsh". */
    pwshPath: z.string().min(1, { error: "pwshPath must not be empty; remove it to use the emulator, or set it to pwsh" }).optional(),
    /**
     * The emulated tenant's state file for this stack, resolved from the project root (the emulator reads
     * it as EXO_EMULATOR_STATE; an EXO_EMULATOR_STATE already set in the environment is overridden).
     * Only the embedded emulator reads it; a real tenant ignores it.
     */
    emulatorState: z.string().min(1, { error: "emulatorState must not be empty; remove it or name the tenant file, e.g. .tmp/demo/tenant.json" }).optional(),
    /** Seconds one cmdlet may take before the session counts as hung (then disposed and reconnected). Default 120. */
    commandTimeoutSeconds: z.number({ error: "commandTimeoutSeconds must be a number of seconds, e.g. 120" }).positive().default(120),
    /** Attempts per cmdlet for throttling and lost sessions (validation errors are never retried). Default 5. */
    maxAttempts: z.number({ error: "maxAttempts must be a whole number, e.g. 5" }).int().min(1).max(20).default(5),
    /** Base delay between attempts in milliseconds, doubled per attempt up to 30 s. Default 2000. */
    retryDelayMs: z.number({ error: "retryDelayMs must be a number of milliseconds, e.g. 2000" }).int().nonnegative().default(2000),
});
export type ConnectionConfig = z.infer<typeof connectionConfigSchema>;

/** Everything the stack program reads. */
export const stackConfigSchema = connectionConfigSchema.extend({
    domains: domainsConfigSchema,
    /** Enables the optional Entra ID (azuread) lookup of federation and synced users. Default false. */
    entra: z.boolean({ error: "entra must be true or false" }).default(false),
});
export type StackConfig = z.infer<typeof stackConfigSchema>;
