// SPDX-License-Identifier: MIT
// rxp_mac_rx: XGMII receive MAC: /S/ in lane 0 or 4, preamble/SFD check, /T/ in any lane, CRC-32 FCS check.
`default_nettype none

// Output stream: one aligned 64-bit word per valid cycle, frame byte 0 in bits
// 7:0 of the first word. m_nbytes_o (1..8) is the byte count of the word,
// m_last_o marks the frame's last word, which also carries the frame status
// (framing error, FCS good, length including the FCS). There is no ready: the
// wire cannot wait. Frames whose preamble/SFD is wrong (or that end before
// their first data byte) never appear on the stream; they raise m_badpre_o.
// Requirement on the input: a /S/ never shares a word with the previous /T/.
module rxp_mac_rx (
  input  wire        clk_i,
  input  wire        rst_ni,
  // XGMII input
  input  wire [63:0] xgmii_rxd_i,
  input  wire [7:0]  xgmii_rxc_i,
  // Frame stream out
  output logic       m_valid_o,
  output logic [63:0] m_data_o,
  output logic [3:0] m_nbytes_o,
  output logic       m_last_o,
  output logic       m_err_o,       // framing error (/E/ or another control inside the frame)
  output logic       m_fcs_ok_o,    // CRC-32 over the frame including its FCS leaves the good residue
  output logic [15:0] m_len_o,      // frame length in bytes including FCS (saturates)
  // Status
  output logic       m_badpre_o     // a frame started with a bad preamble/SFD or carried no byte
);

  localparam logic [7:0]  XGMII_IDLE  = 8'h07;
  localparam logic [7:0]  XGMII_START = 8'hFB;
  localparam logic [7:0]  XGMII_TERM  = 8'hFD;
  localparam logic [7:0]  PREAMBLE    = 8'h55;
  localparam logic [7:0]  SFD         = 8'hD5;
  localparam logic [31:0] CRC_INIT    = 32'hFFFFFFFF;
  localparam logic [31:0] CRC_RESIDUE = 32'hDEBB20E3;   // register value after the FCS of a good frame
  localparam logic [31:0] CRC_POLY    = 32'hEDB88320;   // IEEE 802.3, reflected

  // ---------------------------------------------------------------- CRC-32, 1..8 bytes per cycle
  // Slicing tables computed once at elaboration (a 2048 x 32 ROM): entry
  // j*256+b is the CRC register contribution of byte b followed by j zero bytes.
  logic [31:0] crc_tab [2048];

  function automatic logic [31:0] crc_byte0(input logic [7:0] b);
    logic [31:0] c;
    c = {24'h0, b};
    for (int k = 0; k < 8; k++) c = c[0] ? ((c >> 1) ^ CRC_POLY) : (c >> 1);
    return c;
  endfunction

  initial begin
    for (int b = 0; b < 256; b++) crc_tab[b] = crc_byte0(8'(b));
    for (int j = 1; j < 8; j++) begin
      for (int b = 0; b < 256; b++) begin
        crc_tab[j*256 + b] = (crc_tab[(j-1)*256 + b] >> 8) ^ crc_tab[{3'd0, crc_tab[(j-1)*256 + b][7:0]}];
      end
    end
  end

  // CRC register after n (1..8) more bytes of d (first byte in bits 7:0).
  function automatic logic [31:0] crc_update(input logic [31:0] c, input logic [63:0] d,
                                             input logic [3:0] n);
    logic [31:0] r;
    logic [7:0]  idx;
    logic [2:0]  sl;
    r = (n >= 4'd4) ? 32'h0 : (c >> {n[1:0], 3'b000});
    for (int k = 0; k < 8; k++) begin
      if (4'(k) < n) begin
        idx = d[8*k +: 8] ^ ((k < 4) ? c[8*k +: 8] : 8'h00);
        sl  = 3'(n - 4'(k) - 4'd1);
        r   = r ^ crc_tab[{sl, idx}];
      end
    end
    return r;
  endfunction

  // ---------------------------------------------------------------- input register, lane decode
  // XGMII is registered once on entry; everything below works on rxd/rxc.
  logic [63:0] rxd;
  logic [7:0]  rxc;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      rxd <= {8{XGMII_IDLE}};
      rxc <= 8'hFF;
    end else begin
      rxd <= xgmii_rxd_i;
      rxc <= xgmii_rxc_i;
    end
  end

  logic [7:0] b [8];
  always_comb for (int i = 0; i < 8; i++) b[i] = rxd[8*i +: 8];

  // First control lane (8 = none): the frame's bytes end there.
  logic [3:0] t;
  always_comb begin
    t = 4'd8;
    for (int i = 7; i >= 0; i--) if (rxc[i]) t = 4'(i);
  end
  wire term_ok = (t != 4'd8) && (b[t[2:0]] == XGMII_TERM);
  logic word_has_end;   // a /T/ or idle in any lane: a dropped frame is over
  always_comb begin
    word_has_end = 1'b0;
    for (int i = 0; i < 8; i++)
      if (rxc[i] && (b[i] == XGMII_TERM || b[i] == XGMII_IDLE)) word_has_end = 1'b1;
  end
  wire start0 = rxc[0] && (b[0] == XGMII_START);
  wire start4 = rxc[4] && (b[4] == XGMII_START) && (rxc[3:0] != 4'h0);
  wire pre0_ok = (rxc[7:1] == 7'h0) && (b[1] == PREAMBLE) && (b[2] == PREAMBLE) &&
                 (b[3] == PREAMBLE) && (b[4] == PREAMBLE) && (b[5] == PREAMBLE) &&
                 (b[6] == PREAMBLE) && (b[7] == SFD);
  wire pre4a_ok = (rxc[7:5] == 3'h0) && (b[5] == PREAMBLE) && (b[6] == PREAMBLE) &&
                  (b[7] == PREAMBLE);
  wire pre4b_ok = (rxc[3:0] == 4'h0) && (b[0] == PREAMBLE) && (b[1] == PREAMBLE) &&
                  (b[2] == PREAMBLE) && (b[3] == SFD);

  // ---------------------------------------------------------------- state
  typedef enum logic [2:0] {
    S_IDLE,   // between frames: look for /S/
    S_PRE4,   // /S/ was in lane 4: the rest of the preamble and the SFD are in this word
    S_DATA0,  // frame data, aligned to lane 0 (one word pending to learn where the frame ends)
    S_DATA4,  // frame data, starting in lane 4 (four bytes held to realign)
    S_DROP    // after a framing error: discard until /T/ or idle
  } state_e;

  state_e      state_q, state_d;
  // A /S/ in lane 4 in the word that ends a frame in progress with a
  // framing error (start4 implies a control character in lanes 0-3) starts
  // the next frame; a bad first half of its preamble is remembered and
  // counted with the second half, one clock after the error frame's end,
  // as for a /S/ in lane 0 in the next word.
  logic        pre4_bad_q, pre4_bad_d;
  logic        pend_v_q, pend_v_d;
  logic [63:0] pend_q, pend_d;       // S_DATA0: last full word, not yet sent
  logic [31:0] hold_q, hold_d;       // S_DATA4: upper half of the last word
  logic        spill_v_q, spill_v_d; // a frame's final partial word, sent the cycle after /T/
  logic [63:0] spill_q, spill_d;
  logic [3:0]  spill_n_q, spill_n_d;
  logic [31:0] crc_q, crc_d;
  logic [15:0] len_q, len_d;
  logic        badpre_d;

  // What is sent this cycle (at most one word).
  logic        em_v, em_last, em_err;
  logic [63:0] em_data;
  logic [3:0]  em_n;

  always_comb begin
    state_d   = state_q;
    pend_v_d  = pend_v_q;
    pend_d    = pend_q;
    hold_d    = hold_q;
    spill_v_d = 1'b0;
    spill_d   = spill_q;
    spill_n_d = spill_n_q;
    badpre_d  = 1'b0;
    pre4_bad_d = 1'b0;
    em_v      = 1'b0;
    em_last   = 1'b0;
    em_err    = 1'b0;
    em_data   = 64'h0;
    em_n      = 4'd8;

    // The previous frame's tail goes out first; the word now on XGMII is
    // between frames (at most a /S/), so it never sends anything itself.
    if (spill_v_q) begin
      em_v    = 1'b1;
      em_data = spill_q;
      em_n    = spill_n_q;
      em_last = 1'b1;
    end

    unique case (state_q)
      S_IDLE, S_DROP: begin
        if (state_q == S_DROP && word_has_end) state_d = S_IDLE;
        if (start0) begin
          pend_v_d = 1'b0;
          if (pre0_ok) begin
            state_d = S_DATA0;
          end else begin
            badpre_d = 1'b1;
            state_d  = S_DROP;
          end
        end else if (start4) begin
          // Also in S_DROP: the control characters in lanes 0-3 end the
          // dropped frame, and the frame starting in lane 4 is received.
          if (pre4a_ok) begin
            state_d = S_PRE4;
          end else begin
            badpre_d = 1'b1;
            state_d  = S_DROP;
          end
        end
      end
      S_PRE4: begin
        if (pre4b_ok && rxc[7:4] == 4'h0 && !pre4_bad_q) begin
          hold_d  = rxd[63:32];
          state_d = S_DATA4;
        end else begin
          badpre_d = 1'b1;
          state_d  = word_has_end ? S_IDLE : S_DROP;
        end
      end
      S_DATA0: begin
        if (t == 4'd8) begin
          em_v     = pend_v_q;
          em_data  = pend_q;
          pend_d   = rxd;
          pend_v_d = 1'b1;
        end else if (term_ok && t == 4'd0) begin
          if (pend_v_q) begin
            em_v    = 1'b1;
            em_data = pend_q;
            em_last = 1'b1;
          end else begin
            badpre_d = 1'b1;
          end
          state_d = S_IDLE;
        end else if (term_ok) begin
          if (pend_v_q) begin
            em_v      = 1'b1;
            em_data   = pend_q;
            spill_v_d = 1'b1;
            spill_d   = rxd;
            spill_n_d = t;
          end else begin
            em_v    = 1'b1;
            em_data = rxd;
            em_n    = t;
            em_last = 1'b1;
          end
          state_d = S_IDLE;
        end else begin
          em_v    = 1'b1;
          em_data = pend_v_q ? pend_q : rxd;
          em_last = 1'b1;
          em_err  = 1'b1;
          state_d    = start4 ? S_PRE4 : (word_has_end ? S_IDLE : S_DROP);
          pre4_bad_d = start4 && !pre4a_ok;
        end
      end
      S_DATA4: begin
        em_v    = 1'b1;
        em_data = {rxd[31:0], hold_q};
        if (t == 4'd8) begin
          hold_d = rxd[63:32];
        end else if (term_ok && t <= 4'd4) begin
          em_n    = t + 4'd4;
          em_last = 1'b1;
          state_d = S_IDLE;
        end else if (term_ok) begin
          spill_v_d = 1'b1;
          spill_d   = {32'h0, rxd[63:32]};
          spill_n_d = t - 4'd4;
          state_d   = S_IDLE;
        end else begin
          em_last  = 1'b1;
          em_err   = 1'b1;
          state_d    = start4 ? S_PRE4 : (word_has_end ? S_IDLE : S_DROP);
          pre4_bad_d = start4 && !pre4a_ok;
        end
      end
      default: state_d = S_IDLE;
    endcase
  end

  // CRC and length follow the words sent.
  logic [31:0] crc_next;
  always_comb crc_next = em_v ? crc_update(crc_q, em_data, em_n) : crc_q;
  wire [16:0] len_sum  = {1'b0, len_q} + {13'h0, em_n};
  wire [15:0] len_next = len_sum[16] ? 16'hFFFF : len_sum[15:0];
  always_comb begin
    crc_d = crc_q;
    len_d = len_q;
    if (em_v) begin
      crc_d = em_last ? CRC_INIT : crc_next;
      len_d = em_last ? 16'h0 : len_next;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q    <= S_IDLE;
      pend_v_q   <= 1'b0;
      pend_q     <= 64'h0;
      hold_q     <= 32'h0;
      spill_v_q  <= 1'b0;
      spill_q    <= 64'h0;
      spill_n_q  <= 4'd0;
      crc_q      <= CRC_INIT;
      len_q      <= 16'h0;
      m_valid_o  <= 1'b0;
      m_data_o   <= 64'h0;
      m_nbytes_o <= 4'd0;
      m_last_o   <= 1'b0;
      m_err_o    <= 1'b0;
      m_fcs_ok_o <= 1'b0;
      m_len_o    <= 16'h0;
      m_badpre_o <= 1'b0;
      pre4_bad_q <= 1'b0;
    end else begin
      state_q    <= state_d;
      pre4_bad_q <= pre4_bad_d;
      pend_v_q   <= pend_v_d;
      pend_q     <= pend_d;
      hold_q     <= hold_d;
      spill_v_q  <= spill_v_d;
      spill_q    <= spill_d;
      spill_n_q  <= spill_n_d;
      crc_q      <= crc_d;
      len_q      <= len_d;
      m_valid_o  <= em_v;
      m_badpre_o <= badpre_d;
      if (em_v) begin
        m_data_o   <= em_data;
        m_nbytes_o <= em_n;
        m_last_o   <= em_last;
        m_err_o    <= em_err;
        m_fcs_ok_o <= (crc_next == CRC_RESIDUE);
        m_len_o    <= len_next;
      end
    end
  end

  // ---------------------------------------------------------------- assertions
  // The FSM's own invariants, which the stream relies on silently: a state
  // outside the enum would fall to S_IDLE mid-frame; a word sent outside
  // S_DATA0/S_DATA4 (other than the tail spilled after /T/) would be a
  // frame byte made up; the spilled tail is sent in the clock after /T/,
  // which is S_IDLE (in S_DATA0/S_DATA4 a second word would overwrite it);
  // S_DATA4 reads hold_q, which only S_PRE4/S_DATA4 load (lane-4 mode); a
  // lane-0 frame starts with no word pending (else it would carry a word
  // of the frame before); a word carries 1..8 bytes (CRC and length count
  // em_n bytes).
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      ast_mac_state_legal: assert (state_q inside {S_IDLE, S_PRE4, S_DATA0, S_DATA4, S_DROP})
        else $error("rxp_mac_rx: state_q %0d is no state", state_q);
      if (em_v && !spill_v_q)
        ast_mac_word_in_frame: assert (state_q inside {S_DATA0, S_DATA4})
          else $error("rxp_mac_rx: a word sent outside a frame (state %0d)", state_q);
      if (spill_v_q)
        ast_mac_spill_in_idle: assert (state_q == S_IDLE)
          else $error("rxp_mac_rx: the tail after /T/ meets state %0d", state_q);
      if (state_d == S_DATA4)
        ast_mac_realign_lane4: assert (state_q inside {S_PRE4, S_DATA4})
          else $error("rxp_mac_rx: S_DATA4 entered from state %0d (hold_q not loaded)", state_q);
      if (state_d == S_DATA0 && state_q != S_DATA0)
        ast_mac_data0_fresh: assert (!pend_v_d)
          else $error("rxp_mac_rx: a lane-0 frame starts with a word pending");
      if (em_v)
        ast_mac_nbytes: assert (em_n != 4'd0 && em_n <= 4'd8)
          else $error("rxp_mac_rx: a word of %0d bytes", em_n);
    end
  end

  // ---------------------------------------------------------------- cover points
  // Every state and legal transition of the FSM, and the corner cases of
  // the lane handling (make coverage; compiled only with --coverage-user).
  cov_mac_st_idle:  cover property (@(posedge clk_i) disable iff (!rst_ni) state_q == S_IDLE);
  cov_mac_st_pre4:  cover property (@(posedge clk_i) disable iff (!rst_ni) state_q == S_PRE4);
  cov_mac_st_data0: cover property (@(posedge clk_i) disable iff (!rst_ni) state_q == S_DATA0);
  cov_mac_st_data4: cover property (@(posedge clk_i) disable iff (!rst_ni) state_q == S_DATA4);
  cov_mac_st_drop:  cover property (@(posedge clk_i) disable iff (!rst_ni) state_q == S_DROP);
  cov_mac_idle_to_data0: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_IDLE && state_d == S_DATA0);
  cov_mac_idle_to_pre4: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_IDLE && state_d == S_PRE4);
  cov_mac_idle_to_drop_lane0: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_IDLE && state_d == S_DROP && start0);
  cov_mac_idle_to_drop_lane4: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_IDLE && state_d == S_DROP && !start0);
  cov_mac_pre4_to_data4: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_PRE4 && state_d == S_DATA4);
  cov_mac_pre4_to_idle: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_PRE4 && state_d == S_IDLE);
  cov_mac_pre4_to_drop: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_PRE4 && state_d == S_DROP);
  cov_mac_data0_to_idle_term: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_DATA0 && state_d == S_IDLE && !em_err);
  cov_mac_data0_to_idle_err: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_DATA0 && state_d == S_IDLE && em_err);
  cov_mac_data0_to_pre4: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_DATA0 && state_d == S_PRE4);
  cov_mac_data0_to_drop: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_DATA0 && state_d == S_DROP);
  cov_mac_data4_to_idle_term: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_DATA4 && state_d == S_IDLE && !em_err);
  cov_mac_data4_to_idle_err: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_DATA4 && state_d == S_IDLE && em_err);
  cov_mac_data4_to_pre4: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_DATA4 && state_d == S_PRE4);
  cov_mac_data4_to_drop: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_DATA4 && state_d == S_DROP);
  cov_mac_drop_to_drop: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_DROP && state_d == S_DROP && !start0 && !start4);
  cov_mac_drop_to_idle: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_DROP && state_d == S_IDLE);
  cov_mac_drop_to_data0: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_DROP && state_d == S_DATA0);
  cov_mac_drop_to_pre4: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_DROP && state_d == S_PRE4);
  // /T/ in lane 0 of a lane-0 frame, a tail spilled into the next clock, a
  // frame with no byte before /T/, a bad lane-4 preamble counted one clock
  // after the error frame that shared its word, a length at the field's
  // saturation (a jabber frame over 64 KiB).
  cov_mac_term_lane0: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_DATA0 && term_ok && t == 4'd0 && pend_v_q);
  cov_mac_spill: cover property (@(posedge clk_i) disable iff (!rst_ni) spill_v_q);
  cov_mac_empty_frame: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_DATA0 && term_ok && t == 4'd0 && !pend_v_q);
  cov_mac_pre4_bad_carried: cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q == S_PRE4 && pre4_bad_q);
  cov_mac_len_saturated: cover property (@(posedge clk_i) disable iff (!rst_ni)
      em_v && len_sum[16]);

endmodule

`default_nettype wire
