// SPDX-License-Identifier: MIT
// rxp_fifo: synchronous first-word-fall-through FIFO with a registered head (valid/ready both sides).
`default_nettype none

module rxp_fifo #(
  parameter int unsigned WIDTH = 8,   // bits per entry
  parameter int unsigned DEPTH = 4    // entries in the array (power of two, >= 2); one more sits in the head register
) (
  input  wire              clk_i,
  input  wire              rst_ni,
  // Write side
  input  wire              wr_valid_i,
  output logic             wr_ready_o,
  input  wire [WIDTH-1:0]  wr_data_i,
  // Read side (head is a register)
  output logic             rd_valid_o,
  input  wire              rd_ready_i,
  output logic [WIDTH-1:0] rd_data_o,
  // Status
  output logic [$clog2(DEPTH):0] fill_o   // entries in the array (the head register not counted)
);

  localparam int unsigned AW = $clog2(DEPTH);

  if (DEPTH < 2 || (DEPTH & (DEPTH - 1)) != 0) begin : g_bad_depth
    $error("rxp_fifo: DEPTH must be a power of two >= 2");
  end

  logic [WIDTH-1:0] mem_q [DEPTH];
  logic [AW:0]      wr_ptr_q, rd_ptr_q;
  logic             head_v_q;
  logic [WIDTH-1:0] head_q;

  wire [AW:0] fill    = wr_ptr_q - rd_ptr_q;
  wire        full    = fill[AW];
  wire        empty   = (fill == '0);
  wire        pop     = head_v_q && rd_ready_i;
  wire        push    = wr_valid_i && !full;
  // The head register takes the array's oldest entry, or the new word when the array is empty.
  wire        load    = !head_v_q || pop;

  assign wr_ready_o = !full;
  assign rd_valid_o = head_v_q;
  assign rd_data_o  = head_q;
  assign fill_o     = fill;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      wr_ptr_q <= '0;
      rd_ptr_q <= '0;
      head_v_q <= 1'b0;
      head_q   <= '0;
    end else begin
      if (load) begin
        if (!empty) begin
          head_q   <= mem_q[rd_ptr_q[AW-1:0]];
          head_v_q <= 1'b1;
          rd_ptr_q <= rd_ptr_q + 1'b1;
        end else if (push) begin
          head_q   <= wr_data_i;
          head_v_q <= 1'b1;
        end else begin
          head_v_q <= 1'b0;
        end
      end
      // An entry goes into the array unless it went straight to the head.
      if (push && !(load && empty)) begin
        mem_q[wr_ptr_q[AW-1:0]] <= wr_data_i;
        wr_ptr_q <= wr_ptr_q + 1'b1;
      end
    end
  end

  // Every user writes only when there is room (a write to a full FIFO is
  // dropped here without a trace: a lost frame, job or B tracker entry).
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      if (wr_valid_i)
        ast_fifo_no_overflow: assert (!full)
          else $error("rxp_fifo: write to a full FIFO (%m)");
    end
  end

endmodule

`default_nettype wire
