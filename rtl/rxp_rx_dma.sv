// SPDX-License-Identifier: MIT
// rxp_rx_dma: descriptor engine and DMA write engine: frame data bursts to pkt_addr, then the 16-byte writeback.
`default_nettype none

// Three decoupled parts keep the AXI write channels busy:
//  - the command FSM takes frames from the packet buffer, assigns descriptors,
//    issues AW bursts (INCR, <= 256 beats, never across 4 KiB) and queues the
//    matching W jobs in AW order; a descriptor's writeback is issued once the
//    write responses of all data bursts before it have arrived;
//  - the line reader streams packet buffer lines into a small FIFO, frees
//    each frame's lines after reading them;
//  - the W stage turns lines into beats (byte rotation for unaligned
//    pkt_addr, WSTRB for partial first/last beats) and writebacks into beats.
// All writes use AWID 0, so write responses return in issue order.
// A queue is busy (q_busy_o) from the moment it hands out a descriptor until
// that descriptor's writeback is answered: disabling a queue (q_ok_i low)
// stops new work at once, but what was taken is finished (data, writeback,
// RDH), and RXDCTL.QUEUE_ENABLE reads 1 until then.
// stop_i (CTRL.GIO_MASTER_DISABLE, or CTRL.RST waiting to take effect)
// blocks every new AW (data and writeback); an AW already offered stays
// until AWREADY and the W beats of every accepted AW are still sent to
// WLAST. idle_o: no write burst outstanding (AW offered, W beats to send or
// B response to come); with stop_i it stays so.
module rxp_rx_dma #(
  parameter int unsigned NUM_QUEUES   = 1,      // RX queues, 1..8
  parameter int unsigned AXI_DATA_W   = 128,    // 64, 128 or 256
  parameter int unsigned AXI_ID_W     = 4,      // AXI ID width
  parameter int unsigned PKTBUF_BYTES = 65536,  // packet buffer size (line addressing)
  localparam int unsigned LAW = $clog2(PKTBUF_BYTES / (AXI_DATA_W / 8))
) (
  input  wire         clk_i,
  input  wire         rst_ni,
  // Committed frames (from rxp_pktbuf)
  input  wire         meta_valid_i,
  output logic        meta_ready_o,
  input  wire rxp_pkg::rx_meta_t meta_i,
  input  wire [LAW:0] meta_start_i,
  input  wire [LAW:0] meta_end_i,
  // Packet buffer line reads
  output logic        rd_en_o,
  output logic [LAW-1:0] rd_line_o,
  input  wire         rd_valid_i,
  input  wire [AXI_DATA_W-1:0] rd_data_i,
  output logic [LAW:0] rel_ptr_o,
  // Descriptor cache (rxp_desc_fetch)
  output logic [2:0]  sel_q_o,
  input  wire         head_valid_i,
  input  wire [63:0]  head_addr_i,
  input  wire [15:0]  head_idx_i,
  input  wire [15:0]  avail_i,
  input  wire         run_i,
  output logic        pop_o,
  // Queue configuration
  input  wire [NUM_QUEUES-1:0][63:0] q_base_i,
  input  wire [NUM_QUEUES-1:0][16:0] q_bsize_i,
  input  wire [NUM_QUEUES-1:0]       q_drop_en_i,
  input  wire [NUM_QUEUES-1:0]       q_ok_i,
  // Master disable
  input  wire         stop_i,          // start no new write burst
  output logic        idle_o,          // no write burst outstanding
  // AXI4 write channels
  output logic [AXI_ID_W-1:0] m_axi_awid,
  output logic [63:0] m_axi_awaddr,
  output logic [7:0]  m_axi_awlen,
  output logic [2:0]  m_axi_awsize,
  output logic [1:0]  m_axi_awburst,
  output logic        m_axi_awvalid,
  input  wire         m_axi_awready,
  output logic [AXI_DATA_W-1:0] m_axi_wdata,
  output logic [AXI_DATA_W/8-1:0] m_axi_wstrb,
  output logic        m_axi_wlast,
  output logic        m_axi_wvalid,
  input  wire         m_axi_wready,
  input  wire [AXI_ID_W-1:0] m_axi_bid,
  input  wire [1:0]   m_axi_bresp,
  input  wire         m_axi_bvalid,
  output logic        m_axi_bready,
  // Events
  output logic        rnbc_o,          // a frame found too few descriptors (once per frame)
  output logic        rqdpc_o,         // ... and was dropped (SRRCTL.DROP_EN)
  output logic [2:0]  rqdpc_q_o,
  output logic        rxdis_o,         // a frame's queue was off when its turn came
  output logic        wb_done_o,       // a writeback's write response arrived
  output logic [2:0]  wb_done_q_o,
  output logic [NUM_QUEUES-1:0] q_busy_o, // descriptors taken whose writeback is not answered yet
  output logic        dma_err_o        // a write response carried an error
);

  import igb_regs_pkg::*;
  import rxp_pkg::*;

  localparam int unsigned BB = AXI_DATA_W / 8;     // bytes per beat
  localparam int unsigned OB = $clog2(BB);
  localparam int unsigned WB_BEATS = (BB == 8) ? 2 : 1;

  // ---------------------------------------------------------------- queue configuration, widened to 8
  logic [63:0] base [8];
  logic [16:0] bsize [8];
  logic        drop_en [8];
  logic        qok [8];
  always_comb begin
    for (int n = 0; n < 8; n++) begin
      base[n]    = (n < int'(NUM_QUEUES)) ? q_base_i[n]    : 64'h0;
      bsize[n]   = (n < int'(NUM_QUEUES)) ? q_bsize_i[n]   : 17'h0;
      drop_en[n] = (n < int'(NUM_QUEUES)) ? q_drop_en_i[n] : 1'b0;
      qok[n]     = (n < int'(NUM_QUEUES)) ? q_ok_i[n]      : 1'b0;
    end
  end

  // ---------------------------------------------------------------- job FIFOs
  // W job: one per AW, in AW order.
  typedef struct packed {
    logic         is_wb;
    logic [127:0] wb_data;
    logic         wb_hi;        // 256-bit bus: writeback in the upper half of the beat
    logic [8:0]   beats;        // beats of this burst
    logic [13:0]  k0;           // index of its first beat within the chunk
    logic [13:0]  nlines;       // packet buffer lines of the chunk
    logic [4:0]   o;            // byte offset of pkt_addr within a beat
    logic [16:0]  end_rel;      // o + chunk bytes
    logic         first;        // first burst of the chunk
  } wjob_t;
  // Read job: one per chunk (or per dropped frame, to free its lines).
  typedef struct packed {
    logic [LAW:0] start;
    logic [13:0]  nlines;
    logic         rel;          // last chunk of the frame: free up to end
    logic [LAW:0] fend;
  } rjob_t;
  // Writeback job: one per descriptor.
  typedef struct packed {
    logic [2:0]   q;
    logic [63:0]  addr;
    logic [127:0] data;
    logic [15:0]  seq;          // data bursts that must be answered first
  } wbjob_t;
  typedef struct packed {
    logic         is_wb;
    logic [2:0]   q;
  } btrack_t;

  logic   wj_wr, wj_wr_rdy, wj_rd_v, wj_pop;
  wjob_t  wj_in, wj_head;
  logic   rj_wr, rj_wr_rdy, rj_rd_v, rj_pop;
  rjob_t  rj_in, rj_head;
  logic   wbj_wr, wbj_wr_rdy, wbj_rd_v, wbj_pop;
  wbjob_t wbj_in, wbj_head;
  logic   bt_wr, bt_wr_rdy, bt_rd_v, bt_pop;
  btrack_t bt_in, bt_head;
  logic   lf_rd_v, lf_pop, lf_wr_rdy;
  logic [AXI_DATA_W-1:0] lf_head;
  logic [3:0] lf_fill;
  logic [3:0] unused_wj_fill, unused_rj_fill, unused_wbj_fill;
  logic [5:0] unused_bt_fill;
  logic       unused_lf_wr_rdy;

  rxp_fifo #(.WIDTH($bits(wjob_t)), .DEPTH(8)) u_wjob (
    .clk_i, .rst_ni, .wr_valid_i(wj_wr), .wr_ready_o(wj_wr_rdy), .wr_data_i(wj_in),
    .rd_valid_o(wj_rd_v), .rd_ready_i(wj_pop), .rd_data_o(wj_head), .fill_o(unused_wj_fill));
  rxp_fifo #(.WIDTH($bits(rjob_t)), .DEPTH(8)) u_rjob (
    .clk_i, .rst_ni, .wr_valid_i(rj_wr), .wr_ready_o(rj_wr_rdy), .wr_data_i(rj_in),
    .rd_valid_o(rj_rd_v), .rd_ready_i(rj_pop), .rd_data_o(rj_head), .fill_o(unused_rj_fill));
  rxp_fifo #(.WIDTH($bits(wbjob_t)), .DEPTH(8)) u_wbjob (
    .clk_i, .rst_ni, .wr_valid_i(wbj_wr), .wr_ready_o(wbj_wr_rdy), .wr_data_i(wbj_in),
    .rd_valid_o(wbj_rd_v), .rd_ready_i(wbj_pop), .rd_data_o(wbj_head), .fill_o(unused_wbj_fill));
  rxp_fifo #(.WIDTH($bits(btrack_t)), .DEPTH(32)) u_btrack (
    .clk_i, .rst_ni, .wr_valid_i(bt_wr), .wr_ready_o(bt_wr_rdy), .wr_data_i(bt_in),
    .rd_valid_o(bt_rd_v), .rd_ready_i(bt_pop), .rd_data_o(bt_head), .fill_o(unused_bt_fill));
  rxp_fifo #(.WIDTH(AXI_DATA_W), .DEPTH(8)) u_lines (
    .clk_i, .rst_ni, .wr_valid_i(rd_valid_i), .wr_ready_o(unused_lf_wr_rdy), .wr_data_i(rd_data_i),
    .rd_valid_o(lf_rd_v), .rd_ready_i(lf_pop), .rd_data_o(lf_head), .fill_o(lf_fill));
  assign lf_wr_rdy = unused_lf_wr_rdy;

  // ---------------------------------------------------------------- command FSM
  typedef enum logic [1:0] {
    S_IDLE,    // wait for a frame; drop it or claim it
    S_CHUNK,   // wait for a descriptor, then issue the chunk's first burst
    S_BURST    // issue the chunk's further bursts
  } state_e;

  state_e      state_q, state_d;
  logic [2:0]  cur_q_q, cur_q_d;
  logic [15:0] rem_q, rem_d;
  logic [LAW:0] src_q, src_d, fend_q, fend_d;
  logic [31:0] status_q, status_d;
  logic [15:0] pinfo_q, pinfo_d;
  logic [31:0] rss_q, rss_d;
  logic        rnbc_flag_q, rnbc_flag_d;
  logic [63:0] b_addr_q, b_addr_d;
  logic [13:0] b_left_q, b_left_d, b_k0_q, b_k0_d;
  logic [13:0] ch_nlines_q, ch_nlines_d;
  logic [4:0]  ch_o_q, ch_o_d;
  logic [16:0] ch_end_q, ch_end_d;
  wbjob_t      ch_wb_q, ch_wb_d;
  logic [15:0] issued_q, issued_d, done_q;

  logic        aw_load;
  logic [63:0] aw_addr;
  logic [7:0]  aw_len;
  logic        rnbc_d, rqdpc_d, rxdis_d;

  // A new AW only once the previous one has gone: at most one AW every two
  // cycles, and the command logic never depends on AWREADY (cheaper to
  // simulate; two AWs per minimum-size frame still leave room at line rate).
  wire aw_free = !m_axi_awvalid && !stop_i;
  wire [15:0] wb_wait = done_q - wbj_head.seq;          // >= 0 (mod 2^16): its data is answered
  wire wb_ready = wbj_rd_v && (wb_wait < 16'h8000);
  wire do_wb    = wb_ready && aw_free && wj_wr_rdy && bt_wr_rdy;

  // Bursts of a chunk: beats to the next 4 KiB boundary from a beat-aligned address.
  function automatic logic [13:0] burst_beats(input logic [11:0] a, input logic [13:0] left);
    logic [13:0] to4k, n;
    to4k = 14'((13'h1000 - {1'b0, a}) >> OB);
    n = left;
    if (n > 14'd256) n = 14'd256;
    if (n > to4k)    n = to4k;
    return n;
  endfunction

  // The advanced writeback descriptor, little-endian bytes.
  function automatic logic [127:0] wb_pack(input logic [15:0] pkt_info, input logic [31:0] rss,
                                           input logic [31:0] staterr,
                                           input logic [15:0] length);
    logic [127:0] d;
    d = '0;
    d[8*RXD_WB_PKT_INFO_BYTE +: 16]     = pkt_info;
    d[8*RXD_WB_RSS_BYTE +: 32]          = rss;
    d[8*RXD_WB_STATUS_ERROR_BYTE +: 32] = staterr;
    d[8*RXD_WB_LENGTH_BYTE +: 16]       = length;
    return d;
  endfunction

  // The chunk a new descriptor would take.
  wire [2:0]  mq       = meta_i.qidx;
  wire [16:0] c_bsize  = bsize[cur_q_q];
  wire [16:0] c_n      = ({1'b0, rem_q} < c_bsize) ? {1'b0, rem_q} : c_bsize;
  wire [4:0]  c_o      = 5'(head_addr_i[OB-1:0]);
  wire [17:0] c_endb   = {13'h0, c_o} + {1'b0, c_n};
  wire [13:0] c_beats  = 14'((c_endb + 18'(BB - 1)) >> OB);
  wire [13:0] c_nlines = 14'(({1'b0, c_n} + 18'(BB - 1)) >> OB);
  wire [63:0] c_a0     = {head_addr_i[63:OB], OB'(0)};
  wire [13:0] c_bb     = burst_beats(c_a0[11:0], c_beats);
  wire        c_eop    = ({1'b0, rem_q} == c_n);
  wire [32:0] m_room   = 33'(avail_i) * 33'(bsize[mq]);
  wire [13:0] b_bb     = burst_beats(b_addr_q[11:0], b_left_q);

  always_comb begin
    state_d     = state_q;
    cur_q_d     = cur_q_q;
    rem_d       = rem_q;
    src_d       = src_q;
    fend_d      = fend_q;
    status_d    = status_q;
    pinfo_d     = pinfo_q;
    rss_d       = rss_q;
    rnbc_flag_d = rnbc_flag_q;
    b_addr_d    = b_addr_q;
    b_left_d    = b_left_q;
    b_k0_d      = b_k0_q;
    ch_nlines_d = ch_nlines_q;
    ch_o_d      = ch_o_q;
    ch_end_d    = ch_end_q;
    ch_wb_d     = ch_wb_q;
    issued_d    = issued_q;
    rnbc_d      = 1'b0;
    rqdpc_d     = 1'b0;
    rxdis_d     = 1'b0;
    meta_ready_o = 1'b0;
    pop_o       = 1'b0;
    aw_load     = 1'b0;
    aw_addr     = 64'h0;
    aw_len      = 8'h0;
    wj_wr       = 1'b0;
    wj_in       = '0;
    rj_wr       = 1'b0;
    rj_in       = '0;
    wbj_wr      = 1'b0;
    wbj_in      = '0;
    wbj_pop     = 1'b0;
    bt_wr       = 1'b0;
    bt_in       = '0;
    sel_q_o     = (state_q == S_IDLE) ? mq : cur_q_q;

    if (do_wb) begin
      // A writeback whose data has been answered goes first.
      aw_load        = 1'b1;
      aw_addr        = {wbj_head.addr[63:OB], OB'(0)};
      aw_len         = 8'(WB_BEATS - 1);
      wj_wr          = 1'b1;
      wj_in.is_wb    = 1'b1;
      wj_in.wb_data  = wbj_head.data;
      wj_in.wb_hi    = (BB == 32) && wbj_head.addr[4];
      wj_in.beats    = 9'(WB_BEATS);
      bt_wr          = 1'b1;
      bt_in.is_wb    = 1'b1;
      bt_in.q        = wbj_head.q;
      wbj_pop        = 1'b1;
    end

    unique case (state_q)
      // ------------------------------------------------------------
      S_IDLE: begin
        if (meta_valid_i) begin
          if (!qok[mq]) begin
            // Queue disabled since the frame was classified: drop it.
            if (rj_wr_rdy) begin
              rj_wr        = 1'b1;
              rj_in.rel    = 1'b1;
              rj_in.fend   = meta_end_i;
              rj_in.start  = meta_start_i;
              meta_ready_o = 1'b1;
              rxdis_d      = 1'b1;
              rnbc_flag_d  = 1'b0;
            end
          end else if (run_i) begin
            if (m_room < {17'h0, meta_i.len}) begin
              // Too few descriptors in the ring for this frame.
              if (drop_en[mq]) begin
                if (rj_wr_rdy) begin
                  rj_wr        = 1'b1;
                  rj_in.rel    = 1'b1;
                  rj_in.fend   = meta_end_i;
                  rj_in.start  = meta_start_i;
                  meta_ready_o = 1'b1;
                  rqdpc_d      = 1'b1;
                  rnbc_d       = !rnbc_flag_q;
                  rnbc_flag_d  = 1'b0;
                end
              end else if (!rnbc_flag_q) begin
                rnbc_d      = 1'b1;
                rnbc_flag_d = 1'b1;
              end
            end else begin
              meta_ready_o = 1'b1;
              rnbc_flag_d  = 1'b0;
              cur_q_d      = mq;
              rem_d        = meta_i.len;
              src_d        = meta_start_i;
              fend_d       = meta_end_i;
              status_d     = meta_i.status;
              pinfo_d      = meta_i.pkt_info;
              rss_d        = meta_i.rss;
              state_d      = S_CHUNK;
            end
          end
        end
      end
      // ------------------------------------------------------------
      S_CHUNK: begin
        if (!qok[cur_q_q]) begin
          // Queue disabled in the middle of a frame: free the rest, count it.
          if (rj_wr_rdy) begin
            rj_wr       = 1'b1;
            rj_in.rel   = 1'b1;
            rj_in.fend  = fend_q;
            rj_in.start = src_q;
            rxdis_d     = 1'b1;
            state_d     = S_IDLE;
          end
        end else if (head_valid_i && !do_wb && aw_free && wj_wr_rdy && bt_wr_rdy && rj_wr_rdy &&
                     wbj_wr_rdy) begin
          pop_o        = 1'b1;
          rj_wr        = 1'b1;
          rj_in.start  = src_q;
          rj_in.nlines = c_nlines;
          rj_in.rel    = c_eop;
          rj_in.fend   = fend_q;
          src_d        = src_q + (LAW+1)'(c_nlines);
          rem_d        = rem_q - c_n[15:0];
          // First burst.
          aw_load       = 1'b1;
          aw_addr       = c_a0;
          aw_len        = 8'(c_bb - 14'd1);
          wj_wr         = 1'b1;
          wj_in.beats   = 9'(c_bb);
          wj_in.k0      = 14'd0;
          wj_in.nlines  = c_nlines;
          wj_in.o       = c_o;
          wj_in.end_rel = c_endb[16:0];
          wj_in.first   = 1'b1;
          bt_wr         = 1'b1;
          bt_in.q       = cur_q_q;
          issued_d      = issued_q + 16'd1;
          // Its writeback.
          ch_wb_d.q    = cur_q_q;
          ch_wb_d.addr = base[cur_q_q] + {44'h0, head_idx_i, 4'h0};
          ch_wb_d.data = c_eop ? wb_pack(pinfo_q, rss_q, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP | status_q,
                                         c_n[15:0])
                               : wb_pack(16'h0, 32'h0, E1000_RXD_STAT_DD, c_n[15:0]);
          ch_wb_d.seq  = issued_q + 16'd1;
          if (c_bb == c_beats) begin
            wbj_wr  = 1'b1;
            wbj_in  = ch_wb_d;
            state_d = c_eop ? S_IDLE : S_CHUNK;
          end else begin
            b_addr_d    = c_a0 + 64'({c_bb, OB'(0)});
            b_left_d    = c_beats - c_bb;
            b_k0_d      = c_bb;
            ch_nlines_d = c_nlines;
            ch_o_d      = c_o;
            ch_end_d    = c_endb[16:0];
            state_d     = S_BURST;
          end
        end
      end
      // ------------------------------------------------------------
      S_BURST: begin
        if (!do_wb && aw_free && wj_wr_rdy && bt_wr_rdy) begin
          aw_load       = 1'b1;
          aw_addr       = b_addr_q;
          aw_len        = 8'(b_bb - 14'd1);
          wj_wr         = 1'b1;
          wj_in.beats   = 9'(b_bb);
          wj_in.k0      = b_k0_q;
          wj_in.nlines  = ch_nlines_q;
          wj_in.o       = ch_o_q;
          wj_in.end_rel = ch_end_q;
          wj_in.first   = 1'b0;
          bt_wr         = 1'b1;
          bt_in.q       = cur_q_q;
          issued_d      = issued_q + 16'd1;
          b_addr_d      = b_addr_q + 64'({b_bb, OB'(0)});
          b_left_d      = b_left_q - b_bb;
          b_k0_d        = b_k0_q + b_bb;
          if (b_left_q == b_bb) begin
            wbj_wr      = 1'b1;
            wbj_in      = ch_wb_q;
            wbj_in.seq  = issued_q + 16'd1;
            state_d     = (rem_q == 16'h0) ? S_IDLE : S_CHUNK;
          end
        end
      end
      default: state_d = S_IDLE;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q     <= S_IDLE;
      cur_q_q     <= '0;
      rem_q       <= '0;
      src_q       <= '0;
      fend_q      <= '0;
      status_q    <= '0;
      pinfo_q     <= '0;
      rss_q       <= '0;
      rnbc_flag_q <= 1'b0;
      b_addr_q    <= '0;
      b_left_q    <= '0;
      b_k0_q      <= '0;
      ch_nlines_q <= '0;
      ch_o_q      <= '0;
      ch_end_q    <= '0;
      ch_wb_q     <= '0;
      issued_q    <= '0;
      m_axi_awvalid <= 1'b0;
      m_axi_awaddr  <= '0;
      m_axi_awlen   <= '0;
      rnbc_o      <= 1'b0;
      rqdpc_o     <= 1'b0;
      rqdpc_q_o   <= '0;
      rxdis_o     <= 1'b0;
    end else begin
      state_q     <= state_d;
      cur_q_q     <= cur_q_d;
      rem_q       <= rem_d;
      src_q       <= src_d;
      fend_q      <= fend_d;
      status_q    <= status_d;
      pinfo_q     <= pinfo_d;
      rss_q       <= rss_d;
      rnbc_flag_q <= rnbc_flag_d;
      b_addr_q    <= b_addr_d;
      b_left_q    <= b_left_d;
      b_k0_q      <= b_k0_d;
      ch_nlines_q <= ch_nlines_d;
      ch_o_q      <= ch_o_d;
      ch_end_q    <= ch_end_d;
      ch_wb_q     <= ch_wb_d;
      issued_q    <= issued_d;
      if (m_axi_awvalid && m_axi_awready) m_axi_awvalid <= 1'b0;
      if (aw_load) begin
        m_axi_awvalid <= 1'b1;
        m_axi_awaddr  <= aw_addr;
        m_axi_awlen   <= aw_len;
      end
      rnbc_o    <= rnbc_d;
      rqdpc_o   <= rqdpc_d;
      rqdpc_q_o <= mq;
      rxdis_o   <= rxdis_d;
    end
  end

  assign m_axi_awid    = '0;
  assign m_axi_awsize  = 3'(OB);
  assign m_axi_awburst = 2'b01;   // INCR

  // ---------------------------------------------------------------- line reader
  logic         p_act_q;
  logic [LAW:0] p_ptr_q;
  logic [13:0]  p_left_q;
  logic         p_rel_q;
  logic [LAW:0] p_end_q;

  wire [4:0] lf_occ   = {1'b0, lf_fill} + {4'h0, lf_rd_v} + {4'h0, rd_valid_i};
  wire       rd_issue = p_act_q && (p_left_q != 14'd0) && (lf_occ < 5'd8);
  wire       p_finish = p_act_q && (p_left_q == 14'd0);
  assign rj_pop   = rj_rd_v && (!p_act_q || p_finish);
  assign rd_en_o  = rd_issue;
  assign rd_line_o = p_ptr_q[LAW-1:0];

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      p_act_q   <= 1'b0;
      p_ptr_q   <= '0;
      p_left_q  <= '0;
      p_rel_q   <= 1'b0;
      p_end_q   <= '0;
      rel_ptr_o <= '0;
    end else begin
      if (rd_issue) begin
        p_ptr_q  <= p_ptr_q + 1'b1;
        p_left_q <= p_left_q - 14'd1;
      end
      if (p_finish) begin
        p_act_q <= 1'b0;
        if (p_rel_q) rel_ptr_o <= p_end_q;
      end
      if (rj_pop) begin
        p_act_q  <= 1'b1;
        p_ptr_q  <= rj_head.start;
        p_left_q <= rj_head.nlines;
        p_rel_q  <= rj_head.rel;
        p_end_q  <= rj_head.fend;
      end
    end
  end

  // ---------------------------------------------------------------- W stage
  logic         j_v_q;
  wjob_t        j_q;
  logic [8:0]   bi_q;
  logic [AXI_DATA_W-1:0] prev_q;

  wire             w_free = !m_axi_wvalid || m_axi_wready;
  wire [13:0]      wk     = j_q.k0 + 14'(bi_q);
  wire             w_need = !j_q.is_wb && (wk < j_q.nlines);
  wire             w_go   = j_v_q && w_free && (!w_need || lf_rd_v);
  wire             w_lastb = (bi_q == j_q.beats - 9'd1);
  assign lf_pop = w_go && w_need;
  assign wj_pop = wj_rd_v && (!j_v_q || (w_go && w_lastb));

  logic [AXI_DATA_W-1:0]   w_data;
  logic [AXI_DATA_W/8-1:0] w_strb;

  // Writeback beats: two 64-bit halves, one 128-bit beat, or half of a 256-bit beat.
  logic [AXI_DATA_W-1:0]   wb_beat;
  logic [AXI_DATA_W/8-1:0] wb_strb;
  if (BB == 8) begin : g_wb64
    assign wb_beat = bi_q[0] ? j_q.wb_data[127:64] : j_q.wb_data[63:0];
    assign wb_strb = '1;
  end else if (BB == 16) begin : g_wb128
    assign wb_beat = j_q.wb_data;
    assign wb_strb = '1;
  end else begin : g_wb256
    assign wb_beat = {j_q.wb_data, j_q.wb_data};
    assign wb_strb = j_q.wb_hi ? {16'hFFFF, 16'h0000} : {16'h0000, 16'hFFFF};
  end
  always_comb begin
    logic [AXI_DATA_W-1:0]   cur, pv;
    logic [17:0]             lo, hi, kb;
    logic [AXI_DATA_W/8-1:0] ones;
    ones = '1;
    w_data = '0;
    w_strb = '0;
    cur  = '0; pv = '0; lo = '0; hi = '0; kb = '0;
    if (j_v_q) begin
    cur  = w_need ? lf_head : '0;
    pv   = (j_q.first && bi_q == 9'd0) ? '0 : prev_q;
    kb   = 18'({wk, OB'(0)});
    lo   = (wk == 14'd0) ? 18'(j_q.o) : 18'd0;
    hi   = ({1'b0, j_q.end_rel} - kb >= 18'(BB)) ? 18'(BB) : ({1'b0, j_q.end_rel} - kb);
    if (j_q.o[OB-1:0] == '0) w_data = cur;
    else w_data = (cur << {j_q.o[OB-1:0], 3'b000}) | (pv >> {(OB+1)'(BB) - {1'b0, j_q.o[OB-1:0]}, 3'b000});
    w_strb = (ones << lo) & (ones >> (18'(BB) - hi));
    if (j_q.is_wb) begin
      w_data = wb_beat;
      w_strb = wb_strb;
    end
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      j_v_q        <= 1'b0;
      j_q          <= '0;
      bi_q         <= '0;
      prev_q       <= '0;
      m_axi_wvalid <= 1'b0;
      m_axi_wdata  <= '0;
      m_axi_wstrb  <= '0;
      m_axi_wlast  <= 1'b0;
    end else begin
      if (m_axi_wvalid && m_axi_wready) m_axi_wvalid <= 1'b0;
      if (w_go) begin
        m_axi_wvalid <= 1'b1;
        m_axi_wdata  <= w_data;
        m_axi_wstrb  <= w_strb;
        m_axi_wlast  <= w_lastb;
        bi_q         <= bi_q + 9'd1;
        if (w_need) prev_q <= lf_head;
        if (w_lastb) j_v_q <= 1'b0;
      end
      if (wj_pop) begin
        j_v_q <= 1'b1;
        j_q   <= wj_head;
        bi_q  <= '0;
      end
    end
  end

  // ---------------------------------------------------------------- write responses
  assign m_axi_bready = 1'b1;
  assign bt_pop = m_axi_bvalid && bt_rd_v;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      done_q      <= '0;
      wb_done_o   <= 1'b0;
      wb_done_q_o <= '0;
      dma_err_o   <= 1'b0;
    end else begin
      wb_done_o <= bt_pop && bt_head.is_wb;
      dma_err_o <= m_axi_bvalid && (m_axi_bresp != 2'b00);
      if (bt_pop) begin
        wb_done_q_o <= bt_head.q;
        if (!bt_head.is_wb) done_q <= done_q + 16'd1;
      end
    end
  end

  // Descriptors taken per queue and not yet written back: up by pop_o, down
  // by wb_done_o (the clock RDH moves, so RDH is final when it reads 0).
  // Bounded by the writeback and burst FIFOs (< 64).
  logic [6:0] pend_q [8];
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      for (int n = 0; n < 8; n++) pend_q[n] <= '0;
    end else begin
      for (int n = 0; n < 8; n++) begin
        if ((pop_o && cur_q_q == 3'(n)) && !(wb_done_o && wb_done_q_o == 3'(n))) pend_q[n] <= pend_q[n] + 7'd1;
        if (!(pop_o && cur_q_q == 3'(n)) && (wb_done_o && wb_done_q_o == 3'(n))) pend_q[n] <= pend_q[n] - 7'd1;
      end
    end
  end
  always_comb begin
    for (int n = 0; n < int'(NUM_QUEUES); n++) q_busy_o[n] = (pend_q[n] != 7'd0);
  end

  wire unused_ok = ^{m_axi_bid, lf_wr_rdy, j_q.wb_hi};

  // Every AW pushes its B tracker entry in the clock it loads AWVALID, and
  // its W job: with both FIFOs empty, nothing is offered and no W beat is
  // left, every burst issued has its B response.
  assign idle_o = !m_axi_awvalid && !m_axi_wvalid && !bt_rd_v && !wj_rd_v && !j_v_q;

  // ---------------------------------------------------------------- assertions
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      // A read line always finds room in the line FIFO (credits above).
      if (rd_valid_i) assert (lf_wr_rdy) else $error("rxp_rx_dma: line FIFO overflow");
      // Bursts never cross a 4 KiB boundary.
      if (m_axi_awvalid)
        assert ({1'b0, m_axi_awaddr[11:0]} + ((13'(m_axi_awlen) + 13'd1) << OB) <= 13'h1000)
          else $error("rxp_rx_dma: burst crosses 4 KiB");
      // Descriptors taken and not written back, per queue: never below 0
      // (a writeback nobody took) nor past the counter (RXDCTL would read
      // 0 with writebacks pending, and RDH writes would be taken).
      if (wb_done_o) assert (pend_q[wb_done_q_o] != 7'd0)
        else $error("rxp_rx_dma: writeback answered for queue %0d with no descriptor taken", wb_done_q_o);
      if (pop_o) assert (pend_q[cur_q_q] != 7'h7F)
        else $error("rxp_rx_dma: queue %0d has too many descriptors taken", cur_q_q);
    end
  end
  // The command FSM holds a legal state; a new AW is loaded only once the
  // previous one was accepted (else the address would change under
  // AWVALID and one burst would be lost with its B tracker entry pushed);
  // a frame is dropped into one counter at most.
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      ast_dma_state_legal: assert (state_q inside {S_IDLE, S_CHUNK, S_BURST})
        else $error("rxp_rx_dma: state_q %0d is no state", state_q);
      if (aw_load)
        ast_dma_aw_one: assert (!m_axi_awvalid)
          else $error("rxp_rx_dma: AW loaded while the previous one waits for AWREADY");
      ast_dma_one_drop: assert (!(rqdpc_o && rxdis_o))
        else $error("rxp_rx_dma: a frame counted in RQDPC and RXP_RXDIS");
      // Inputs from the memory the bookkeeping depends on: a B response only
      // for a burst it issued (bt FIFO), and with ID 0 (every AW has ID 0; a B
      // of another ID would be paired with the wrong burst: B of one ID come in
      // order, of different IDs in any order).
      if (m_axi_bvalid)
        ast_dma_b_outstanding: assert (bt_rd_v)
          else $error("rxp_rx_dma: B response with no write burst outstanding");
      if (m_axi_bvalid)
        ast_dma_b_id: assert (m_axi_bid == '0)
          else $error("rxp_rx_dma: B response with BID %0d, every AW had ID 0", m_axi_bid);
    end
  end

  // ---------------------------------------------------------------- cover points
  // Every state and transition of the command FSM, the 4 KiB and multi-
  // descriptor splits, RNBC with and without DROP_EN (make coverage;
  // compiled only with --coverage-user).
  cov_dma_st_idle:  cover property (@(posedge clk_i) disable iff (!rst_ni) state_q == S_IDLE);
  cov_dma_st_chunk: cover property (@(posedge clk_i) disable iff (!rst_ni) state_q == S_CHUNK);
  cov_dma_st_burst: cover property (@(posedge clk_i) disable iff (!rst_ni) state_q == S_BURST);
  cov_dma_idle_to_chunk: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_IDLE && state_d == S_CHUNK);
  cov_dma_chunk_wait: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_CHUNK && !pop_o && qok[cur_q_q]);
  cov_dma_chunk_to_chunk: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_CHUNK && state_d == S_CHUNK && pop_o);
  cov_dma_chunk_to_idle_eop: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_CHUNK && state_d == S_IDLE && pop_o);
  cov_dma_chunk_to_idle_rxdis: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_CHUNK && state_d == S_IDLE && rxdis_d);
  cov_dma_chunk_to_burst: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_CHUNK && state_d == S_BURST);
  cov_dma_burst_to_burst: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_BURST && state_d == S_BURST && aw_load && !do_wb);
  cov_dma_burst_to_idle: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_BURST && state_d == S_IDLE);
  cov_dma_burst_to_chunk: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_BURST && state_d == S_CHUNK);
  // A chunk's first burst cut at a 4 KiB boundary (c_bb < c_beats with
  // fewer than 256 beats), and a further burst cut again.
  cov_dma_split_4k: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_CHUNK && pop_o && c_bb != c_beats && c_bb < 14'd256);
  cov_dma_split_4k_again: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_BURST && aw_load && !do_wb && b_bb != b_left_q);
  cov_dma_multi_desc: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_CHUNK && pop_o && !c_eop);
  cov_dma_unaligned: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_CHUNK && pop_o && c_o != 5'd0);
  // RNBC: the head frame waits (DROP_EN clear) or is dropped into RQDPC
  // (DROP_EN set); dropped at the head because its queue went off.
  cov_dma_rnbc_wait: cover property (@(posedge clk_i) disable iff (!rst_ni)
      rnbc_d && !rqdpc_d);
  cov_dma_rnbc_drop: cover property (@(posedge clk_i) disable iff (!rst_ni)
      rnbc_d && rqdpc_d);
  cov_dma_rqdpc_after_wait: cover property (@(posedge clk_i) disable iff (!rst_ni)
      rqdpc_d && !rnbc_d);
  cov_dma_rxdis_head: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_IDLE && rxdis_d);
  // A writeback issued while a frame's data is being issued, one blocked
  // by the master disable, a write answered with an error.
  cov_dma_wb_overlap: cover property (@(posedge clk_i) disable iff (!rst_ni)
      do_wb && state_q != S_IDLE);
  cov_dma_wb_stopped: cover property (@(posedge clk_i) disable iff (!rst_ni)
      wb_ready && stop_i && !m_axi_awvalid);
  cov_dma_bresp_err: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_bvalid && m_axi_bresp != 2'b00);

endmodule

`default_nettype wire
