/**
 * AcceptedDomain: one Exchange Online accepted domain, declared with its type.
 *
 * Exchange Online can't create or remove accepted domains (they come from the
 * verified Microsoft 365 domains), so this resource adopts and releases them:
 *
 *   configure  reads exchange:* from the stack config (credentials never enter the provider text in the state)
 *   check      validates and normalises; reads the coexistence signals once per run
 *              (Get-OnPremisesOrganization, Get-OutboundConnector, Get-Recipient -Filter IsDirSynced)
 *   diff       compares with the live tenant (one shared Get-AcceptedDomain -ResultSize Unlimited)
 *   create     adopts the domain, records its original settings, Set-AcceptedDomain for what differs
 *   read       returns the live values (Get-AcceptedDomain, shared); only not-found means gone
 *   update     Set-AcceptedDomain with only the differing parameters
 *   delete     leaves the domain as it is, or with onDelete "restore" Set-AcceptedDomain back to the original
 *
 * Usable from any TypeScript Pulumi program:
 *
 *   import { AcceptedDomain } from "./components";
 *   new AcceptedDomain("contoso.com", { domainName: "contoso.com", domainType: "InternalRelay" });
 *
 * with exchange:organization and exchange:auth (and optionally exchange:pwshPath) in the stack config.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { compiledModulePath } from "./compiled";
import { ACCEPTED_DOMAIN_TYPE, type AcceptedDomainInputs, type AcceptedDomainOutputs, type AuthoritativeOverride, type CoexistenceSignals, type DomainSettings, type EntraSignals, type OnDelete } from "./schema";

export { ACCEPTED_DOMAIN_TYPE };
export type { AcceptedDomainInputs, AcceptedDomainOutputs };

/** What a program passes. domainType also accepts the KB's names: Shared (= InternalRelay), Hosted (= Authoritative). */
export interface AcceptedDomainArgs {
    /** The domain, e.g. contoso.com (case, a trailing dot and IDN are normalised). */
    domainName: pulumi.Input<string>;
    /** Authoritative or InternalRelay (or Hosted / Shared). ExternalRelay is refused: Exchange Online doesn't offer it. */
    domainType: pulumi.Input<string>;
    /** Accept mail for subdomains too (InternalRelay only). Default false. */
    matchSubDomains?: pulumi.Input<boolean>;
    /** Default false. */
    outboundOnly?: pulumi.Input<boolean>;
    /** Declares that the domain's users are synced from on-premises (read by the policy pack). Default false. */
    directorySynced?: pulumi.Input<boolean>;
    /** "retain" (default): leave the domain as it is on delete; "restore": set back the original settings. */
    onDelete?: pulumi.Input<OnDelete>;
    /** Entra ID signals for this domain, when the stack enables the azuread lookup. */
    entra?: pulumi.Input<EntraSignals>;
    /**
     * The stack owner's reviewed exception to the provider's guard: lets a create, update or restore make
     * the domain Authoritative although it shows coexistence signals, until `expires` (YYYY-MM-DD, UTC).
     */
    authoritativeDespiteCoexistence?: pulumi.Input<AuthoritativeOverride>;
}

/**
 * The lifecycle module, relative to the @pulumi/pulumi package that hosts the
 * provider process (the engine's dynamic-provider host is that package's
 * cmd/dynamic-provider, found from the program directory). Both live in this
 * checkout, so the path still resolves after the checkout is moved or cloned
 * elsewhere, or the program's `main` changes (an absolute path, or one relative
 * to the working directory, would break the delete of a resource removed from
 * code). Chosen once, in the program process: the compiled JavaScript in dist/
 * when it is fresh (compiled.ts), else the source itself, which the provider
 * process then transpiles (about a second more at each provider start).
 */
const PULUMI_SDK_MANIFEST = "@pulumi/pulumi/package.json";
// With "/" even when written on Windows: path.resolve takes it everywhere, a backslash only there.
const LIFECYCLE_MODULE: string = path.relative(path.dirname(require.resolve(PULUMI_SDK_MANIFEST)), lifecycleModulePath()).split(path.sep).join("/");

function lifecycleModulePath(): string {
    return compiledModulePath(require.resolve("./exchange/lifecycle"));
}

/**
 * The `__provider` input of every AcceptedDomain: the module text that the
 * engine's Node.js dynamic-provider host loads (require-from-string, then
 * `handler()` returns the provider object). pulumi.dynamic.Resource would put a
 * serialised closure here, about 3 KB with Pulumi's wrappers; this one only
 * names the lifecycle module, so it captures no value from the program (no
 * credential can end up in it) and is a fifth of the size. It is stored twice
 * per domain (inputs and outputs) and Pulumi's file backend rewrites the whole
 * state after each step, so at 1,000 domains every byte here is written
 * millions of times during an adoption. A .ts module (dist/ stale) gets
 * ts-node, transpile only, first: the provider process has no TypeScript loader.
 * A resource keeps the text it was last created or updated with (Pulumi carries
 * the old outputs over an unchanged step), so the module it names must stay
 * loadable; the text says what to do when it isn't.
 */
export function providerSource(lifecycleModule: string): string {
    return [
        "exports.handler = () => {",
        '  const path = require("path");',
        `  const file = path.resolve(path.dirname(require.resolve(${JSON.stringify(PULUMI_SDK_MANIFEST)})), ${JSON.stringify(lifecycleModule)});`,
        '  if (file.endsWith(".ts") && !process[Symbol.for("ts-node.register.instance")]) require(require.resolve("ts-node", { paths: [file] })).register({ transpileOnly: true });',
        '  const provider = require("fs").existsSync(file) ? require(file).acceptedDomainProvider : undefined;',
        "  if (!provider) throw new Error(`AcceptedDomain provider not found in ${file}: build or update the project there (npm run build)`);",
        "  return provider;",
        "};",
    ].join("\n");
}

const PROVIDER_SOURCE = providerSource(LIFECYCLE_MODULE);

/** An Exchange Online accepted domain managed by this stack (type token in ACCEPTED_DOMAIN_TYPE). */
export class AcceptedDomain extends pulumi.CustomResource {
    declare readonly domainName: pulumi.Output<string>;
    declare readonly domainType: pulumi.Output<DomainSettings["domainType"]>;
    declare readonly matchSubDomains: pulumi.Output<boolean>;
    declare readonly outboundOnly: pulumi.Output<boolean>;
    declare readonly directorySynced: pulumi.Output<boolean>;
    declare readonly onDelete: pulumi.Output<OnDelete>;
    /** Tenant coexistence signals read by check (plain values, known at preview). */
    declare readonly coexistence: pulumi.Output<CoexistenceSignals>;
    /** The accepted domain's Name in Exchange. */
    declare readonly identity: pulumi.Output<string>;
    /** The settings recorded when the stack adopted the domain. */
    declare readonly original: pulumi.Output<DomainSettings>;

    constructor(name: string, args: AcceptedDomainArgs, opts?: pulumi.CustomResourceOptions) {
        // What pulumi.dynamic.Resource does, with the short provider text above. Every key
        // here costs the SDK four promises, each capturing a stack trace, per resource, so
        // only outputs worth reading are declared: `drift` (always {} once applied) stays in
        // the checked inputs and the state, and an absent `entra` isn't sent at all.
        const { entra, ...rest } = args;
        super(
            ACCEPTED_DOMAIN_TYPE,
            name,
            { ...rest, ...(entra === undefined ? {} : { entra }), __provider: PROVIDER_SOURCE, coexistence: undefined, identity: undefined, original: undefined },
            opts,
        );
    }
}
