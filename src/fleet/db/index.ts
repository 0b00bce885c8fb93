export { openDatabase, type Database, type Queryable, type OpenDatabaseParameters, type SqlValue } from './openDatabase.js'
export { migrate, listMigrations, type Migration } from './migrate.js'
export { DatabaseError, SchemaTooNewError } from './errors.js'
