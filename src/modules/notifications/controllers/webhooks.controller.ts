import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  Authenticated,
  CurrentPrincipal,
  PlatformAdmin,
} from '../../identity/auth/auth.decorators';
import type { ApplicationPrincipal } from '../../identity/auth/principal';
import {
  adminDeliveriesQuerySchema,
  createWebhookEndpointSchema,
  deliveriesQuerySchema,
  type AdminDeliveriesQuery,
  type CreateWebhookEndpointInput,
  type DeliveriesQuery,
} from '../dto/webhooks.dto';
import {
  WebhooksService,
  type WebhookDeliveryView,
  type WebhookEndpointView,
} from '../services/webhooks.service';

type DeliveryPage = { items: WebhookDeliveryView[]; total: number; limit: number; offset: number };

/** Applications manage their own endpoints and read their own delivery log. */
@ApiTags('webhooks')
@Controller('webhooks')
@Authenticated({ applicationsOnly: true, scopes: ['webhooks:manage'] })
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /** Registers an endpoint; the answer carries its signing secret, shown this once. */
  @Post('endpoints')
  create(
    @CurrentPrincipal() p: ApplicationPrincipal,
    @Body({ schema: createWebhookEndpointSchema }) body: CreateWebhookEndpointInput,
  ): Promise<WebhookEndpointView & { secret: string }> {
    return this.webhooks.createEndpoint(p.applicationId, body);
  }

  @Get('endpoints')
  async list(
    @CurrentPrincipal() p: ApplicationPrincipal,
  ): Promise<{ items: WebhookEndpointView[] }> {
    return { items: await this.webhooks.listEndpoints(p.applicationId) };
  }

  @Delete('endpoints/:id')
  @HttpCode(204)
  async remove(
    @CurrentPrincipal() p: ApplicationPrincipal,
    @Param('id', { schema: z.uuid() }) id: string,
  ): Promise<void> {
    await this.webhooks.deleteEndpoint(p.applicationId, id);
  }

  @Get('deliveries')
  deliveries(
    @CurrentPrincipal() p: ApplicationPrincipal,
    @Query({ schema: deliveriesQuerySchema }) q: DeliveriesQuery,
  ): Promise<DeliveryPage> {
    return this.webhooks.listDeliveries({ ...q, applicationId: p.applicationId });
  }
}

/** Platform administrators read every application's delivery log. */
@ApiTags('admin')
@Controller('admin/webhooks')
@PlatformAdmin()
export class AdminWebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get('deliveries')
  deliveries(
    @Query({ schema: adminDeliveriesQuerySchema }) q: AdminDeliveriesQuery,
  ): Promise<DeliveryPage> {
    return this.webhooks.listDeliveries(q);
  }
}
