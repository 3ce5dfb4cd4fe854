/**
 * The routing contract the edge consumes (CONTRACT.md), as the billing core implements it
 * (billing/routing, billing/carriers): the edge names these types from here only.
 */
export type { Carrier, Transport } from '../billing/carriers/carrier';
export type { AttemptOutcome, RouteAttempt, RouteCandidate, RouteRanking, RouteSkip } from '../billing/routing/route-types';
