/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * api_capture.c - the control API's packet capture: POST /capture/start
 * and /capture/stop, through the server's one capture (srv_capture_*(),
 * services/pcap).
 */
#include "base/log.h"
#include "daemon/api_int.h"
#include "daemon/server.h"
#include "services/pcap/capture.h"

/**
 * api_capture_start() - POST /capture/start: a bad filter is 400 with
 * pcap's own words, and nothing starts
 * @a:		API
 * @r:		the request: its body is parsed by api_parse_capture()
 * @c:		its connection
 *
 * Return: as api_reply()
 */
enum MHD_Result api_capture_start(struct api *a, struct api_req *r,
				  struct MHD_Connection *c)
{
	struct api_capture_req req;
	struct cap_config cc = {0};
	char err[512];

	if (api_parse_capture(r->body, r->len, &req, err, sizeof(err)))
		return api_error(c, MHD_HTTP_BAD_REQUEST, "%s", err);
	if (srv_capture(a->srv))
		return api_error(c, MHD_HTTP_CONFLICT,
				 "a capture is running already");
	cc.file = req.file;
	cc.filter = req.filter;
	cc.snaplen = req.snaplen;
	if (srv_capture_start(a->srv, &cc, req.port, err, sizeof(err)))
		return api_error(c, MHD_HTTP_BAD_REQUEST, "%s", err);
	return api_reply(c, MHD_HTTP_OK, NULL);
}

/**
 * api_capture_stop() - POST /capture/stop
 * @a:		API
 * @r:		the request (no body)
 * @c:		its connection
 *
 * Return: as api_reply()
 */
enum MHD_Result api_capture_stop(struct api *a, struct api_req *r,
				 struct MHD_Connection *c)
{
	(void)r;
	if (srv_capture_stop(a->srv))
		return api_error(c, MHD_HTTP_NOT_FOUND,
				 "no capture is running");
	log_info("capture: stopped");
	return api_reply(c, MHD_HTTP_OK, NULL);
}
