/*
 * The libsrtp 3 API used by the mediasoup worker (see include/srtp.h),
 * implemented on top of libsrtp 2.x.
 *
 * This file sees libsrtp 2's srtp.h only; include/srtp.h declares the same
 * functions under their libsrtp 3 names, renamed to ms_srtp3_* by macros.
 * The two headers share the layout of every type that crosses the boundary;
 * the static assertions below pin the libsrtp 2 side of that contract.
 *
 * Differences handled here:
 * - libsrtp 3 policies are opaque objects built by setters; libsrtp 2 takes a
 *   struct with a pointer to "master key followed by master salt".
 * - libsrtp 3 (un)protect functions read from one buffer and write to another
 *   with size_t lengths; libsrtp 2 works in place with an int length and
 *   assumes room for the trailer.
 */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <srtp.h> /* libsrtp 2.x */

/* Error codes that libsrtp 2 lacks (same values as libsrtp 3). */
#define MS_SRTP3_ERR_BUFFER_SMALL ((srtp_err_status_t)28)

/* Values that include/srtp.h copies from libsrtp 2. */
_Static_assert(srtp_err_status_pkt_idx_adv == 27, "libsrtp 2 error codes changed");
_Static_assert(srtp_profile_aes128_cm_sha1_80 == 1 && srtp_profile_aes128_cm_sha1_32 == 2 &&
                 srtp_profile_null_sha1_80 == 5 && srtp_profile_null_sha1_32 == 6 &&
                 srtp_profile_aead_aes_128_gcm == 7 && srtp_profile_aead_aes_256_gcm == 8,
               "libsrtp 2 profile values changed");
_Static_assert(ssrc_specific == 1 && ssrc_any_inbound == 2 && ssrc_any_outbound == 3,
               "libsrtp 2 ssrc types changed");
_Static_assert(event_ssrc_collision == 0 && event_packet_index_limit == 3,
               "libsrtp 2 event values changed");
_Static_assert(SRTP_MAX_TRAILER_LEN == 16 + 128, "libsrtp 2 trailer length changed");
_Static_assert(sizeof(srtp_ssrc_t) == sizeof(int) + sizeof(unsigned int) &&
                 offsetof(srtp_ssrc_t, value) == sizeof(int),
               "libsrtp 2 srtp_ssrc_t layout changed");
_Static_assert(offsetof(srtp_event_data_t, session) == 0 &&
                 offsetof(srtp_event_data_t, ssrc) == sizeof(srtp_t) &&
                 offsetof(srtp_event_data_t, event) == sizeof(srtp_t) + sizeof(uint32_t),
               "libsrtp 2 srtp_event_data_t layout changed");

/* The libsrtp 3 policy object: a libsrtp 2 policy and the key it points to. */
struct ms_srtp3_policy {
    srtp_policy_t policy;
    unsigned char key[SRTP_MAX_KEY_LEN]; /* master key, then master salt */
};
typedef struct ms_srtp3_policy *ms_srtp3_policy_t;

srtp_err_status_t ms_srtp3_init(void);
srtp_err_status_t ms_srtp3_shutdown(void);
const char *ms_srtp3_get_version_string(void);
srtp_err_status_t ms_srtp3_install_event_handler(srtp_event_handler_func_t func);
size_t ms_srtp3_profile_get_master_key_length(srtp_profile_t profile);
size_t ms_srtp3_profile_get_master_salt_length(srtp_profile_t profile);
srtp_err_status_t ms_srtp3_policy_create(ms_srtp3_policy_t *policy);
void ms_srtp3_policy_destroy(ms_srtp3_policy_t policy);
srtp_err_status_t ms_srtp3_policy_set_ssrc(ms_srtp3_policy_t policy, srtp_ssrc_t ssrc);
srtp_err_status_t ms_srtp3_policy_set_profile(ms_srtp3_policy_t policy, srtp_profile_t profile);
srtp_err_status_t ms_srtp3_policy_add_key(ms_srtp3_policy_t policy,
                                          const uint8_t *key,
                                          size_t key_len,
                                          const uint8_t *salt,
                                          size_t salt_len,
                                          const uint8_t *mki,
                                          size_t mki_len);
