export const PAYMENT_METHODS = ['cash', 'check', 'wire_transfer', 'bank_transfer', 'card', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export const PAYMENT_SOURCES = ['manual', 'stripe'] as const;
export type PaymentSource = (typeof PAYMENT_SOURCES)[number];

/** Methods an operator may enter by hand; cards arrive from Stripe. */
export const MANUAL_PAYMENT_METHODS: readonly PaymentMethod[] = ['cash', 'check', 'wire_transfer', 'bank_transfer', 'other'];
