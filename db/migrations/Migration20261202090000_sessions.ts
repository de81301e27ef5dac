import { Migration } from '@mikro-orm/migrations';

/** Browser sessions of the web app and one-time sign-in links, both stored as token hashes (hand-written). */
export class Migration20261202090000_sessions extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "sessions" ("id" uuid not null, "tenant_id" uuid not null, "token_hash" varchar(64) not null, "api_key_id" uuid null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "ended_at" timestamptz null, constraint "sessions_pkey" primary key ("id"));`);
    this.addSql(`alter table "sessions" add constraint "sessions_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "sessions_tenant_id_expires_at_index" on "sessions" ("tenant_id", "expires_at");`);
    this.addSql(`alter table "sessions" add constraint "sessions_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "sessions" add constraint "sessions_api_key_id_foreign" foreign key ("api_key_id") references "api_keys" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "sign_in_links" ("id" uuid not null, "tenant_id" uuid not null, "token_hash" varchar(64) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, constraint "sign_in_links_pkey" primary key ("id"));`);
    this.addSql(`alter table "sign_in_links" add constraint "sign_in_links_token_hash_unique" unique ("token_hash");`);
    this.addSql(`alter table "sign_in_links" add constraint "sign_in_links_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "sign_in_links" cascade;`);
    this.addSql(`drop table if exists "sessions" cascade;`);
  }

}