srtp_err_status_t ms_srtp3_policy_set_allow_repeat_tx(ms_srtp3_policy_t policy, bool allow);
srtp_err_status_t ms_srtp3_policy_set_window_size(ms_srtp3_policy_t policy, size_t window_size);
srtp_err_status_t ms_srtp3_create(srtp_t *session, const ms_srtp3_policy_t policy);
srtp_err_status_t ms_srtp3_dealloc(srtp_t session);
srtp_err_status_t ms_srtp3_stream_remove(srtp_t session, uint32_t ssrc);
srtp_err_status_t ms_srtp3_protect(srtp_t ctx,
                                   const uint8_t *rtp,
                                   size_t rtp_len,
                                   uint8_t *srtp,
                                   size_t *srtp_len,
                                   size_t mki_index);
srtp_err_status_t ms_srtp3_unprotect(srtp_t ctx,
                                     const uint8_t *srtp,
                                     size_t srtp_len,
                                     uint8_t *rtp,
                                     size_t *rtp_len);
srtp_err_status_t ms_srtp3_protect_rtcp(srtp_t ctx,
                                        const uint8_t *rtcp,
                                        size_t rtcp_len,
                                        uint8_t *srtcp,
                                        size_t *srtcp_len,
                                        size_t mki_index);
srtp_err_status_t ms_srtp3_unprotect_rtcp(srtp_t ctx,
                                          const uint8_t *srtcp,
                                          size_t srtcp_len,
                                          uint8_t *rtcp,
                                          size_t *rtcp_len);

/* Library. */

srtp_err_status_t ms_srtp3_init(void)
{
    return srtp_init();
}

srtp_err_status_t ms_srtp3_shutdown(void)
{
    return srtp_shutdown();
}

const char *ms_srtp3_get_version_string(void)
{
    return srtp_get_version_string();
}

/* The event data layouts are identical (asserted above): pass it through. */
srtp_err_status_t ms_srtp3_install_event_handler(srtp_event_handler_func_t func)
{
    return srtp_install_event_handler(func);
}

size_t ms_srtp3_profile_get_master_key_length(srtp_profile_t profile)
{
    return srtp_profile_get_master_key_length(profile);
}

size_t ms_srtp3_profile_get_master_salt_length(srtp_profile_t profile)
{
    return srtp_profile_get_master_salt_length(profile);
}

/* Policies. */

srtp_err_status_t ms_srtp3_policy_create(ms_srtp3_policy_t *policy)
{
    if (policy == NULL)
        return srtp_err_status_bad_param;

    *policy = calloc(1, sizeof(**policy));

    return *policy != NULL ? srtp_err_status_ok : srtp_err_status_alloc_fail;
}

void ms_srtp3_policy_destroy(ms_srtp3_policy_t policy)
{
    if (policy == NULL)
        return;

    /* Wipe the key material; volatile so the compiler keeps the stores. */
    volatile unsigned char *p = (volatile unsigned char *)policy;
    for (size_t i = 0; i < sizeof(*policy); i++)
        p[i] = 0;

    free(policy);
}

srtp_err_status_t ms_srtp3_policy_set_ssrc(ms_srtp3_policy_t policy, srtp_ssrc_t ssrc)
{
    if (policy == NULL)
        return srtp_err_status_bad_param;

    policy->policy.ssrc = ssrc;

    return srtp_err_status_ok;
}

srtp_err_status_t ms_srtp3_policy_set_profile(ms_srtp3_policy_t policy, srtp_profile_t profile)
{
    if (policy == NULL)
        return srtp_err_status_bad_param;

    srtp_err_status_t err =
        srtp_crypto_policy_set_from_profile_for_rtp(&policy->policy.rtp, profile);

    if (err != srtp_err_status_ok)
        return err;

    return srtp_crypto_policy_set_from_profile_for_rtcp(&policy->policy.rtcp, profile);
}

srtp_err_status_t ms_srtp3_policy_add_key(ms_srtp3_policy_t policy,
                                          const uint8_t *key,
                                          size_t key_len,
                                          const uint8_t *salt,
                                          size_t salt_len,
                                          const uint8_t *mki,
                                          size_t mki_len)
{
    (void)mki;

    if (policy == NULL || key == NULL || (salt == NULL && salt_len != 0))
        return srtp_err_status_bad_param;

    /* A single master key without MKI is all that mediasoup uses. */
    if (mki_len != 0 || policy->policy.key != NULL)
        return srtp_err_status_bad_param;

    if (key_len > sizeof(policy->key) || salt_len > sizeof(policy->key) - key_len)
        return srtp_err_status_bad_param;

    /* Once the profile is set, the key must fit its cipher exactly. */
    if (policy->policy.rtp.cipher_key_len != 0 &&
        (size_t)policy->policy.rtp.cipher_key_len != key_len + salt_len)
        return srtp_err_status_bad_param;

    memcpy(policy->key, key, key_len);
    if (salt_len != 0)
        memcpy(policy->key + key_len, salt, salt_len);
    policy->policy.key = policy->key;

    return srtp_err_status_ok;
}

