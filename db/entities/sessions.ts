/** Browser sign-in for the team's web app: sessions behind the `pc_session` cookie and one-time sign-in links. */
import { EntitySchema } from '@mikro-orm/core';
import { createdAt } from './columns';
import { ApiKey, ownedByTenant, type Tenant } from './tenant';

export class Session {
  id!: string;
  tenant!: Tenant;
  /** SHA-256 of the cookie value (lib/tokens.ts); the value itself is never stored. */
  tokenHash!: string;
  /** The key it was opened with: revoking the key ends the session. Null for a sign-in link. */
  apiKey?: ApiKey | null;
  createdAt!: Date;
  expiresAt!: Date;
  endedAt?: Date | null;
}
export const SessionSchema = new EntitySchema<Session>({
  class: Session,
  tableName: 'sessions',
  indexes: [{ properties: ['tenant', 'expiresAt'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    tenant: ownedByTenant(),
    tokenHash: { type: 'string', length: 64, unique: true },
    apiKey: { kind: 'm:1', entity: () => ApiKey, nullable: true, deleteRule: 'cascade' },
    createdAt: createdAt(),
    expiresAt: { type: 'datetime' },
    endedAt: { type: 'datetime', nullable: true },
  },
});

export class SignInLink {
  id!: string;
  tenant!: Tenant;
  tokenHash!: string;
  createdAt!: Date;
  expiresAt!: Date;
  /** Set when redeemed: a link opens one session, once. */
  usedAt?: Date | null;
}
export const SignInLinkSchema = new EntitySchema<SignInLink>({
  class: SignInLink,
  tableName: 'sign_in_links',
  properties: {
    id: { type: 'uuid', primary: true },
    tenant: ownedByTenant(),
    tokenHash: { type: 'string', length: 64, unique: true },
    createdAt: createdAt(),
    expiresAt: { type: 'datetime' },
    usedAt: { type: 'datetime', nullable: true },
  },
});

export const sessionEntities = [SessionSchema, SignInLinkSchema];
