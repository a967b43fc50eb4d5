import { z } from 'zod';
import { slugSchema } from '../../rooms/dto/rooms.dto';

/*
 * One schema per signalling request payload (the contract in
 * docs of the media protocol). Shapes of mediasoup's own structures are
 * checked here for form and size; mediasoup checks their meaning.
 */

const id = z.uuid();
const params = z.record(
  z.string().max(64),
  z.union([z.string().max(256), z.number(), z.boolean()]),
);
const rtcpFeedback = z.array(
  z.looseObject({ type: z.string().min(1).max(32), parameter: z.string().max(32).optional() }),
);

const rtpCodecParameters = z.looseObject({
  mimeType: z.string().regex(/^(audio|video)\/[\w.+-]+$/, 'a MIME type such as video/VP8'),
  payloadType: z.number().int().min(0).max(127),
  clockRate: z.number().int().positive(),
  channels: z.number().int().positive().max(16).optional(),
  parameters: params.optional(),
  rtcpFeedback: rtcpFeedback.max(16).optional(),
});

const headerExtension = z.looseObject({
  uri: z.string().min(1).max(256),
  id: z.number().int().min(1).max(255),
  encrypt: z.boolean().optional(),
  parameters: params.optional(),
});

const ssrc = z.number().int().min(0).max(0xffffffff);
const encoding = z.looseObject({
  ssrc: ssrc.optional(),
  rid: z.string().max(32).optional(),
  codecPayloadType: z.number().int().min(0).max(127).optional(),
  rtx: z.object({ ssrc }).optional(),
  dtx: z.boolean().optional(),
  scalabilityMode: z.string().max(16).optional(),
  maxBitrate: z.number().positive().optional(),
});

/** RTP parameters of a browser's sender (what mediasoup-client's produce() sends). */
export const rtpParametersSchema = z.looseObject({
  mid: z.string().max(32).optional(),
  codecs: z.array(rtpCodecParameters).min(1).max(32),
  headerExtensions: z.array(headerExtension).max(32).optional(),
  encodings: z.array(encoding).min(1).max(8).optional(),
  rtcp: z
    .looseObject({ cname: z.string().max(256).optional(), reducedSize: z.boolean().optional() })
    .optional(),
  msid: z.string().max(256).optional(),
});

const rtpCodecCapability = z.looseObject({
  kind: z.enum(['audio', 'video']),
  mimeType: z.string().regex(/^(audio|video)\/[\w.+-]+$/, 'a MIME type such as video/VP8'),
  preferredPayloadType: z.number().int().min(0).max(127).optional(),
  clockRate: z.number().int().positive(),
  channels: z.number().int().positive().max(16).optional(),
  parameters: params.optional(),
  rtcpFeedback: rtcpFeedback.max(16).optional(),
});

/** A receiving device's RTP capabilities (mediasoup-client's device.rtpCapabilities). */
export const rtpCapabilitiesSchema = z.looseObject({
  codecs: z.array(rtpCodecCapability).max(64).optional(),
  headerExtensions: z
    .array(
      z.looseObject({
        kind: z.enum(['audio', 'video']),
        uri: z.string().min(1).max(256),
        preferredId: z.number().int().min(1).max(255),
        preferredEncrypt: z.boolean().optional(),
        direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']).optional(),
      }),
    )
    .max(64)
    .optional(),
});

export const dtlsParametersSchema = z.object({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(
      z.object({
        algorithm: z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']),
        value: z
          .string()
          .regex(/^([0-9A-Fa-f]{2}:)+[0-9A-Fa-f]{2}$/, 'a colon-separated hex fingerprint'),
      }),
    )
    .min(1)
    .max(8),
});

export const mediaSourceSchema = z.enum(['mic', 'camera', 'screen']);
export type MediaSource = z.infer<typeof mediaSourceSchema>;

export const joinSchema = z.object({ slug: slugSchema }).strict();
export type JoinInput = z.infer<typeof joinSchema>;

export const createTransportSchema = z.object({ direction: z.enum(['send', 'recv']) }).strict();
export type CreateTransportInput = z.infer<typeof createTransportSchema>;

export const connectTransportSchema = z
  .object({ transportId: id, dtlsParameters: dtlsParametersSchema })
  .strict();
export type ConnectTransportInput = z.infer<typeof connectTransportSchema>;

export const produceSchema = z
  .object({
    transportId: id,
    kind: z.enum(['audio', 'video']),
    rtpParameters: rtpParametersSchema,
    source: mediaSourceSchema,
    paused: z.boolean().optional(),
  })
  .strict()
  .refine((v) => !(v.source === 'mic' && v.kind !== 'audio'), {
    path: ['kind'],
    message: 'A mic source produces audio',
  })
  .refine((v) => !(v.source === 'camera' && v.kind !== 'video'), {
    path: ['kind'],
    message: 'A camera source produces video',
  });
export type ProduceInput = z.infer<typeof produceSchema>;

export const consumeSchema = z
  .object({ transportId: id, producerId: id, rtpCapabilities: rtpCapabilitiesSchema })
  .strict();
export type ConsumeInput = z.infer<typeof consumeSchema>;

export const consumerRefSchema = z.object({ consumerId: id }).strict();
export type ConsumerRefInput = z.infer<typeof consumerRefSchema>;

export const producerRefSchema = z.object({ producerId: id }).strict();
export type ProducerRefInput = z.infer<typeof producerRefSchema>;

export const setPreferredLayersSchema = z
  .object({
    consumerId: id,
    spatialLayer: z.number().int().min(0).max(15),
    temporalLayer: z.number().int().min(0).max(15).optional(),
  })
  .strict();
export type SetPreferredLayersInput = z.infer<typeof setPreferredLayersSchema>;

export const moderatorMuteSchema = z.object({ peerId: id, producerId: id.optional() }).strict();
export type ModeratorMuteInput = z.infer<typeof moderatorMuteSchema>;

export const moderatorRemoveSchema = z.object({ peerId: id }).strict();
export type ModeratorRemoveInput = z.infer<typeof moderatorRemoveSchema>;

/** `leave` takes nothing (an empty object, or no payload at all). */
export const leaveSchema = z.object({}).strict().optional();
