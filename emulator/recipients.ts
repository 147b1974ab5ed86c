/**
 * Recipients as both recipient cmdlets filter them: the OPATH properties the emulator knows
 * (https://learn.microsoft.com/powershell/exchange/filter-properties) read from the tenant state.
 */
import type { FilterValue } from "./opath";
import type { RecipientState } from "./state";

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
