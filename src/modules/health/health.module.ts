import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { HealthIndicators } from './health-indicators';
import { InfoController } from './info.controller';

@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, InfoController],
  providers: [HealthIndicators],
  exports: [HealthIndicators],
})
export class HealthModule {}
