/**
 * The E.164 digits an Asterisk node asks the edge to reach: the Request-URI user of `PJSIP/{number}@edge`
 * (digits, optionally with '+' or its escape %2B, optionally with URI parameters). Undefined when it is not
 * a number (1 to 15 digits, E.164's maximum).
 */
export function dialledDigits(requestUri: string): string | undefined {
  const m = /^sips?:([^@]+)@/i.exec(requestUri.trim());
  if (!m) return undefined;
  let user = (m[1] as string).split(';')[0] ?? '';
  try {
    user = decodeURIComponent(user);
  } catch {
    return undefined;
  }
  const digits = user.startsWith('+') ? user.slice(1) : user;
  return /^\d{1,15}$/.test(digits) ? digits : undefined;
}

/** The Request-URI user of an inbound call (the access number dialled), undefined when there is none. */
export function calledUser(requestUri: string): string | undefined {
  const m = /^sips?:([^@;]+)@/i.exec(requestUri.trim());
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1] as string);
  } catch {
    return undefined;
  }
}

/** The IVR's call id in X-Prepaid-Call-Id: bounded (40, as billing stores it), printable, no separators. */
export function validCallId(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const v = value.trim();
  return /^[A-Za-z0-9._:-]{1,40}$/.test(v) ? v : undefined;
}
