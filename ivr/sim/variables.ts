import { varset } from './channel-events';
import type { SimCore } from './core';
import { absoluteTimeoutExpired } from './hangup';
import type { SimChannel } from './model';

const TIMEOUT_ABSOLUTE = 'TIMEOUT(absolute)';

/** TIMEOUT(absolute)=seconds (simulated): the channel is hung up when it elapses; 0 clears it. */
export function setAbsoluteTimeout(core: SimCore, ch: SimChannel, seconds: number): void {
  core.cancel(ch.absoluteTimer);
  ch.absoluteTimer = undefined;
  ch.absoluteDeadline_ms = undefined;
  if (!(seconds > 0)) return;
  ch.absoluteDeadline_ms = Date.now() + (seconds * 1000) / core.opts.speed;
  ch.absoluteTimer = core.after(seconds * 1000, () => absoluteTimeoutExpired(core, ch));
}

/**
 * Sets a variable or function; plain variables raise ChannelVarset, functions (TIMEOUT(absolute), CDR(…)) raise nothing (recorded).
 * An empty value unsets a plain variable, with no event: a later GET answers 404 (channel-variables-and-info.jsonl).
 */
export function setVariable(core: SimCore, ch: SimChannel, name: string, value: string, reportEvents = false): void {
  core.record({ kind: 'set-var', channelId: ch.id, detail: { name, value } });
  if (name === TIMEOUT_ABSOLUTE) {
    setAbsoluteTimeout(core, ch, Number.parseFloat(value));
    return;
  }
  if (name.startsWith('PJSIP_HEADER(')) {
    // A dialplan function, not a variable: no ChannelVarset. Kept so tests can read what the INVITE would carry.
    ch.vars.set(name, value);
    return;
  }
  if (name === 'CALLERID(name)') {
    ch.caller = { ...ch.caller, name: value };
    return;
  }
  if (name === 'CALLERID(num)' || name === 'CALLERID(number)') {
    ch.caller = { ...ch.caller, number: value };
    return;
  }
  if (value === '') {
    ch.vars.delete(name);
    return;
  }
  ch.vars.set(name, value);
  // A dialplan function (CDR(userfield), …) is written, not set: Asterisk raises no ChannelVarset for it.
  if (name.includes('(')) return;
  if (reportEvents) ch.reportedVars.add(name);
  varset(core, ch, name, value);
}

/** Reads a variable or one of the few functions the simulator knows; undefined when it is not set. */
export function getVariable(core: SimCore, ch: SimChannel, name: string): string | undefined {
  switch (name) {
    case TIMEOUT_ABSOLUTE: {
      if (ch.absoluteDeadline_ms === undefined) return '0';
      const left_s = ((ch.absoluteDeadline_ms - Date.now()) * core.opts.speed) / 1000;
      return Math.max(0, left_s).toFixed(3);
    }
    case 'UNIQUEID':
      return ch.id;
    case 'CHANNEL(state)':
      return ch.state;
    case 'CHANNEL(name)':
      return ch.name;
    case 'EXTEN':
      return ch.dialplan.exten;
    case 'CONTEXT':
      return ch.dialplan.context;
    case 'CALLERID(num)':
      return ch.caller.number;
    case 'CALLERID(name)':
      return ch.caller.name;
    default:
      return ch.vars.get(name);
  }
}
