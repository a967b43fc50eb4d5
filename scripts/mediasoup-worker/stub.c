/*
 * Copied into each stand-in subproject. mediasoup passes the subproject's
 * "*_lib" target to link_whole; the real code comes from Debian's static
 * archives through the matching "*_dep", so this archive only has to exist.
 */
int mediasoup_worker_offline_stub(void);
int mediasoup_worker_offline_stub(void) { return 0; }
