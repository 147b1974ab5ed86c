/**
 * ConvertTo-SecureString — https://learn.microsoft.com/powershell/module/microsoft.powershell.security/convertto-securestring
 * Syntax (PlainText set): ConvertTo-SecureString [-String] <String> [-AsPlainText] [-Force]
 * Other sets (-SecureKey, -Key) decrypt encrypted standard strings, which the emulator does not model.
 */
import { PsError, psErrors } from "../errors";
import { SecureString } from "../values";
import type { CmdletDef, ParamSpec } from "./types";

const SIGNATURE: readonly ParamSpec[] = [
    { name: "String", type: "string", psType: "System.String", position: 0, mandatory: true },
    { name: "AsPlainText", type: "switch", psType: "System.Management.Automation.SwitchParameter" },
    { name: "Force", type: "switch", psType: "System.Management.Automation.SwitchParameter" },
    { name: "SecureKey", type: "securestring", psType: "System.Security.SecureString", unsupported: true },
    { name: "Key", type: "object", psType: "System.Byte[]", unsupported: true },
];

export const convertToSecureString: CmdletDef = {
    name: "ConvertTo-SecureString",
    module: "Microsoft.PowerShell.Security",
    kind: "local",
    params: SIGNATURE,
    async run(ctx) {
        if (ctx.params.get("AsPlainText") !== true) {
            throw new PsError(psErrors.runtime("Decrypting an encrypted standard string is not supported by the Exchange Online emulator; use -AsPlainText.", "ImportSecureString_InvalidArgument,Microsoft.PowerShell.Commands.ConvertToSecureStringCommand", "InvalidArgument"));
        }
        return [new SecureString(String(ctx.params.get("String") ?? ""))];
    },
};
