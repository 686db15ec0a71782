// SPDX-License-Identifier: MIT
// rxp_pktbuf: store-and-forward RX packet buffer: frames written as they arrive, committed or rolled back at the end.
`default_nettype none

// Data lines are AXI_DATA_W wide; every frame starts on a new line. A kept
// frame that does not fit (or finds the metadata FIFO full) is rolled back
// and raises mpc_o; a kept frame that is committed raises good_o with its
// statistics (the good-frame counters count stored frames only: a frame in
// MPC is not in GPRC). Committed frames appear on the metadata channel with
// the line range they occupy; the reader frees lines by moving rel_ptr_i.
module rxp_pktbuf #(
  parameter int unsigned AXI_DATA_W   = 128,    // line width (read side)
  parameter int unsigned PKTBUF_BYTES = 65536,  // data capacity in bytes
  parameter int unsigned META_DEPTH   = 512,    // frames held at most (power of two)
  localparam int unsigned LINES = PKTBUF_BYTES / (AXI_DATA_W / 8),
  localparam int unsigned LAW   = $clog2(LINES)
) (
  input  wire         clk_i,
  input  wire         rst_ni,
  // Frame stream in (from rxp_rx_classify)
  input  wire         s_valid_i,
  input  wire [63:0]  s_data_i,
  input  wire         s_last_i,
  input  wire         s_keep_i,
  input  wire rxp_pkg::rx_meta_t s_meta_i,
  input  wire [15:0]  s_wire_len_i,     // length incl. FCS, for GORC (valid with s_last_i)
  input  wire         s_bcast_i,        // broadcast destination (valid with s_last_i)
  input  wire         s_mcast_i,        // multicast destination (valid with s_last_i)
  // Committed frames out (to rxp_rx_dma)
  output logic        m_valid_o,
  input  wire         m_ready_i,
  output rxp_pkg::rx_meta_t m_meta_o,
  output logic [LAW:0] m_start_o,       // first line of the frame
  output logic [LAW:0] m_end_o,         // one past its last line
  // Line read port: data one cycle after the request
  input  wire         rd_en_i,
  input  wire [LAW-1:0] rd_line_i,
  output logic        rd_valid_o,
  output logic [AXI_DATA_W-1:0] rd_data_o,
  input  wire [LAW:0] rel_ptr_i,        // lines before this one are free
  // Status: one pulse per kept frame, exactly one of mpc_o / good_o
  output logic        mpc_o,            // a kept frame was lost: buffer full
  output logic        good_o,           // a kept frame was stored (GPRC, GORC)
  output logic [15:0] good_len_o,       // its length incl. FCS
  output logic        good_bcast_o,     // it is broadcast (BPRC)
  output logic        good_mcast_o,     // it is multicast (MPRC)
  // Observation: lines in use, the frame being written included
  output logic [LAW:0] used_o
);

  import rxp_pkg::*;

  localparam int unsigned WPL = AXI_DATA_W / 64;               // 64-bit words per line
  localparam int unsigned WW  = (WPL > 1) ? $clog2(WPL) : 1;
  localparam int unsigned MW  = $bits(rx_meta_t) + 2 * (LAW + 1);

  if (PKTBUF_BYTES < 4096 || (PKTBUF_BYTES & (PKTBUF_BYTES - 1)) != 0) begin : g_bad_size
    $error("rxp_pktbuf: PKTBUF_BYTES must be a power of two >= 4096");
  end

  logic [AXI_DATA_W-1:0] mem_q [LINES];

  logic [LAW:0]  commit_q, wr_ptr_q;
  logic [WW-1:0] word_q;
  logic          ovf_q;

  wire [LAW:0] used     = wr_ptr_q - rel_ptr_i;   // lines in use, the frame being written included
  wire         full     = (used == (LAW+1)'(LINES));
  assign used_o = used;
  wire         new_line = (word_q == '0);
  wire         ovf      = ovf_q || (new_line && full);
  wire         line_end = s_last_i || (word_q == WW'(WPL - 1));
  wire [LAW:0] wr_next  = wr_ptr_q + 1'b1;

  logic          meta_ready;
  wire           commit = s_valid_i && s_last_i && s_keep_i && !ovf && meta_ready;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      commit_q <= '0;
      wr_ptr_q <= '0;
      word_q   <= '0;
      ovf_q    <= 1'b0;
      mpc_o    <= 1'b0;
      good_o   <= 1'b0;
      good_len_o   <= '0;
      good_bcast_o <= 1'b0;
      good_mcast_o <= 1'b0;
    end else begin
      mpc_o  <= s_valid_i && s_last_i && s_keep_i && !commit;
      good_o <= commit;
      if (commit) begin
        good_len_o   <= s_wire_len_i;
        good_bcast_o <= s_bcast_i;
        good_mcast_o <= s_mcast_i;
      end
      if (s_valid_i) begin
        if (!ovf) begin
          if (WPL > 1) mem_q[wr_ptr_q[LAW-1:0]][64*word_q +: 64] <= s_data_i;
          else         mem_q[wr_ptr_q[LAW-1:0]][63:0] <= s_data_i;
        end
        if (s_last_i) begin
          word_q <= '0;
          ovf_q  <= 1'b0;
          if (commit) begin
            wr_ptr_q <= wr_next;
            commit_q <= wr_next;
          end else begin
            wr_ptr_q <= commit_q;   // roll back
          end
        end else begin
          ovf_q  <= ovf;
          word_q <= line_end ? '0 : word_q + 1'b1;
          if (line_end && !ovf) wr_ptr_q <= wr_next;
        end
      end
    end
  end

  // Line reads.
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      rd_valid_o <= 1'b0;
      rd_data_o  <= '0;
    end else begin
      rd_valid_o <= rd_en_i;
      if (rd_en_i) rd_data_o <= mem_q[rd_line_i];
    end
  end

  // Metadata FIFO.
  logic [MW-1:0] meta_out;
  logic [$clog2(META_DEPTH):0] unused_meta_fill;
  rxp_fifo #(
    .WIDTH(MW),
    .DEPTH(META_DEPTH)
  ) u_meta_fifo (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .wr_valid_i (commit),
    .wr_ready_o (meta_ready),
    .wr_data_i  ({wr_next, commit_q, s_meta_i}),
    .rd_valid_o (m_valid_o),
    .rd_ready_i (m_ready_i),
    .rd_data_o  (meta_out),
    .fill_o     (unused_meta_fill)
  );
  assign {m_end_o, m_start_o, m_meta_o} = meta_out;

  // ---------------------------------------------------------------- assertions
  // A kept frame ends in exactly one of MPC and the good-frame counters;
  // the reader never frees lines that were not written (used would wrap
  // and the buffer would take frames over unread lines).
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      ast_pb_mpc_good: assert (!(mpc_o && good_o))
        else $error("rxp_pktbuf: a frame counted in MPC and GPRC");
      ast_pb_used: assert (used <= (LAW+1)'(LINES))
        else $error("rxp_pktbuf: %0d lines in use of %0d (lines freed before they were written)", used, LINES);
    end
  end

  // ---------------------------------------------------------------- cover points
  // MPC because the data lines are full, and because the metadata FIFO
  // is; a frame written into the buffer's last line, after which the
  // write pointer wraps to line 0 (make coverage; only with
  // --coverage-user). A stored frame takes at least 64 bytes of lines, so
  // with META_DEPTH >= PKTBUF_BYTES / 64 (nic_top: up to 64 KiB) the lines
  // are always full first and the metadata FIFO cannot fill: that cover
  // exists only where it can be hit.
  cov_pb_mpc_lines: cover property (@(posedge clk_i) disable iff (!rst_ni)
      s_valid_i && s_last_i && s_keep_i && ovf);
  if (META_DEPTH < PKTBUF_BYTES / 64) begin : g_cov_meta
    cov_pb_mpc_meta: cover property (@(posedge clk_i) disable iff (!rst_ni)
        s_valid_i && s_last_i && s_keep_i && !ovf && !meta_ready);
  end
  cov_pb_line_wrap: cover property (@(posedge clk_i) disable iff (!rst_ni)
      s_valid_i && !ovf && wr_ptr_q[LAW-1:0] == '1);

endmodule

`default_nettype wire
