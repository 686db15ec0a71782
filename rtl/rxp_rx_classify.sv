// SPDX-License-Identifier: MIT
// rxp_rx_classify: per-frame verdict beside the stream: length class, address filter, IPv4/TCP/UDP checksums, RSS.
`default_nettype none

// Passes the MAC stream through one register stage. On the last word it adds
// the frame's verdict: keep (a good frame for an enabled queue) and the
// metadata the descriptor engine writes back. Every frame (and every MAC
// bad-preamble event) also yields one statistics event with its class; the
// precedence is in rtl/README.md and in the class order below. The registers
// count TPR, TOR and the drop classes from it; a good frame's GPRC/GORC/BPRC/
// MPRC are counted by rxp_pktbuf when it stores the frame (ev_len_o,
// ev_bcast_o and ev_mcast_o go there too), MPC when it does not fit.
// Receive-side scaling (rtl/README.md): the Toeplitz hash is computed as the
// words stream past, no frame is buffered. Toeplitz is linear in its input
// bits, so each 16-bit lane of the input adds (XOR) the key windows of its
// set bits; the addresses (input bytes 0..7) and the ports (input bytes
// 8..11) are summed apart, and the last word picks h_addr (IPV4) or
// h_addr ^ h_ports (IPV4_TCP, IPV4_UDP) by the RSS type.
module rxp_rx_classify #(
  parameter int unsigned NUM_QUEUES = 1   // RX queues, 1..8
) (
  input  wire         clk_i,
  input  wire         rst_ni,
  // Frame stream in (from rxp_mac_rx)
  input  wire         s_valid_i,
  input  wire [63:0]  s_data_i,
  input  wire         s_last_i,
  input  wire         s_err_i,
  input  wire         s_fcs_ok_i,
  input  wire [15:0]  s_len_i,
  input  wire         s_badpre_i,
  // Configuration
  input  wire [31:0]  rctl_i,
  input  wire [31:0]  rxcsum_i,
  input  wire [13:0]  rlpml_i,
  input  wire [16*48-1:0] ra_addr_i,      // station address n in bits 48n+47:48n (byte 0 lowest)
  input  wire [15:0]  ra_valid_i,
  input  wire [NUM_QUEUES-1:0] queue_ok_i,
  input  wire [31:0]  mrqc_i,
  input  wire [319:0] rss_key_i,          // RSSRK key, key byte 0 in bits 319:312
  input  wire [128*3-1:0] reta_i,         // RETA entry e (its queue) in bits 3e+2:3e
  // Frame stream out (to rxp_pktbuf); verdict and metadata valid with m_last_o
  output logic        m_valid_o,
  output logic [63:0] m_data_o,
  output logic        m_last_o,
  output logic        m_keep_o,
  output logic [15:0] m_len_o,            // bytes to deliver (FCS removed when RCTL.SECRC)
  output logic [2:0]  m_queue_o,
  output logic [31:0] m_status_o,         // IPCS/TCPCS/UDPCS and IPE/TCPE bits
  output logic [15:0] m_pkt_info_o,
  output logic [31:0] m_rss_o,            // writeback RSS field: the hash with RXCSUM.PCSD, else 0
  // Statistics event: one per frame reaching the MAC
  output logic        ev_valid_o,
  output rxp_pkg::rx_class_e ev_class_o,
  output logic        ev_bcast_o,
  output logic        ev_mcast_o,
  output logic [15:0] ev_len_o,
  output logic        ev_badpre_o
);

  import igb_regs_pkg::*;
  import rxp_pkg::*;

  localparam logic [15:0] ETH_P_IP    = 16'h0800;
  localparam logic [15:0] ETH_P_8021Q = 16'h8100;
  localparam logic [7:0]  IPPROTO_TCP = 8'd6;
  localparam logic [7:0]  IPPROTO_UDP = 8'd17;
  localparam logic [15:0] ETH_ZLEN_FCS   = 16'd64;
  localparam logic [15:0] ETH_MAX_FCS    = 16'd1518;
  localparam logic [15:0] ETH_MAX_FCS_VL = 16'd1522;

  // Key bits 16m .. 16m+46 (bit 0 = the most significant bit of key byte
  // 0): the windows of the 16 input bits of input lane m (input bytes 2m,
  // 2m+1).
  function automatic logic [46:0] key_slice(input logic [319:0] key, input logic [2:0] m);
    return key[319 - 16 * int'(m) -: 47];
  endfunction
  // Toeplitz contribution of one 16-bit input lane v (network order) whose
  // key windows are s: the XOR of window b for every set bit b (b = 0 the
  // lane's most significant bit).
  function automatic logic [31:0] toeplitz16(input logic [46:0] s, input logic [15:0] v);
    logic [31:0] h;
    h = 32'h0;
    for (int b = 0; b < 16; b++)
      if (v[15 - b]) h = h ^ s[46 - b -: 32];
    return h;
  endfunction

  function automatic logic [15:0] csum_fold(input logic [31:0] x);
    logic [31:0] s;
    s = {16'h0, x[15:0]} + {16'h0, x[31:16]};
    s = {16'h0, s[15:0]} + {16'h0, s[31:16]};
    return s[15:0];
  endfunction

  // ---------------------------------------------------------------- per-frame parse state
  logic [11:0] w_q, w_d;            // index of this word in the frame
  logic        acc_q, acc_d;        // address filter accepts
  logic        bc_q, bc_d, mc_q, mc_d;
  logic        vlan_q, vlan_d;
  logic        ipv4_q, ipv4_d;      // EtherType says IPv4 (version checked at the end)
  logic [3:0]  ver_q, ver_d, ihl_q, ihl_d;
  logic [15:0] totlen_q, totlen_d;
  logic        frag_q, frag_d;
  logic [7:0]  proto_q, proto_d;
  logic [31:0] sum_ip_q, sum_ip_d, sum_addr_q, sum_addr_d, sum_l4_q, sum_l4_d;
  logic        udp0_q, udp0_d;      // UDP checksum field is zero
  logic [31:0] h_addr_q, h_addr_d;   // Toeplitz over the addresses (RSS input bytes 0..7)
  logic [31:0] h_ports_q, h_ports_d; // ... over the ports (RSS input bytes 8..11)

  wire [15:0] hlen_q = {10'h0, ihl_q, 2'b00};

  logic [15:0] lane [4];
  always_comb for (int j = 0; j < 4; j++) lane[j] = {s_data_i[16*j +: 8], s_data_i[16*j+8 +: 8]};

  // Address filter: compared once per frame, on the first word.
  logic da_match;
  always_comb begin
    da_match = 1'b0;
    if (s_valid_i && w_q == 12'd0) begin
      for (int i = 0; i < 16; i++)
        if (ra_valid_i[i] && ra_addr_i[48*i +: 48] == s_data_i[47:0]) da_match = 1'b1;
    end
  end

  always_comb begin
    logic        first;
    logic        vlan_now, ipv4_now;
    logic [15:0] l3, o, r, q;
    logic [15:0] v;
    o = 16'h0; r = 16'h0; q = 16'h0; v = 16'h0;
    first      = (w_q == 12'd0);
    w_d        = s_last_i ? 12'd0 : ((w_q == 12'hFFF) ? w_q : w_q + 12'd1);
    acc_d      = first ? 1'b0 : acc_q;
    bc_d       = first ? 1'b0 : bc_q;
    mc_d       = first ? 1'b0 : mc_q;
    vlan_d     = first ? 1'b0 : vlan_q;
    ipv4_d     = first ? 1'b0 : ipv4_q;
    ver_d      = first ? 4'h0 : ver_q;
    ihl_d      = first ? 4'h0 : ihl_q;
    totlen_d   = first ? 16'h0 : totlen_q;
    frag_d     = first ? 1'b0 : frag_q;
    proto_d    = first ? 8'h0 : proto_q;
    sum_ip_d   = first ? 32'h0 : sum_ip_q;
    sum_addr_d = first ? 32'h0 : sum_addr_q;
    sum_l4_d   = first ? 32'h0 : sum_l4_q;
    udp0_d     = first ? 1'b0 : udp0_q;
    h_addr_d   = first ? 32'h0 : h_addr_q;
    h_ports_d  = first ? 32'h0 : h_ports_q;

    if (first) begin
      bc_d  = (s_data_i[47:0] == 48'hFFFF_FFFF_FFFF);
      mc_d  = s_data_i[0] && !bc_d;
      acc_d = bc_d ? rctl_i[E1000_RCTL_BAM_LSB] :
              mc_d ? rctl_i[E1000_RCTL_MPE_LSB] :
                     (rctl_i[E1000_RCTL_UPE_LSB] || da_match);
    end

    // EtherType: bytes 12-13 (word 1, lane 2); behind one VLAN tag, bytes 16-17 (word 2, lane 0).
    vlan_now = 1'b0;
    ipv4_now = 1'b0;
    if (w_q == 12'd1) begin
      vlan_now = (lane[2] == ETH_P_8021Q);
      ipv4_now = (lane[2] == ETH_P_IP);
      vlan_d   = vlan_now;
    end else if (w_q == 12'd2 && vlan_q) begin
      ipv4_now = (lane[0] == ETH_P_IP);
    end
    if (ipv4_now) ipv4_d = 1'b1;
    l3 = (vlan_q || vlan_now) ? 16'd18 : 16'd14;

    if (s_valid_i && (ipv4_q || ipv4_now)) begin
      for (int j = 0; j < 4; j++) begin
        o = {1'b0, w_q, j[1:0], 1'b0};
        v = lane[j];
        if (o >= l3) begin
          r = o - l3;
          if (r == 16'd0) begin
            ver_d = v[15:12];
            ihl_d = v[11:8];
          end
          if (r == 16'd2) totlen_d = v;
          if (r == 16'd6) frag_d = v[13] || (v[12:0] != 13'h0);
          if (r == 16'd8) proto_d = v[7:0];
          if (r < 16'd20 || r < hlen_q) sum_ip_d = sum_ip_d + {16'h0, v};
          if (r >= 16'd12 && r < 16'd20) begin
            sum_addr_d = sum_addr_d + {16'h0, v};
            h_addr_d   = h_addr_d ^ toeplitz16(key_slice(rss_key_i, 3'((r - 16'd12) >> 1)), v);
          end
          if (ihl_q >= 4'd5 && r >= hlen_q && r < totlen_q) begin
            q = r - hlen_q;
            if (q == 16'd0 || q == 16'd2)
              h_ports_d = h_ports_d ^ toeplitz16(key_slice(rss_key_i, 3'(16'd4 + (q >> 1))), v);
            if (q == 16'd6) udp0_d = (v == 16'h0);
            sum_l4_d = sum_l4_d + {16'h0, v[15:8], (r + 16'd1 < totlen_q) ? v[7:0] : 8'h00};
          end
        end
      end
    end
  end

  // ---------------------------------------------------------------- verdict on the last word
  wire [7:0] qok = 8'(queue_ok_i);
  rx_class_e   cls;
  logic        keep;
  logic [15:0] dlen;
  logic [2:0]  queue;
  logic [31:0] status;
  logic [15:0] pkt_info;
  logic [31:0] rss;

  always_comb begin
    logic [15:0] maxlen, datalen, l3;
    logic        ip_ok, trunc, is_tcp, is_udp, l4, ports;
    logic [31:0] pseudo, hash;
    logic [3:0]  rss_type;
    maxlen  = rctl_i[E1000_RCTL_LPE_LSB] ? {2'b00, rlpml_i} :
              (vlan_d ? ETH_MAX_FCS_VL : ETH_MAX_FCS);
    datalen = (s_len_i >= 16'd4) ? s_len_i - 16'd4 : 16'd0;
    l3      = vlan_d ? 16'd18 : 16'd14;
    ip_ok   = ipv4_d && ver_d == 4'd4 && ihl_d >= 4'd5 &&
              ({10'h0, ihl_d, 2'b00} + l3 <= datalen);
    trunc   = (l3 + totlen_d > datalen) || (totlen_d < {10'h0, ihl_d, 2'b00});
    is_tcp  = ip_ok && !frag_d && proto_d == IPPROTO_TCP;
    is_udp  = ip_ok && !frag_d && proto_d == IPPROTO_UDP;
    l4      = (is_tcp || is_udp) && !trunc;
    pseudo  = sum_addr_d + {24'h0, proto_d} + {16'h0, totlen_d - {10'h0, ihl_d, 2'b00}};
    // RSS type (82576 datasheet, RSS; igb_setup_mrqc): TCP or UDP with both
    // ports inside the datagram and the datagram inside the frame (never a
    // fragment: is_tcp/is_udp exclude them) when MRQC enables that type,
    // else IPv4 when enabled, else none (hash 0, queue 0).
    ports    = (is_tcp || is_udp) && !trunc && (totlen_d >= {10'h0, ihl_d, 2'b00} + 16'd4);
    rss_type = 4'h0;
    hash     = 32'h0;
    if (mrqc_i[E1000_MRQC_ENABLE_RSS_MQ_LSB] && ip_ok) begin
      if (ports && is_tcp && mrqc_i[E1000_MRQC_RSS_FIELD_IPV4_TCP_LSB]) begin
        rss_type = 4'(E1000_RXDADV_RSSTYPE_IPV4_TCP);
        hash     = h_addr_d ^ h_ports_d;
      end else if (ports && is_udp && mrqc_i[E1000_MRQC_RSS_FIELD_IPV4_UDP_LSB]) begin
        rss_type = 4'(E1000_RXDADV_RSSTYPE_IPV4_UDP);
        hash     = h_addr_d ^ h_ports_d;
      end else if (mrqc_i[E1000_MRQC_RSS_FIELD_IPV4_LSB]) begin
        rss_type = 4'(E1000_RXDADV_RSSTYPE_IPV4);
        hash     = h_addr_d;
      end
    end

    status   = 32'h0;
    pkt_info = 16'h0;
    if (s_valid_i && s_last_i && ip_ok) begin
      // Packet type L3 bits: IPV4 or IPV4_EX (options), never both (82576
      // advanced RX writeback, Packet Type; igb_process_skb_fields switches on
      // pkt_info & PKTTYPE_ILMASK with one case each).
      pkt_info = ((ihl_d > 4'd5) ? 16'(E1000_RXDADV_PKTTYPE_IPV4_EX) : 16'(E1000_RXDADV_PKTTYPE_IPV4)) |
                 (is_tcp ? 16'(E1000_RXDADV_PKTTYPE_TCP) : 16'h0) |
                 (is_udp ? 16'(E1000_RXDADV_PKTTYPE_UDP) : 16'h0);
      // RSS type in bits 3:0 (0: no hash computed).
      pkt_info = pkt_info | {12'h0, rss_type};
      if (rxcsum_i[E1000_RXCSUM_IPOFLD_LSB]) begin
        status = status | E1000_RXD_STAT_IPCS;
        if (csum_fold(sum_ip_d) != 16'hFFFF) status = status | E1000_RXDEXT_STATERR_IPE;
      end
      if (l4 && rxcsum_i[E1000_RXCSUM_TUOFL_LSB] && !(is_udp && udp0_d)) begin
        status = status | (is_tcp ? E1000_RXD_STAT_TCPCS : E1000_RXD_STAT_UDPCS);
        if (csum_fold(sum_l4_d + {16'h0, csum_fold(pseudo)}) != 16'hFFFF)
          status = status | E1000_RXDEXT_STATERR_TCPE;
      end
    end

    // Queue: redirection table entry (hash & 127) for a frame with an RSS
    // type; queue 0 for every other frame and without RSS (82576/I210
    // datasheets, receive queue assignment: the default queue). The RSS
    // field holds the hash when RXCSUM.PCSD is set (igb_setup_mrqc sets it),
    // else 0 (the model computes no fragment checksum for it).
    queue = (rss_type != 4'h0) ? reta_i[3 * int'(hash[6:0]) +: 3] : 3'd0;
    rss   = rxcsum_i[E1000_RXCSUM_PCSD_LSB] ? hash : 32'h0;

    dlen = rctl_i[E1000_RCTL_SECRC_LSB] ? datalen : s_len_i;

    // Class precedence: framing, length (runt/oversize with good/bad FCS),
    // FCS, receiver disabled, address filter, queue not enabled, good.
    if (s_err_i)                               cls = RXC_RXERR;
    else if (s_len_i < ETH_ZLEN_FCS)           cls = s_fcs_ok_i ? RXC_RUC : RXC_RFC;
    else if (s_len_i > maxlen)                 cls = s_fcs_ok_i ? RXC_ROC : RXC_RJC;
    else if (!s_fcs_ok_i)                      cls = RXC_CRCERR;
    else if (!rctl_i[E1000_RCTL_EN_LSB])       cls = RXC_RXDIS;
    else if (!acc_d)                           cls = RXC_AFD;
    else if (!qok[queue])               cls = RXC_RXDIS;
    else                                       cls = RXC_GOOD;
    keep = (cls == RXC_GOOD);
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      w_q <= '0; acc_q <= 1'b0; bc_q <= 1'b0; mc_q <= 1'b0; vlan_q <= 1'b0; ipv4_q <= 1'b0;
      ver_q <= '0; ihl_q <= '0; totlen_q <= '0; frag_q <= 1'b0; proto_q <= '0;
      sum_ip_q <= '0; sum_addr_q <= '0; sum_l4_q <= '0; udp0_q <= 1'b0;
      h_addr_q <= '0; h_ports_q <= '0;
      m_valid_o <= 1'b0; m_data_o <= '0; m_last_o <= 1'b0; m_keep_o <= 1'b0; m_len_o <= '0;
      m_queue_o <= '0; m_status_o <= '0; m_pkt_info_o <= '0; m_rss_o <= '0;
      ev_valid_o <= 1'b0; ev_class_o <= RXC_GOOD; ev_bcast_o <= 1'b0; ev_mcast_o <= 1'b0;
      ev_len_o <= '0; ev_badpre_o <= 1'b0;
    end else begin
      m_valid_o   <= s_valid_i;
      ev_valid_o  <= s_valid_i && s_last_i;
      ev_badpre_o <= s_badpre_i;
      if (s_valid_i) begin
        w_q <= w_d; acc_q <= acc_d; bc_q <= bc_d; mc_q <= mc_d; vlan_q <= vlan_d;
        ipv4_q <= ipv4_d; ver_q <= ver_d; ihl_q <= ihl_d; totlen_q <= totlen_d;
        frag_q <= frag_d; proto_q <= proto_d; sum_ip_q <= sum_ip_d; sum_addr_q <= sum_addr_d;
        sum_l4_q <= sum_l4_d; udp0_q <= udp0_d; h_addr_q <= h_addr_d; h_ports_q <= h_ports_d;
        m_data_o <= s_data_i;
        m_last_o <= s_last_i;
        if (s_last_i) begin
          m_keep_o     <= keep;
          m_len_o      <= dlen;
          m_queue_o    <= queue;
          m_status_o   <= status;
          m_pkt_info_o <= pkt_info;
          m_rss_o      <= rss;
          ev_class_o   <= cls;
          ev_bcast_o   <= bc_d;
          ev_mcast_o   <= mc_d;
          ev_len_o     <= s_len_i;
        end
      end
    end
  end

endmodule

`default_nettype wire
