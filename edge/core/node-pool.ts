import type { AsteriskNode } from '../edge-config';
import { nodeName } from '../edge-config';

/** Health and load of the Asterisk nodes behind the edge. Pure: results and time come in. */
export interface NodeState {
  readonly node: AsteriskNode;
  readonly name: string;
  up: boolean;
  active: number;
  failures: number;
  successes: number;
  /** Sequence number of the last time it was picked first (least recently used wins ties). */
  lastPicked: number;
}

export interface HealthPolicy {
  failuresToDown: number;
  successesToUp: number;
}

export type HealthChange = 'went_down' | 'came_up' | undefined;

export class NodePool {
  private readonly states: NodeState[];
  private picks = 0;

  constructor(nodes: readonly AsteriskNode[], private readonly policy: HealthPolicy) {
    // Nodes start in service: the first OPTIONS round (at start) takes a dead one out within one interval.
    this.states = nodes.map((node) => ({ node, name: nodeName(node), up: true, active: 0, failures: 0, successes: 0, lastPicked: 0 }));
  }

  all(): readonly NodeState[] {
    return this.states;
  }

  byName(name: string): NodeState | undefined {
    return this.states.find((s) => s.name === name);
  }

  /**
   * The healthy nodes in the order to try them: least loaded first (active calls per unit of weight), the
   * heavier node on a tie, then the one picked least recently. Marks the first as picked.
   */
  order(): NodeState[] {
    const healthy = this.states.filter((s) => s.up);
    healthy.sort((a, b) => a.active / a.node.weight - b.active / b.node.weight || b.node.weight - a.node.weight || a.lastPicked - b.lastPicked);
    const first = healthy[0];
    if (first) first.lastPicked = ++this.picks;
    return healthy;
  }

  /** An OPTIONS answered (any final answer: the node's SIP stack is alive) or not (timeout, unreachable). */
  probeResult(name: string, ok: boolean): HealthChange {
    const s = this.byName(name);
    if (!s) return undefined;
    if (ok) {
      s.failures = 0;
      s.successes++;
      if (!s.up && s.successes >= this.policy.successesToUp) {
        s.up = true;
        return 'came_up';
      }
      return undefined;
    }
    s.successes = 0;
    s.failures++;
    if (s.up && s.failures >= this.policy.failuresToDown) {
      s.up = false;
      return 'went_down';
    }
    return undefined;
  }

  /** An INVITE could not reach the node (transport error): out of service until OPTIONS bring it back. */
  markUnreachable(name: string): HealthChange {
    const s = this.byName(name);
    if (!s || !s.up) return undefined;
    s.up = false;
    s.successes = 0;
    s.failures = this.policy.failuresToDown;
    return 'went_down';
  }

  callStarted(name: string): void {
    const s = this.byName(name);
    if (s) s.active++;
  }

  callEnded(name: string): void {
    const s = this.byName(name);
    if (s && s.active > 0) s.active--;
  }
}
