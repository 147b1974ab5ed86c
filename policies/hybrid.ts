/**
 * Advisory rules for the hybrid mistakes an Exchange admin expects to be told about: an InternalRelay
 * domain with no route on-premises, MatchSubDomains without the connector's "*.<domain>", and duplicate
 * accepted-domain objects. The findings and their Microsoft sources live in components/hybrid-advice.ts,
 * which the drift report lists too.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ADVICE_DESCRIPTIONS, internalRelayRoute, subdomainRoute, uniqueObjects, type Advice, type AdviceInputs, type AdviceRule } from "../components/hybrid-advice";
import { microsoftDomainKind } from "../components/microsoft-domains";
import { acceptedDomainProps } from "./hygiene";

function adviceRule(name: AdviceRule, finding: (d: AdviceInputs) => Advice | undefined, microsoftToo = false): ResourceValidationPolicy {
    return {
        name,
        description: ADVICE_DESCRIPTIONS[name],
        validateResource: (args, reportViolation) => {
            const props = acceptedDomainProps(args);
            if (!microsoftToo && microsoftDomainKind(props.domainName) !== undefined) {
                return args.notApplicable(`${props.domainName} is Microsoft's own domain; Microsoft routes it`);
            }
            const advice = finding(props);
            if (advice) {
                reportViolation(advice.message);
            }
        },
    };
}

/** @internal */
export const hybridPolicies = [
    adviceRule("internal-relay-routed-on-premises", internalRelayRoute),
    adviceRule("match-subdomains-routed-on-premises", subdomainRoute),
    adviceRule("accepted-domain-objects-unique", uniqueObjects, true),
];
