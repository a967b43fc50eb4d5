import type { Config } from './config.schema';

/**
 * The validated configuration, injectable by class. Built once at boot from
 * the environment (plus the infrastructure URLs resolved then).
 */
// The class is the injection token, the interface gives it the parsed fields.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface AppConfig extends Config {
  DATABASE_URL: string;
  REDIS_URL: string;
}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class AppConfig {
  constructor(values: Config & { DATABASE_URL: string; REDIS_URL: string }) {
    Object.assign(this, values);
  }
}
