/**
 * THE table of what the edge does with each final answer to one of its INVITEs — the one place this is decided
 * (RFC 3261 §21 for the classes and codes; RFC 8197/8688 for 607/608). Two columns: toward a carrier (outbound
 * least-cost routing: is another carrier worth trying?) and toward an Asterisk node (inbound: is another node
 * worth trying? All nodes run the same dialplan, so only failures of the node itself move on).
 *
 * `next`: try the next candidate. `stop`: pass this answer back to the caller now.
 */

export type AttemptAction = 'connected' | 'next' | 'stop';

export interface AnswerRule {
  /** Inclusive status range. */
  from: number;
  to: number;
  carrier: AttemptAction;
  node: AttemptAction;
  why: string;
}

/** First matching row wins: specific codes come before their class. */
export const SIP_ANSWER_TABLE: readonly AnswerRule[] = [
  { from: 200, to: 299, carrier: 'connected', node: 'connected', why: '§21.2: success — the call is up' },
  { from: 300, to: 399, carrier: 'next', node: 'stop', why: '§21.3: a redirect; the edge does not follow a carrier to targets outside the rated carrier list, so this carrier did not take the call' },
  { from: 408, to: 408, carrier: 'next', node: 'next', why: '§21.4.9: no final answer in time from that server; another server may answer' },
  { from: 480, to: 480, carrier: 'stop', node: 'stop', why: '§21.4.18: the callee was reached but is unavailable — a fact about the user, not the route' },
  { from: 484, to: 485, carrier: 'stop', node: 'stop', why: '§21.4.22/23: the number is incomplete or ambiguous — it is wrong for every carrier' },
  { from: 486, to: 486, carrier: 'stop', node: 'stop', why: '§21.4.24: the callee is busy — a user\'s final answer' },
  { from: 487, to: 487, carrier: 'stop', node: 'stop', why: '§21.4.25: the request was cancelled — the caller gave up' },
  { from: 404, to: 404, carrier: 'next', node: 'stop', why: '§21.4.4: not found "at the domain specified" — that carrier\'s domain; another carrier may reach the number (a node says the same as every node)' },
  { from: 400, to: 499, carrier: 'next', node: 'stop', why: '§21.4: the request "cannot be fulfilled at this server" (refused, unauthorised, codec, …); another carrier is another server (nodes share one configuration)' },
  { from: 500, to: 599, carrier: 'next', node: 'next', why: '§21.5: the server itself failed; §21.5.4: on 503 the client should try an alternate server' },
  { from: 600, to: 600, carrier: 'stop', node: 'stop', why: '§21.6.1: busy everywhere — a user\'s final answer' },
  { from: 603, to: 603, carrier: 'stop', node: 'stop', why: '§21.6.2: the callee declined — a user\'s final answer' },
  { from: 607, to: 607, carrier: 'stop', node: 'stop', why: 'RFC 8197: the callee marked the call unwanted — a user\'s final answer' },
  { from: 600, to: 699, carrier: 'next', node: 'stop', why: '§21.6: global failures not decided by the user (604 from one carrier\'s number database, 606 media, 608 an intermediary\'s rejection, RFC 8688) — another carrier is another path' },
];

/** No final answer within the attempt timeout (no progress), or the server could not send (local 503/408). */
export const NO_ANSWER_RULE = { carrier: 'next', node: 'next', why: 'no progress in time, or the INVITE could not be delivered: another server may do better' } as const;

export type Peer = 'carrier' | 'node';

export function ruleFor(status: number): AnswerRule | undefined {
  return SIP_ANSWER_TABLE.find((r) => status >= r.from && status <= r.to);
}

/** The action for a final status toward a carrier or a node (an unknown code counts as its class's x00). */
export function actionFor(peer: Peer, status: number): AttemptAction {
  const rule = ruleFor(status) ?? ruleFor(Math.floor(status / 100) * 100);
  return rule ? rule[peer] : 'next';
}
