import type { DynamicModule, Type } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';

/**
 * The domain modules a process loads for its role. `api` serves HTTP,
 * websockets and media; `worker` runs the BullMQ processors; `all` both.
 */
export function domainModules(_config: AppConfig): Array<Type | DynamicModule> {
  return [];
}
