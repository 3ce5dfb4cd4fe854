/** The part of ari-client 2.2.0 (untyped CommonJS) that ivr/ari uses: REST operations built from the api-docs. */
declare module 'ari-client' {
  /** A REST operation; resolves to parsed JSON (or a resource instance carrying the JSON fields). */
  export type AriOperation = (params?: Record<string, unknown>) => PromiseLike<unknown>;
  /** `client.channels.answer(…)`, `client.bridges.create(…)`, …: one object per resource in the api-docs. */
  export type AriClient = Record<string, Record<string, AriOperation | undefined> | undefined>;
  export function connect(url: string, user: string, password: string): PromiseLike<AriClient>;
  const ari: { connect: typeof connect };
  export default ari;
}
