import type { Static } from '@sinclair/typebox';
import type { LiveSession } from '../../db/repositories/callers';
import type { SessionResponse } from '../schemas/sessions';
import { iso } from './common';

export const sessionJson = ({ tenant: t, expiresAt }: LiveSession): Static<typeof SessionResponse> => ({
  tenant: { id: t.id, name: t.name, plan: t.plan, timeZone: t.timeZone, defaultCurrency: t.defaultCurrency },
  expiresAt: iso(expiresAt),
});
