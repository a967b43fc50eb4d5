import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AppConfig } from '../../config/app-config';
import pkg from '../../../package.json';

@ApiTags('health')
@Controller({ path: 'info' })
export class InfoController {
  constructor(private readonly config: AppConfig) {}

  /** What this node is: product version and process role. */
  @Get()
  info(): { name: string; version: string; role: string } {
    return { name: 'visio', version: pkg.version, role: this.config.APP_ROLE };
  }
}
