/** An AcceptedDomain step as the Automation API reports it (resourcePreEvent), for the drift report's pure tests. */
import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";
import { ACCEPTED_DOMAIN_TYPE } from "../../../components/schema";

/** `news`: the checked inputs (absent for a delete); `oldOutputs`: the state before the step. */
export function step(op: OpType, news: Record<string, unknown> | undefined, oldOutputs?: Record<string, unknown>): EngineEvent {
    const domain = String(news?.domainName ?? oldOutputs?.domainName);
    return {
        sequence: 0,
        timestamp: 0,
        resourcePreEvent: {
            metadata: {
                op,
                urn: `urn:pulumi:s::p::${ACCEPTED_DOMAIN_TYPE}::${domain}`,
                type: ACCEPTED_DOMAIN_TYPE,
                provider: "",
                old: oldOutputs ? { type: ACCEPTED_DOMAIN_TYPE, urn: "", id: "x", parent: "", provider: "", inputs: {}, outputs: oldOutputs } : undefined,
                new: news ? { type: ACCEPTED_DOMAIN_TYPE, urn: "", id: "x", parent: "", provider: "", inputs: news, outputs: {} } : undefined,
            },
        },
    } as EngineEvent;
}
