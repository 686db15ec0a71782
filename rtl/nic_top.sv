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
  input  wire                      msix_ready_i
  // Debug/trace (optional additions go here)
);

  // ---------------------------------------------------------------- parameter checks
  if (NUM_QUEUES < 1 || NUM_QUEUES > 8) begin : g_bad_num_queues
    $error("nic_top: NUM_QUEUES must be 1..8");
  end
  if (AXI_DATA_W != 64 && AXI_DATA_W != 128 && AXI_DATA_W != 256) begin : g_bad_axi_data_w
    $error("nic_top: AXI_DATA_W must be 64, 128 or 256");
  end
  if (AXI_ID_W < 2 || AXI_ID_W > 8) begin : g_bad_axi_id_w
    $error("nic_top: AXI_ID_W must be 2..8");
  end
  if (PKTBUF_BYTES < 4096 || (PKTBUF_BYTES & (PKTBUF_BYTES - 1)) != 0) begin : g_bad_pktbuf_bytes
    $error("nic_top: PKTBUF_BYTES must be a power of two >= 4096");
  end

  // Placeholder: every output tied to a safe value until the real blocks land.
  assign s_axil_awready = 1'b0;
  assign s_axil_wready  = 1'b0;
  assign s_axil_bresp   = 2'b00;
  assign s_axil_bvalid  = 1'b0;
  assign s_axil_arready = 1'b0;
  assign s_axil_rdata   = 32'h0;
  assign s_axil_rresp   = 2'b00;
  assign s_axil_rvalid  = 1'b0;

  assign m_axi_awid    = '0;
  assign m_axi_awaddr  = 64'h0;
  assign m_axi_awlen   = 8'h0;
  assign m_axi_awsize  = 3'($clog2(AXI_DATA_W / 8));
  assign m_axi_awburst = 2'b01;
  assign m_axi_awvalid = 1'b0;
  assign m_axi_wdata   = '0;
  assign m_axi_wstrb   = '0;
  assign m_axi_wlast   = 1'b0;
  assign m_axi_wvalid  = 1'b0;
  assign m_axi_bready  = 1'b1;
  assign m_axi_arid    = '0;
  assign m_axi_araddr  = 64'h0;
  assign m_axi_arlen   = 8'h0;
  assign m_axi_arsize  = 3'($clog2(AXI_DATA_W / 8));
  assign m_axi_arburst = 2'b01;
  assign m_axi_arvalid = 1'b0;
  assign m_axi_rready  = 1'b1;

  assign msix_valid_o  = 1'b0;
  assign msix_vector_o = 5'd0;

  // Inputs not used yet by the placeholder.
  wire unused_ok = ^{clk_i, rst_ni, xgmii_rxd_i, xgmii_rxc_i, s_axil_awaddr, s_axil_awvalid,
                     s_axil_wdata, s_axil_wstrb, s_axil_wvalid, s_axil_bready,
                     s_axil_araddr, s_axil_arvalid, s_axil_rready, m_axi_awready,
                     m_axi_wready, m_axi_bid, m_axi_bresp, m_axi_bvalid, m_axi_arready,
                     m_axi_rid, m_axi_rdata, m_axi_rresp, m_axi_rlast, m_axi_rvalid,
                     msix_ready_i};

endmodule

`default_nettype wire
