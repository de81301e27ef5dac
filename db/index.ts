/** Storage: entity schemas (entities/), raw-SQL repositories (repositories/), the ORM and migrations. */
export * from './entities';
