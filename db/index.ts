/** Every entity schema the ORM knows. Feature modules add theirs here. */
import { coreEntities } from './entities';
import { reminderEntities } from './reminder-entities';
import { stripeEntities } from './stripe-entities';

export const allEntities = [...coreEntities, ...reminderEntities, ...stripeEntities];
export * from './entities';
export * from './reminder-entities';
export * from './stripe-entities';
