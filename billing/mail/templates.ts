import { formatMinor } from '../money/money';
import type { Order } from '../orders/order';
import { isGift } from '../orders/order';
import type { MailMessage } from './mail-transport';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const amount = (o: Order): string => `${formatMinor(o.amount_minor, o.currency)} ${o.currency}`;

function message(to: string, subject: string, paragraphs: string[]): MailMessage {
  return {
    to,
    subject,
    text: `${paragraphs.join('\n\n')}\n`,
    html: `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${paragraphs.map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`).join('')}</body></html>`,
  };
}

/** The buyer's receipt: amounts and last4 only — never a card number or PIN. */
export function receiptMail(o: Order, publicUrl: string): MailMessage {
  const link = `${publicUrl}/orders/${o.id}`;
  if (o.kind === 'recharge') {
    const lines = o.status === 'fulfilled'
      ? [`Thank you. Your card ending ${o.card_last4} was recharged with ${amount(o)}.`]
      : [`We received your payment of ${amount(o)}, but the card ending ${o.card_last4} could not be recharged (${o.failure_code ?? 'unknown reason'}).`, 'Your payment will be refunded; please contact support with your order number.'];
    return message(o.buyer_email, `Receipt: recharge of ${amount(o)}`, [...lines, `Order ${o.id}\nDetails: ${link}`]);
  }
  const lines = isGift(o)
    ? [
        `Thank you. Your gift card of ${amount(o)} for ${o.recipient_name} (${o.recipient_email}) is paid.`,
        o.send_at_ms && o.send_at_ms > (o.fulfilled_at_ms ?? 0)
          ? `We will email it to them on ${new Date(o.send_at_ms).toISOString().slice(0, 10)}.`
          : 'We are emailing it to them now.',
        `You can resend the gift email from your order page: ${link}`,
      ]
    : [
        `Thank you. Your prepaid card ending ${o.card_last4} with ${amount(o)} is ready.`,
        'Its number and PIN were shown once on the order page in your browser; we never email them to you.',
        `Order page: ${link}`,
      ];
  return message(o.buyer_email, `Receipt: prepaid card ${amount(o)}`, [...lines, `Order ${o.id}`]);
}

/** The gift: the card number and a one-time link that reveals the PIN once. */
export function giftMail(o: Order, cardNumber: string, claimUrl: string): MailMessage {
  const grouped = cardNumber.replace(/(\d{4})(?=\d)/g, '$1 ');
  return message(o.recipient_email!, `${o.recipient_name ? `${o.recipient_name}, you` : 'You'} received a prepaid card of ${amount(o)}`, [
    `Hello ${o.recipient_name ?? ''},`.replace(' ,', ','),
    `Someone sent you a prepaid card worth ${amount(o)}. Use it for phone calls and online payments.`,
    ...(o.gift_message ? [`Their message:\n${o.gift_message}`] : []),
    `Card number: ${grouped}`,
    `Your PIN is shown once, at this link (open it when you are ready to note it down):\n${claimUrl}`,
    'If the link says it was already used and it was not you, contact support.',
  ]);
}
