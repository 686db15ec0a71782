// SPDX-License-Identifier: MIT
// nic_top: the rxpath NIC (igb/82576-shaped receive path), XGMII in, AXI4 DMA out.
`default_nettype none

module nic_top #(
  parameter int unsigned NUM_QUEUES   = 1,      // RX queues, 1..8
  parameter int unsigned AXI_DATA_W   = 128,    // DMA data width: 64, 128 or 256
  parameter int unsigned AXI_ID_W     = 4,      // DMA transaction ID width
  parameter int unsigned PKTBUF_BYTES = 65536   // RX packet buffer size
) (
  input  wire                      clk_i,          // 156.25 MHz (6.4 ns)
  input  wire                      rst_ni,         // active-low synchronous reset
  // Idle-skip (verilator/sc/nic_sc.cpp): the clocks the wrapper skipped
  // before this one while quiescent_o was high (0 when it does not skip).
  // Only the time bases move on by them: the interrupt block's microsecond
  // count and the descriptor fetch's queue turn.
  input  wire [15:0]               skip_cycles_i,
  // The next clock changes nothing but those time bases, as long as the
  // inputs stay as they are (see "Quiescence" below).
  output wire                      quiescent_o,
  // XGMII receive (from the PHY), 8 lanes; lane i = rxd[8i+7:8i], rxc[i]
  input  wire [63:0]               xgmii_rxd_i,
  input  wire [7:0]                xgmii_rxc_i,
  // AXI4-Lite slave: registers (byte address, 17 bits = 128 KiB BAR)
  input  wire [16:0]               s_axil_awaddr,
  input  wire                      s_axil_awvalid,
  output wire                      s_axil_awready,
  input  wire [31:0]               s_axil_wdata,
  input  wire [3:0]                s_axil_wstrb,
  input  wire                      s_axil_wvalid,
  output wire                      s_axil_wready,
  output wire [1:0]                s_axil_bresp,
  output wire                      s_axil_bvalid,
  input  wire                      s_axil_bready,
  input  wire [16:0]               s_axil_araddr,
  input  wire                      s_axil_arvalid,
  output wire                      s_axil_arready,
  output wire [31:0]               s_axil_rdata,
  output wire [1:0]                s_axil_rresp,
  output wire                      s_axil_rvalid,
  input  wire                      s_axil_rready,
  // AXI4 master: all DMA (descriptor reads, packet and writeback writes)
  output wire [AXI_ID_W-1:0]       m_axi_awid,
  output wire [63:0]               m_axi_awaddr,
  output wire [7:0]                m_axi_awlen,
  output wire [2:0]                m_axi_awsize,
  output wire [1:0]                m_axi_awburst,
  output wire                      m_axi_awvalid,
  input  wire                      m_axi_awready,
  output wire [AXI_DATA_W-1:0]     m_axi_wdata,
  output wire [AXI_DATA_W/8-1:0]   m_axi_wstrb,
  output wire                      m_axi_wlast,
  output wire                      m_axi_wvalid,
  input  wire                      m_axi_wready,
  input  wire [AXI_ID_W-1:0]       m_axi_bid,
  input  wire [1:0]                m_axi_bresp,
  input  wire                      m_axi_bvalid,
  output wire                      m_axi_bready,
  output wire [AXI_ID_W-1:0]       m_axi_arid,
  output wire [63:0]               m_axi_araddr,
  output wire [7:0]                m_axi_arlen,
  output wire [2:0]                m_axi_arsize,
  output wire [1:0]                m_axi_arburst,
  output wire                      m_axi_arvalid,
  input  wire                      m_axi_arready,
  input  wire [AXI_ID_W-1:0]       m_axi_rid,
  input  wire [AXI_DATA_W-1:0]     m_axi_rdata,
  input  wire [1:0]                m_axi_rresp,
  input  wire                      m_axi_rlast,
  input  wire                      m_axi_rvalid,
  output wire                      m_axi_rready,
  // MSI-X request: one message per handshake, carrying the vector
  output wire                      msix_valid_o,
  output wire [4:0]                msix_vector_o,
  input  wire                      msix_ready_i,
  // Observation port (tracing only; the NIC never reads it). One-cycle
  // pulses, registered, with the fields of the event. The SystemC bridge
  // (verilator/sc/nic_sc.cpp) ties them to frame ids by processing order.
  output wire                      obs_mac_o,        // a frame reached the classifier: class, length
  output wire                      obs_mac_badpre_o, // a frame with a bad preamble/SFD or no byte: RXERRC
  output wire  [3:0]               obs_mac_class_o,  // rxp_pkg::rx_class_e of obs_mac_o
  output wire  [15:0]              obs_mac_len_o,    // bytes from SFD to /T/, FCS included
  output wire                      obs_pb_store_o,   // the packet buffer committed a frame (GPRC)
  output wire                      obs_pb_drop_o,    // the packet buffer was full: MPC
  output logic                     obs_take_o,       // the DMA engine took the frame at the buffer head
  output wire                      obs_rnbc_o,       // the head frame found too few descriptors: RNBC
  output wire                      obs_rqdpc_o,      // ... and was dropped (DROP_EN): RQDPC
  output wire                      obs_rxdis_o,      // the taken/current frame's queue was off: RXP_RXDIS
  output wire  [2:0]               obs_dma_q_o,      // queue of the head frame (with rnbc/rqdpc)
  output logic                     obs_desc_o,       // a descriptor was assigned to the current frame
  output logic [2:0]               obs_desc_q_o,     // ... of this queue
  output logic [15:0]              obs_desc_idx_o,   // ... at this ring index
  output logic [63:0]              obs_desc_addr_o,  // ... with this buffer address (pkt_addr)
  output logic [63:0]              obs_desc_ring_o,  // ... written back here (RDBA + 16 * index)
  output wire                      obs_wb_o,         // a writeback's response arrived (RDH moves, EICR cause)
  output wire  [2:0]               obs_wb_q_o,       // ... for this queue
  output wire                      obs_wb_vec_ok_o,  // ... IVAR0(q).RX_VALID
  output wire  [4:0]               obs_wb_vec_o,     // ... IVAR0(q).RX_VECTOR
  output wire                      obs_dev_rst_o,    // the device is in reset (CTRL.RST): frames in flight are lost
  output wire  [31:0]              obs_pb_bytes_o    // packet buffer fill in bytes: lines in use (the frame being written included) x line bytes
);

  // ---------------------------------------------------------------- parameter checks
  if (NUM_QUEUES < 1 || NUM_QUEUES > 8) begin : g_bad_num_queues
    $error("nic_top: NUM_QUEUES must be 1..8");
  end
  if (AXI_DATA_W != 64 && AXI_DATA_W != 128 && AXI_DATA_W != 256) begin : g_bad_axi_data_w
    $error("nic_top: AXI_DATA_W must be 64, 128 or 256");
  end
  if (PKTBUF_BYTES < 4096 || (PKTBUF_BYTES & (PKTBUF_BYTES - 1)) != 0) begin : g_bad_pktbuf_bytes
    $error("nic_top: PKTBUF_BYTES must be a power of two >= 4096");
  end

  if (AXI_ID_W < 3 || AXI_ID_W > 8) begin : g_bad_axi_id_w2
    $error("nic_top: AXI_ID_W must be 3..8 (read IDs carry the queue number)");
  end

  import rxp_pkg::*;

  localparam int unsigned LAW = $clog2(PKTBUF_BYTES / (AXI_DATA_W / 8));
  localparam int unsigned QW  = NUM_QUEUES > 1 ? $clog2(NUM_QUEUES) : 1;   // queue index bits used

  // ---------------------------------------------------------------- registers and device reset
  logic        dev_rst_n;
  logic        dma_stop, rd_idle, wr_idle;   // master disable; no AXI read / write outstanding
  logic        reg_wr, reg_rd;
  logic [16:0] reg_waddr, reg_raddr;
  logic [31:0] reg_wdata, reg_wmask, intr_rdata;
  logic [31:0] rctl, rxcsum;
  logic [13:0] rlpml;
  logic [16*48-1:0] ra_addr;
  logic [15:0] ra_valid;
  logic [31:0] mrqc;
  logic [319:0] rss_key;
  logic [128*3-1:0] reta;
  logic [NUM_QUEUES-1:0][63:0] q_base;
  logic [NUM_QUEUES-1:0][15:0] q_count;
  logic [NUM_QUEUES-1:0][16:0] q_bsize;
  logic [NUM_QUEUES-1:0]       q_drop_en, q_ok;
  logic [NUM_QUEUES-1:0]       q_fault, q_busy, q_run_ok;   // read error / writebacks pending / ok and not faulted
  logic [NUM_QUEUES-1:0][15:0] q_rdt, q_rdh;

  // Events
  logic        ev_valid, ev_bcast, ev_mcast, ev_badpre;
  rx_class_e   ev_class;
  logic [15:0] ev_len;
  logic        mpc, rnbc, rqdpc, rxdis, wb_done, rd_err, wr_err;
  logic        good, good_bcast, good_mcast;
  logic [15:0] good_len;
  logic [2:0]  rqdpc_q, wb_done_q;
  logic        wb_vec_ok;
  logic [4:0]  wb_vec;
  logic        intr_quiet;

  rxp_regs #(
    .NUM_QUEUES(NUM_QUEUES)
  ) u_regs (
    .clk_i, .rst_ni,
    .s_axil_awaddr, .s_axil_awvalid, .s_axil_awready, .s_axil_wdata, .s_axil_wstrb,
    .s_axil_wvalid, .s_axil_wready, .s_axil_bresp, .s_axil_bvalid, .s_axil_bready,
    .s_axil_araddr, .s_axil_arvalid, .s_axil_arready, .s_axil_rdata, .s_axil_rresp,
    .s_axil_rvalid, .s_axil_rready,
    .dev_rst_no  (dev_rst_n),
    .dma_stop_o  (dma_stop),
    .dma_idle_i  (rd_idle && wr_idle && !msix_valid_o),
    .reg_wr_o    (reg_wr),
    .reg_rd_o    (reg_rd),
    .reg_waddr_o (reg_waddr),
    .reg_raddr_o (reg_raddr),
    .reg_wdata_o (reg_wdata),
    .reg_wmask_o (reg_wmask),
    .reg_rdata_i (intr_rdata),
    .rctl_o      (rctl),
    .rxcsum_o    (rxcsum),
    .rlpml_o     (rlpml),
    .ra_addr_o   (ra_addr),
    .ra_valid_o  (ra_valid),
    .mrqc_o      (mrqc),
    .rss_key_o   (rss_key),
    .reta_o      (reta),
    .q_base_o    (q_base),
    .q_count_o   (q_count),
    .q_bsize_o   (q_bsize),
    .q_drop_en_o (q_drop_en),
    .q_ok_o      (q_ok),
    .q_rdt_o     (q_rdt),
    .q_rdh_o     (q_rdh),
    .q_busy_i    (q_busy),
    .rdh_inc_i   (wb_done),
    .rdh_inc_q_i (wb_done_q),
    .ev_valid_i  (ev_valid),
    .ev_class_i  (ev_class),
    .ev_len_i    (ev_len),
    .ev_badpre_i (ev_badpre),
    .mpc_i       (mpc),
    .good_i      (good),
    .good_len_i  (good_len),
    .good_bcast_i (good_bcast),
    .good_mcast_i (good_mcast),
    .rnbc_i      (rnbc),
    .rqdpc_i     (rqdpc),
    .rqdpc_q_i   (rqdpc_q),
    .rxdis_i     (rxdis),
    .dma_err_i   (rd_err || wr_err)
  );

  // ---------------------------------------------------------------- MAC -> classify -> packet buffer
  logic        mac_valid, mac_last, mac_err, mac_fcs_ok, mac_badpre;
  logic [63:0] mac_data;
  logic [3:0]  mac_nbytes;
  logic [15:0] mac_len;

  rxp_mac_rx u_mac_rx (
    .clk_i,
    .rst_ni      (dev_rst_n),
    .xgmii_rxd_i,
    .xgmii_rxc_i,
    .m_valid_o   (mac_valid),
    .m_data_o    (mac_data),
    .m_nbytes_o  (mac_nbytes),
    .m_last_o    (mac_last),
    .m_err_o     (mac_err),
    .m_fcs_ok_o  (mac_fcs_ok),
    .m_len_o     (mac_len),
    .m_badpre_o  (mac_badpre)
  );
  wire [3:0] unused_mac_nbytes = mac_nbytes;   // byte counts travel as the frame length

  logic        cl_valid, cl_last, cl_keep;
  logic [63:0] cl_data;
  rx_meta_t    cl_meta;

  rxp_rx_classify #(
    .NUM_QUEUES(NUM_QUEUES)
  ) u_classify (
    .clk_i,
    .rst_ni       (dev_rst_n),
    .s_valid_i    (mac_valid),
    .s_data_i     (mac_data),
    .s_last_i     (mac_last),
    .s_err_i      (mac_err),
    .s_fcs_ok_i   (mac_fcs_ok),
    .s_len_i      (mac_len),
    .s_badpre_i   (mac_badpre),
    .rctl_i       (rctl),
    .rxcsum_i     (rxcsum),
    .rlpml_i      (rlpml),
    .ra_addr_i    (ra_addr),
    .ra_valid_i   (ra_valid),
    .queue_ok_i   (q_run_ok),
    .mrqc_i       (mrqc),
    .rss_key_i    (rss_key),
    .reta_i       (reta),
    .m_valid_o    (cl_valid),
    .m_data_o     (cl_data),
    .m_last_o     (cl_last),
    .m_keep_o     (cl_keep),
    .m_len_o      (cl_meta.len),
    .m_queue_o    (cl_meta.qidx),
    .m_status_o   (cl_meta.status),
    .m_pkt_info_o (cl_meta.pkt_info),
    .m_rss_o      (cl_meta.rss),
    .ev_valid_o   (ev_valid),
    .ev_class_o   (ev_class),
    .ev_bcast_o   (ev_bcast),
    .ev_mcast_o   (ev_mcast),
    .ev_len_o     (ev_len),
    .ev_badpre_o  (ev_badpre)
  );

  logic          pb_valid, pb_ready;
  rx_meta_t      pb_meta;
  logic [LAW:0]  pb_start, pb_end, rel_ptr, pb_used;
  logic          rd_en, rd_valid;
  logic [LAW-1:0] rd_line;
  logic [AXI_DATA_W-1:0] rd_data;

  rxp_pktbuf #(
    .AXI_DATA_W  (AXI_DATA_W),
    .PKTBUF_BYTES(PKTBUF_BYTES),
    .META_DEPTH  (PKTBUF_BYTES / 64 >= 1024 ? 1024 : PKTBUF_BYTES / 64)
  ) u_pktbuf (
    .clk_i,
    .rst_ni       (dev_rst_n),
    .s_valid_i    (cl_valid),
    .s_data_i     (cl_data),
    .s_last_i     (cl_last),
    .s_keep_i     (cl_keep),
    .s_meta_i     (cl_meta),
    .s_wire_len_i (ev_len),
    .s_bcast_i    (ev_bcast),
    .s_mcast_i    (ev_mcast),
    .m_valid_o    (pb_valid),
    .m_ready_i    (pb_ready),
    .m_meta_o     (pb_meta),
    .m_start_o    (pb_start),
    .m_end_o      (pb_end),
    .rd_en_i      (rd_en),
    .rd_line_i    (rd_line),
    .rd_valid_o   (rd_valid),
    .rd_data_o    (rd_data),
    .rel_ptr_i    (rel_ptr),
    .mpc_o        (mpc),
    .good_o       (good),
    .good_len_o   (good_len),
    .good_bcast_o (good_bcast),
    .good_mcast_o (good_mcast),
    .used_o       (pb_used)
  );

  // ---------------------------------------------------------------- descriptors and DMA
  logic [2:0]  sel_q;
  logic        head_valid, run, pop;
  logic [63:0] head_addr;
  logic [15:0] head_idx, avail;

  rxp_desc_fetch #(
    .NUM_QUEUES(NUM_QUEUES),
    .AXI_DATA_W(AXI_DATA_W),
    .AXI_ID_W  (AXI_ID_W)
  ) u_desc_fetch (
    .clk_i,
    .rst_ni       (dev_rst_n),
    .skip_i       (skip_cycles_i),
    .q_base_i     (q_base),
    .q_count_i    (q_count),
    .q_ok_i       (q_ok),
    .q_rdt_i      (q_rdt),
    .q_rdh_i      (q_rdh),
    .q_busy_i     (q_busy),
    .stop_i       (dma_stop),
    .idle_o       (rd_idle),
    .sel_q_i      (sel_q),
    .head_valid_o (head_valid),
    .head_addr_o  (head_addr),
    .head_idx_o   (head_idx),
    .avail_o      (avail),
    .run_o        (run),
    .pop_i        (pop),
    .m_axi_arid, .m_axi_araddr, .m_axi_arlen, .m_axi_arvalid, .m_axi_arready,
    .m_axi_rid, .m_axi_rdata, .m_axi_rresp, .m_axi_rlast, .m_axi_rvalid, .m_axi_rready,
    .q_fault_o    (q_fault),
    .dma_err_o    (rd_err)
  );
  // A queue whose descriptor read failed is treated as disabled by the
  // classifier and the DMA engine (frames count RXP_RXDIS) until software
  // disables it (rxp_desc_fetch).
  assign q_run_ok = q_ok & ~q_fault;
  assign m_axi_arsize  = 3'($clog2(AXI_DATA_W / 8));
  assign m_axi_arburst = 2'b01;   // INCR

  rxp_rx_dma #(
    .NUM_QUEUES  (NUM_QUEUES),
    .AXI_DATA_W  (AXI_DATA_W),
    .AXI_ID_W    (AXI_ID_W),
    .PKTBUF_BYTES(PKTBUF_BYTES)
  ) u_rx_dma (
    .clk_i,
    .rst_ni       (dev_rst_n),
    .meta_valid_i (pb_valid),
    .meta_ready_o (pb_ready),
    .meta_i       (pb_meta),
    .meta_start_i (pb_start),
    .meta_end_i   (pb_end),
    .rd_en_o      (rd_en),
    .rd_line_o    (rd_line),
    .rd_valid_i   (rd_valid),
    .rd_data_i    (rd_data),
    .rel_ptr_o    (rel_ptr),
    .sel_q_o      (sel_q),
    .head_valid_i (head_valid),
    .head_addr_i  (head_addr),
    .head_idx_i   (head_idx),
    .avail_i      (avail),
    .run_i        (run),
    .pop_o        (pop),
    .q_base_i     (q_base),
    .q_bsize_i    (q_bsize),
    .q_drop_en_i  (q_drop_en),
    .q_ok_i       (q_run_ok),
    .stop_i       (dma_stop),
    .idle_o       (wr_idle),
    .m_axi_awid, .m_axi_awaddr, .m_axi_awlen, .m_axi_awsize, .m_axi_awburst, .m_axi_awvalid,
    .m_axi_awready, .m_axi_wdata, .m_axi_wstrb, .m_axi_wlast, .m_axi_wvalid, .m_axi_wready,
    .m_axi_bid, .m_axi_bresp, .m_axi_bvalid, .m_axi_bready,
    .rnbc_o       (rnbc),
    .rqdpc_o      (rqdpc),
    .rqdpc_q_o    (rqdpc_q),
    .rxdis_o      (rxdis),
    .wb_done_o    (wb_done),
    .wb_done_q_o  (wb_done_q),
    .q_busy_o     (q_busy),
    .dma_err_o    (wr_err)
  );

  // ---------------------------------------------------------------- interrupts
  rxp_intr #(
    .NUM_QUEUES(NUM_QUEUES)
  ) u_intr (
    .clk_i,
    .rst_ni        (dev_rst_n),
    .skip_i        (skip_cycles_i),
    .reg_wr_i      (reg_wr),
    .reg_rd_i      (reg_rd),
    .reg_waddr_i   (reg_waddr),
    .reg_raddr_i   (reg_raddr),
    .reg_wdata_i   (reg_wdata),
    .reg_wmask_i   (reg_wmask),
    .reg_rdata_o   (intr_rdata),
    .wb_done_i     (wb_done),
    .wb_done_q_i   (wb_done_q),
    .stop_i        (dma_stop),
    .msix_valid_o,
    .msix_vector_o,
    .msix_ready_i,
    .quiet_o       (intr_quiet),
    .obs_wb_vec_ok_o (wb_vec_ok),
    .obs_wb_vec_o    (wb_vec)
  );

  // ---------------------------------------------------------------- observation port
  // The events are registers of their blocks already (classifier, packet
  // buffer, DMA engine: each one clock after its decision) and go out as they
  // are; only the DMA engine's take and descriptor pop are combinational and
  // get a register here (their wide fields load only on the pulse), so the
  // port costs a few flops per clock. Stage to stage the pulses keep the
  // order of the frames: MAC verdict, then the packet buffer one clock later;
  // obs_take_o, obs_rnbc_o, obs_rqdpc_o and obs_rxdis_o of one decision in
  // the same clock.
  assign obs_mac_o        = ev_valid;
  assign obs_mac_badpre_o = ev_badpre;
  assign obs_mac_class_o  = ev_class;
  assign obs_mac_len_o    = ev_len;
  assign obs_pb_store_o   = good;
  assign obs_pb_drop_o    = mpc;
  assign obs_rnbc_o       = rnbc;
  assign obs_rqdpc_o      = rqdpc;
  assign obs_rxdis_o      = rxdis;
  assign obs_dma_q_o      = rqdpc_q;   // rxp_rx_dma loads it with the head frame's queue every clock
  assign obs_wb_o         = wb_done;
  assign obs_wb_q_o       = wb_done_q;
  assign obs_wb_vec_ok_o  = wb_vec_ok; // rxp_intr: IVAR0(wb_done_q), combinational
  assign obs_wb_vec_o     = wb_vec;
  assign obs_dev_rst_o    = !dev_rst_n;
  assign obs_pb_bytes_o   = 32'(pb_used) * (AXI_DATA_W / 8);

  always_ff @(posedge clk_i) begin
    if (!dev_rst_n) begin
      obs_take_o <= 1'b0;
      obs_desc_o <= 1'b0;
    end else begin
      obs_take_o <= pb_valid && pb_ready;
      obs_desc_o <= pop;
    end
    if (pop) begin
      obs_desc_q_o    <= sel_q;
      obs_desc_idx_o  <= head_idx;
      obs_desc_addr_o <= head_addr;
      obs_desc_ring_o <= q_base[sel_q[QW-1:0]] + {44'h0, head_idx, 4'h0};
    end
  end

  // ---------------------------------------------------------------- quiescence
  // idle: nothing on any port (XGMII idles, no AXI4-Lite or AXI4 valid in
  // or out, no MSI-X message), no frame in the MAC or classifier, no DMA
  // write outstanding and no writeback pending, no interrupt to send, the
  // device out of reset. A descriptor read may be outstanding: the fetch
  // waits for its data without changing (the wrapper ends a skip before the
  // clock whose inputs carry the first R beat). Frames may wait in the
  // packet buffer for descriptors (ring empty, an overload): the DMA engine
  // waits for RDT without changing. The blocks' remaining
  // sequencing after such a clock (a register pipeline emptying, a queue
  // starting, a pending CTRL.RST taking effect, the fetch turn visiting
  // every queue) ends within a few clocks, so quiescent_o asks for IDLE_RUN
  // idle clocks in a row: from then on the next clock is a fixed point but
  // for the time bases that skip_cycles_i moves. The fetch turn visits one
  // queue a clock, so IDLE_RUN is at least NUM_QUEUES (every queue seen
  // wanting no fetch). rtl/tests/test_nic_quiescent.cpp checks that against
  // every signal, clock by clock (1- and 8-queue builds).
  localparam logic [4:0] IDLE_RUN = (NUM_QUEUES > 4) ? 5'(NUM_QUEUES) : 5'd4;
  wire idle_now = rst_ni && dev_rst_n &&
                  xgmii_rxc_i == 8'hFF && xgmii_rxd_i == 64'h0707070707070707 &&
                  !s_axil_awvalid && !s_axil_wvalid && !s_axil_arvalid &&
                  !s_axil_bvalid && !s_axil_rvalid &&
                  !m_axi_arvalid && !m_axi_awvalid && !m_axi_wvalid &&
                  !m_axi_bvalid && !m_axi_rvalid &&
                  wr_idle && q_busy == '0 &&
                  !mac_valid && !mac_badpre && !cl_valid && !ev_valid && !ev_badpre &&
                  intr_quiet;
  logic [4:0] idle_run_q;
  always_ff @(posedge clk_i) begin
    if (!idle_now) idle_run_q <= 5'd0;
    else if (idle_run_q != IDLE_RUN) idle_run_q <= idle_run_q + 5'd1;
  end
  assign quiescent_o = idle_now && idle_run_q == IDLE_RUN;

  // ---------------------------------------------------------------- AXI handshake assertions
  // A valid stays up, with a stable payload, until its ready.
  logic        aw_hold_q, w_hold_q, ar_hold_q, msix_hold_q;
  logic [63:0] aw_addr_q, ar_addr_q;
  logic [7:0]  aw_len_q, ar_len_q;
  logic [AXI_DATA_W-1:0] w_data_q;
  logic [4:0]  msix_vec_q;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      aw_hold_q <= 1'b0; w_hold_q <= 1'b0; ar_hold_q <= 1'b0; msix_hold_q <= 1'b0;
      aw_addr_q <= '0; ar_addr_q <= '0; aw_len_q <= '0; ar_len_q <= '0; w_data_q <= '0;
      msix_vec_q <= '0;
    end else begin
      if (dev_rst_n) begin
        if (aw_hold_q) assert (m_axi_awvalid && m_axi_awaddr == aw_addr_q && m_axi_awlen == aw_len_q)
          else $error("nic_top: AW changed before AWREADY");
        if (w_hold_q) assert (m_axi_wvalid && m_axi_wdata == w_data_q)
          else $error("nic_top: W changed before WREADY");
        if (ar_hold_q) assert (m_axi_arvalid && m_axi_araddr == ar_addr_q && m_axi_arlen == ar_len_q)
          else $error("nic_top: AR changed before ARREADY");
        if (msix_hold_q) assert (msix_valid_o && msix_vector_o == msix_vec_q)
          else $error("nic_top: MSI-X request changed before ready");
        if (m_axi_arvalid)
          assert ({1'b0, m_axi_araddr[11:0]} + ((13'(m_axi_arlen) + 13'd1) << $clog2(AXI_DATA_W / 8)) <= 13'h1000)
            else $error("nic_top: read burst crosses 4 KiB");
      end
      aw_hold_q   <= m_axi_awvalid && !m_axi_awready;
      w_hold_q    <= m_axi_wvalid && !m_axi_wready;
      ar_hold_q   <= m_axi_arvalid && !m_axi_arready;
      msix_hold_q <= msix_valid_o && !msix_ready_i;
      aw_addr_q   <= m_axi_awaddr;
      aw_len_q    <= m_axi_awlen;
      ar_addr_q   <= m_axi_araddr;
      ar_len_q    <= m_axi_arlen;
      w_data_q    <= m_axi_wdata;
      msix_vec_q  <= msix_vector_o;
    end
  end

  // ---------------------------------------------------------------- AXI4 burst rules
  // Every burst is INCR with AxSIZE = the bus width and a beat-aligned
  // address (the DMA engine's WSTRB and the fetch's descriptor slots
  // count on it).
  localparam int unsigned OB = $clog2(AXI_DATA_W / 8);
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      if (m_axi_awvalid)
        ast_axi_aw_size: assert (m_axi_awsize == 3'(OB) && m_axi_awburst == 2'b01 && m_axi_awaddr[OB-1:0] == '0)
          else $error("nic_top: AW not INCR, full width and beat-aligned");
      if (m_axi_arvalid)
        ast_axi_ar_size: assert (m_axi_arsize == 3'(OB) && m_axi_arburst == 2'b01 && m_axi_araddr[OB-1:0] == '0)
          else $error("nic_top: AR not INCR, full width and beat-aligned");
    end
  end

  // W beats against the bursts announced on AW: the lengths of the AWs
  // offered (a new AWVALID) wait here in order; each W beat belongs to the
  // oldest burst whose WLAST has not gone, WLAST comes exactly on its beat
  // AWLEN, and no beat comes for a burst not announced (the DMA engine
  // pushes a W job only with its AW, so W never leads AW here). A B
  // response answers a burst whose WLAST has gone (AXI: B follows the last
  // W beat; an input, checked so that the DMA engine's B bookkeeping
  // cannot be fooled). At most 10 bursts are announced and not finished
  // (W job FIFO, its head and the W stage); 16 entries.
  logic [7:0] wl_len_q [16];
  logic [3:0] wl_wr_q, wl_rd_q;
  logic [4:0] wl_n_q;     // bursts announced whose WLAST has not gone
  logic [8:0] wl_beat_q;  // beats of the oldest one sent so far
  logic [5:0] wl_b_q;     // bursts whose WLAST went and whose B has not come
  wire aw_new = m_axi_awvalid && !aw_hold_q;
  wire w_beat = m_axi_wvalid && m_axi_wready;
  wire w_done = w_beat && m_axi_wlast;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      wl_wr_q   <= '0;
      wl_rd_q   <= '0;
      wl_n_q    <= '0;
      wl_beat_q <= '0;
      wl_b_q    <= '0;
    end else begin
      if (aw_new) begin
        assert (wl_n_q < 5'd16) else $error("nic_top: more than 16 write bursts announced and not finished");
        wl_len_q[wl_wr_q] <= m_axi_awlen;
        wl_wr_q <= wl_wr_q + 4'd1;
      end
      if (w_beat) begin
        assert (wl_n_q != 5'd0) else $error("nic_top: W beat with no burst announced on AW");
        assert (m_axi_wlast == (wl_beat_q == {1'b0, wl_len_q[wl_rd_q]}))
          else $error("nic_top: WLAST %0d on beat %0d of a burst of AWLEN %0d", m_axi_wlast, wl_beat_q,
                      wl_len_q[wl_rd_q]);
        wl_beat_q <= m_axi_wlast ? 9'd0 : wl_beat_q + 9'd1;
        if (m_axi_wlast) wl_rd_q <= wl_rd_q + 4'd1;
      end
      wl_n_q <= wl_n_q + 5'(aw_new) - 5'(w_done);
      if (m_axi_bvalid && m_axi_bready)
        assert (wl_b_q != 6'd0) else $error("nic_top: B response before the WLAST of its burst");
      wl_b_q <= wl_b_q + 6'(w_done) - 6'(m_axi_bvalid && m_axi_bready);
    end
  end

  // CTRL.RST holds the device in reset only with nothing outstanding: no
  // AXI4 burst, no MSI-X message (rtl/README.md, Master disable and
  // CTRL.RST; the B checker above also sees every B of the bursts before).
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      if (!dev_rst_n)
        ast_rst_quiet: assert (rd_idle && wr_idle && !msix_valid_o && wl_n_q == 5'd0 && wl_b_q == 6'd0)
          else $error("nic_top: CTRL.RST took effect with a transaction outstanding");
    end
  end

  // ---------------------------------------------------------------- cover points
  // Back-pressure on the AXI4 channels the NIC drives, a reset by
  // CTRL.RST (make coverage; only with --coverage-user).
  cov_top_aw_stall:   cover property (@(posedge clk_i) disable iff (!rst_ni) m_axi_awvalid && !m_axi_awready);
  cov_top_w_stall:    cover property (@(posedge clk_i) disable iff (!rst_ni) m_axi_wvalid && !m_axi_wready);
  cov_top_ar_stall:   cover property (@(posedge clk_i) disable iff (!rst_ni) m_axi_arvalid && !m_axi_arready);
  cov_top_dev_rst:    cover property (@(posedge clk_i) disable iff (!rst_ni) !dev_rst_n);
  cov_top_w_before_b: cover property (@(posedge clk_i) disable iff (!rst_ni) wl_b_q > 6'd1);

endmodule

`default_nettype wire
