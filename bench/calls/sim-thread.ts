/**
 * bench/calls' stand-in for Asterisk on a thread of its own: the ARI simulator and the scripted
 * callers run here, the IVR and the database driver on the main thread. A real Asterisk is another
 * process; with both on one thread, every ARI request also waited for the simulator's own work.
 *
 * Started by run.ts (`startSimThread`) with the card numbers and PINs the callers key; the worker
 * answers `{ url }` once listening, places the calls on `{ go }`, and answers with the latency
 * report and the HTTP session counts once every call has ended.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { AriSimulator } from '../../ivr/sim/ari-simulator';
import { farEnds } from '../../ivr/sim/far-end';
import { dtmfLatency, placeScriptedCalls } from '../support/scripted-callers';

export interface SimThreadSetup {
  speed: number;
  talk_s: number;
  calls: number;
  cards: Array<{ number: string; pin: string }>;
}

export interface SimThreadReport {
  lines: string[];
  p99_ms: number;
  http: { open: number; peak: number; refused: number };
}

/** The simulator with its callers, wherever it runs: its URL, `run()` placing the calls, and `stop()`. */
type Stand = { url: string; run(): Promise<SimThreadReport>; stop(): Promise<void> };

type FromWorker = { url: string } | { report: SimThreadReport } | { error: string };

/** Starts the worker; resolves with the simulator's URL, a `run()` that places the calls, and `stop()`. */
export async function startSimThread(setup: SimThreadSetup): Promise<Stand> {
  // The worker loads this TypeScript file again, through tsx's loader (a worker does not inherit it).
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: setup });
  const next = (): Promise<FromWorker> => new Promise((resolve, reject) => {
    const onMessage = (m: FromWorker) => { worker.off('error', onError); resolve(m); };
    const onError = (e: Error) => { worker.off('message', onMessage); reject(e); };
    worker.once('message', onMessage);
    worker.once('error', onError);
  });
  const first = await next();
  if (!('url' in first)) throw new Error(`simulator thread: ${'error' in first ? first.error : 'no url'}`);
  return {
    url: first.url,
    async run() {
      const answer = next();
      worker.postMessage({ go: true });
      const m = await answer;
      if (!('report' in m)) throw new Error(`simulator thread: ${'error' in m ? m.error : 'no report'}`);
      return m.report;
    },
    async stop() {
      worker.postMessage({ stop: true });
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

/** The simulator and the scripted callers on the calling thread (the worker's body, and `--sim-thread off`). */
export async function startSimHere(setup: SimThreadSetup): Promise<Stand> {
  const sim = new AriSimulator({ user: 'bench', password: 'bench', speed: setup.speed, mediaDuration: () => 1500 });
  sim.setFarEnd(() => farEnds.answer(2000, setup.talk_s * 1000));
  const url = await sim.start();
  const latency = dtmfLatency(sim);
  return {
    url,
    async run() {
      const ended = await placeScriptedCalls(sim, latency, setup.calls, (i) => setup.cards[Math.floor(i / 2)]!, 1_000_000);
      await Promise.all(ended);
      return { ...latency.report(), http: sim.httpSessions() };
    },
    stop: () => sim.stop(),
  };
}

async function inWorker(setup: SimThreadSetup): Promise<void> {
  const port = parentPort!;
  const stand = await startSimHere(setup);
  const failed = (err: unknown) => port.postMessage({ error: err instanceof Error ? err.message : String(err) });
  port.on('message', (m: { go?: boolean; stop?: boolean }) => {
    if (m.stop) void stand.stop().then(() => port.close());
    else if (m.go) stand.run().then((report) => port.postMessage({ report }), failed);
  });
  port.postMessage({ url: stand.url });
}

if (!isMainThread && (workerData as SimThreadSetup | undefined)?.cards) {
  inWorker(workerData as SimThreadSetup).catch((err: unknown) => parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) }));
}
