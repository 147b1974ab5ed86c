/** The emulated machine's ExchangeOnlineManagement versions: order and which PowerShell loads them. */
import * as assert from "assert";
import { loadsOn, newestFirst } from "../../../emulator/modules";

describe("emulator modules", () => {
    it("orders versions numerically, newest first (3.10 after 3.9 is newer)", () => {
        assert.deepStrictEqual(newestFirst(["3.9.2", "3.10.1", "2.0.5", "3.10.0", "3.9.2"]), ["3.10.1", "3.10.0", "3.9.2", "3.9.2", "2.0.5"]);
    });
    it("3.10+ needs PowerShell 7.6, 3.5-3.9.2 need 7.4, 3.0-3.4 need 7.2", () => {
        assert.deepStrictEqual(
            [loadsOn("3.10.1", "7.4.6"), loadsOn("3.10.1", "7.6.0"), loadsOn("3.9.2", "7.4.0"), loadsOn("3.9.2", "7.2.9"), loadsOn("3.4.0", "7.2.0")],
            [false, true, true, false, true],
        );
    });
});