srtp_err_status_t ms_srtp3_policy_set_allow_repeat_tx(ms_srtp3_policy_t policy, bool allow)
{
    if (policy == NULL)
        return srtp_err_status_bad_param;

    policy->policy.allow_repeat_tx = allow ? 1 : 0;

    return srtp_err_status_ok;
}

srtp_err_status_t ms_srtp3_policy_set_window_size(ms_srtp3_policy_t policy, size_t window_size)
{
    /* libsrtp 2 accepts 64 <= size < 0x8000 (checked again by srtp_create). */
    if (policy == NULL || window_size < 64 || window_size >= 0x8000)
        return srtp_err_status_bad_param;

    policy->policy.window_size = (unsigned long)window_size;

    return srtp_err_status_ok;
}

/* Sessions. */

srtp_err_status_t ms_srtp3_create(srtp_t *session, const ms_srtp3_policy_t policy)
{
    if (session == NULL || policy == NULL || policy->policy.key == NULL)
        return srtp_err_status_bad_param;

    /* libsrtp 2 derives the session keys here and keeps no pointer to the
     * policy, so the caller may destroy the policy right after. */
    policy->policy.next = NULL;

    return srtp_create(session, &policy->policy);
}

srtp_err_status_t ms_srtp3_dealloc(srtp_t session)
{
    return srtp_dealloc(session);
}

srtp_err_status_t ms_srtp3_stream_remove(srtp_t session, uint32_t ssrc)
{
    return srtp_remove_stream(session, ssrc);
}

/*
 * libsrtp 2 transforms a packet in place and may grow it by up to `trailer`
 * bytes. Copy the input into the output buffer (unless they are the same)
 * and run the libsrtp 2 function there.
 */
typedef srtp_err_status_t (*srtp2_transform_fn)(srtp_t ctx, void *packet, int *len);

static srtp_err_status_t transform(srtp2_transform_fn fn,
                                   srtp_t ctx,
                                   const uint8_t *in,
                                   size_t in_len,
                                   uint8_t *out,
                                   size_t *out_len,
                                   size_t trailer)
{
    if (in == NULL || out == NULL || out_len == NULL)
        return srtp_err_status_bad_param;

    if (in_len > (size_t)INT_MAX - trailer)
        return srtp_err_status_bad_param;

    if (*out_len < in_len + trailer)
        return MS_SRTP3_ERR_BUFFER_SMALL;

    if (out != in)
        memmove(out, in, in_len);

    int len = (int)in_len;
    srtp_err_status_t err = fn(ctx, out, &len);

    if (err == srtp_err_status_ok)
        *out_len = (size_t)len;

    return err;
}

/* mki_index selects among several master keys; with one key it is unused. */
srtp_err_status_t ms_srtp3_protect(srtp_t ctx,
                                   const uint8_t *rtp,
                                   size_t rtp_len,
                                   uint8_t *srtp,
                                   size_t *srtp_len,
                                   size_t mki_index)
{
    (void)mki_index;

    return transform(srtp_protect, ctx, rtp, rtp_len, srtp, srtp_len, SRTP_MAX_TRAILER_LEN);
}

srtp_err_status_t ms_srtp3_unprotect(srtp_t ctx,
                                     const uint8_t *srtp,
                                     size_t srtp_len,
                                     uint8_t *rtp,
                                     size_t *rtp_len)
{
    return transform(srtp_unprotect, ctx, srtp, srtp_len, rtp, rtp_len, 0);
}

srtp_err_status_t ms_srtp3_protect_rtcp(srtp_t ctx,
                                        const uint8_t *rtcp,
                                        size_t rtcp_len,
                                        uint8_t *srtcp,
                                        size_t *srtcp_len,
                                        size_t mki_index)
{
    (void)mki_index;

    return transform(srtp_protect_rtcp, ctx, rtcp, rtcp_len, srtcp, srtcp_len,
                     SRTP_MAX_SRTCP_TRAILER_LEN);
}

srtp_err_status_t ms_srtp3_unprotect_rtcp(srtp_t ctx,
                                          const uint8_t *srtcp,
                                          size_t srtcp_len,
                                          uint8_t *rtcp,
                                          size_t *rtcp_len)
{
    return transform(srtp_unprotect_rtcp, ctx, srtcp, srtcp_len, rtcp, rtcp_len, 0);
}
