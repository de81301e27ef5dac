/** Every entity schema the ORM knows; a new table adds its file here. */
import { crmEntities } from './crm';
import { idempotencyEntities } from './idempotency';
import { invoiceEntities } from './invoice';
import { payPageEntities } from './pay-page';
import { reminderEntities } from './reminders';
import { sessionEntities } from './sessions';
import { stripeEntities } from './stripe';
import { tenantEntities } from './tenant';
import { webhookEntities } from './webhooks';

export const allEntities = [...tenantEntities, ...crmEntities, ...invoiceEntities, ...idempotencyEntities, ...reminderEntities, ...stripeEntities, ...sessionEntities, ...payPageEntities, ...webhookEntities];
export * from './crm';
export * from './idempotency';
export * from './invoice';
export * from './pay-page';
export * from './reminders';
export * from './sessions';
export * from './stripe';
export * from './tenant';
export * from './webhooks';
