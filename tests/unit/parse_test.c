/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests for the packet header parser: exact results on the fault-case
 * captures and on hand-built frames, then every packet of the tcpdump
 * test captures, cut at every length, checked against the bounds the
 * parser promises.
 */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "check.h"
#include "parse.h"

#define FRAMES_MAX 16
#define FRAME_LEN_MAX 2048

struct frame {
	uint8_t data[FRAME_LEN_MAX];
	uint32_t len;
};

/* Every field of struct c2w_pkt except the addresses. */
struct pkt_expect {
	enum c2w_parse_result res;
	uint16_t ether_type;
	uint8_t vlan_count;
	uint16_t vlan_outer;
	uint16_t vlan_inner;
	uint16_t l3_off;
	uint16_t ip_len;
	uint8_t proto;
	uint8_t flags;
	uint16_t l4_off;
	uint16_t sport;
	uint16_t dport;
	uint16_t l4_payload;
	uint8_t tcp_flags;
};

#define F_V6 C2W_PKT_F_IPV6
#define F_FRAG C2W_PKT_F_FRAG
#define F_LATER C2W_PKT_F_FRAG_LATER
#define F_L4 C2W_PKT_F_L4
#define F_RAW C2W_PKT_F_PORTS_RAW

#define TCP_SYN 0x02
#define TCP_ACK 0x10

static struct frame frames[FRAMES_MAX];

/* Read up to FRAMES_MAX Ethernet frames of a fault-case capture into
 * frames[]. Returns how many, or 0 when the file cannot be read. */
static unsigned int
load_capture(const char *name)
{
	char path[512], err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *bytes;
	unsigned int n = 0;
	pcap_t *pc;

	snprintf(path, sizeof(path), "%s/cases/%s", C2W_TEST_DATA, name);
	pc = pcap_open_offline(path, err);
	if (pc == NULL) {
		printf("# %s: %s\n", path, err);
		return 0;
	}
	while (n < FRAMES_MAX && pcap_next_ex(pc, &hdr, &bytes) == 1) {
		if (hdr->caplen > FRAME_LEN_MAX)
			break;
		memcpy(frames[n].data, bytes, hdr->caplen);
		frames[n].len = hdr->caplen;
		n++;
	}
	pcap_close(pc);
	return n;
}

static void
check_pkt(const char *what, enum c2w_parse_result res,
	  const struct c2w_pkt *pkt, const struct pkt_expect *want)
{
	printf("# %s: %s\n", what, c2w_parse_result_name(res));
	CHECK_EQ_U(res, want->res);
	CHECK_EQ_U(pkt->ether_type, want->ether_type);
	CHECK_EQ_U(pkt->vlan_count, want->vlan_count);
	CHECK_EQ_U(pkt->vlan_outer, want->vlan_outer);
	CHECK_EQ_U(pkt->vlan_inner, want->vlan_inner);
	CHECK_EQ_U(pkt->l3_off, want->l3_off);
	CHECK_EQ_U(pkt->ip_len, want->ip_len);
	CHECK_EQ_U(pkt->proto, want->proto);
	/* The expectations list every flag but the "addresses valid" one,
	 * which follows from the IP length: set once the IP header parsed. */
	CHECK_EQ_U(pkt->flags & ~C2W_PKT_F_L3, want->flags);
	CHECK_EQ_U(!!(pkt->flags & C2W_PKT_F_L3), want->ip_len != 0);
	CHECK_EQ_U(pkt->l4_off, want->l4_off);
	CHECK_EQ_U(pkt->sport, want->sport);
	CHECK_EQ_U(pkt->dport, want->dport);
	CHECK_EQ_U(pkt->l4_payload, want->l4_payload);
	CHECK_EQ_U(pkt->tcp_flags, want->tcp_flags);
}

static void
check_frame(const char *what, const uint8_t *data, uint32_t len,
	    uint16_t vlan_tci, const struct pkt_expect *want)
{
	struct c2w_pkt pkt;
	enum c2w_parse_result res;

	res = c2w_parse_packet(data, len, vlan_tci, &pkt);
	check_pkt(what, res, &pkt, want);
}

static void
check_capture(const char *name, const struct pkt_expect *want,
	      unsigned int count)
{
	char what[128];
	unsigned int i, n;

	n = load_capture(name);
	CHECK_EQ_U(n, count);
	for (i = 0; i < n && i < count; i++) {
		snprintf(what, sizeof(what), "%s frame %u", name, i + 1);
		check_frame(what, frames[i].data, frames[i].len, 0, &want[i]);
	}
}

