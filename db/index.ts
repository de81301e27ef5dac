/** Every entity schema the ORM knows. Feature modules add theirs here. */
import { coreEntities } from './entities';

export const allEntities = [...coreEntities];
export * from './entities';
