/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_log.h>

#include "port.h"

RTE_LOG_REGISTER(c2w_port_logtype, c2w.port, NOTICE);
#define PORT_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, c2w_port_logtype, "c2w.port: " __VA_ARGS__)

/* RSS key of repeated 0x6d5a: the Toeplitz hash of (a, b) then equals
 * that of (b, a), so both directions of a flow land on one queue. */
#define PORT_RSS_KEY_MAX 64

static void
port_rss_key_fill(uint8_t *key, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		key[i] = (i & 1) ? 0x5a : 0x6d;
}

static int
port_configure(uint16_t port, const struct rte_eth_dev_info *info,
	       uint16_t n_queues, bool want_ts, bool *has_ts,
	       uint8_t *rss_key)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	*has_ts = false;
	if (want_ts &&
	    (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP)) {
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
		*has_ts = true;
	}
	if (n_queues > 1 && info->flow_type_rss_offloads != 0) {
		size_t key_len = info->hash_key_size > 0 ?
				 info->hash_key_size : 40;

		if (key_len > PORT_RSS_KEY_MAX)
			key_len = PORT_RSS_KEY_MAX;
		port_rss_key_fill(rss_key, key_len);
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = rss_key;
		conf.rx_adv_conf.rss_conf.rss_key_len = (uint8_t)key_len;
		conf.rx_adv_conf.rss_conf.rss_hf = info->flow_type_rss_offloads &
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP |
			 RTE_ETH_RSS_SCTP);
	}
	return rte_eth_dev_configure(port, n_queues, n_queues, &conf);
}

int
c2w_port_start(uint16_t port, const struct c2w_config *cfg,
	       uint16_t n_queues, struct rte_mempool *pool, bool want_ts,
	       bool *has_ts)
{
	uint8_t rss_key[PORT_RSS_KEY_MAX];
	struct rte_eth_dev_info info;
	uint16_t rxd = cfg->rx_desc, txd = cfg->tx_desc;
	int socket = rte_eth_dev_socket_id(port);
	uint16_t q;
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	if (ret != 0) {
		PORT_LOG(ERR, "port %u: cannot read device info: %s\n", port,
			 rte_strerror(-ret));
		return ret;
	}
	if (n_queues > info.max_rx_queues || n_queues > info.max_tx_queues) {
		PORT_LOG(ERR, "port %u (%s): %u queues requested, device has "
			 "%u rx / %u tx: use fewer workers\n", port,
			 info.driver_name, n_queues, info.max_rx_queues,
			 info.max_tx_queues);
		return -EINVAL;
	}
	ret = port_configure(port, &info, n_queues, want_ts, has_ts, rss_key);
	if (ret != 0) {
		PORT_LOG(ERR, "port %u (%s): configure failed: %s\n", port,
			 info.driver_name, rte_strerror(-ret));
		return ret;
	}
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
	if (ret != 0)
		return ret;

	for (q = 0; q < n_queues; q++) {
		ret = rte_eth_rx_queue_setup(port, q, rxd, socket, NULL, pool);
		if (ret != 0)
			goto out_queue_error;
		ret = rte_eth_tx_queue_setup(port, q, txd, socket, NULL);
		if (ret != 0)
			goto out_queue_error;
	}

	ret = rte_eth_dev_start(port);
	if (ret != 0) {
		PORT_LOG(ERR, "port %u (%s): start failed: %s\n", port,
			 info.driver_name, rte_strerror(-ret));
		return ret;
	}
	if (cfg->promiscuous)
		rte_eth_promiscuous_enable(port);
	PORT_LOG(NOTICE, "port %u (%s): started, %u queues, %u/%u "
		 "descriptors%s\n", port, info.driver_name, n_queues, rxd, txd,
		 *has_ts ? ", rx timestamps" : "");
	return 0;

out_queue_error:
	PORT_LOG(ERR, "port %u (%s): queue %u setup failed: %s\n", port,
		 info.driver_name, q, rte_strerror(-ret));
	return ret;
}

void
c2w_port_stop(uint16_t port)
{
	int ret = rte_eth_dev_stop(port);

	if (ret != 0)
		PORT_LOG(WARNING, "port %u: stop failed: %s\n", port,
			 rte_strerror(-ret));
	rte_eth_dev_close(port);
}