static void
test_ipv4_options(void)
{
	/* 192.0.2.30 -> 5.101.81.81, 192.0.2.31 -> 203.159.90.139 and
	 * 192.0.2.32 -> 198.51.100.7, with IHL 6, 15 and 5. */
	static const struct pkt_expect want[] = {
		{ C2W_PARSE_OK, 0x0800, 0, 0, 0, 14, 44, 6, F_L4,
		  38, 45000, 9323, 0, TCP_SYN },
		{ C2W_PARSE_OK, 0x0800, 0, 0, 0, 14, 72, 17, F_L4,
		  74, 45001, 2404, 4, 0 },
		{ C2W_PARSE_OK, 0x0800, 0, 0, 0, 14, 40, 6, F_L4,
		  34, 45002, 80, 0, TCP_SYN },
	};
	static const uint8_t src1[4] = { 192, 0, 2, 30 };
	static const uint8_t dst1[4] = { 5, 101, 81, 81 };
	struct c2w_pkt pkt;

	check_capture("ipv4-options/ipv4_options.pcap", want, 3);

	c2w_parse_packet(frames[0].data, frames[0].len, 0, &pkt);
	CHECK(memcmp(pkt.src, src1, 4) == 0);
	CHECK(memcmp(pkt.dst, dst1, 4) == 0);
	CHECK_EQ_U(pkt.src[4], 0);
	CHECK_EQ_U(pkt.dst[15], 0);
}

/* Frames 1 and 4 of bad_header_lengths.pcap carry EtherType 0x9000
 * (loopback test) in place of IPv4. As captured they are no IP packet;
 * with the EtherType set to IPv4 they show the malformed header they were
 * written for. Once the capture carries 0x0800 only the second check
 * remains. */
static void
check_mistyped_frame(const char *what, struct frame *f,
		     const struct pkt_expect *want)
{
	struct c2w_pkt pkt;
	enum c2w_parse_result res;

	if (f->data[12] != 0x08 || f->data[13] != 0x00) {
		res = c2w_parse_packet(f->data, f->len, 0, &pkt);
		CHECK_EQ_U(res, C2W_PARSE_NON_IP);
		f->data[12] = 0x08;
		f->data[13] = 0x00;
	}
	check_frame(what, f->data, f->len, 0, want);
}

static void
test_bad_header_lengths(void)
{
	static const char name[] = "bad-header-lengths/bad_header_lengths.pcap";
	static const struct pkt_expect want[] = {
		/* IHL 4 */
		{ C2W_PARSE_IP4_BAD_IHL, 0x0800, 0, 0, 0, 0, 0, 0, 0,
		  0, 0, 0, 0, 0 },
		/* TCP data offset 2: the ports are still read */
		{ C2W_PARSE_TCP_BAD_OFF, 0x0800, 0, 0, 0, 14, 52, 6, F_RAW,
		  0, 46001, 2404, 0, 0 },
		/* TCP data offset 15 (60 bytes), 20 TCP bytes in the packet */
		{ C2W_PARSE_L4_TRUNC, 0x0800, 0, 0, 0, 14, 40, 6, F_RAW,
		  0, 46002, 2404, 0, 0 },
		/* total length 40, 26 IP bytes in the frame */
		{ C2W_PARSE_IP4_BAD_LEN, 0x0800, 0, 0, 0, 0, 0, 0, 0,
		  0, 0, 0, 0, 0 },
		/* valid SYN */
		{ C2W_PARSE_OK, 0x0800, 0, 0, 0, 14, 40, 6, F_L4,
		  34, 46004, 2404, 0, TCP_SYN },
	};
	unsigned int i, n;

	n = load_capture(name);
	CHECK_EQ_U(n, 5);
	if (n != 5)
		return;
	check_mistyped_frame("bad_header_lengths frame 1", &frames[0],
			     &want[0]);
	for (i = 1; i < 3; i++)
		check_frame(i == 1 ? "bad_header_lengths frame 2" :
			    "bad_header_lengths frame 3",
			    frames[i].data, frames[i].len, 0, &want[i]);
	check_mistyped_frame("bad_header_lengths frame 4", &frames[3],
			     &want[3]);
	check_frame("bad_header_lengths frame 5", frames[4].data,
		    frames[4].len, 0, &want[4]);
}

static void
test_qinq(void)
{
	static const struct pkt_expect want[] = {
		/* 0x88a8 VID 100, 0x8100 VID 200 */
		{ C2W_PARSE_OK, 0x0800, 2, 100, 200, 22, 40, 6, F_L4,
		  42, 47000, 2404, 0, TCP_SYN },
		/* 0x8100 VID 101, 0x8100 VID 201 */
		{ C2W_PARSE_OK, 0x0800, 2, 101, 201, 22, 40, 6, F_L4,
		  42, 47000, 2404, 0, TCP_SYN },
		/* 0x9100 VID 102, 0x8100 VID 202 */
		{ C2W_PARSE_OK, 0x0800, 2, 102, 202, 22, 40, 6, F_L4,
		  42, 47000, 2404, 0, TCP_SYN },
		/* 0x8100 VID 103 */
		{ C2W_PARSE_OK, 0x0800, 1, 103, 0, 18, 40, 6, F_L4,
		  38, 47000, 2404, 0, TCP_SYN },
		/* 0x88a8 VID 104, IPv6 2001:db8:1::40 -> 2001:db8:66::66 */
		{ C2W_PARSE_OK, 0x86dd, 1, 104, 0, 18, 60, 6, F_V6 | F_L4,
		  58, 47001, 443, 0, TCP_SYN },
	};
	static const uint8_t src5[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0, 0,
		0, 0, 0, 0, 0, 0, 0x00, 0x40,
	};
	struct c2w_pkt pkt;

	check_capture("qinq/qinq.pcap", want, 5);

	c2w_parse_packet(frames[4].data, frames[4].len, 0, &pkt);
	CHECK(memcmp(pkt.src, src5, 16) == 0);
}

