/**
 * Imported first by the stack program (index.ts), for its side effect: the run's sign-in and tenant
 * reads start before the program loads @pulumi/pulumi (about 0.4 s here), when the stack config is
 * valid (read-ahead.ts startReadsBeforeSdk). In an `up`, the provider's first check waits for them.
 */
import { loadComponentModule } from "./compiled";

void loadComponentModule<typeof import("./exchange/read-ahead")>(require.resolve("./exchange/read-ahead")).startReadsBeforeSdk();
