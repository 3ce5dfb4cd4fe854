import { formatMinor } from '../money/money';
import type { Order } from '../orders/order';
import { isGift } from '../orders/order';
import type { MailMessage } from './mail-transport';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const amount = (o: Order): string => `${formatMinor(o.amount_minor, o.currency)} ${o.currency}`;
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const dateTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** What every mail may need besides its order: where links point, and whom to write to. */
export interface MailContext {
  publicUrl: string;
  /** The site's support address (SITE_SUPPORT_EMAIL): named in every mail and used as its Reply-To. */
  supportEmail?: string | null;
}

function message(to: string, subject: string, paragraphs: string[], c: MailContext, order_id: string): MailMessage {
  const all = c.supportEmail ? [...paragraphs, `Questions? Write to ${c.supportEmail} and give your order number ${order_id}.`] : paragraphs;
  return {
    to,
    subject,
    text: `${all.join('\n\n')}\n`,
    html: `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${all.map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`).join('')}</body></html>`,
    ...(c.supportEmail ? { reply_to: c.supportEmail } : {}),
  };
}

/** The one-time link to a buyer's own card, while it can still be used (null once the card was shown). */
export interface RevealLink { url: string; expires_at_ms: number | null }

/** The buyer's receipt: amounts and last4 only — never a card number or PIN; a one-time link at most. */
export function receiptMail(o: Order, c: MailContext, reveal: RevealLink | null = null): MailMessage {
  const link = `${c.publicUrl}/orders/${o.id}`;
  if (o.kind === 'recharge') {
    const lines = o.status === 'fulfilled'
      ? [`Thank you. Your card ending ${o.card_last4} was recharged with ${amount(o)}.`]
      : [`We received your payment of ${amount(o)}, but the card ending ${o.card_last4} could not be recharged (${o.failure_code ?? 'unknown reason'}).`, 'Your payment will be refunded; please contact support with your order number.'];
    return message(o.buyer_email, `Receipt: recharge of ${amount(o)}`, [...lines, `Order ${o.id}\nDetails: ${link}`], c, o.id);
  }
  const lines = isGift(o)
    ? [
        `Thank you. Your gift card of ${amount(o)} for ${o.recipient_name} (${o.recipient_email}) is paid.`,
        o.send_at_ms && o.send_at_ms > (o.fulfilled_at_ms ?? 0)
          ? `We will email it to them on ${day(o.send_at_ms)}.`
          : 'We are emailing it to them now.',
        `You can resend the gift email from your order page: ${link}`,
      ]
    : [
        `Thank you. Your prepaid card ending ${o.card_last4} with ${amount(o)} is ready.`,
        ...(reveal
          ? [
              `Its number and PIN are shown only once. If you have not noted them yet (for example, you closed the page before showing them), open this one-time link${reveal.expires_at_ms ? `, valid until ${dateTime(reveal.expires_at_ms)}` : ''}:\n${reveal.url}`,
              `Once the card is shown, in your browser or at this link, the link stops working. A new link can be sent from your order page: ${link}`,
            ]
          : [o.revealed_at_ms ? `Its number and PIN were shown on ${dateTime(o.revealed_at_ms)}; for your safety they are shown only once and never emailed.` : 'Its number and PIN are shown only once and never emailed.', `Order page: ${link}`]),
      ];
  return message(o.buyer_email, `Receipt: prepaid card ${amount(o)}`, [...lines, `Order ${o.id}`], c, o.id);
}

/** A new one-time link to a buyer's own card, asked for from the order page. */
export function revealLinkMail(o: Order, c: MailContext, reveal: RevealLink): MailMessage {
  return message(o.buyer_email, `Your one-time link to the prepaid card ending ${o.card_last4}`, [
    `Here is a new one-time link to see the number and PIN of your prepaid card ending ${o.card_last4} (${amount(o)})${reveal.expires_at_ms ? `. It works once, until ${dateTime(reveal.expires_at_ms)}` : ''}:\n${reveal.url}`,
    'Links sent before no longer work. If you did not ask for this link, you can ignore this email: it goes only to the address of the order.',
    `Order ${o.id}`,
  ], c, o.id);
}

/** The gift: who sent it, the card number and a one-time link that reveals the PIN once. */
export function giftMail(o: Order, cardNumber: string, claimUrl: string, c: MailContext): MailMessage {
  const grouped = cardNumber.replace(/(\d{4})(?=\d)/g, '$1 ');
  const sender = o.sender_name;
  const who = sender ? `${o.recipient_name ? `${o.recipient_name}, ` : ''}${sender} sent you` : `${o.recipient_name ? `${o.recipient_name}, you` : 'You'} received`;
  return message(o.recipient_email!, `${who} a prepaid card of ${amount(o)}`, [
    `Hello ${o.recipient_name ?? ''},`.replace(' ,', ','),
    `${sender ?? 'Someone'} sent you a prepaid card worth ${amount(o)}. Use it for phone calls and online payments.`,
    ...(o.gift_message ? [`${sender ? `Message from ${sender}` : 'Their message'}:\n${o.gift_message}`] : []),
    `Card number: ${grouped}`,
    `Your PIN is shown once, at this link (open it when you are ready to note it down):\n${claimUrl}`,
    'If the link says it was already used and it was not you, contact support.',
  ], c, o.id);
}