static void
test_eth_padding(void)
{
	/* 60-byte frames: the bytes after the IP total length are padding,
	 * neither payload nor a reason to flag the packet. */
	static const struct pkt_expect udp = {
		C2W_PARSE_OK, 0x0800, 0, 0, 0, 14, 30, 17, F_L4,
		34, 5353, 2404, 2, 0,
	};
	static const struct pkt_expect ack = {
		C2W_PARSE_OK, 0x0800, 0, 0, 0, 14, 40, 6, F_L4,
		34, 48000, 443, 0, TCP_ACK,
	};
	const struct pkt_expect want[] = { udp, udp, udp, ack, ack };

	check_capture("eth-padding/eth_padding.pcap", want, 5);
}

static void
test_icmp(void)
{
	static const struct pkt_expect want[] = {
		/* echo request: type 8 code 0 */
		{ C2W_PARSE_OK, 0x0800, 0, 0, 0, 14, 36, 1, F_L4,
		  34, 0, 0x0800, 8, 0 },
		/* echo reply: type 0 code 0 */
		{ C2W_PARSE_OK, 0x0800, 0, 0, 0, 14, 36, 1, F_L4,
		  34, 0, 0, 8, 0 },
		/* port unreachable 3/3 quoting UDP 53000 -> 33434: the quoted
		 * ports are not this packet's ports */
		{ C2W_PARSE_OK, 0x0800, 0, 0, 0, 14, 56, 1, F_L4,
		  34, 0, 771, 28, 0 },
		/* ICMPv6 echo request: type 128 code 0 */
		{ C2W_PARSE_OK, 0x86dd, 0, 0, 0, 14, 48, 58, F_V6 | F_L4,
		  54, 0, 32768, 0, 0 },
	};

	check_capture("icmp/icmp.pcap", want, 4);
}

/*
 * 02:00:00:00:00:01 -> 02:00:00:00:00:02, IPv6
 * 2001:db8::1 -> 2001:db8::2, payload 36, next header Hop-by-Hop
 * Hop-by-Hop: next Fragment, length 0, PadN 4
 * Fragment: next TCP, offset 0, M=1, id 42
 * TCP 49152 -> 443 SYN, data offset 5
 */
