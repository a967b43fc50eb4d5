import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations';
import { SnakeNamingStrategy } from './snake-naming.strategy';

/**
 * The one TypeORM configuration, shared by the app, the migration runner and
 * the TypeORM CLI. `synchronize` is off everywhere: migrations are the only
 * way the schema changes.
 */
export function dataSourceOptions(
  url: string,
  extra: Partial<DataSourceOptions> = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    applicationName: 'visio',
    ...extra,
  } as DataSourceOptions;
}

// For the TypeORM CLI (`npm run migration:generate`): entities from the build.
export default new DataSource(
  dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/visio', {
    entities: [__dirname + '/../modules/**/entities/*.entity.js'],
  }),
);
