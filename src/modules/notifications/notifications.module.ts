import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminWebhooksController, WebhooksController } from './controllers/webhooks.controller';
import { OutboundMailEntity } from './entities/outbound-mail.entity';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import { MAIL_QUEUE, WEBHOOK_QUEUE } from './notifications.types';
import { MailProcessor } from './processors/mail.processor';
import { WebhookProcessor } from './processors/webhook.processor';
import { OutboundMailRepository } from './repositories/outbound-mail.repository';
import { WebhooksRepository } from './repositories/webhooks.repository';
import { MailService } from './services/mail.service';
import { MailTransportService } from './services/mail-transport.service';
import { WebhooksService } from './services/webhooks.service';

/**
 * Outbound mail (SMTP, iTIP) and signed webhooks, generic for every module.
 * Loaded in every role: the API enqueues, the worker (roles worker/all) delivers.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([OutboundMailEntity, WebhookEndpointEntity, WebhookDeliveryEntity]),
    BullModule.registerQueue({ name: MAIL_QUEUE }, { name: WEBHOOK_QUEUE }),
  ],
  controllers: [WebhooksController, AdminWebhooksController],
  providers: [
    OutboundMailRepository,
    WebhooksRepository,
    MailTransportService,
    MailService,
    WebhooksService,
    MailProcessor,
    WebhookProcessor,
  ],
  exports: [MailService, WebhooksService],
})
export class NotificationsModule {}
