// SPDX-License-Identifier: MIT
// rxp_intr: extended interrupts: EICR/EICS/EIMS/EIMC/EIAC/EIAM, GPIE, IVAR, EITR moderation and the MSI-X request.
`default_nettype none

// A writeback completion of queue n sets EICR bit IVAR0(n).RX_VECTOR when
// RX_VALID is set; EICS sets bits directly. Each such cause event (and an EIMS
// write enabling a vector whose EICR bit is set) makes the vector pending;
// one message signals all pending events of a vector. In MSI-X mode
// (GPIE.MSIX_MODE) the lowest-numbered vector that is pending, set in EICR,
// enabled (EIMS) and whose EITR counter has run out is sent on the msix_*
// handshake. Sending it auto-clears
// its EICR bit (EIAC), auto-masks it (EIAM with GPIE.EIAME) and reloads its
// counter with EITR.INTERVAL. Counters count down on microsecond ticks: an
// accumulator adds 4 each clock and ticks, subtracting 625, when it reaches 625.
// skip_i (the wrapper's idle-skip, 0 otherwise): this clock stands for
// 1 + skip_i clocks of the time base, the skipped ones being clocks in which
// nothing but the time base changed (nic_top quiescent_o). The accumulator
// then adds 4 * (1 + skip_i) and may tick several times; a running EITR
// counter whose end lies among those ticks expires. The wrapper ends a skip
// no later than the clock whose tick expires the counter of a vector that
// waits to fire, so the message goes at the same clock as without the skip.
module rxp_intr #(
  parameter int unsigned NUM_QUEUES = 1   // RX queues, 1..8
) (
  input  wire         clk_i,
  input  wire         rst_ni,
  input  wire [15:0]  skip_i,          // clocks skipped before this one (idle-skip)
  // Register port (from rxp_regs); read data is combinational on reg_raddr_i.
  // A read and a write may come in the same clock, each with its address.
  input  wire         reg_wr_i,
  input  wire         reg_rd_i,
  input  wire [16:0]  reg_waddr_i,
  input  wire [16:0]  reg_raddr_i,
  input  wire [31:0]  reg_wdata_i,     // unstrobed bytes read 0 (write-1-to-set/clear: no ones) ...
  input  wire [31:0]  reg_wmask_i,     // ... read/write registers keep those bytes (AXI WSTRB)
  output logic [31:0] reg_rdata_o,
  // Causes
  input  wire         wb_done_i,       // a writeback's write response arrived ...
  input  wire [2:0]   wb_done_q_i,     // ... for this queue
  // MSI-X request (a memory write on PCIe: master disable blocks new ones;
  // a message offered stays until its ready)
  input  wire         stop_i,
  output logic        msix_valid_o,
  output logic [4:0]  msix_vector_o,
  input  wire         msix_ready_i,
  output logic        quiet_o,          // no message offered and none to offer this clock
  // Observation (tracing): the vector a writeback of queue wb_done_q_i signals
  output logic        obs_wb_vec_ok_o,  // IVAR0(q).RX_VALID
  output logic [4:0]  obs_wb_vec_o      // IVAR0(q).RX_VECTOR
);

  import igb_regs_pkg::*;

  localparam int unsigned NV = MSIX_VECTORS;
  localparam logic [9:0] TICK_ADD = 10'd4;
  localparam logic [9:0] TICK_MOD = 10'd625;   // 156.25 MHz: 625 / 4 clocks per microsecond

  logic [NV-1:0] eicr_q, eims_q, eiac_q, eiam_q;
  logic [NV-1:0] pend_q;     // a cause event (or an EIMS enable of a set cause) not yet signalled
  logic [31:0]   gpie_q, ivar_misc_q;
  // EITR and IVAR entries are written through one index each, and an entry
  // not written since reset reads its reset value (eitr_set_q/ivar_set_q):
  // the arrays themselves need no reset. A vector's throttle is a deadline on
  // a free-running microsecond count instead of a counter per vector.
  logic [31:0]   eitr_q [NV];
  logic [NV-1:0] eitr_set_q;
  logic [15:0]   exp_q [NV];       // microsecond count at which the interval ends
  logic [31:0]   ivar_q [E1000_IVAR0_COUNT];
  logic [E1000_IVAR0_COUNT-1:0] ivar_set_q;
  logic [15:0]   now_q;            // microsecond ticks since reset
  logic [NV-1:0] busy_q;           // the vector's EITR counter is running (not 0)
  logic [9:0]    acc_q;

  function automatic logic [31:0] eitr_of(input logic [4:0] v);
    return eitr_set_q[v] ? eitr_q[v] : E1000_EITR_RESET;
  endfunction
  function automatic logic [31:0] ivar_of(input logic [2:0] i);
    return ivar_set_q[i] ? ivar_q[i] : E1000_IVAR0_RESET;
  endfunction

  // Which EITR / IVAR0 entry a register write names.
  logic       wr_eitr, wr_ivar;
  logic [4:0] wr_v;
  logic [2:0] wr_i;
  always_comb begin
    wr_eitr = 1'b0;
    wr_ivar = 1'b0;
    wr_v    = 5'd0;
    wr_i    = 3'd0;
    if (reg_wr_i) begin
      for (int v = 0; v < int'(E1000_EITR_COUNT); v++)
        if (reg_waddr_i == E1000_EITR(v)) begin
          wr_eitr = 1'b1;
          wr_v    = 5'(v);
        end
      for (int i = 0; i < int'(E1000_IVAR0_COUNT); i++)
        if (reg_waddr_i == E1000_IVAR0(i)) begin
          wr_ivar = 1'b1;
          wr_i    = 3'(i);
        end
    end
  end

  // A read/write register after a write: the strobed bytes from the write,
  // the others as they were (AXI WSTRB).
  function automatic logic [31:0] wmerge(input logic [31:0] old);
    return (old & ~reg_wmask_i) | reg_wdata_i;
  endfunction

  // ---------------------------------------------------------------- register reads
  // EITR reads its running counter in ITR_COUNTER (bits 30:16): microseconds
  // left before the vector may fire again, 0 when expired.
  function automatic logic [31:0] eitr_rd(input logic [4:0] v);
    logic [15:0] left;
    left = busy_q[v] ? exp_q[v] - now_q : 16'h0;
    return (eitr_of(v) & ~E1000_EITR_ITR_COUNTER) |
           ((32'(left) << E1000_EITR_ITR_COUNTER_LSB) & E1000_EITR_ITR_COUNTER);
  endfunction
  always_comb begin
    reg_rdata_o = 32'h0;
    if (reg_rd_i) begin
    if (reg_raddr_i == E1000_EIMS)      reg_rdata_o = 32'(eims_q);
    if (reg_raddr_i == E1000_EIAC)      reg_rdata_o = 32'(eiac_q);
    if (reg_raddr_i == E1000_EIAM)      reg_rdata_o = 32'(eiam_q);
    if (reg_raddr_i == E1000_EICR)      reg_rdata_o = 32'(eicr_q);
    if (reg_raddr_i == E1000_GPIE)      reg_rdata_o = gpie_q;
    if (reg_raddr_i == E1000_IVAR_MISC) reg_rdata_o = ivar_misc_q;
    for (int i = 0; i < int'(E1000_EITR_COUNT); i++)
      if (reg_raddr_i == E1000_EITR(i)) reg_rdata_o = eitr_rd(5'(i));
    for (int i = 0; i < int'(E1000_IVAR0_COUNT); i++)
      if (reg_raddr_i == E1000_IVAR0(i)) reg_rdata_o = ivar_of(3'(i));
    end
  end

  // ---------------------------------------------------------------- causes and firing
  wire  [NV-1:0] itr_open = ~busy_q;

  wire [NV-1:0] ready_v = pend_q & eicr_q & eims_q & itr_open;
  wire          msix_mode = gpie_q[E1000_GPIE_MSIX_MODE_LSB];
  logic [4:0]   fire_v;
  always_comb begin
    fire_v = 5'd0;
    if (ready_v != '0) begin
      for (int v = int'(NV) - 1; v >= 0; v--) if (ready_v[v]) fire_v = 5'(v);
    end
  end
  function automatic logic [E1000_EITR_INTERVAL_W-1:0] ival_of(input logic [4:0] v);
    return E1000_EITR_INTERVAL_W'((eitr_of(v) & E1000_EITR_INTERVAL) >> E1000_EITR_INTERVAL_LSB);
  endfunction
  wire [E1000_EITR_INTERVAL_W-1:0] fire_ival = ival_of(fire_v);
  wire fire = msix_mode && (ready_v != '0) && !msix_valid_o && !stop_i;
  assign quiet_o = !fire && !msix_valid_o;

  // The queue's vector from IVAR0 (entry n, bits 7:0 for queue n).
  wire [31:0]   ivar_wb = ivar_of(wb_done_q_i);
  assign obs_wb_vec_ok_o = ivar_wb[E1000_IVAR0_RX_VALID_LSB];
  assign obs_wb_vec_o    = ivar_wb[E1000_IVAR0_RX_VECTOR_LSB +: 5];
  wire [NV-1:0] wb_set  = (wb_done_i && ivar_wb[E1000_IVAR0_RX_VALID_LSB]) ?
                          (NV'(1) << ivar_wb[E1000_IVAR0_RX_VECTOR_LSB +: 5]) : '0;

  // Microsecond ticks this clock (0 or 1; up to 420 after a skip) and the
  // accumulator after them. The division is taken only after a skip.
  logic [8:0] ticks;
  logic [9:0] acc_next;
  always_comb begin
    logic [19:0] sum;
    if (skip_i == 16'h0) begin
      sum      = 20'(acc_q) + 20'(TICK_ADD);
      ticks    = (sum >= 20'(TICK_MOD)) ? 9'd1 : 9'd0;
      acc_next = ticks[0] ? 10'(sum - 20'(TICK_MOD)) : 10'(sum);
    end else begin
      sum      = 20'(acc_q) + 20'(TICK_ADD) * (20'(skip_i) + 20'd1);
      ticks    = 9'(sum / 20'(TICK_MOD));
      acc_next = 10'(sum - 20'(ticks) * 20'(TICK_MOD));
    end
  end
  wire [15:0] now_next = now_q + 16'(ticks);

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      eicr_q        <= '0;
      eims_q        <= '0;
      pend_q        <= '0;
      eiac_q        <= '0;
      eiam_q        <= '0;
      gpie_q        <= E1000_GPIE_RESET;
      ivar_misc_q   <= E1000_IVAR_MISC_RESET;
      eitr_set_q    <= '0;
      ivar_set_q    <= '0;
      busy_q        <= '0;
      now_q         <= 16'h0;
      acc_q         <= 10'h0;
      msix_valid_o  <= 1'b0;
      msix_vector_o <= 5'd0;
    end else begin
      logic [NV-1:0] eicr_n, eims_n, pend_n, cause, busy_n, absorb;
      busy_n = busy_q;
      eicr_n = eicr_q;
      eims_n = eims_q;
      pend_n = pend_q;
      cause  = wb_set;

      // Microsecond time base and EITR counters.
      // A running counter ends at the tick that makes now_q equal its
      // deadline: one of this clock's ticks when exp_q - now_q - 1 < ticks
      // (exp_q - now_q is 1..2^15 while the counter runs).
      acc_q <= acc_next;
      if (ticks != 9'd0) begin
        now_q <= now_next;
        if (busy_q != '0) begin
          for (int v = 0; v < int'(NV); v++)
            if (busy_q[v] && 16'(exp_q[v] - now_q - 16'd1) < 16'(ticks)) busy_n[v] = 1'b0;
        end
      end

      // MSI-X request handshake.
      if (msix_valid_o && msix_ready_i) msix_valid_o <= 1'b0;
      if (fire) begin
        msix_valid_o  <= 1'b1;
        msix_vector_o <= fire_v;
        pend_n[fire_v] = 1'b0;
        if (eiac_q[fire_v]) eicr_n[fire_v] = 1'b0;
        if (gpie_q[E1000_GPIE_EIAME_LSB] && eiam_q[fire_v]) eims_n[fire_v] = 1'b0;
        // The interval counts from this clock's tick count: INTERVAL ticks on.
        exp_q[fire_v]  <= now_next + 16'(fire_ival);
        busy_n[fire_v] = (fire_ival != '0);
      end

      // Register accesses.
      // Register accesses: the read (reg_raddr_i) and the write
      // (reg_waddr_i) of one clock act each on its own register.
      if (reg_rd_i && reg_raddr_i == E1000_EICR) eicr_n = eicr_n & ~eicr_q;
      if (reg_wr_i) begin
        if (reg_waddr_i == E1000_EICS) cause = cause | reg_wdata_i[NV-1:0];
        if (reg_waddr_i == E1000_EICR) eicr_n = eicr_n & ~reg_wdata_i[NV-1:0];
        if (reg_waddr_i == E1000_EIMS) begin
          eims_n = eims_n | reg_wdata_i[NV-1:0];
          pend_n = pend_n | (reg_wdata_i[NV-1:0] & eicr_q);   // enabling a set cause signals it
        end
        if (reg_waddr_i == E1000_EIMC) eims_n = eims_n & ~reg_wdata_i[NV-1:0];
        if (reg_waddr_i == E1000_EIAC) eiac_q <= NV'(wmerge(32'(eiac_q)));
        if (reg_waddr_i == E1000_EIAM) eiam_q <= NV'(wmerge(32'(eiam_q)));
        if (reg_waddr_i == E1000_GPIE) gpie_q <= wmerge(gpie_q);
        if (reg_waddr_i == E1000_IVAR_MISC) ivar_misc_q <= wmerge(ivar_misc_q);
        if (wr_ivar) begin
          ivar_q[wr_i]     <= wmerge(ivar_of(wr_i));
          ivar_set_q[wr_i] <= 1'b1;
        end
        if (wr_eitr) begin
          logic [31:0] ew;
          logic [14:0] cnt;
          // Bytes not strobed keep the interval, and the running counter.
          ew  = wmerge(eitr_rd(wr_v));
          cnt = 15'((ew & E1000_EITR_ITR_COUNTER) >> E1000_EITR_ITR_COUNTER_LSB);
          eitr_q[wr_v]     <= ew & (E1000_EITR_INTERVAL | E1000_EITR_CNT_IGNR);
          eitr_set_q[wr_v] <= 1'b1;
          // Without CNT_IGNR the write loads the counter from ITR_COUNTER
          // (0: expired, the next cause fires at once); with it the running
          // counter is left alone (82576 datasheet, EITR). A write that
          // does not strobe byte 3 (CNT_IGNR) leaves it alone too.
          if (reg_wmask_i[E1000_EITR_CNT_IGNR_LSB] && !reg_wdata_i[E1000_EITR_CNT_IGNR_LSB]) begin
            busy_n[wr_v] = (cnt != 15'h0);
            exp_q[wr_v]  <= now_next + 16'(cnt);
          end
        end
      end

      // A cause of the vector whose message is being sent (from the clock
      // it fires to the clock it is accepted) is reported by that message:
      // its write response came before the message went out, so the host
      // that handles the message sees its writeback. It is not pending
      // again, and with EIAC it is auto-cleared with the others; otherwise
      // the next message would report nothing new.
      absorb = '0;
      if (fire) absorb[fire_v] = 1'b1;
      if (msix_valid_o) absorb[msix_vector_o] = 1'b1;
      // A cleared cause is no longer pending. New causes last, so a cause
      // arriving with a clear is not lost.
      pend_q <= (pend_n & eicr_n) | (cause & ~absorb);
      eicr_q <= eicr_n | (cause & ~(absorb & eiac_q));
      eims_q <= eims_n;
      busy_q <= busy_n;
    end
  end

  // ---------------------------------------------------------------- assertions
  // A message names a vector the block has; it goes only in MSI-X mode,
  // for a vector that is ready (pending, caused, enabled) and never while
  // its EITR counter runs (the moderation the driver's ITR relies on).
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      if (msix_valid_o)
        ast_intr_vector: assert (32'(msix_vector_o) < NV)
          else $error("rxp_intr: MSI-X vector %0d of %0d", msix_vector_o, NV);
      if (fire)
        ast_intr_fire_ready: assert (msix_mode && ready_v[fire_v] && !busy_q[fire_v])
          else $error("rxp_intr: vector %0d fired while not ready or throttled", fire_v);
    end
  end

  // ---------------------------------------------------------------- cover points
  // EITR hold-off (a vector with its cause set and enabled waits for its
  // interval), the interval ending at a microsecond tick while the vector
  // waits (it fires in the next clock; one cover point for all vectors,
  // summed by the report), a skip that carries several ticks, the
  // auto-clear and auto-mask, a message stalled by msix_ready_i or held
  // back by the master disable, a cause enabled through EIMS, a counter
  // loaded by an EITR write (make coverage; only with --coverage-user).
  cov_intr_eitr_holdoff: cover property (@(posedge clk_i) disable iff (!rst_ni)
      msix_mode && (pend_q & eicr_q & eims_q & busy_q) != '0);
  for (genvar v = 0; v < int'(NV); v++) begin : g_cov_expire
    cov_intr_eitr_expire_waiting: cover property (@(posedge clk_i) disable iff (!rst_ni)
        msix_mode && busy_q[v] && pend_q[v] && eicr_q[v] && eims_q[v] && ticks != 9'd0 &&
        16'(exp_q[v] - now_q - 16'd1) < 16'(ticks));
  end
  cov_intr_fire: cover property (@(posedge clk_i) disable iff (!rst_ni) fire);
  cov_intr_fire_throttle: cover property (@(posedge clk_i) disable iff (!rst_ni)
      fire && fire_ival != '0);
  cov_intr_skip_ticks: cover property (@(posedge clk_i) disable iff (!rst_ni) ticks > 9'd1);
  cov_intr_eiac: cover property (@(posedge clk_i) disable iff (!rst_ni) fire && eiac_q[fire_v]);
  cov_intr_eiam: cover property (@(posedge clk_i) disable iff (!rst_ni)
      fire && gpie_q[E1000_GPIE_EIAME_LSB] && eiam_q[fire_v]);
  cov_intr_msix_stall: cover property (@(posedge clk_i) disable iff (!rst_ni)
      msix_valid_o && !msix_ready_i);
  cov_intr_stopped: cover property (@(posedge clk_i) disable iff (!rst_ni)
      msix_mode && ready_v != '0 && !msix_valid_o && stop_i);
  cov_intr_eims_pend: cover property (@(posedge clk_i) disable iff (!rst_ni)
      reg_wr_i && reg_waddr_i == E1000_EIMS && (reg_wdata_i[NV-1:0] & eicr_q & ~eims_q) != '0);
  cov_intr_eitr_load: cover property (@(posedge clk_i) disable iff (!rst_ni)
      wr_eitr && !reg_wdata_i[E1000_EITR_CNT_IGNR_LSB] &&
      (reg_wdata_i & E1000_EITR_ITR_COUNTER) != 32'h0);

  // Only queues 0..NUM_QUEUES-1 raise causes; the IVAR entries exist for all 8.
  if (NUM_QUEUES > 8) begin : g_bad_num_queues
    $error("rxp_intr: NUM_QUEUES must be 1..8");
  end

  // EITR moderation of vectors 0..7 for waveforms (trace_*: not used by the
  // logic): microseconds left before the vector may fire again.
  logic [15:0] trace_eitr_left [8];
  always_comb begin
    for (int v = 0; v < 8; v++)
      trace_eitr_left[v] = busy_q[v] ? exp_q[v] - now_q : 16'h0;
  end

endmodule

`default_nettype wire
