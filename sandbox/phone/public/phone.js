/* Sandbox web phone: places a call through the server, relays keypad digits, plays the prompts in order. */
/* global document, window, fetch, EventSource, Audio */
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const form = $('dial-form');
  const callButton = $('call-button');
  const hangupButton = $('hangup-button');
  const statusEl = $('status');
  const typedEl = $('typed');
  const transcript = $('transcript');
  const soundBox = $('sound');
  const keys = Array.from(document.querySelectorAll('.key'));
  const helpers = Array.from(document.querySelectorAll('[data-digits]'));
  const meter = { dest: $('m-dest'), time: $('m-time'), left: $('m-left'), cost: $('m-cost'), bal: $('m-bal') };

  let call = null; // {id, source}
  let audio = null; // one element, unlocked by the Call click
  let queue = []; // [{key, url}]
  let current = null;
  let promptItems = new Map(); // key -> <li>
  let cutOffShown = false;

  const setStatus = (text) => { statusEl.textContent = text; };
  const two = (n) => String(n).padStart(2, '0');
  const clock = (s) => (s >= 3600 ? `${Math.floor(s / 3600)}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}` : `${Math.floor(s / 60)}:${two(s % 60)}`);

  function setInCall(on) {
    for (const b of keys) b.disabled = !on;
    for (const b of helpers) b.disabled = !on;
    hangupButton.disabled = !on;
    callButton.disabled = on;
    $('caller').disabled = on;
  }

  function playNext() {
    if (current || !audio) return;
    const item = queue.shift();
    if (!item) return;
    current = item;
    promptItems.get(item.key)?.classList.add('speaking');
    audio.src = item.url;
    audio.play().catch(() => finishCurrent());
  }

  function finishCurrent() {
    if (current) promptItems.get(current.key)?.classList.remove('speaking');
    current = null;
    playNext();
  }

  function stopAudio() {
    queue = [];
    if (audio) audio.pause();
    finishCurrent();
  }

  function addLine(text, cls) {
    const first = transcript.querySelector('li.muted');
    if (first) first.remove();
    const li = document.createElement('li');
    li.textContent = text;
    if (cls) li.className = cls;
    transcript.appendChild(li);
    transcript.scrollTop = transcript.scrollHeight; // the list scrolls, never the page under the user's keypad
    return li;
  }

  async function post(path, body) {
    const res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}) });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error((data.error && data.error.message) || `HTTP ${res.status}`);
    return data;
  }

  function press(digits) {
    if (!call) return;
    typedEl.textContent = (typedEl.textContent + digits).slice(-40);
    post(`/phone/calls/${call.id}/digits`, { digits }).catch((e) => setStatus(`Keypad: ${e.message}`));
  }

  const LEG = { dialling: 'Dialling…', ringing: 'Ringing…', connected: 'Connected — the simulated far end is on the line.' };

  function onEvent(e) {
    switch (e.type) {
      case 'call':
        setStatus(e.state === 'ringing' ? 'Calling the access number…' : 'Connected to the card service.');
        break;
      case 'prompt': {
        const li = addLine(e.text, 'prompt');
        if (e.url) {
          li.dataset.url = e.url;
          promptItems.set(e.key, li);
          if (soundBox.checked) {
            queue.push({ key: e.key, url: e.url });
            playNext();
          }
        }
        break;
      }
      case 'prompt-cut':
        if (current && current.key === e.key) {
          audio.pause();
          finishCurrent();
        } else {
          queue = queue.filter((q) => q.key !== e.key);
        }
        break;
      case 'leg':
        if (e.state === 'ended') {
          setStatus(`Outbound call ended: ${e.outcome || 'hung up'}.`);
          addLine(`— outbound call ended: ${e.outcome || 'hung up'} —`, 'event');
        } else {
          setStatus(LEG[e.state]);
          addLine(`— ${LEG[e.state]} —`, 'event');
        }
        break;
      case 'meter':
        meter.dest.textContent = e.destination ? `+${e.destination}${e.destination_name ? ` (${e.destination_name})` : ''}` : '—';
        meter.time.textContent = e.connected_s === null ? '—' : clock(e.connected_s);
        meter.left.textContent = e.time_left_s === null ? '—' : clock(e.time_left_s);
        meter.cost.textContent = e.final_cost !== null && e.status !== 'active' ? `${e.final_cost} ${e.currency} (final)` : e.cost_so_far === null ? '—' : `${e.cost_so_far} ${e.currency}`;
        meter.bal.textContent = e.balance === null ? '—' : `${e.balance} ${e.currency}`;
        if (e.hangup_cause === 'cut_off' && !cutOffShown) {
          cutOffShown = true;
          setStatus('Cut off — the money on the card ran out.');
          addLine('— cut off: the money on the card ran out —', 'event');
        }
        break;
      case 'ended':
        setStatus(`Call ended — ${e.reason}.`);
        addLine(`— call ended: ${e.reason} —`, 'event');
        endCall(false);
        break;
      default:
        break;
    }
  }

  function endCall(hangup) {
    if (!call) return;
    const c = call;
    call = null;
    setInCall(false);
    if (hangup) post(`/phone/calls/${c.id}/hangup`).catch(() => {});
    // keep listening briefly for the final cost, then close
    window.setTimeout(() => c.source.close(), 5000);
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (call) return;
    if (!audio) audio = new Audio();
    audio.onended = finishCurrent;
    audio.onerror = finishCurrent;
    stopAudio();
    promptItems = new Map();
    cutOffShown = false;
    transcript.textContent = '';
    typedEl.textContent = '';
    for (const k of Object.keys(meter)) meter[k].textContent = '—';
    setStatus('Placing the call…');
    callButton.disabled = true;
    try {
      const placed = await post('/phone/calls', { caller_number: $('caller').value.trim() });
      const source = new EventSource(placed.events);
      call = { id: placed.id, source };
      source.onmessage = (m) => onEvent(JSON.parse(m.data));
      setInCall(true);
      keys[0].focus();
    } catch (e) {
      setStatus(`Could not call: ${e.message}`);
      callButton.disabled = false;
    }
  });

  hangupButton.addEventListener('click', () => {
    stopAudio();
    setStatus('Hanging up…');
    endCall(true);
    callButton.focus();
  });

  for (const b of keys) b.addEventListener('click', () => press(b.dataset.key));
  for (const b of helpers) b.addEventListener('click', () => press(b.dataset.digits));
  soundBox.addEventListener('change', () => { if (!soundBox.checked) stopAudio(); });

  document.addEventListener('keydown', (ev) => {
    if (!call || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA')) return;
    if (!/^[0-9*#]$/.test(ev.key)) return;
    ev.preventDefault();
    const b = keys.find((k) => k.dataset.key === ev.key);
    if (b) {
      b.classList.add('pressed');
      window.setTimeout(() => b.classList.remove('pressed'), 150);
    }
    press(ev.key);
  });
})();
