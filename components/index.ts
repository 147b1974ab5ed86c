/**
 * Public API of the components: use them from the stack program (index.ts) or from
 * your own TypeScript Pulumi program.
 */
export { AcceptedDomain, type AcceptedDomainArgs } from "./accepted-domain";
export { AcceptedDomains, type AcceptedDomainsArgs, type DomainSummary } from "./accepted-domains";
export { ConfigError, readStackConfig, readConnectionConfig, type ConfigGetter } from "./exchange/config";
export { startReadsFromProgram } from "./exchange/read-ahead";
export * from "./schema";
