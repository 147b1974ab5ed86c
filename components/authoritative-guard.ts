/**
 * The provider's last line against the KB 2510049 outage: no create, update or restore makes a domain
 * with coexistence signals Authoritative, unless that domain carries a valid, reviewed override
 * (authoritativeDespiteCoexistence). The policy pack is the gate for pull requests; this guard holds
 * when a run has no policy pack at all (`up` without `--policy-pack`), and for deletes, which policy
 * packs never see. Pure: the lifecycle decides when to ask, this says yes or no and why.
 */
import type { Signal } from "./coexistence-signals";
import { microsoftDomainKind } from "./microsoft-domains";
import type { AuthoritativeOverride } from "./schema";

export type GuardVerdict =
    | { allowed: true; override?: AuthoritativeOverride }
    | { allowed: false; message: string };

/** What would happen to the recipients, in the words of the KB. */
export const KB_CONSEQUENCE =
    "Exchange Online would then answer every recipient it does not hold with a non-delivery report: on-premises " +
    'users would stop receiving mail from online users (NDR "550 5.1.10 RESOLVER.ADR.RecipientNotFound", Microsoft KB 2510049)';

export interface GuardQuestion {
    domainName: string;
    /** The type the write would set. */
    desiredType: string;
    /** The type the tenant has now. */
    liveType: string;
    signals: readonly Signal[];
    override?: AuthoritativeOverride;
    /** YYYY-MM-DD, UTC. */
    today: string;
}

/** Whether a write that sets desiredType may run. */
export function guardAuthoritative(q: GuardQuestion): GuardVerdict {
    if (q.desiredType !== "Authoritative" || q.liveType === "Authoritative" || microsoftDomainKind(q.domainName) !== undefined || q.signals.length === 0) {
        return { allowed: true };
    }
    if (q.override && q.override.expires >= q.today) {
        return { allowed: true, override: q.override };
    }
    const expired = q.override ? ` Its authoritativeDespiteCoexistence expired on ${q.override.expires} (today is ${q.today}); renew it with a new review.` : "";
    return {
        allowed: false,
        message:
            `refusing to make ${q.domainName} Authoritative: coexistence signals hold (${q.signals.map((s) => s.text).join("; ")}). ` +
            `${KB_CONSEQUENCE}. Nothing was changed.${expired} Set domainType to "InternalRelay" (formerly "Shared"); or, if making it ` +
            `Authoritative is reviewed and intended, add authoritativeDespiteCoexistence: { reason, approvedBy, expires: YYYY-MM-DD } ` +
            `to exchange:domains.${q.domainName}.`,
    };
}

/** The line a run prints when an override let a domain be Authoritative. */
export function overrideUsedLine(domainName: string, signals: readonly Signal[], o: AuthoritativeOverride): string {
    return (
        `${domainName}: Authoritative despite coexistence signals (${signals.map((s) => s.text).join("; ")}), ` +
        `by authoritativeDespiteCoexistence approved by ${o.approvedBy}, valid until ${o.expires}: ${o.reason}`
    );
}

/** Today as YYYY-MM-DD in UTC (a module-level clock so tests can pin it). */
export const guardClock = { today: (): string => new Date().toISOString().slice(0, 10) };
