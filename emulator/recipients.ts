/**
 * Recipients as both recipient cmdlets filter them: the OPATH properties the emulator knows
 * (https://learn.microsoft.com/powershell/exchange/filter-properties) read from the tenant state.
 */
import type { BoundParams } from "./cmdlets/types";
import { matchesIdentity } from "./exo-objects";
import { evaluateFilter, type FilterNode, type FilterValue } from "./opath";
import type { RecipientState } from "./state";
import type { Value } from "./values";

export const RECIPIENT_FILTERABLE = ["IsDirSynced", "EmailAddresses", "PrimarySmtpAddress", "RecipientType", "RecipientTypeDetails", "Name", "DisplayName", "ExternalEmailAddress"] as const;

/** A recipient's value of one filterable property. */
export function recipientProperty(r: RecipientState, name: string): FilterValue {
    switch (name) {
        case "IsDirSynced":
            return r.isDirSynced;
        case "EmailAddresses":
            return r.emailAddresses.length ? r.emailAddresses : [`SMTP:${r.primarySmtpAddress}`];
        case "PrimarySmtpAddress":
            // "Any filter that uses the PrimarySmtpAddress property also searches values in the EmailAddresses property."
            return [r.primarySmtpAddress, ...r.emailAddresses];
        case "RecipientType":
            return r.recipientType;
        case "RecipientTypeDetails":
            return r.recipientTypeDetails ?? r.recipientType;
        case "Name":
            return r.name;
        case "DisplayName":
            return r.displayName ?? r.name;
        default:
            return r.externalEmailAddress ?? null;
    }
}

/**
 * The recipients a recipient cmdlet selects: by identity (Name, address or Guid; none is "not found"),
 * -RecipientType, -RecipientTypeDetails and a parsed -Filter. Shared by Get-Recipient and Get-EXORecipient.
 */
export function selectRecipients(
    all: readonly RecipientState[],
    params: BoundParams,
    identity: Value | undefined,
    filter: FilterNode | undefined,
): { found: false } | { found: true; recipients: readonly RecipientState[] } {
    let out = all;
    if (typeof identity === "string") {
        out = out.filter((r) => matchesIdentity(identity, [r.name, r.primarySmtpAddress, r.guid, ...r.emailAddresses.map((a) => a.replace(/^smtp:/i, ""))]));
        if (out.length === 0) return { found: false };
    }
    const types = params.get("RecipientType");
    if (Array.isArray(types)) out = out.filter((r) => types.some((t) => String(t).toLowerCase() === r.recipientType.toLowerCase()));
    const details = params.get("RecipientTypeDetails");
    if (Array.isArray(details)) out = out.filter((r) => details.some((t) => String(t).toLowerCase() === (r.recipientTypeDetails ?? r.recipientType).toLowerCase()));
    if (filter) out = out.filter((r) => evaluateFilter(filter, (p) => recipientProperty(r, p)));
    return { found: true, recipients: out };
}
