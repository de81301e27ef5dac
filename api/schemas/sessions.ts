import { Type } from '@sinclair/typebox';
import { TENANT_PLANS } from '../../domain/tenant';
import { Currency, DateTime, literals, Uuid } from './common';

export const SignInBody = Type.Union(
  [
    Type.Object({ apiKey: Type.String({ minLength: 1, maxLength: 255, description: "one of the account's API keys", examples: ['pc_example0key'] }) }, { additionalProperties: false }),
    Type.Object({ signInToken: Type.String({ minLength: 1, maxLength: 255, description: 'the token of a sign-in link (`npx payment-center sessions link`), usable once' }) }, { additionalProperties: false }),
  ],
  { description: 'an API key, or the token of a one-time sign-in link' },
);
export const SessionResponse = Type.Object({
  tenant: Type.Object({
    id: Uuid,
    name: Type.String(),
    plan: literals(TENANT_PLANS),
    timeZone: Type.String({ description: 'IANA time zone the account keeps its dates in', examples: ['Europe/Berlin'] }),
    defaultCurrency: Currency,
  }),
  expiresAt: { ...DateTime, description: 'when the session ends unless signed out before' },
});
