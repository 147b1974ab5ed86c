/**
 * The policy pack: assembles the rule families, nothing else.
 *
 * PolicyPack reads its version from `${process.cwd()}/package.json`
 * (@pulumi/policy policy.ts). The language host starts the pack in the stack's
 * working directory, which is not always this folder, so the pack moves to its
 * own folder and its own package.json first.
 */
import { PolicyPack } from "@pulumi/policy";
import { coexistencePolicies } from "./coexistence";
import { hygienePolicies } from "./hygiene";
import { hybridPolicies } from "./hybrid";

process.chdir(__dirname);

new PolicyPack("exchange-accepted-domains", {
    // Rules without their own level are advisory; synced-domain-not-authoritative is mandatory.
    enforcementLevel: "advisory",
    policies: [...coexistencePolicies, ...hygienePolicies, ...hybridPolicies],
});
