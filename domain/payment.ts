export const PAYMENT_METHODS = ['cash', 'check', 'wire_transfer', 'bank_transfer', 'card', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export const PAYMENT_SOURCES = ['manual', 'stripe'] as const;
export type PaymentSource = (typeof PAYMENT_SOURCES)[number];
