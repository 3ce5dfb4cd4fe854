import type { PromptTexts } from './prompt-texts';

/**
 * Whole sentences of the call flow (PRODUCT.md "IVR"), in call order. Prompts that end in a money
 * amount, a count or a duration ("you_have", "call_cost", "new_balance", "recharge_done") are
 * followed by what the sayer returns; "you_have" + minutes is followed by "for_this_call".
 */
export const CALL_FLOW_PROMPTS = {
  // Greeting and language
  welcome: { en: 'Welcome to prepaid calling.', es: 'Bienvenido al servicio de llamadas prepagadas.' },
  language_option: { en: 'For English, press 1.', es: 'Para español, oprima 2.' },
  language_changed: { en: 'English selected.', es: 'Ha seleccionado español.' },

  // Login: card number and PIN
  enter_card_number: {
    en: 'Please enter your card number, followed by the pound key.',
    es: 'Por favor, marque el número de su tarjeta, seguido de la tecla numeral.',
  },
  enter_pin: {
    en: 'Please enter your PIN, followed by the pound key.',
    es: 'Por favor, marque su clave secreta, seguida de la tecla numeral.',
  },
  invalid_credentials_try_again: {
    en: 'The card number or PIN is not valid. Please try again.',
    es: 'El número de tarjeta o la clave no son válidos. Por favor, intente de nuevo.',
  },
  invalid_credentials: { en: 'The card number or PIN is not valid.', es: 'El número de tarjeta o la clave no son válidos.' },
  too_many_attempts: { en: 'Too many incorrect attempts.', es: 'Demasiados intentos incorrectos.' },
  card_locked: {
    en: 'This card is temporarily locked after too many incorrect attempts. Please try again later.',
    es: 'Esta tarjeta está bloqueada temporalmente por demasiados intentos incorrectos. Por favor, intente más tarde.',
  },
  card_locked_contact_service: {
    en: 'This card is locked after too many incorrect attempts. Please contact customer service.',
    es: 'Esta tarjeta está bloqueada por demasiados intentos incorrectos. Por favor, comuníquese con servicio al cliente.',
  },
  card_in_use: {
    en: 'This card is already in use on another call. Please try again later.',
    es: 'Esta tarjeta ya está en uso en otra llamada. Por favor, intente más tarde.',
  },
  card_inactive: { en: 'This card is not active yet.', es: 'Esta tarjeta todavía no está activada.' },
  card_suspended: {
    en: 'This card is suspended. Please contact customer service.',
    es: 'Esta tarjeta está suspendida. Por favor, comuníquese con servicio al cliente.',
  },
  card_expired: { en: 'This card has expired.', es: 'Esta tarjeta ha vencido.' },
  card_closed: { en: 'This card is no longer valid.', es: 'Esta tarjeta ya no es válida.' },
  no_input: { en: 'We did not receive your entry.', es: 'No recibimos su respuesta.' },
  try_again: { en: 'Please try again.', es: 'Por favor, intente de nuevo.' },

  // Balance
  you_have: { en: 'You have', es: 'Usted tiene' },
  balance_zero: { en: 'Your card has no balance left.', es: 'Su tarjeta no tiene saldo.' },
  insufficient_balance: {
    en: 'You do not have enough balance to call this number.',
    es: 'Usted no tiene saldo suficiente para llamar a este número.',
  },

  // Placing a call
  enter_destination: {
    en: 'Please enter the number you wish to call, followed by the pound key.',
    es: 'Por favor, marque el número al que desea llamar, seguido de la tecla numeral.',
  },
  destination_not_available: {
    en: 'Sorry, calls to this number are not available.',
    es: 'Lo sentimos, las llamadas a este número no están disponibles.',
  },
  for_this_call: { en: 'for this call.', es: 'para esta llamada.' },
  please_wait_connecting: {
    en: 'Please wait while we connect your call.',
    es: 'Por favor, espere mientras conectamos su llamada.',
  },
  number_busy: { en: 'The number you called is busy.', es: 'El número que usted marcó está ocupado.' },
  no_answer: { en: 'There is no answer.', es: 'No hay respuesta.' },
  network_busy: {
    en: 'All circuits are busy now. Please try again later.',
    es: 'Todas las líneas están ocupadas. Por favor, intente más tarde.',
  },
  call_failed: { en: 'Your call could not be completed.', es: 'Su llamada no pudo ser completada.' },
  call_not_charged: { en: 'You have not been charged.', es: 'No se le ha cobrado nada.' },

  // During and after the call
  one_minute_left: { en: 'You have one minute left.', es: 'Le queda un minuto.' },
  credit_exhausted: { en: 'Your credit has run out.', es: 'Su saldo se ha agotado.' },
  call_cost: { en: 'This call cost', es: 'Esta llamada costó' },
  new_balance: { en: 'Your new balance is', es: 'Su nuevo saldo es' },
  another_call: {
    en: 'To place another call, press the pound key, or hang up.',
    es: 'Para hacer otra llamada, oprima la tecla numeral, o cuelgue.',
  },

  // Main menu (see main-menu.ts for the digit of each option)
  menu_place_call: { en: 'To place a call, press 1.', es: 'Para hacer una llamada, oprima 1.' },
  menu_recharge: {
    en: 'To recharge your card from a voucher, press 2.',
    es: 'Para recargar su tarjeta con un cupón, oprima 2.',
  },
  menu_balance: { en: 'To hear your balance, press 3.', es: 'Para escuchar su saldo, oprima 3.' },
  menu_register_phone: {
    en: 'To register this phone, so that you can call without your card number and PIN, press 4.',
    es: 'Para registrar este teléfono, y llamar sin marcar su tarjeta ni su clave, oprima 4.',
  },
  menu_unregister_phone: {
    en: 'To remove the registration of this phone, press 5.',
    es: 'Para eliminar el registro de este teléfono, oprima 5.',
  },
  menu_change_language: { en: 'To change the language, press 9.', es: 'Para cambiar el idioma, oprima 9.' },
  invalid_option: { en: 'That option is not valid.', es: 'Esa opción no es válida.' },

  // Recharge from a voucher (another card)
  enter_voucher_number: {
    en: 'Please enter the number of the voucher, followed by the pound key.',
    es: 'Por favor, marque el número del cupón, seguido de la tecla numeral.',
  },
  enter_voucher_pin: {
    en: 'Please enter the PIN of the voucher, followed by the pound key.',
    es: 'Por favor, marque la clave del cupón, seguida de la tecla numeral.',
  },
  recharge_done: { en: 'Your card was recharged with', es: 'Su tarjeta fue recargada con' },
  voucher_invalid: {
    en: 'The voucher number or PIN is not valid.',
    es: 'El número o la clave del cupón no son válidos.',
  },
  voucher_empty: { en: 'This voucher has no balance left.', es: 'Este cupón no tiene saldo.' },
  currency_mismatch: {
    en: 'This voucher is in a different currency from your card, and cannot be used.',
    es: 'Este cupón está en una moneda distinta a la de su tarjeta, y no se puede usar.',
  },

  // PIN-less access for the calling phone
  phone_registered: {
    en: 'This phone is now registered. Next time you call from it, you will not need your card number and PIN.',
    es: 'Este teléfono quedó registrado. La próxima vez que llame desde él, no necesitará su tarjeta ni su clave.',
  },
  phone_unregistered: {
    en: 'This phone is no longer registered to your card.',
    es: 'Este teléfono ya no está registrado a su tarjeta.',
  },
  phone_not_registered: { en: 'This phone is not registered.', es: 'Este teléfono no está registrado.' },
  phone_number_unknown: {
    en: 'Your phone number could not be identified, so this phone cannot be registered.',
    es: 'No pudimos identificar su número de teléfono, por lo que no se puede registrar.',
  },

  // Endings
  goodbye: { en: 'Thank you for calling. Goodbye.', es: 'Gracias por llamar. Adiós.' },
  technical_problem: {
    en: 'We are sorry, a technical problem occurred. Please try again later.',
    es: 'Lo sentimos, ocurrió un problema técnico. Por favor, intente más tarde.',
  },
} as const satisfies Record<string, PromptTexts>;
