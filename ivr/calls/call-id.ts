import { randomUUID } from 'node:crypto';

/** A call id: `<node>-<32 hex>`, so each IVR process reconciles only its own calls. */
export function newCallId(nodeId: string): string {
  return `${nodeId}-${randomUUID().replace(/-/g, '')}`;
}
