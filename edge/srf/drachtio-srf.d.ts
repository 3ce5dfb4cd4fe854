/**
 * The part of drachtio-srf 5.0.29 (CommonJS) that this project uses: edge/srf/ (the only product importer)
 * and the drachtio-server double's fidelity tests. The package's own lib/@types/index.d.ts is partial and
 * in places wrong (srf.request's signature, cbRequest's (err, req) arguments, no srf.options/register), so
 * this ambient declaration, which TypeScript consults before the package's, states what we rely on.
 */
declare module 'drachtio-srf' {
  import type { EventEmitter } from 'node:events';

  namespace Srf {
    interface SipMessage {
      readonly type: 'request' | 'response';
      readonly body: string;
      readonly source: 'network' | 'application';
      readonly source_address: string;
      readonly source_port: string | number;
      readonly protocol: string;
      readonly calledNumber: string;
      readonly callingNumber: string;
      readonly callingName?: string;
      readonly headers: Record<string, string>;
      get(name: string): string | undefined;
      has(name: string): boolean;
    }

    interface SrfRequest extends SipMessage {
      readonly method: string;
      readonly uri: string;
      readonly callId: string;
      readonly stackTxnId: string;
      canceled?: boolean;
      on(event: 'cancel', listener: (cancel: SipMessage) => void): this;
      on(event: 'response', listener: (res: SrfResponse, ack: () => void) => void): this;
      once(event: 'cancel', listener: (cancel: SipMessage) => void): this;
      removeListener(event: string, listener: (...args: never[]) => void): this;
      cancel(opts?: { headers?: Record<string, string> }, callback?: (err: Error | null, cancel?: SrfRequest) => void): void;
      cancel(callback: (err: Error | null, cancel?: SrfRequest) => void): void;
    }

    interface SrfResponse extends SipMessage {
      readonly status: number;
      readonly reason: string;
      readonly finalResponseSent: boolean;
      send(status: number, opts?: SendOptions, callback?: (err: unknown, msg: SipMessage) => void): void;
      send(status: number, reason: string, opts?: SendOptions, callback?: ((err: unknown, msg: SipMessage) => void) | null): void;
      send(status: number, callback: (err: unknown, msg: SipMessage) => void): void;
      on(event: 'finish', listener: () => void): this;
    }

    interface SendOptions {
      headers?: Record<string, string>;
      body?: string;
    }

    interface Dialog extends EventEmitter {
      readonly id: string;
      readonly type: 'uac' | 'uas';
      readonly sip: { callId: string; localTag: string; remoteTag: string };
      readonly local: { uri: string; sdp: string; contact: string };
      readonly remote: { uri: string; sdp: string };
      other?: Dialog;
      destroy(opts?: { headers?: Record<string, string> }): Promise<SrfRequest>;
      modify(sdp: string): Promise<string>;
      request(opts: { method: string; headers?: Record<string, string>; body?: string }): Promise<SrfResponse>;
      on(event: 'destroy', listener: (bye: SrfRequest) => void): this;
      on(event: 'ack', listener: (ack: SrfRequest) => void): this;
      on(event: 'modify' | 'info' | 'refresh' | 'update' | 'options' | 'notify' | 'refer' | 'message', listener: (req: SrfRequest, res: SrfResponse) => void): this;
      on(event: string, listener: (...args: never[]) => void): this;
    }

    interface ProgressCallbacks {
      cbRequest?: (err: Error | null, req: SrfRequest) => void;
      cbProvisional?: (res: SrfResponse) => void;
      cbFinalizedUac?: (uac: Dialog) => void;
    }

    interface CreateUACOptions {
      headers?: Record<string, string>;
      localSdp?: string;
      proxy?: string;
      callingNumber?: string;
      callingName?: string;
    }

    interface CreateUASOptions {
      localSdp: string | (() => string | Promise<string>);
      headers?: Record<string, string>;
    }

    interface CreateB2BUAOptions {
      headers?: Record<string, string>;
      responseHeaders?: Record<string, string>;
      passFailure?: boolean;
      passProvisionalResponses?: boolean;
      proxyRequestHeaders?: string[];
      proxyResponseHeaders?: string[];
      localSdpA?: string;
      localSdpB?: string;
    }

    interface ConnectOptions {
      host: string;
      port: number;
      secret: string;
      tags?: string[];
      enablePing?: boolean;
      pingInterval?: number;
      reconnect?: { retryMaxDelay?: number | null; maxAttempts?: number; connectTimeout?: number };
    }

    interface RequestOptions {
      method: string;
      headers?: Record<string, string>;
      body?: string;
      proxy?: string;
    }

    type Handler = (req: SrfRequest, res: SrfResponse) => void | Promise<void>;

    class SipError extends Error {
      status: number;
      reason: string;
      res?: SrfResponse;
    }
  }

  class Srf extends EventEmitter {
    constructor(tags?: string | string[]);
    connect(opts: Srf.ConnectOptions): void;
    disconnect(): void;
    invite(handler: Srf.Handler): void;
    options(handler: Srf.Handler): void;
    register(handler: Srf.Handler): void;
    request(uri: string, opts: Srf.RequestOptions, callback: (err: Error | null, req: Srf.SrfRequest) => void): void;
    request(uri: string, opts: Srf.RequestOptions): Promise<Srf.SrfRequest>;
    createUAC(uri: string, opts: Srf.CreateUACOptions, progress?: Srf.ProgressCallbacks): Promise<Srf.Dialog>;
    createUAS(req: Srf.SrfRequest, res: Srf.SrfResponse, opts: Srf.CreateUASOptions): Promise<Srf.Dialog>;
    createB2BUA(req: Srf.SrfRequest, res: Srf.SrfResponse, uri: string, opts?: Srf.CreateB2BUAOptions, progress?: Srf.ProgressCallbacks): Promise<{ uas: Srf.Dialog; uac: Srf.Dialog }>;
    on(event: 'connect', listener: (err: Error | null, hostport: string, serverVersion?: string, localHostports?: string) => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(event: 'reconnecting', listener: (opts: { delay: number; attempt: number }) => void): this;
    on(event: 'close' | 'disconnect', listener: () => void): this;
    static SipError: typeof Srf.SipError;
  }

  export = Srf;
}