static const uint8_t ip6_hbh_frag_tcp[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x24, 0x00, 0x40,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x2c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
	0x06, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x2a,
	0xc0, 0x00, 0x01, 0xbb, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0x20, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

/*
 * 2001:db8::1 -> 2001:db8::2, payload 24, next header Hop-by-Hop
 * Hop-by-Hop: next Fragment, length 0, PadN 4
 * Fragment: next TCP, offset 181 (1448 bytes), M=1, id 42
 * 8 bytes of TCP payload that must not be read as ports
 */
static const uint8_t ip6_frag_later[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x18, 0x00, 0x40,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x2c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
	0x06, 0x00, 0x05, 0xa9, 0x00, 0x00, 0x00, 0x2a,
	0xc0, 0x00, 0x01, 0xbb, 0x11, 0x22, 0x33, 0x44,
};

/*
 * 2001:db8::1 -> 2001:db8::2, payload 8, next header Routing
 * Routing: next TCP, length 2 (24 bytes), only 8 bytes in the packet
 */
static const uint8_t ip6_routing_trunc[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x2b, 0x40,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x06, 0x02, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/*
 * 2001:db8::1 -> 2001:db8::2, payload 32, next header AH
 * AH: next UDP, length 4 (6 words: 24 bytes), SPI 0x100, sequence 1,
 * 12-byte ICV
 * UDP 5353 -> 5353, length 8
 */
static const uint8_t ip6_ah_udp[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x33, 0x40,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x11, 0x04, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	0x00, 0x00, 0x00, 0x01, 0xaa, 0xaa, 0xaa, 0xaa,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
	0x14, 0xe9, 0x14, 0xe9, 0x00, 0x08, 0x00, 0x00,
};

/*
 * 2001:db8::1 -> 2001:db8::2, payload 20, TCP 49152 -> 443 SYN
 */
static const uint8_t ip6_tcp[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x14, 0x06, 0x40,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0xc0, 0x00, 0x01, 0xbb, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0x20, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

/*
 * 192.0.2.1 -> 198.51.100.7, total length 36, id 42, offset 185 (1480
 * bytes), MF=0, protocol UDP; 16 bytes of the datagram's middle, which
 * look like a UDP header 5353 -> 53 but are payload
 */
static const uint8_t ip4_frag_later[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x24, 0x00, 0x2a, 0x00, 0xb9,
	0x40, 0x11, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01,
	0xc6, 0x33, 0x64, 0x07,
	0x14, 0xe9, 0x00, 0x35, 0x00, 0x10, 0x00, 0x00,
	0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
};

/*
 * 192.0.2.1 -> 198.51.100.7, total length 36, id 42, offset 0, MF=1,
 * protocol UDP; UDP 5353 -> 53 with length 1480, of which this fragment
 * contains the header and 8 payload bytes
 */
static const uint8_t ip4_frag_first_udp[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x24, 0x00, 0x2a, 0x20, 0x00,
	0x40, 0x11, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01,
	0xc6, 0x33, 0x64, 0x07,
	0x14, 0xe9, 0x00, 0x35, 0x05, 0xc8, 0x00, 0x00,
	0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
};

/*
 * 192.0.2.1 -> 198.51.100.7, total length 32, protocol UDP
 * UDP 5353 -> 53, length 12, payload "abcd"
 */
static const uint8_t ip4_udp[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00,
	0x40, 0x11, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01,
	0xc6, 0x33, 0x64, 0x07,
	0x14, 0xe9, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00,
	0x61, 0x62, 0x63, 0x64,
};

/* Offsets into ip4_udp for the single-field variants below. */
#define IP4_UDP_VER_IHL 14
#define IP4_UDP_PROTO 23
#define IP4_UDP_ULEN_LO 39

/*
 * 192.0.2.1 -> 198.51.100.7, total length 48, protocol SCTP
 * SCTP 36412 -> 2905, verification tag 0
 * INIT chunk header (type 1, length 16) and 12 bytes of it
 */
static const uint8_t ip4_sctp[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x30, 0x00, 0x01, 0x00, 0x00,
	0x40, 0x84, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01,
	0xc6, 0x33, 0x64, 0x07,
	0x8e, 0x3c, 0x0b, 0x59, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x0a,
};

/*
 * ARP request: who has 192.0.2.2? tell 192.0.2.1
 */
static const uint8_t arp_request[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0xc0, 0x00,
	0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xc0, 0x00, 0x02, 0x02,
};

/*
 * 0x88a8 VID 10, 0x8100 VID 20, 0x8100 VID 30, IPv4
 * 192.0.2.1 -> 198.51.100.7, total length 20, protocol 253
 */
static const uint8_t vlan_three_tags[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x01,
	0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x14,
	0x81, 0x00, 0x00, 0x1e, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00,
	0x40, 0xfd, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01,
	0xc6, 0x33, 0x64, 0x07,
};

/*
 * 0x8100 PCP 3 VID 200, IPv4 192.0.2.1 -> 198.51.100.7, total length 40
 * TCP 49152 -> 443 SYN
 */
static const uint8_t vlan_one_tag_tcp[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x01,
	0x81, 0x00, 0x60, 0xc8, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00,
	0x40, 0x06, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01,
	0xc6, 0x33, 0x64, 0x07,
	0xc0, 0x00, 0x01, 0xbb, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0x20, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

static void
test_ip6_fragments(void)
{
	static const struct pkt_expect first = {
		C2W_PARSE_OK, 0x86dd, 0, 0, 0, 14, 76, 6,
		F_V6 | F_FRAG | F_L4, 70, 49152, 443, 0, TCP_SYN,
	};
	static const struct pkt_expect later = {
		C2W_PARSE_OK, 0x86dd, 0, 0, 0, 14, 64, 6,
		F_V6 | F_FRAG | F_LATER, 0, 0, 0, 0, 0,
	};

	check_frame("ip6 hop-by-hop, fragment, tcp", ip6_hbh_frag_tcp,
		    sizeof(ip6_hbh_frag_tcp), 0, &first);
	check_frame("ip6 later fragment", ip6_frag_later,
		    sizeof(ip6_frag_later), 0, &later);
}

/* Build an IPv6 packet whose payload is n Destination Options headers,
 * each 8 bytes (next header, length 0, PadN 4), then TCP 49152 -> 443
 * SYN. Returns the frame length. */
static uint32_t
build_ip6_dstopts_chain(uint8_t *buf, size_t size, unsigned int n)
{
	static const uint8_t dstopts[8] = { 0x3c, 0x00, 0x01, 0x04 };
	const uint32_t ip6_tcp_hdrs = 14 + 40;
	uint32_t off = ip6_tcp_hdrs, payload = n * 8 + 20;
	unsigned int i;

	if (ip6_tcp_hdrs + payload > size)
		return 0;
	memcpy(buf, ip6_tcp, ip6_tcp_hdrs);
	buf[18] = (uint8_t)(payload >> 8);
	buf[19] = (uint8_t)payload;
	buf[20] = n > 0 ? 0x3c : 0x06;
	for (i = 0; i < n; i++, off += 8) {
		memcpy(buf + off, dstopts, 8);
		if (i == n - 1)
			buf[off] = 0x06;
	}
	memcpy(buf + off, ip6_tcp + ip6_tcp_hdrs, 20);
	return off + 20;
}

static void
test_ip6_ext_limits(void)
{
	static const struct pkt_expect eight = {
		C2W_PARSE_OK, 0x86dd, 0, 0, 0, 14, 124, 6, F_V6 | F_L4,
		118, 49152, 443, 0, TCP_SYN,
	};
	static const struct pkt_expect routing_trunc = {
		C2W_PARSE_IP6_EXT_TRUNC, 0x86dd, 0, 0, 0, 14, 48, 0, F_V6,
		0, 0, 0, 0, 0,
	};
	static const struct pkt_expect ah_udp = {
		C2W_PARSE_OK, 0x86dd, 0, 0, 0, 14, 72, 17, F_V6 | F_L4,
		78, 5353, 5353, 0, 0,
	};
	uint8_t buf[256];
	struct c2w_pkt pkt;
	uint32_t len;

	len = build_ip6_dstopts_chain(buf, sizeof(buf), 8);
	check_frame("ip6 eight destination options", buf, len, 0, &eight);

	len = build_ip6_dstopts_chain(buf, sizeof(buf), 9);
	CHECK_EQ_U(c2w_parse_packet(buf, len, 0, &pkt),
		   C2W_PARSE_IP6_EXT_DEPTH);

	check_frame("ip6 truncated routing header", ip6_routing_trunc,
		    sizeof(ip6_routing_trunc), 0, &routing_trunc);

	/* Payload length 4: not even the 8 fixed bytes of the header. */
	memcpy(buf, ip6_routing_trunc, sizeof(ip6_routing_trunc));
	buf[19] = 4;
	CHECK_EQ_U(c2w_parse_packet(buf, sizeof(ip6_routing_trunc), 0, &pkt),
		   C2W_PARSE_IP6_EXT_TRUNC);

	check_frame("ip6 ah, udp", ip6_ah_udp, sizeof(ip6_ah_udp), 0,
		    &ah_udp);
}

static void
test_ip6_headers(void)
{
	static const struct pkt_expect esp = {
		C2W_PARSE_OK, 0x86dd, 0, 0, 0, 14, 60, 50, F_V6,
		0, 0, 0, 0, 0,
	};
	uint8_t buf[sizeof(ip6_tcp)];
	struct c2w_pkt pkt;

	/* Next header ESP: the rest is encrypted, so no ports. */
	memcpy(buf, ip6_tcp, sizeof(buf));
	buf[20] = 50;
	check_frame("ip6 esp", buf, sizeof(buf), 0, &esp);

	/* Next header No Next Header. */
	buf[20] = 59;
	CHECK_EQ_U(c2w_parse_packet(buf, sizeof(buf), 0, &pkt), C2W_PARSE_OK);
	CHECK_EQ_U(pkt.flags, F_V6 | C2W_PKT_F_L3);

	/* Version 4 behind the IPv6 EtherType. */
	memcpy(buf, ip6_tcp, sizeof(buf));
	buf[14] = 0x40;
	CHECK_EQ_U(c2w_parse_packet(buf, sizeof(buf), 0, &pkt),
		   C2W_PARSE_IP6_BAD_VER);

	/* Payload length 21, one byte more than the frame contains. */
	memcpy(buf, ip6_tcp, sizeof(buf));
	buf[19] = 21;
	CHECK_EQ_U(c2w_parse_packet(buf, sizeof(buf), 0, &pkt),
		   C2W_PARSE_IP6_BAD_LEN);

	/* 39 bytes of IPv6 header. */
	CHECK_EQ_U(c2w_parse_packet(ip6_tcp, 14 + 39, 0, &pkt),
		   C2W_PARSE_IP6_TRUNC);

	/* IPv4-mapped source ::ffff:192.0.2.1: refused, ports still parsed
	 * for the drop counters. The same address as destination too. */
	memcpy(buf, ip6_tcp, sizeof(buf));
	memset(buf + 22, 0, 10);
	buf[32] = 0xff;
	buf[33] = 0xff;
	buf[34] = 192;
	buf[35] = 0;
	buf[36] = 2;
	buf[37] = 1;
	CHECK_EQ_U(c2w_parse_packet(buf, sizeof(buf), 0, &pkt),
		   C2W_PARSE_IP6_V4MAPPED);
	CHECK(pkt.flags & C2W_PKT_F_L4);
	memcpy(buf, ip6_tcp, sizeof(buf));
	memset(buf + 38, 0, 10);
	buf[48] = 0xff;
	buf[49] = 0xff;
	CHECK_EQ_U(c2w_parse_packet(buf, sizeof(buf), 0, &pkt),
		   C2W_PARSE_IP6_V4MAPPED);
	/* ::ffff:0:0/96 only: ::fffe:... is an ordinary IPv6 address. */
	buf[49] = 0xfe;
	CHECK_EQ_U(c2w_parse_packet(buf, sizeof(buf), 0, &pkt), C2W_PARSE_OK);

	/* Payload length 0, as in a jumbogram, with TCP next. */
	memcpy(buf, ip6_tcp, sizeof(buf));
	buf[19] = 0;
	CHECK_EQ_U(c2w_parse_packet(buf, sizeof(buf), 0, &pkt),
		   C2W_PARSE_L4_TRUNC);
}

static void
test_ip4_fragments(void)
{
	static const struct pkt_expect later = {
		C2W_PARSE_OK, 0x0800, 0, 0, 0, 14, 36, 17, F_FRAG | F_LATER,
		0, 0, 0, 0, 0,
	};
	static const struct pkt_expect first = {
		C2W_PARSE_OK, 0x0800, 0, 0, 0, 14, 36, 17, F_FRAG | F_L4,
		34, 5353, 53, 8, 0,
	};
	static const uint8_t src[4] = { 192, 0, 2, 1 };
	static const uint8_t dst[4] = { 198, 51, 100, 7 };
	struct c2w_pkt pkt;

	check_frame("ip4 later fragment", ip4_frag_later,
		    sizeof(ip4_frag_later), 0, &later);
	c2w_parse_packet(ip4_frag_later, sizeof(ip4_frag_later), 0, &pkt);
	CHECK(memcmp(pkt.src, src, 4) == 0);
	CHECK(memcmp(pkt.dst, dst, 4) == 0);

	/* The UDP length covers the whole datagram, not this fragment. */
	check_frame("ip4 first fragment, udp", ip4_frag_first_udp,
		    sizeof(ip4_frag_first_udp), 0, &first);
}

static void
test_ip4_udp_variants(void)
{
	static const struct pkt_expect udp = {
		C2W_PARSE_OK, 0x0800, 0, 0, 0, 14, 32, 17, F_L4,
		34, 5353, 53, 4, 0,
	};
	static const struct pkt_expect gre = {
		C2W_PARSE_OK, 0x0800, 0, 0, 0, 14, 32, 47, 0,
		0, 0, 0, 0, 0,
	};
	uint8_t buf[sizeof(ip4_udp)];
	struct c2w_pkt pkt;

	check_frame("ip4 udp", ip4_udp, sizeof(ip4_udp), 0, &udp);

	memcpy(buf, ip4_udp, sizeof(buf));
	buf[IP4_UDP_PROTO] = 47;
	check_frame("ip4 gre", buf, sizeof(buf), 0, &gre);

	memcpy(buf, ip4_udp, sizeof(buf));
	buf[IP4_UDP_ULEN_LO] = 7;
	CHECK_EQ_U(c2w_parse_packet(buf, sizeof(buf), 0, &pkt),
		   C2W_PARSE_UDP_BAD_LEN);
	buf[IP4_UDP_ULEN_LO] = 13;
	CHECK_EQ_U(c2w_parse_packet(buf, sizeof(buf), 0, &pkt),
		   C2W_PARSE_UDP_BAD_LEN);
	CHECK_EQ_U(pkt.l4_payload, 0);
	CHECK(pkt.flags & C2W_PKT_F_PORTS_RAW);
	CHECK(!(pkt.flags & C2W_PKT_F_L4));

	/* UDP length 11 leaves one IP payload byte outside the datagram. */
	buf[IP4_UDP_ULEN_LO] = 11;
	CHECK_EQ_U(c2w_parse_packet(buf, sizeof(buf), 0, &pkt), C2W_PARSE_OK);
	CHECK_EQ_U(pkt.l4_payload, 3);

	memcpy(buf, ip4_udp, sizeof(buf));
	buf[IP4_UDP_VER_IHL] = 0x65;
	CHECK_EQ_U(c2w_parse_packet(buf, sizeof(buf), 0, &pkt),
		   C2W_PARSE_IP4_BAD_VER);

	/* IHL 15 means 60 header bytes, but the frame has 32 IP bytes. */
	buf[IP4_UDP_VER_IHL] = 0x4f;
	CHECK_EQ_U(c2w_parse_packet(buf, sizeof(buf), 0, &pkt),
		   C2W_PARSE_IP4_TRUNC);

	CHECK_EQ_U(c2w_parse_packet(ip4_udp, 14 + 19, 0, &pkt),
		   C2W_PARSE_IP4_TRUNC);
	CHECK_EQ_U(c2w_parse_packet(ip4_udp, 13, 0, &pkt),
		   C2W_PARSE_ETH_TRUNC);
	CHECK_EQ_U(c2w_parse_packet(ip4_udp, 0, 0, &pkt),
		   C2W_PARSE_ETH_TRUNC);
}

static void
test_sctp_and_arp(void)
{
	static const struct pkt_expect sctp = {
		C2W_PARSE_OK, 0x0800, 0, 0, 0, 14, 48, 132, F_L4,
		34, 36412, 2905, 16, 0,
	};
	static const struct pkt_expect arp = {
		C2W_PARSE_NON_IP, 0x0806, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0,
	};

	check_frame("ip4 sctp", ip4_sctp, sizeof(ip4_sctp), 0, &sctp);
	check_frame("arp request", arp_request, sizeof(arp_request), 0, &arp);
}

static void
test_vlan_tags(void)
{
	static const struct pkt_expect stripped = {
		C2W_PARSE_OK, 0x0800, 1, 100, 0, 14, 40, 6, F_L4,
		34, 49152, 443, 0, TCP_SYN,
	};
	static const struct pkt_expect stripped_and_tag = {
		C2W_PARSE_OK, 0x0800, 2, 100, 200, 18, 40, 6, F_L4,
		38, 49152, 443, 0, TCP_SYN,
	};
	uint8_t untagged[sizeof(vlan_one_tag_tcp) - 4];
	struct c2w_pkt pkt;

	CHECK_EQ_U(c2w_parse_packet(vlan_three_tags, sizeof(vlan_three_tags),
				    0, &pkt), C2W_PARSE_VLAN_DEPTH);
	CHECK_EQ_U(pkt.vlan_outer, 10);
	CHECK_EQ_U(pkt.vlan_inner, 20);

	/* The same TCP frame with its tag removed, as a NIC strips it. The
	 * mbuf then carries TCI 0x2064, which is PCP 1 and VID 100. */
	memcpy(untagged, vlan_one_tag_tcp, 12);
	memcpy(untagged + 12, vlan_one_tag_tcp + 16, sizeof(untagged) - 12);
	check_frame("stripped tag", untagged, sizeof(untagged), 0x2064,
		    &stripped);

	/* A stripped tag is the outer one, the tag in the frame the inner. */
	check_frame("stripped tag and in-frame tag", vlan_one_tag_tcp,
		    sizeof(vlan_one_tag_tcp), 0x2064, &stripped_and_tag);

	/* Two tags in the frame and one stripped make three. */
	if (load_capture("qinq/qinq.pcap") >= 1) {
		CHECK_EQ_U(c2w_parse_packet(frames[0].data, frames[0].len,
					    0x0063, &pkt),
			   C2W_PARSE_VLAN_DEPTH);
	}

	/* A tag whose TCI is cut off. */
	CHECK_EQ_U(c2w_parse_packet(vlan_one_tag_tcp, 15, 0, &pkt),
		   C2W_PARSE_ETH_TRUNC);
}

static void
test_result_names(void)
{
	unsigned int i, j;
	const char *name;

	for (i = 0; i < C2W_PARSE_RESULT_MAX; i++) {
		name = c2w_parse_result_name((enum c2w_parse_result)i);
		CHECK(strcmp(name, "unknown") != 0);
		for (j = 0; j < i; j++)
			CHECK(strcmp(name, c2w_parse_result_name(
				(enum c2w_parse_result)j)) != 0);
	}
	CHECK(strcmp(c2w_parse_result_name(C2W_PARSE_IP4_BAD_IHL),
		     "ip4_bad_ihl") == 0);
	CHECK(strcmp(c2w_parse_result_name(C2W_PARSE_RESULT_MAX),
		     "unknown") == 0);
}

/* Minimum header length of the L4 protocols that carry C2W_PKT_F_L4. */
static uint32_t
l4_hdr_min(const struct c2w_pkt *pkt)
{
	switch (pkt->proto) {
	case 6:
		return 20;
	case 17:
	case 1:
	case 58:
		return 8;
	case 132:
		return 12;
	default:
		return UINT32_MAX;
	}
}

/* Check the bounds struct c2w_pkt promises for a len-byte frame. Returns
 * NULL when they are kept, else the first rule broken. */
static const char *
pkt_bounds_error(const uint8_t *data, uint32_t len,
		 enum c2w_parse_result res, const struct c2w_pkt *pkt)
{
	uint32_t ip_end = (uint32_t)pkt->l3_off + pkt->ip_len;
	uint32_t hdr;

	if ((unsigned int)res >= C2W_PARSE_RESULT_MAX)
		return "result out of range";
	if (pkt->vlan_count > 2)
		return "vlan_count > 2";
	if (pkt->ip_len != 0 && (pkt->l3_off < 14 || ip_end > len))
		return "IP packet outside the frame";
	if (res == C2W_PARSE_OK && pkt->ip_len <
	    (pkt->flags & C2W_PKT_F_IPV6 ? 40 : 20))
		return "ip_len below the IP header";
	if ((pkt->flags & C2W_PKT_F_FRAG_LATER) &&
	    (!(pkt->flags & C2W_PKT_F_FRAG) || (pkt->flags & C2W_PKT_F_L4)))
		return "later fragment with L4 or without FRAG";
	if ((pkt->flags & C2W_PKT_F_PORTS_RAW) &&
	    (res == C2W_PARSE_OK || (pkt->flags & C2W_PKT_F_L4) ||
	     pkt->l3_off + pkt->ip_len > len))
		return "raw ports on a good parse or outside the frame";
	if (!(pkt->flags & C2W_PKT_F_L4)) {
		if (pkt->l4_off || pkt->l4_payload || pkt->tcp_flags ||
		    ((pkt->sport || pkt->dport) &&
		     !(pkt->flags & C2W_PKT_F_PORTS_RAW)))
			return "L4 fields set without C2W_PKT_F_L4";
		return NULL;
	}

	if (res != C2W_PARSE_OK)
		return "C2W_PKT_F_L4 on a failed parse";
	hdr = l4_hdr_min(pkt);
	if (hdr == UINT32_MAX)
		return "C2W_PKT_F_L4 on a protocol without ports";
	if (pkt->l4_off < pkt->l3_off + 20u)
		return "l4_off inside the IP header";
	if (pkt->l4_off + hdr + pkt->l4_payload > ip_end)
		return "L4 header or payload past the IP end";
	/* The data offset byte is inside the frame: l4_off + 20 <= ip_end. */
	if (pkt->proto == 6 &&
	    pkt->l4_off + (data[pkt->l4_off + 12] >> 4) * 4u +
	    pkt->l4_payload != ip_end)
		return "TCP header and payload do not fill the IP packet";
	return NULL;
}

struct corpus_stats {
	unsigned int files;
	unsigned int not_opened;
	unsigned int not_ethernet;
	unsigned int read_errors;
	unsigned long packets;
	unsigned long parses;
	unsigned long violations;
	unsigned long results[C2W_PARSE_RESULT_MAX];
};

/* Parse the first len bytes of pkt_data from a heap block of exactly len
 * bytes, so that AddressSanitizer reports any read past the end. */
static void
parse_cut(const uint8_t *pkt_data, uint32_t len, uint16_t vlan_tci,
	  uint8_t *block, uint32_t block_len, struct corpus_stats *st,
	  const char *file)
{
	uint8_t *start = block + block_len - len;
	struct c2w_pkt pkt;
	enum c2w_parse_result res;
	const char *err;

	memcpy(start, pkt_data, len);
	res = c2w_parse_packet(start, len, vlan_tci, &pkt);
	st->parses++;
	err = pkt_bounds_error(start, len, res, &pkt);
	if (err != NULL) {
		if (st->violations < 10)
			printf("# %s: packet %lu cut at %u: %s\n", file,
			       st->packets, len, err);
		st->violations++;
	}
	if (len == block_len && vlan_tci == 0 &&
	    (unsigned int)res < C2W_PARSE_RESULT_MAX)
		st->results[res]++;
}

static void
parse_capture_file(const char *path, const char *file,
		   struct corpus_stats *st)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *bytes;
	uint8_t *block;
	uint32_t len;
	pcap_t *pc;
	int rc;

	pc = pcap_open_offline(path, err);
	if (pc == NULL) {
		st->not_opened++;
		return;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		st->not_ethernet++;
		pcap_close(pc);
		return;
	}

	st->files++;
	while ((rc = pcap_next_ex(pc, &hdr, &bytes)) == 1) {
		block = malloc(hdr->caplen ? hdr->caplen : 1);
		if (block == NULL)
			break;
		for (len = 0; len <= hdr->caplen; len++)
			parse_cut(bytes, len, 0, block, hdr->caplen, st, file);
		/* Once more with a NIC-stripped tag as the outer one. */
		parse_cut(bytes, hdr->caplen, 0x0fff, block, hdr->caplen, st,
			  file);
		free(block);
		st->packets++;
	}
	/* Some captures end mid-record on purpose; their packets up to
	 * there have been parsed. */
	if (rc == PCAP_ERROR)
		st->read_errors++;
	pcap_close(pc);
}

static void
test_tcpdump_corpus(void)
{
	char dir_path[512], path[1024];
	struct corpus_stats st;
	struct dirent *ent;
	unsigned int i;
	DIR *dir;

	memset(&st, 0, sizeof(st));
	snprintf(dir_path, sizeof(dir_path), "%s/tcpdump", C2W_TEST_DATA);
	dir = opendir(dir_path);
	CHECK(dir != NULL);
	if (dir == NULL)
		return;
	while ((ent = readdir(dir)) != NULL) {
		if (strstr(ent->d_name, ".pcap") == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir_path, ent->d_name);
		parse_capture_file(path, ent->d_name, &st);
	}
	closedir(dir);

	printf("# tcpdump corpus: %u Ethernet files, %u not opened, "
	       "%u other link types, %u read errors, %lu packets, "
	       "%lu parses\n", st.files, st.not_opened, st.not_ethernet,
	       st.read_errors, st.packets, st.parses);
	for (i = 0; i < C2W_PARSE_RESULT_MAX; i++)
		printf("#   %-14s %lu\n",
		       c2w_parse_result_name((enum c2w_parse_result)i),
		       st.results[i]);
	CHECK(st.files > 0);
	CHECK(st.packets > 0);
	CHECK_EQ_U(st.violations, 0);
}

int
main(void)
{
	test_ipv4_options();
	test_bad_header_lengths();
	test_qinq();
	test_eth_padding();
	test_icmp();
	test_ip6_fragments();
	test_ip6_ext_limits();
	test_ip6_headers();
	test_ip4_fragments();
	test_ip4_udp_variants();
	test_sctp_and_arp();
	test_vlan_tags();
	test_result_names();
	test_tcpdump_corpus();
	return check_done();
}
