/**
 * Domain names as people write them in policy config, and how they match the
 * lowercase domain names the AcceptedDomain resource carries.
 *
 * Config entries are matched case-insensitively and a trailing dot (the DNS root)
 * is ignored, because admins paste names from DNS tools and the Exchange admin
 * center alike. A leading `*.` matches every subdomain at any depth but not the
 * parent itself (`*.contoso.com` covers `eu.contoso.com` and `a.eu.contoso.com`,
 * not `contoso.com`): list both when both are synced. This is the usual DNS
 * wildcard reading and keeps a wildcard from silently widening to the apex.
 */
import { z } from "zod";

/** One DNS label: letters, digits and inner hyphens, 1-63 characters (RFC 1035). Written for RE2 too (the CLI validates config with Go's regexp). */
const LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";

/** A fully qualified domain name, any case, optional trailing dot. */
export const DOMAIN_PATTERN = `^(?:${LABEL}\\.)+${LABEL}\\.?$`;
/** A domain name or a `*.`-prefixed subdomain wildcard. */
export const DOMAIN_OR_WILDCARD_PATTERN = `^(?:\\*\\.)?(?:${LABEL}\\.)+${LABEL}\\.?$`;

export const domainNameSchema = z
    .string()
    .regex(new RegExp(DOMAIN_PATTERN), { message: "must be a domain name such as contoso.com" });

export const domainPatternSchema = z.string().regex(new RegExp(DOMAIN_OR_WILDCARD_PATTERN), {
    message: "must be a domain name such as contoso.com or a subdomain wildcard such as *.contoso.com",
});

// Matching lives with the components: the tenant reader matches connector RecipientDomains the same way.
export { domainMatches, normalizeDomain } from "../components/domain-match";
