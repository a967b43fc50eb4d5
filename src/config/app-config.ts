import type { Config } from './config.schema';

/**
 * The validated configuration, injectable by class. Built once at boot from
 * the environment (plus the infrastructure URLs resolved then).
 */
export interface AppConfig extends Config {
  DATABASE_URL: string;
  REDIS_URL: string;
}
export class AppConfig {
  constructor(values: Config & { DATABASE_URL: string; REDIS_URL: string }) {
    Object.assign(this, values);
  }
}
