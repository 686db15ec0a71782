// SPDX-License-Identifier: MIT
// rxp_regs: AXI4-Lite register slave: control registers, per-queue ring registers, statistics, CTRL.RST.
`default_nettype none

// Every offset, field and reset value comes from igb_regs_pkg. Unknown offsets
// read 0 and ignore writes; every access is answered OKAY. Interrupt registers
// live in rxp_intr and are reached through the reg_* port (same cycle read
// data). CTRL.RST first blocks new DMA (dma_stop_o, as CTRL.GIO_MASTER_DISABLE
// does) and waits until the DMA engines report no AXI transaction outstanding
// (dma_idle_i); then it pulses dev_rst_no for one cycle: every block,
// including the registers here, returns to reset; the AXI4-Lite handshake
// itself survives. So a reset never cuts a burst or drops a VALID before its
// READY (AXI spec A3.2.1), and STATUS.GIO_MASTER_ENABLE gives software the
// igb_disable_pcie_master handshake.
// The read and write channels are independent (AXI4-Lite): a read and a write
// accepted in the same clock each act on their own address, the read sees the
// state before the write, and clear-on-read never swallows an event or a
// write of the same clock.
module rxp_regs #(
  parameter int unsigned NUM_QUEUES = 1   // RX queues, 1..8
) (
  input  wire         clk_i,
  input  wire         rst_ni,
  // AXI4-Lite slave
  input  wire [16:0]  s_axil_awaddr,
  input  wire         s_axil_awvalid,
  output logic        s_axil_awready,
  input  wire [31:0]  s_axil_wdata,
  input  wire [3:0]   s_axil_wstrb,
  input  wire         s_axil_wvalid,
  output logic        s_axil_wready,
  output logic [1:0]  s_axil_bresp,
  output logic        s_axil_bvalid,
  input  wire         s_axil_bready,
  input  wire [16:0]  s_axil_araddr,
  input  wire         s_axil_arvalid,
  output logic        s_axil_arready,
  output logic [31:0] s_axil_rdata,
  output logic [1:0]  s_axil_rresp,
  output logic        s_axil_rvalid,
  input  wire         s_axil_rready,
  // Device reset (CTRL.RST or rst_ni)
  output logic        dev_rst_no,
  // Master disable: no new DMA transaction may start (CTRL.GIO_MASTER_DISABLE
  // or a CTRL.RST waiting for the DMA to drain) ...
  output logic        dma_stop_o,
  input  wire         dma_idle_i,                   // ... no AXI transaction or MSI-X message outstanding
  // Interrupt block register port
  output logic        reg_wr_o,
  output logic        reg_rd_o,
  output logic [16:0] reg_waddr_o,                  // the write's address (AW) ...
  output logic [16:0] reg_raddr_o,                  // ... and the read's (AR): both may fire in one clock
  output logic [31:0] reg_wdata_o,                  // WSTRB applied: unstrobed bytes 0 ...
  output logic [31:0] reg_wmask_o,                  // ... and which bytes were strobed
  input  wire  [31:0] reg_rdata_i,
  // Receive configuration
  output logic [31:0] rctl_o,
  output logic [31:0] rxcsum_o,
  output logic [13:0] rlpml_o,
  output logic [16*48-1:0] ra_addr_o,
  output logic [15:0] ra_valid_o,
  // Receive-side scaling (rxp_rx_classify)
  output logic [31:0] mrqc_o,
  output logic [319:0] rss_key_o,                   // RSSRK key, key byte 0 in bits 319:312
  output logic [128*3-1:0] reta_o,                  // RETA entry e (its queue) in bits 3e+2:3e
  // Per-queue ring configuration (queue n in slice n)
  output logic [NUM_QUEUES-1:0][63:0] q_base_o,     // ring base address
  output logic [NUM_QUEUES-1:0][15:0] q_count_o,    // ring size in descriptors
  output logic [NUM_QUEUES-1:0][16:0] q_bsize_o,    // packet buffer size in bytes
  output logic [NUM_QUEUES-1:0]       q_drop_en_o,
  output logic [NUM_QUEUES-1:0]       q_ok_o,       // enabled and programmed correctly
  output logic [NUM_QUEUES-1:0][15:0] q_rdt_o,
  output logic [NUM_QUEUES-1:0][15:0] q_rdh_o,
  // Events that move registers
  input  wire [NUM_QUEUES-1:0] q_busy_i,            // writebacks of the queue still pending (rxp_rx_dma)
  input  wire         rdh_inc_i,                    // a writeback completed ...
  input  wire [2:0]   rdh_inc_q_i,                  // ... for this queue
  input  wire         ev_valid_i,                   // frame statistics event (TPR, TOR, error classes)
  input  wire rxp_pkg::rx_class_e ev_class_i,
  input  wire [15:0]  ev_len_i,
  input  wire         ev_badpre_i,
  input  wire         mpc_i,                        // a good frame did not fit the packet buffer
  input  wire         good_i,                       // a good frame was stored in the packet buffer ...
  input  wire [15:0]  good_len_i,                   // ... its length incl. FCS (GORC)
  input  wire         good_bcast_i,                 // ... broadcast (BPRC)
  input  wire         good_mcast_i,                 // ... multicast (MPRC)
  input  wire         rnbc_i,
  input  wire         rqdpc_i,
  input  wire [2:0]   rqdpc_q_i,
  input  wire         rxdis_i,                      // frame dropped: its queue went off while it waited
  input  wire         dma_err_i
);

  import igb_regs_pkg::*;
  import rxp_pkg::*;

  // ---------------------------------------------------------------- AXI4-Lite handshake (survives CTRL.RST)
  logic        wr_fire, rd_fire;
  logic        soft_rst_q;
  logic        rst_pend_q;   // CTRL.RST written, waiting for the DMA to drain
  assign wr_fire = s_axil_awready && s_axil_awvalid && s_axil_wready && s_axil_wvalid;
  assign rd_fire = s_axil_arready && s_axil_arvalid;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      s_axil_awready <= 1'b0;
      s_axil_wready  <= 1'b0;
      s_axil_bvalid  <= 1'b0;
      s_axil_arready <= 1'b0;
      s_axil_rvalid  <= 1'b0;
      s_axil_rdata   <= 32'h0;
    end else begin
      // Write: ready for one cycle once address and data are both offered.
      s_axil_awready <= s_axil_awvalid && s_axil_wvalid && !s_axil_awready && !s_axil_bvalid;
      s_axil_wready  <= s_axil_awvalid && s_axil_wvalid && !s_axil_awready && !s_axil_bvalid;
      if (wr_fire) begin
        s_axil_awready <= 1'b0;
        s_axil_wready  <= 1'b0;
        s_axil_bvalid  <= 1'b1;
      end else if (s_axil_bvalid && s_axil_bready) begin
        s_axil_bvalid <= 1'b0;
      end
      // Read: same pattern.
      s_axil_arready <= s_axil_arvalid && !s_axil_arready && !s_axil_rvalid;
      if (rd_fire) begin
        s_axil_arready <= 1'b0;
        s_axil_rvalid  <= 1'b1;
        s_axil_rdata   <= read_reg(raddr);
      end else if (s_axil_rvalid && s_axil_rready) begin
        s_axil_rvalid <= 1'b0;
      end
    end
  end
  assign s_axil_bresp = 2'b00;
  assign s_axil_rresp = 2'b00;

  wire [16:0] waddr = s_axil_awaddr;
  wire [16:0] raddr = s_axil_araddr;
  // Byte-enable mask of the write.
  wire [31:0] wmask = {{8{s_axil_wstrb[3]}}, {8{s_axil_wstrb[2]}}, {8{s_axil_wstrb[1]}}, {8{s_axil_wstrb[0]}}};
  function automatic logic [31:0] merge(input logic [31:0] old, input logic [31:0] nw,
                                        input logic [31:0] m);
    return (old & ~m) | (nw & m);
  endfunction

  assign reg_wr_o    = wr_fire;
  assign reg_rd_o    = rd_fire;
  assign reg_waddr_o = waddr;
  assign reg_raddr_o = raddr;
  assign reg_wdata_o = merge(32'h0, s_axil_wdata, wmask);
  assign reg_wmask_o = wmask;

  // ---------------------------------------------------------------- device reset
  wire dev_rst_n = rst_ni && !soft_rst_q;
  assign dev_rst_no = dev_rst_n;
  logic [31:0] ctrl_q;
  assign dma_stop_o = rst_pend_q || ((ctrl_q & E1000_CTRL_GIO_MASTER_DISABLE) != 32'h0);
  // STATUS.GIO_MASTER_ENABLE: 0 only once the master is disabled and idle.
  wire master_en = !((ctrl_q & E1000_CTRL_GIO_MASTER_DISABLE) != 32'h0 && dma_idle_i);

  // ---------------------------------------------------------------- registers
  // Ring registers exist for all MAX_RX_QUEUES queues (they read and write
  // back); only queues 0..NUM_QUEUES-1 receive frames.
  localparam int unsigned MAXQ = MAX_RX_QUEUES;
  logic [31:0] rctl_q, rxcsum_q, rlpml_q;
  // RSS: MRQC, the redirection table (RETA, 32 registers of four entries,
  // read back as written) and the key (RSSRK, 10 registers). The
  // classifier's copies (the queue bits of every entry, the key with its
  // first byte most significant) are registers updated on writes, so
  // nothing is recomputed every clock.
  logic [31:0]  mrqc_q;
  logic [31:0]  reta_q [E1000_RETA_COUNT];
  logic [128*3-1:0] reta_pk_q;
  logic [319:0] rss_key_q;
  function automatic logic [31:0] rssrk_of(input logic [3:0] i);
    logic [31:0] d;
    for (int k = 0; k < 4; k++) d[8 * k +: 8] = rss_key_q[319 - 8 * (4 * int'(i) + k) -: 8];
    return d;
  endfunction
  // Address and ring register files are written through one index each (one
  // decode per write, one write port: the Verilated model keeps one update
  // flag per array instead of one per element and statement). They need no
  // reset: an entry not written since reset reads its reset value (*_set_q).
  logic [31:0] ral_q [16];
  logic [31:0] rah_q [16];
  logic [31:0] rdbal_q [MAXQ];
  logic [31:0] rdbah_q [MAXQ];
  logic [31:0] rdlen_q [MAXQ];
  logic [31:0] srrctl_q [MAXQ];
  logic [15:0] rdh_q [MAXQ];
  logic [15:0] rdt_q [MAXQ];
  logic [31:0] rxdctl_q [MAXQ];
  logic [31:0] rqdpc_q [MAXQ];
  logic [15:0]   ral_set_q, rah_set_q;
  logic [MAXQ-1:0] rdbal_set_q, rdbah_set_q, rdlen_set_q, srrctl_set_q, rdh_set_q, rdt_set_q,
                   rxdctl_set_q, rqdpc_set_q;
  logic [31:0] perr_q;

  function automatic logic [31:0] ral_of(input logic [3:0] i);
    return ral_set_q[i] ? ral_q[i] : E1000_RAL_RESET;
  endfunction
  function automatic logic [31:0] rah_of(input logic [3:0] i);
    return rah_set_q[i] ? rah_q[i] : E1000_RAH_RESET;
  endfunction
  function automatic logic [31:0] rdbal_of(input logic [2:0] n);
    return rdbal_set_q[n] ? rdbal_q[n] : E1000_RDBAL_RESET;
  endfunction
  function automatic logic [31:0] rdbah_of(input logic [2:0] n);
    return rdbah_set_q[n] ? rdbah_q[n] : E1000_RDBAH_RESET;
  endfunction
  function automatic logic [31:0] rdlen_of(input logic [2:0] n);
    return rdlen_set_q[n] ? rdlen_q[n] : E1000_RDLEN_RESET;
  endfunction
  function automatic logic [31:0] srrctl_of(input logic [2:0] n);
    return srrctl_set_q[n] ? srrctl_q[n] : E1000_SRRCTL_RESET;
  endfunction
  function automatic logic [15:0] rdh_of(input logic [2:0] n);
    return rdh_set_q[n] ? rdh_q[n] : E1000_RDH_RESET[15:0];
  endfunction
  function automatic logic [15:0] rdt_of(input logic [2:0] n);
    return rdt_set_q[n] ? rdt_q[n] : E1000_RDT_RESET[15:0];
  endfunction
  function automatic logic [31:0] rxdctl_of(input logic [2:0] n);
    return rxdctl_set_q[n] ? rxdctl_q[n] : E1000_RXDCTL_RESET;
  endfunction
  function automatic logic [31:0] rqdpc_of(input logic [2:0] n);
    return rqdpc_set_q[n] ? rqdpc_q[n] : E1000_RQDPC_RESET;
  endfunction

  // Which register file entry a write names (decoded only on writes), and
  // which RQDPC a read clears (decoded only on reads).
  typedef enum logic [3:0] {
    W_NONE, W_RAL, W_RAH, W_RDBAL, W_RDBAH, W_RDLEN, W_SRRCTL, W_RDH, W_RDT, W_RXDCTL
  } wfile_e;
  wfile_e     wf;
  logic [3:0] wi;
  logic       rd_rqdpc;
  logic [2:0] rd_rqdpc_n;
  always_comb begin
    wf = W_NONE;
    wi = 4'd0;
    if (wr_fire) begin
      for (int i = 0; i < 16; i++) begin
        if (waddr == E1000_RAL(i)) begin wf = W_RAL; wi = 4'(i); end
        if (waddr == E1000_RAH(i)) begin wf = W_RAH; wi = 4'(i); end
      end
      for (int n = 0; n < int'(MAXQ); n++) begin
        if (waddr == E1000_RDBAL(n))  begin wf = W_RDBAL;  wi = 4'(n); end
        if (waddr == E1000_RDBAH(n))  begin wf = W_RDBAH;  wi = 4'(n); end
        if (waddr == E1000_RDLEN(n))  begin wf = W_RDLEN;  wi = 4'(n); end
        if (waddr == E1000_SRRCTL(n)) begin wf = W_SRRCTL; wi = 4'(n); end
        if (waddr == E1000_RDH(n))    begin wf = W_RDH;    wi = 4'(n); end
        if (waddr == E1000_RDT(n))    begin wf = W_RDT;    wi = 4'(n); end
        if (waddr == E1000_RXDCTL(n)) begin wf = W_RXDCTL; wi = 4'(n); end
      end
    end
  end
  always_comb begin
    rd_rqdpc   = 1'b0;
    rd_rqdpc_n = 3'd0;
    if (rd_fire) begin
      for (int n = 0; n < int'(MAXQ); n++)
        if (raddr == E1000_RQDPC(n)) begin rd_rqdpc = 1'b1; rd_rqdpc_n = 3'(n); end
    end
  end
  wire [2:0] wq = wi[2:0];
  wire [7:0] q_busy = 8'(q_busy_i);   // widened so a 3-bit queue number indexes it
  // The value the write names before the write (for the byte-enable merge).
  // One return at the end: Verilator 5.006's line coverage loses the count
  // of a case arm that returns.
  function automatic logic [31:0] wold(input wfile_e f, input logic [3:0] i);
    logic [31:0] v;
    unique case (f)
      W_RAL:    v = ral_of(i);
      W_RAH:    v = rah_of(i);
      W_RDBAL:  v = rdbal_of(i[2:0]);
      W_RDBAH:  v = rdbah_of(i[2:0]);
      W_RDLEN:  v = rdlen_of(i[2:0]);
      W_SRRCTL: v = srrctl_of(i[2:0]);
      W_RDH:    v = {16'h0, rdh_of(i[2:0])};
      W_RDT:    v = {16'h0, rdt_of(i[2:0])};
      W_RXDCTL: v = rxdctl_of(i[2:0]);
      default:  v = 32'h0;
    endcase
    return v;
  endfunction

  // Statistics (clear on read, saturating).
  typedef enum logic [3:0] {
    C_CRCERRS, C_RXERRC, C_MPC, C_GPRC, C_BPRC, C_MPRC, C_RNBC, C_RUC, C_RFC, C_ROC, C_RJC,
    C_TPR, C_AFDC, C_RXDIS, C_NUM
  } cnt_e;
  localparam int unsigned NCNT = int'(C_NUM);
  logic [31:0] cnt_q [NCNT];
  logic [1:0]  cnt_inc [NCNT];
  logic [63:0] gorc_q, tor_q;
  logic [31:0] gorch_q, torh_q;   // high halves latched by reading the low half

  function automatic logic [31:0] sat_add(input logic [31:0] a, input logic [1:0] b);
    logic [32:0] s;
    s = {1'b0, a} + {31'h0, b};
    return s[32] ? 32'hFFFF_FFFF : s[31:0];
  endfunction

  always_comb begin
    for (int c = 0; c < int'(NCNT); c++) cnt_inc[c] = 2'd0;
    if (ev_valid_i) begin
      cnt_inc[C_TPR] = 2'd1;
      unique case (ev_class_i)
        RXC_RXERR:  cnt_inc[C_RXERRC]  = 2'd1;
        RXC_RUC:    cnt_inc[C_RUC]     = 2'd1;
        RXC_RFC:    cnt_inc[C_RFC]     = 2'd1;
        RXC_ROC:    cnt_inc[C_ROC]     = 2'd1;
        RXC_RJC:    cnt_inc[C_RJC]     = 2'd1;
        RXC_CRCERR: cnt_inc[C_CRCERRS] = 2'd1;
        RXC_RXDIS:  cnt_inc[C_RXDIS]   = 2'd1;
        RXC_AFD:    cnt_inc[C_AFDC]    = 2'd1;
        // A good frame counts in GPRC/BPRC/MPRC when the packet buffer stores
        // it (good_i) and in MPC when it does not fit (mpc_i), never in both
        // (82575/82598 datasheets: packets counted in MPC are not in GPRC).
        default: ;
      endcase
    end
    if (good_i) begin
      cnt_inc[C_GPRC] = 2'd1;
      cnt_inc[C_BPRC] = {1'b0, good_bcast_i};
      cnt_inc[C_MPRC] = {1'b0, good_mcast_i};
    end
    if (ev_badpre_i) begin
      cnt_inc[C_TPR]    = cnt_inc[C_TPR] + 2'd1;
      cnt_inc[C_RXERRC] = cnt_inc[C_RXERRC] + 2'd1;
    end
    if (mpc_i)   cnt_inc[C_MPC]   = 2'd1;
    if (rnbc_i)  cnt_inc[C_RNBC]  = 2'd1;
    if (rxdis_i) cnt_inc[C_RXDIS] = cnt_inc[C_RXDIS] + 2'd1;
  end

  // Which statistics register a read address names (C_NUM = none).
  function automatic cnt_e cnt_of(input logic [16:0] a);
    cnt_e c;
    c = C_NUM;
    if (a == E1000_CRCERRS)  c = C_CRCERRS;
    if (a == E1000_RXERRC)   c = C_RXERRC;
    if (a == E1000_MPC)      c = C_MPC;
    if (a == E1000_GPRC)     c = C_GPRC;
    if (a == E1000_BPRC)     c = C_BPRC;
    if (a == E1000_MPRC)     c = C_MPRC;
    if (a == E1000_RNBC)     c = C_RNBC;
    if (a == E1000_RUC)      c = C_RUC;
    if (a == E1000_RFC)      c = C_RFC;
    if (a == E1000_ROC)      c = C_ROC;
    if (a == E1000_RJC)      c = C_RJC;
    if (a == E1000_TPR)      c = C_TPR;
    if (a == E1000_RXP_AFDC) c = C_AFDC;
    if (a == E1000_RXP_RXDIS) c = C_RXDIS;
    return c;
  endfunction

  // Queue configuration checks.
  logic [NUM_QUEUES-1:0] q_en, rdlen_bad, desc_bad, bsize_bad;
  logic [31:0] perr_cond, perr_cond_q;   // RXP_PERR bits whose condition holds now
  always_comb begin
    perr_cond = 32'h0;
    for (int n = 0; n < NUM_QUEUES; n++) begin
      if (q_en[n] && rdlen_bad[n]) perr_cond = perr_cond | E1000_RXP_PERR_RDLEN;
      if (q_en[n] && desc_bad[n])  perr_cond = perr_cond | E1000_RXP_PERR_DESCTYPE;
      if (q_en[n] && bsize_bad[n]) perr_cond = perr_cond | E1000_RXP_PERR_BSIZE;
    end
  end
  always_comb begin
    for (int n = 0; n < NUM_QUEUES; n++) begin
      logic [31:0] rdlen, srrctl, rxdctl;
      logic [27:0] rdbal;   // bits 31:4 (the ring base is 16-byte aligned)
      rdlen  = rdlen_of(3'(n));
      srrctl = srrctl_of(3'(n));
      rxdctl = rxdctl_of(3'(n));
      rdbal  = 28'(rdbal_of(3'(n)) >> 4);
      q_en[n]      = rxdctl[E1000_RXDCTL_QUEUE_ENABLE_LSB];
      rdlen_bad[n] = (rdlen[19:7] == 13'h0) || (rdlen[6:0] != 7'h0) || (rdlen[31:20] != 12'h0);
      desc_bad[n]  = (srrctl & E1000_SRRCTL_DESCTYPE) != E1000_SRRCTL_DESCTYPE_ADV_ONEBUF;
      bsize_bad[n] = (srrctl & E1000_SRRCTL_BSIZEPKT) == 32'h0;
      q_base_o[n]    = {rdbah_of(3'(n)), rdbal, 4'h0};
      q_count_o[n]   = rdlen[19:4];
      q_bsize_o[n]   = {srrctl[6:0], 10'h0};
      q_drop_en_o[n] = srrctl[E1000_SRRCTL_DROP_EN_LSB];
      q_ok_o[n]      = q_en[n] && !rdlen_bad[n] && !desc_bad[n] && !bsize_bad[n];
      q_rdt_o[n]     = rdt_of(3'(n));
      q_rdh_o[n]     = rdh_of(3'(n));
    end
  end

  assign rctl_o   = rctl_q;
  assign mrqc_o    = mrqc_q;
  assign rss_key_o = rss_key_q;
  assign reta_o    = reta_pk_q;
  assign rxcsum_o = rxcsum_q;
  assign rlpml_o  = rlpml_q[13:0];
  // Station addresses, packed for the filter, kept as registers (updated on
  // writes) so nothing is recomputed every clock.
  logic [16*48-1:0] ra_addr_q;
  logic [15:0]      ra_valid_q;
  assign ra_addr_o  = ra_addr_q;
  assign ra_valid_o = ra_valid_q;

  // ---------------------------------------------------------------- read mux
  // Evaluated only when a read is accepted.
  function automatic logic [31:0] read_reg(input logic [16:0] a);
    logic [31:0] d;
    d = reg_rdata_i;
    if (a == E1000_CTRL)   d = ctrl_q | (rst_pend_q ? E1000_CTRL_RST : 32'h0);
    if (a == E1000_STATUS) d = (E1000_STATUS_RESET & ~E1000_STATUS_GIO_MASTER_ENABLE) |
                               (master_en ? E1000_STATUS_GIO_MASTER_ENABLE : 32'h0);
    if (a == E1000_RCTL)   d = rctl_q;
    if (a == E1000_RXCSUM) d = rxcsum_q;
    if (a == E1000_RLPML)  d = rlpml_q;
    if (a == E1000_MRQC)   d = mrqc_q;
    for (int i = 0; i < int'(E1000_RETA_COUNT); i++)
      if (a == E1000_RETA(i)) d = reta_q[i];
    for (int i = 0; i < int'(E1000_RSSRK_COUNT); i++)
      if (a == E1000_RSSRK(i)) d = rssrk_of(4'(i));
    for (int i = 0; i < 16; i++) begin
      if (a == E1000_RAL(i)) d = ral_of(4'(i));
      if (a == E1000_RAH(i)) d = rah_of(4'(i));
    end
    for (int n = 0; n < int'(MAXQ); n++) begin
      if (a == E1000_RDBAL(n))  d = rdbal_of(3'(n)) & 32'hFFFF_FFF0;
      if (a == E1000_RDBAH(n))  d = rdbah_of(3'(n));
      if (a == E1000_RDLEN(n))  d = rdlen_of(3'(n));
      if (a == E1000_SRRCTL(n)) d = srrctl_of(3'(n));
      if (a == E1000_RDH(n))    d = {16'h0, rdh_of(3'(n))};
      if (a == E1000_RDT(n))    d = {16'h0, rdt_of(3'(n))};
      // QUEUE_ENABLE reads 1 until the queue's pending writebacks are done
      // (82576: software polls it after clearing it).
      if (a == E1000_RXDCTL(n)) d = rxdctl_of(3'(n)) | (q_busy[n] ? E1000_RXDCTL_QUEUE_ENABLE : 32'h0);
      if (a == E1000_RQDPC(n))  d = rqdpc_of(3'(n));
    end
    if (cnt_of(a) != C_NUM) d = cnt_q[cnt_of(a)];
    if (a == E1000_GORCL)    d = gorc_q[31:0];
    if (a == E1000_GORCH)    d = gorch_q;
    if (a == E1000_TORL)     d = tor_q[31:0];
    if (a == E1000_TORH)     d = torh_q;
    if (a == E1000_RXP_PERR) d = perr_q;
    return d;
  endfunction

  // ---------------------------------------------------------------- register state
  always_ff @(posedge clk_i) begin
    if (!dev_rst_n) begin
      soft_rst_q <= 1'b0;
      rst_pend_q <= 1'b0;
      ctrl_q     <= E1000_CTRL_RESET;
      rctl_q     <= E1000_RCTL_RESET;
      rxcsum_q   <= E1000_RXCSUM_RESET;
      rlpml_q    <= E1000_RLPML_RESET;
      mrqc_q     <= E1000_MRQC_RESET;
      for (int i = 0; i < int'(E1000_RETA_COUNT); i++) reta_q[i] <= E1000_RETA_RESET;
      for (int e = 0; e < 128; e++) reta_pk_q[3 * e +: 3] <= E1000_RETA_RESET[8 * (e % 4) +: 3];
      for (int i = 0; i < int'(E1000_RSSRK_COUNT); i++)
        for (int k = 0; k < 4; k++) rss_key_q[319 - 8 * (4 * i + k) -: 8] <= E1000_RSSRK_RESET[8 * k +: 8];
      ral_set_q  <= '0;
      rah_set_q  <= '0;
      ra_addr_q  <= '0;
      ra_valid_q <= '0;
      rdbal_set_q  <= '0;
      rdbah_set_q  <= '0;
      rdlen_set_q  <= '0;
      srrctl_set_q <= '0;
      rdh_set_q    <= '0;
      rdt_set_q    <= '0;
      rxdctl_set_q <= '0;
      rqdpc_set_q  <= '0;
      for (int c = 0; c < int'(C_NUM); c++) cnt_q[c] <= 32'h0;
      gorc_q  <= 64'h0;
      tor_q   <= 64'h0;
      gorch_q <= 32'h0;
      torh_q  <= 32'h0;
      perr_q  <= E1000_RXP_PERR_RESET;
      perr_cond_q <= 32'h0;
    end else begin
      logic [31:0] perr_set;   // RXP_PERR bits latched this clock
      perr_set   = 32'h0;
      soft_rst_q <= 1'b0;
      // A pending reset takes effect once nothing is outstanding: new DMA
      // has been blocked since the clock after the write (dma_stop_o), so
      // dma_idle_i stays true until the reset.
      if (rst_pend_q && dma_idle_i) soft_rst_q <= 1'b1;

      // Hardware events.
      if (ev_valid_i || ev_badpre_i || mpc_i || good_i || rnbc_i || rxdis_i) begin
        for (int c = 0; c < int'(NCNT); c++)
          if (cnt_inc[c] != 2'd0) cnt_q[c] <= sat_add(cnt_q[c], cnt_inc[c]);
      end
      if (ev_valid_i) tor_q <= tor_q + {48'h0, ev_len_i};
      if (good_i) gorc_q <= gorc_q + {48'h0, good_len_i};
      // RQDPC: an increment, or a clear on read (which keeps an increment of
      // the same cycle for the next read); both may name different queues.
      if (rqdpc_i && 32'(rqdpc_q_i) < NUM_QUEUES && !(rd_rqdpc && rd_rqdpc_n == rqdpc_q_i)) begin
        rqdpc_q[rqdpc_q_i]     <= sat_add(rqdpc_of(rqdpc_q_i), 2'd1);
        rqdpc_set_q[rqdpc_q_i] <= 1'b1;
      end
      if (rd_rqdpc) begin
        rqdpc_q[rd_rqdpc_n]     <= (rqdpc_i && rqdpc_q_i == rd_rqdpc_n) ?
                                   32'd1 : 32'd0;
        rqdpc_set_q[rd_rqdpc_n] <= 1'b1;
      end
      if (rdh_inc_i && 32'(rdh_inc_q_i) < NUM_QUEUES) begin
        logic [15:0] h, l;
        h = rdh_of(rdh_inc_q_i);
        l = 16'(rdlen_of(rdh_inc_q_i) >> 4);   // ring size
        rdh_q[rdh_inc_q_i]     <= (h + 16'd1 == l) ? 16'd0 : h + 16'd1;
        rdh_set_q[rdh_inc_q_i] <= 1'b1;
      end
      // Misprogramming latches once, when it appears (queue enabled with a bad
      // setting, or a bad setting written while enabled).
      perr_cond_q <= perr_cond;
      perr_set = perr_cond & ~perr_cond_q;
      if (dma_err_i) perr_set = perr_set | E1000_RXP_PERR_DMA;

      // Reads with side effects (clear on read). An increment in the same
      // cycle is kept for the next read, never lost.
      if (rd_fire) begin
        if (cnt_of(raddr) != C_NUM) cnt_q[cnt_of(raddr)] <= {30'h0, cnt_inc[cnt_of(raddr)]};
        if (raddr == E1000_GORCL) begin
          gorch_q <= gorc_q[63:32];
          gorc_q  <= good_i ? {48'h0, good_len_i} : 64'h0;
        end
        if (raddr == E1000_GORCH) gorch_q <= 32'h0;
        if (raddr == E1000_TORL) begin
          torh_q <= tor_q[63:32];
          tor_q  <= ev_valid_i ? {48'h0, ev_len_i} : 64'h0;
        end
        if (raddr == E1000_TORH) torh_q <= 32'h0;
      end

      // Writes.
      if (wr_fire) begin
        logic [31:0] wn, wen;
        logic [15:0] wlen;   // ring size in descriptors (RDLEN / 16)
        if (waddr == E1000_CTRL) begin
          ctrl_q <= merge(ctrl_q, s_axil_wdata, wmask) & ~E1000_CTRL_RST;
          if ((s_axil_wdata & wmask & E1000_CTRL_RST) != 32'h0) rst_pend_q <= 1'b1;
        end
        if (waddr == E1000_RCTL)   rctl_q   <= merge(rctl_q, s_axil_wdata, wmask);
        if (waddr == E1000_RXCSUM) rxcsum_q <= merge(rxcsum_q, s_axil_wdata, wmask);
        if (waddr == E1000_RLPML)  rlpml_q  <= merge(rlpml_q, s_axil_wdata, wmask) & E1000_RLPML_VAL;
        if (waddr == E1000_MRQC)   mrqc_q   <= merge(mrqc_q, s_axil_wdata, wmask);
        for (int i = 0; i < int'(E1000_RETA_COUNT); i++) begin
          if (waddr == E1000_RETA(i)) begin
            logic [31:0] rn;
            rn = merge(reta_q[i], s_axil_wdata, wmask);
            reta_q[i] <= rn;
            for (int k = 0; k < 4; k++) reta_pk_q[3 * (4 * i + k) +: 3] <= rn[8 * k +: 3];
          end
        end
        for (int i = 0; i < int'(E1000_RSSRK_COUNT); i++) begin
          if (waddr == E1000_RSSRK(i)) begin
            logic [31:0] kn;
            kn = merge(rssrk_of(4'(i)), s_axil_wdata, wmask);
            for (int k = 0; k < 4; k++) rss_key_q[319 - 8 * (4 * i + k) -: 8] <= kn[8 * k +: 8];
          end
        end
        // Address and ring register files: one entry per write.
        wn   = merge(wold(wf, wi), s_axil_wdata, wmask);
        wen  = rxdctl_of(wq);
        wlen = 16'(rdlen_of(wq) >> 4);
        unique case (wf)
          W_RAL: begin
            ral_q[wi]     <= wn;
            ral_set_q[wi] <= 1'b1;
            ra_addr_q[48*wi +: 32] <= wn;
          end
          W_RAH: begin
            rah_q[wi]     <= wn & (E1000_RAH_VAL | E1000_RAH_AV);
            rah_set_q[wi] <= 1'b1;
            ra_addr_q[48*wi+32 +: 16] <= 16'(wn & E1000_RAH_VAL);
            ra_valid_q[wi] <= (wn & E1000_RAH_AV) != 32'h0;
          end
          W_RDBAL:  begin rdbal_q[wq]  <= wn & 32'hFFFF_FFF0; rdbal_set_q[wq]  <= 1'b1; end
          W_RDBAH:  begin rdbah_q[wq]  <= wn;                 rdbah_set_q[wq]  <= 1'b1; end
          W_RDLEN:  begin rdlen_q[wq]  <= wn;                 rdlen_set_q[wq]  <= 1'b1; end
          W_SRRCTL: begin srrctl_q[wq] <= wn;                 srrctl_set_q[wq] <= 1'b1; end
          W_RXDCTL: begin rxdctl_q[wq] <= wn;                 rxdctl_set_q[wq] <= 1'b1; end
          // RDH belongs to the hardware while the queue is enabled.
          W_RDH: begin
            if (!wen[E1000_RXDCTL_QUEUE_ENABLE_LSB] && !q_busy[wq]) begin
              rdh_q[wq]     <= 16'(wn & E1000_RDH_VAL);
              rdh_set_q[wq] <= 1'b1;
            end
          end
          // RDT (bits 15:0, byte enables honoured) is taken only while the
          // queue is enabled: a write to a disabled queue's RDT is ignored
          // (82575EB SDM 14.3.59, "Writing the RDT register while the
          // corresponding queue is disabled is ignored"). A value beyond
          // the ring is refused and latched in RXP_PERR.
          W_RDT: begin
            if (wen[E1000_RXDCTL_QUEUE_ENABLE_LSB]) begin
              if ((wn[15:0] >= wlen) && (wn[15:0] != 16'h0)) begin
                perr_set = perr_set | E1000_RXP_PERR_RDT;
              end else begin
                rdt_q[wq]     <= wn[15:0];
                rdt_set_q[wq] <= 1'b1;
              end
            end
          end
          default: ;
        endcase
        // Enabling a queue starts its ring empty (RDT = RDH): the NIC owns
        // nothing until software bumps the tail after RXDCTL.ENABLE reads 1
        // (igb_configure_rx_ring writes RDH = RDT = 0 while the queue is
        // off, and that RDT write is ignored, so a tail left from before
        // must not hand stale descriptors to the NIC).
        if (wf == W_RXDCTL && !wen[E1000_RXDCTL_QUEUE_ENABLE_LSB] &&
            wn[E1000_RXDCTL_QUEUE_ENABLE_LSB]) begin
          rdt_q[wq]     <= rdh_of(wq);
          rdt_set_q[wq] <= 1'b1;
        end
      end

      // RXP_PERR: a read clears what it returned; a bit latched in the same
      // clock stays for the next read.
      perr_q <= ((rd_fire && raddr == E1000_RXP_PERR) ? 32'h0 : perr_q) | perr_set;
    end
  end

  // ---------------------------------------------------------------- assertions
  // CTRL.RST resets the device only with no DMA transaction outstanding
  // (a reset that cut a burst would drop a VALID before its READY).
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      if (soft_rst_q)
        ast_regs_rst_idle: assert (dma_idle_i)
          else $error("rxp_regs: CTRL.RST took effect with DMA outstanding");
    end
  end

  // ---------------------------------------------------------------- cover points
  // make coverage (only with --coverage-user): every statistics counter
  // (cnt_e) counting, each from each of its sources; RQDPC; every RXP_PERR
  // cause; every register file entry kind written (wfile_e); RDH wrapping
  // to 0 on a writeback; RDH/RDT writes the queue state refuses; CTRL.RST
  // waiting for the DMA and taking effect; a read and a write in one clock;
  // a counter read in the clock it counts. (No function calls here: when
  // it splits always blocks, Verilator 5.006 evaluates a function called
  // in a cover property after the cover, which sees its result as 0; the
  // coverage models are built with -fno-split, verilator/CMakeLists.txt.)
  cov_cnt_crcerrs: cover property (@(posedge clk_i) disable iff (!dev_rst_n) cnt_inc[C_CRCERRS] != 2'd0);
  cov_cnt_rxerrc_framing: cover property (@(posedge clk_i) disable iff (!dev_rst_n)
      ev_valid_i && ev_class_i == RXC_RXERR);
  cov_cnt_rxerrc_badpre: cover property (@(posedge clk_i) disable iff (!dev_rst_n) ev_badpre_i);
  // Two frames' TPR in one clock: a frame's end (its last word spilled
  // after /T/) and the bad preamble of the next. (RXERRC never counts two:
  // the MAC reports a bad preamble at the earliest one clock after a
  // framing error's end.)
  cov_cnt_tpr_two: cover property (@(posedge clk_i) disable iff (!dev_rst_n) cnt_inc[C_TPR] == 2'd2);
  cov_cnt_mpc:     cover property (@(posedge clk_i) disable iff (!dev_rst_n) cnt_inc[C_MPC] != 2'd0);
  cov_cnt_gprc:    cover property (@(posedge clk_i) disable iff (!dev_rst_n) cnt_inc[C_GPRC] != 2'd0);
  cov_cnt_bprc:    cover property (@(posedge clk_i) disable iff (!dev_rst_n) cnt_inc[C_BPRC] != 2'd0);
  cov_cnt_mprc:    cover property (@(posedge clk_i) disable iff (!dev_rst_n) cnt_inc[C_MPRC] != 2'd0);
  cov_cnt_rnbc:    cover property (@(posedge clk_i) disable iff (!dev_rst_n) cnt_inc[C_RNBC] != 2'd0);
  cov_cnt_ruc:     cover property (@(posedge clk_i) disable iff (!dev_rst_n) cnt_inc[C_RUC] != 2'd0);
  cov_cnt_rfc:     cover property (@(posedge clk_i) disable iff (!dev_rst_n) cnt_inc[C_RFC] != 2'd0);
  cov_cnt_roc:     cover property (@(posedge clk_i) disable iff (!dev_rst_n) cnt_inc[C_ROC] != 2'd0);
  cov_cnt_rjc:     cover property (@(posedge clk_i) disable iff (!dev_rst_n) cnt_inc[C_RJC] != 2'd0);
  cov_cnt_tpr:     cover property (@(posedge clk_i) disable iff (!dev_rst_n) cnt_inc[C_TPR] != 2'd0);
  cov_cnt_afdc:    cover property (@(posedge clk_i) disable iff (!dev_rst_n) cnt_inc[C_AFDC] != 2'd0);
  cov_cnt_rxdis_mac: cover property (@(posedge clk_i) disable iff (!dev_rst_n)
      ev_valid_i && ev_class_i == RXC_RXDIS);
  cov_cnt_rxdis_late: cover property (@(posedge clk_i) disable iff (!dev_rst_n) rxdis_i);
  cov_cnt_rqdpc: cover property (@(posedge clk_i) disable iff (!dev_rst_n)
      rqdpc_i && 32'(rqdpc_q_i) < NUM_QUEUES);
  cov_cnt_gorc:  cover property (@(posedge clk_i) disable iff (!dev_rst_n) good_i);
  cov_cnt_tpr_read_inc: cover property (@(posedge clk_i) disable iff (!dev_rst_n)
      rd_fire && raddr == E1000_TPR && cnt_inc[C_TPR] != 2'd0);
  cov_cnt_rqdpc_read_inc: cover property (@(posedge clk_i) disable iff (!dev_rst_n)
      rqdpc_i && rd_rqdpc && rd_rqdpc_n == rqdpc_q_i);
  cov_perr_rdlen:    cover property (@(posedge clk_i) disable iff (!dev_rst_n)
      (perr_cond & ~perr_cond_q & E1000_RXP_PERR_RDLEN) != 32'h0);
  cov_perr_rdt:      cover property (@(posedge clk_i) disable iff (!dev_rst_n)
      wf == W_RDT && rxdctl_set_q[wq] && rxdctl_q[wq][E1000_RXDCTL_QUEUE_ENABLE_LSB] &&
      s_axil_wstrb[1:0] == 2'b11 && s_axil_wdata[15:0] != 16'h0 &&
      (!rdlen_set_q[wq] || s_axil_wdata[15:0] >= rdlen_q[wq][19:4]));
  cov_perr_desctype: cover property (@(posedge clk_i) disable iff (!dev_rst_n)
      (perr_cond & ~perr_cond_q & E1000_RXP_PERR_DESCTYPE) != 32'h0);
  cov_perr_bsize:    cover property (@(posedge clk_i) disable iff (!dev_rst_n)
      (perr_cond & ~perr_cond_q & E1000_RXP_PERR_BSIZE) != 32'h0);
  cov_perr_dma:      cover property (@(posedge clk_i) disable iff (!dev_rst_n) dma_err_i);
  cov_wf_ral:    cover property (@(posedge clk_i) disable iff (!dev_rst_n) wf == W_RAL);
  cov_wf_rah:    cover property (@(posedge clk_i) disable iff (!dev_rst_n) wf == W_RAH);
  cov_wf_rdbal:  cover property (@(posedge clk_i) disable iff (!dev_rst_n) wf == W_RDBAL);
  cov_wf_rdbah:  cover property (@(posedge clk_i) disable iff (!dev_rst_n) wf == W_RDBAH);
  cov_wf_rdlen:  cover property (@(posedge clk_i) disable iff (!dev_rst_n) wf == W_RDLEN);
  cov_wf_srrctl: cover property (@(posedge clk_i) disable iff (!dev_rst_n) wf == W_SRRCTL);
  cov_wf_rdh:    cover property (@(posedge clk_i) disable iff (!dev_rst_n) wf == W_RDH);
  cov_wf_rdt:    cover property (@(posedge clk_i) disable iff (!dev_rst_n) wf == W_RDT);
  cov_wf_rxdctl: cover property (@(posedge clk_i) disable iff (!dev_rst_n) wf == W_RXDCTL);
  cov_regs_rdh_wrap: cover property (@(posedge clk_i) disable iff (!dev_rst_n)
      rdh_inc_i && 32'(rdh_inc_q_i) < NUM_QUEUES && rdh_set_q[rdh_inc_q_i] && rdlen_set_q[rdh_inc_q_i] &&
      rdh_q[rdh_inc_q_i] + 16'd1 == rdlen_q[rdh_inc_q_i][19:4]);
  cov_regs_rdh_enabled: cover property (@(posedge clk_i) disable iff (!dev_rst_n)
      wf == W_RDH && rxdctl_set_q[wq] && rxdctl_q[wq][E1000_RXDCTL_QUEUE_ENABLE_LSB]);
  cov_regs_rdh_busy: cover property (@(posedge clk_i) disable iff (!dev_rst_n)
      wf == W_RDH && !(rxdctl_set_q[wq] && rxdctl_q[wq][E1000_RXDCTL_QUEUE_ENABLE_LSB]) && q_busy[wq]);
  cov_regs_rdt_disabled: cover property (@(posedge clk_i) disable iff (!dev_rst_n)
      wf == W_RDT && !(rxdctl_set_q[wq] && rxdctl_q[wq][E1000_RXDCTL_QUEUE_ENABLE_LSB]));
  cov_regs_enable_rdt: cover property (@(posedge clk_i) disable iff (!dev_rst_n)
      wf == W_RXDCTL && !(rxdctl_set_q[wq] && rxdctl_q[wq][E1000_RXDCTL_QUEUE_ENABLE_LSB]) &&
      (s_axil_wdata & wmask & E1000_RXDCTL_QUEUE_ENABLE) != 32'h0);
  cov_regs_rst_wait: cover property (@(posedge clk_i) disable iff (!dev_rst_n) rst_pend_q && !dma_idle_i);
  cov_regs_rst: cover property (@(posedge clk_i) disable iff (!rst_ni) soft_rst_q);
  cov_regs_master_disabled: cover property (@(posedge clk_i) disable iff (!dev_rst_n)
      (ctrl_q & E1000_CTRL_GIO_MASTER_DISABLE) != 32'h0 && !dma_idle_i);
  cov_regs_rd_wr_same_clock: cover property (@(posedge clk_i) disable iff (!dev_rst_n) wr_fire && rd_fire);

  // Named copies of the statistics for waveforms (trace_*: not used by the
  // logic; a model without tracing drops them).
  wire [31:0] trace_crcerrs = cnt_q[C_CRCERRS];
  wire [31:0] trace_rxerrc  = cnt_q[C_RXERRC];
  wire [31:0] trace_mpc     = cnt_q[C_MPC];
  wire [31:0] trace_gprc    = cnt_q[C_GPRC];
  wire [31:0] trace_rnbc    = cnt_q[C_RNBC];
  wire [31:0] trace_ruc     = cnt_q[C_RUC];
  wire [31:0] trace_roc     = cnt_q[C_ROC];
  wire [31:0] trace_tpr     = cnt_q[C_TPR];
  wire [31:0] trace_afdc    = cnt_q[C_AFDC];
  wire [31:0] trace_rxdis   = cnt_q[C_RXDIS];

endmodule

`default_nettype wire
