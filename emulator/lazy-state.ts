/** Loads state.ts (and zod) on first use, so a session that never touches the tenant starts fast. */
type StateModule = typeof import("./state");
let mod: StateModule | undefined;

export function stateModule(): StateModule {
    mod ??= require("./state") as StateModule;
    return mod;
}

/** The module if something already loaded it (exit handlers must not load zod just to release locks). */
export function loadedStateModule(): StateModule | undefined {
    return mod;
}
