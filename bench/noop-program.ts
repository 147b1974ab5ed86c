/**
 * The benchmark's baseline: the same stack shape as the product (one dynamic
 * resource per entry of exchange:domains, same inputs), with a provider that
 * does no I/O. Its figures are Pulumi's own cost for N dynamic resources; the
 * product's figures are compared with them.
 *
 * bench/run.ts writes this file, transpiled to JavaScript, into a scratch workspace as its index.js.
 */
import * as pulumi from "@pulumi/pulumi";

interface NoopInputs {
    domainName: string;
    domainType: string;
    matchSubDomains: boolean;
    outboundOnly: boolean;
}

const SETTINGS = ["domainType", "matchSubDomains", "outboundOnly"] as const;

// A plain object literal: the serialised closure stays small, like the product's.
const noopProvider: pulumi.dynamic.ResourceProvider<NoopInputs, NoopInputs> = {
    async check(_olds: NoopInputs, news: NoopInputs) {
        return { inputs: news };
    },
    async diff(_id: string, olds: NoopInputs, news: NoopInputs) {
        return { changes: SETTINGS.some((k) => olds[k] !== news[k]), replaces: olds.domainName !== news.domainName ? ["domainName"] : [] };
    },
    async create(inputs: NoopInputs) {
        return { id: inputs.domainName, outs: inputs };
    },
    async read(id: string, props?: NoopInputs) {
        return { id, props };
    },
    async update(_id: string, _olds: NoopInputs, news: NoopInputs) {
        return { outs: news };
    },
    async delete() {
        return;
    },
};

class NoopDomain extends pulumi.dynamic.Resource {
    constructor(name: string, args: NoopInputs) {
        super(noopProvider, name, args, undefined, "bench", "NoopDomain");
    }
}

const domains = new pulumi.Config("exchange").requireObject<Record<string, { type: string; matchSubDomains?: boolean; outboundOnly?: boolean }>>("domains");
for (const [domainName, d] of Object.entries(domains)) {
    new NoopDomain(domainName, {
        domainName,
        domainType: d.type,
        matchSubDomains: d.matchSubDomains ?? false,
        outboundOnly: d.outboundOnly ?? false,
    });
}
export const count = Object.keys(domains).length;
