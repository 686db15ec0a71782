// SPDX-License-Identifier: MIT
// rxp_desc_fetch: per-queue descriptor prefetch by AXI4 read bursts into a small on-chip cache.
`default_nettype none

// Each running queue owns the ring slots from its next-to-use index up to
// RDT-1. Prefetch policy (a documented simplification of PTHRESH/HTHRESH):
// a queue fetches when its cache (entries held plus in flight) has room for
// at least DESC_CACHE/2 descriptors or holds none, taking as many as fit, up
// to FETCH_MAX, to the ring's end and to the next 4 KiB boundary. One read is
// outstanding per queue, with ARID = queue; queues take turns on AR.
// A queue starts (indices loaded from RDH, cache empty) when it becomes ready
// with no read outstanding and no writeback pending (q_busy_i: RDH is final),
// and stops when it is disabled; data arriving for a stopped queue is
// discarded.
// A read beat answered SLVERR or DECERR (any RRESP but OKAY; its data is not
// valid, AXI spec) is never cached: the queue faults (q_fault_o), stops, drops every
// descriptor it had cached and fetches nothing until software disables it
// (RXDCTL.QUEUE_ENABLE 0) or resets the device. The rest of the burst's beats
// are still taken (the slave sends them all) and discarded.
// stop_i (master disable, or CTRL.RST pending) starts no new read; the reads
// outstanding are still taken to RLAST. idle_o: no read offered or
// outstanding.
module rxp_desc_fetch #(
  parameter int unsigned NUM_QUEUES = 1,     // RX queues, 1..8
  parameter int unsigned AXI_DATA_W = 128,   // 64, 128 or 256
  parameter int unsigned AXI_ID_W   = 4,     // >= 3
  parameter int unsigned DESC_CACHE = 32,    // cached descriptors per queue (power of two)
  parameter int unsigned FETCH_MAX  = 16     // descriptors per read burst at most
) (
  input  wire         clk_i,
  input  wire         rst_ni,
  input  wire [15:0]  skip_i,            // clocks skipped before this one (idle-skip): rr_q moves on by them
  // Queue configuration
  input  wire [NUM_QUEUES-1:0][63:0] q_base_i,
  input  wire [NUM_QUEUES-1:0][15:0] q_count_i,
  input  wire [NUM_QUEUES-1:0]       q_ok_i,
  input  wire [NUM_QUEUES-1:0][15:0] q_rdt_i,
  input  wire [NUM_QUEUES-1:0][15:0] q_rdh_i,
  input  wire [NUM_QUEUES-1:0]       q_busy_i,   // rxp_rx_dma: writebacks of the queue still pending
  // Descriptor consumer (rxp_rx_dma): the head of queue sel_q_i
  input  wire         stop_i,            // start no new read
  output logic        idle_o,            // no read offered or outstanding
  input  wire [2:0]   sel_q_i,
  output logic        head_valid_o,
  output logic [63:0] head_addr_o,       // pkt_addr of the next descriptor
  output logic [15:0] head_idx_o,        // its ring index
  output logic [15:0] avail_o,           // descriptors owned by the NIC, not yet used
  output logic        run_o,             // the queue is running
  input  wire         pop_i,             // take the head of sel_q_i
  // AXI4 read channels
  output logic [AXI_ID_W-1:0] m_axi_arid,
  output logic [63:0] m_axi_araddr,
  output logic [7:0]  m_axi_arlen,
  output logic        m_axi_arvalid,
  input  wire         m_axi_arready,
  input  wire [AXI_ID_W-1:0] m_axi_rid,
  input  wire [AXI_DATA_W-1:0] m_axi_rdata,
  input  wire [1:0]   m_axi_rresp,
  input  wire         m_axi_rlast,
  input  wire         m_axi_rvalid,
  output logic        m_axi_rready,
  // Status
  output logic [NUM_QUEUES-1:0] q_fault_o, // the queue stopped on a read error (until disabled)
  output logic        dma_err_o          // a read came back with an error response
);

  localparam int unsigned NQ  = NUM_QUEUES;
  localparam int unsigned CW  = $clog2(DESC_CACHE);
  localparam int unsigned BB  = AXI_DATA_W / 8;           // bytes per beat
  localparam int unsigned OB  = $clog2(BB);

  if (NUM_QUEUES > (1 << AXI_ID_W)) begin : g_bad_id_w
    $error("rxp_desc_fetch: AXI_ID_W too small for NUM_QUEUES read IDs");
  end
  if (FETCH_MAX > DESC_CACHE || FETCH_MAX < 1 || FETCH_MAX > 64) begin : g_bad_fetch_max
    $error("rxp_desc_fetch: FETCH_MAX must be 1..min(64, DESC_CACHE)");
  end

  logic [63:0] cache_q [8 * DESC_CACHE];
  logic [CW:0] cwr_q [8];          // cache write pointer
  logic [CW:0] crd_q [8];          // cache read pointer
  logic [15:0] used_q [8];         // ring index of the cache head
  logic [15:0] fetch_q [8];        // next ring index to fetch
  logic [6:0]  left_q [8];         // descriptors of the outstanding read still to arrive
  // Per-queue flags in packed vectors (one variable each in the Verilated
  // model, not one update flag per element and assignment).
  logic [7:0]  busy_q;             // a read is outstanding
  logic [7:0]  run_q;
  logic [7:0]  first_q;            // next beat is the first of its read
  logic [7:0]  skip_q;             // (256-bit) the first beat's lower descriptor is before the start
  logic [7:0]  half_q;             // (64-bit) next beat is the second half of a descriptor
  logic [7:0]  fault_q;            // a read of the queue was answered with an error
  logic [2:0]  rr_q;                // queue considered for the next fetch

  // Queue configuration widened to 8 entries so a 3-bit queue number indexes it.
  logic [63:0] base [8];
  logic [15:0] count [8];
  logic [15:0] rdt [8];
  logic [15:0] rdh [8];
  logic        qok [8];
  logic [7:0]  qbusy;
  always_comb begin
    for (int n = 0; n < 8; n++) begin
      base[n]  = (n < int'(NQ)) ? q_base_i[n]  : 64'h0;
      count[n] = (n < int'(NQ)) ? q_count_i[n] : 16'h0;
      rdt[n]   = (n < int'(NQ)) ? q_rdt_i[n]   : 16'h0;
      rdh[n]   = (n < int'(NQ)) ? q_rdh_i[n]   : 16'h0;
      qok[n]   = (n < int'(NQ)) ? q_ok_i[n]    : 1'b0;
      qbusy[n] = (n < int'(NQ)) ? q_busy_i[n]  : 1'b0;
    end
  end

  function automatic logic [15:0] ring_dist(input logic [15:0] from, input logic [15:0] to,
                                            input logic [15:0] size);
    return (to >= from) ? to - from : to + size - from;
  endfunction

  // ---------------------------------------------------------------- consumer view
  wire [2:0] sq = sel_q_i;
  always_comb begin
    head_valid_o = run_q[sq] && (cwr_q[sq] != crd_q[sq]);
    head_addr_o  = cache_q[32'(sq) * DESC_CACHE + 32'(crd_q[sq][CW-1:0])];
    head_idx_o   = used_q[sq];
    avail_o      = run_q[sq] ? ring_dist(used_q[sq], rdt[sq], count[sq]) : 16'h0;
    run_o        = run_q[sq];
  end

  // ---------------------------------------------------------------- fetch decision for queue rr_q
  wire [2:0]  fq        = rr_q;
  wire [15:0] f_avail   = ring_dist(fetch_q[fq], rdt[fq], count[fq]);
  wire [CW:0] f_held    = (cwr_q[fq] - crd_q[fq]);
  wire [CW+1:0] f_space = (CW+2)'(DESC_CACHE) - {1'b0, f_held};
  wire [15:0] f_to_end  = count[fq] - fetch_q[fq];
  wire [63:0] f_addr    = base[fq] + {44'h0, fetch_q[fq], 4'h0};
  wire [8:0]  f_to_4k   = 9'd256 - {1'b0, f_addr[11:4]};   // descriptors before the 4 KiB boundary
  logic [15:0] f_n;
  always_comb begin
    f_n = 16'(FETCH_MAX);
    if (32'(f_space) < 32'(f_n)) f_n = 16'(f_space);
    if (f_avail < f_n)          f_n = f_avail;
    if (f_to_end < f_n)         f_n = f_to_end;
    if ({7'h0, f_to_4k} < f_n)  f_n = {7'h0, f_to_4k};
  end
  wire f_want = run_q[fq] && !busy_q[fq] && (f_n != 16'h0) &&
                (32'(f_space) >= DESC_CACHE / 2 || f_held == '0);
  // Beats of the read: bytes from the beat-aligned address to the last descriptor's end.
  wire [19:0] f_bytes = {f_n, 4'h0} + 20'(f_addr[OB-1:0]);
  wire [19:0] f_beats = (f_bytes + 20'(BB - 1)) >> OB;
  wire        ar_free = !m_axi_arvalid && !stop_i;   // one AR every two cycles at most

  // ---------------------------------------------------------------- read data
  wire [2:0] rq = 3'(m_axi_rid);
  wire       r_ok_q = (32'(m_axi_rid) < NQ);
  // SLVERR or DECERR; EXOKAY is no answer to a normal read (AXI spec), so it
  // is not trusted either: any RRESP other than OKAY is an error.
  wire       r_err  = (m_axi_rresp != 2'b00);
  assign q_fault_o = NQ'(fault_q);

  assign m_axi_rready = 1'b1;
  assign idle_o = !m_axi_arvalid && (busy_q == 8'h0);

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      for (int n = 0; n < 8; n++) begin
        cwr_q[n]   <= '0;
        crd_q[n]   <= '0;
        used_q[n]  <= '0;
        fetch_q[n] <= '0;
        left_q[n]  <= '0;
        busy_q[n]  <= 1'b0;
        run_q[n]   <= 1'b0;
        first_q[n] <= 1'b0;
        skip_q[n]  <= 1'b0;
        half_q[n]  <= 1'b0;
        fault_q[n] <= 1'b0;
      end
      rr_q          <= '0;
      m_axi_arvalid <= 1'b0;
      m_axi_arid    <= '0;
      m_axi_araddr  <= '0;
      m_axi_arlen   <= '0;
      dma_err_o     <= 1'b0;
    end else begin
      dma_err_o <= m_axi_rvalid && (m_axi_rresp != 2'b00);

      // Start and stop queues.
      for (int n = 0; n < int'(NQ); n++) begin
        if (!qok[n]) begin
          run_q[n]   <= 1'b0;
          fault_q[n] <= 1'b0;
        end else if (!run_q[n] && !busy_q[n] && !qbusy[n] && !fault_q[n]) begin
          run_q[n]   <= 1'b1;
          used_q[n]  <= rdh[n];
          fetch_q[n] <= rdh[n];
          crd_q[n]   <= cwr_q[n];
        end
      end

      // Consumer pops the head.
      if (pop_i && head_valid_o) begin
        crd_q[sq]  <= crd_q[sq] + 1'b1;
        used_q[sq] <= (used_q[sq] + 16'd1 == count[sq]) ? 16'd0 : used_q[sq] + 16'd1;
      end

      // Issue a read for queue rr_q, else look at the next queue.
      if (m_axi_arvalid && m_axi_arready) m_axi_arvalid <= 1'b0;
      if (ar_free && f_want) begin
        m_axi_arvalid <= 1'b1;
        m_axi_arid    <= AXI_ID_W'(fq);
        m_axi_araddr  <= {f_addr[63:OB], OB'(0)};
        m_axi_arlen   <= 8'(f_beats - 20'd1);
        busy_q[fq]    <= 1'b1;
        left_q[fq]    <= 7'(f_n);
        first_q[fq]   <= 1'b1;
        skip_q[fq]    <= (BB == 32) && f_addr[4];
        half_q[fq]    <= 1'b0;
        fetch_q[fq]   <= (fetch_q[fq] + f_n == count[fq]) ? 16'd0 : fetch_q[fq] + f_n;
      end
      // The turn passes every clock, skipped clocks included (nic_top
      // quiescent_o: in those no queue wanted a fetch).
      if (skip_i == 16'h0) rr_q <= (32'(rr_q) + 1 >= NQ) ? 3'd0 : rr_q + 3'd1;
      else rr_q <= 3'((32'(rr_q) + 32'(skip_i) + 1) % NQ);

      // Read data: pkt_addr of each descriptor into the queue's cache.
      if (m_axi_rvalid && r_ok_q) begin
        logic [CW:0] wp;
        logic [6:0]  lf;
        logic        keep;
        wp = cwr_q[rq];
        lf = left_q[rq];
        keep = run_q[rq] && !r_err;
        first_q[rq] <= 1'b0;
        if (r_err && run_q[rq] && qok[rq]) begin
          // Error response: stop the queue, its cache is dropped (on restart
          // the read pointer is set to the write pointer).
          run_q[rq]   <= 1'b0;
          fault_q[rq] <= 1'b1;
        end
        if (BB == 8) begin
          // 64-bit: pkt_addr beat, then hdr_addr beat.
          if (!half_q[rq] && lf != 7'd0) begin
            if (keep) begin
              cache_q[32'(rq) * DESC_CACHE + 32'(wp[CW-1:0])] <= m_axi_rdata[63:0];
              wp = wp + 1'b1;
            end
            lf = lf - 7'd1;
          end
          half_q[rq] <= !half_q[rq];
        end else begin
          for (int c = 0; c < int'(BB / 16); c++) begin
            if (lf != 7'd0 && !(c == 0 && first_q[rq] && skip_q[rq])) begin
              if (keep) begin
                cache_q[32'(rq) * DESC_CACHE + 32'(wp[CW-1:0])] <= m_axi_rdata[128*c +: 64];
                wp = wp + 1'b1;
              end
              lf = lf - 7'd1;
            end
          end
        end
        cwr_q[rq]  <= wp;
        left_q[rq] <= lf;
        if (m_axi_rlast) busy_q[rq] <= 1'b0;
        // The read's beats as the fetch counts them (an input from the
        // memory: a wrong count would leave the cache out of step with
        // the ring). RLAST comes with, and only with, the beat that brings
        // the read's last descriptor (64-bit: the hdr_addr beat after it);
        // a beat after RLAST finds no read outstanding (below). The cache
        // never holds more than DESC_CACHE.
        assert (m_axi_rlast == (lf == 7'd0 && (BB != 8 || half_q[rq])))
          else $error("rxp_desc_fetch: RLAST %0d on a beat of queue %0d with %0d descriptors to come",
                      m_axi_rlast, rq, lf);
        assert ((CW+1)'(wp - crd_q[rq]) <= (CW+1)'(DESC_CACHE))
          else $error("rxp_desc_fetch: queue %0d cache overflow", rq);
      end
    end
  end

  // ---------------------------------------------------------------- assertions
  // The NIC never uses the descriptor at RDT (RDH never passes RDT).
  always_ff @(posedge clk_i) begin
    if (rst_ni && pop_i && head_valid_o) begin
      assert (used_q[sq] != rdt[sq])
        else $error("rxp_desc_fetch: queue %0d used the descriptor at RDT", sq);
    end
  end

  // An R beat only for a queue with a read outstanding (the memory's
  // input: the beat would be cached for a read never issued); the DMA
  // engine pops only a valid head (else it would use a stale pkt_addr and
  // move next-to-use past what was fetched).
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      if (m_axi_rvalid)
        ast_df_r_outstanding: assert (r_ok_q && busy_q[rq])
          else $error("rxp_desc_fetch: R beat with RID %0d and no read outstanding", m_axi_rid);
      if (pop_i)
        ast_df_pop_valid: assert (head_valid_o)
          else $error("rxp_desc_fetch: queue %0d popped with no descriptor cached", sq);
    end
  end

  // ---------------------------------------------------------------- cover points
  // Reads cut at the 4 KiB boundary and at the ring's end, next-to-use and
  // next-to-fetch wrapping to 0, an error response, beats for a queue that
  // stopped, IDs interleaved (make coverage; only with --coverage-user).
  // (The 4 KiB boundary, or the ring's end, the only limit: every other
  // one larger.)
  cov_df_fetch_cut_4k: cover property (@(posedge clk_i) disable iff (!rst_ni)
      ar_free && f_want && {7'h0, f_to_4k} < f_avail && {7'h0, f_to_4k} < f_to_end &&
      32'(f_to_4k) < FETCH_MAX && 32'(f_to_4k) < 32'(f_space));
  cov_df_fetch_cut_end: cover property (@(posedge clk_i) disable iff (!rst_ni)
      ar_free && f_want && f_to_end < f_avail && f_to_end < {7'h0, f_to_4k} &&
      32'(f_to_end) < FETCH_MAX && 32'(f_to_end) < 32'(f_space));
  cov_df_fetch_wrap: cover property (@(posedge clk_i) disable iff (!rst_ni)
      ar_free && f_want && fetch_q[fq] + f_n == count[fq]);
  cov_df_used_wrap: cover property (@(posedge clk_i) disable iff (!rst_ni)
      pop_i && head_valid_o && used_q[sq] + 16'd1 == count[sq]);
  cov_df_cache_full: cover property (@(posedge clk_i) disable iff (!rst_ni)
      run_q[fq] && !busy_q[fq] && f_avail != 16'h0 && 32'(f_space) < DESC_CACHE / 2 && f_held != '0);
  cov_df_rresp_err: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_rvalid && r_err && run_q[rq]);
  cov_df_r_stopped: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_rvalid && !run_q[rq]);
  cov_df_ar_stall: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_arvalid && !m_axi_arready);

  // Per queue, for waveforms (trace_*: not used by the logic): descriptors
  // the NIC owns in the ring (next-to-use .. RDT-1) and of those, the ones
  // fetched into its cache.
  logic [15:0] trace_owned [8];
  logic [CW:0] trace_cached [8];
  always_comb begin
    for (int n = 0; n < 8; n++) begin
      trace_owned[n]  = run_q[n] ? ring_dist(used_q[n], rdt[n], count[n]) : 16'h0;
      trace_cached[n] = cwr_q[n] - crd_q[n];
    end
  end

endmodule

`default_nettype wire
