import { AriError } from './errors';

/**
 * Rejects with `ari_timeout` if `work` has not settled within `timeout_ms`. ari-client 2.2.0 never settles a
 * request made while Asterisk is unreachable (its HTTP layer drops connection errors), so connecting goes
 * through here, and every REST call through RequestSlots (request-slots.ts), which bounds it the same way.
 * The abandoned request cannot be aborted; it is left to the socket's own fate.
 */
export function withTimeout<T>(work: PromiseLike<T>, timeout_ms: number, operation: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new AriError('ari_timeout', `${operation}: no answer within ${timeout_ms} ms`, { operation, timeout_ms })), timeout_ms);
    Promise.resolve(work).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
