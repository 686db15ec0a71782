// SPDX-License-Identifier: MIT
// rxp_pkg: types shared by the rxpath NIC blocks (frame classes, metadata layout).
`default_nettype none

package rxp_pkg;

  // The class of a frame that reached the MAC, in precedence order: a frame
  // is counted in the first class that applies and in no other.
  typedef enum logic [3:0] {
    RXC_RXERR  = 4'd0,   // framing error               -> RXERRC
    RXC_RUC    = 4'd1,   // < 64 bytes, FCS good        -> RUC
    RXC_RFC    = 4'd2,   // < 64 bytes, FCS bad         -> RFC
    RXC_ROC    = 4'd3,   // > maximum, FCS good         -> ROC
    RXC_RJC    = 4'd4,   // > maximum, FCS bad          -> RJC
    RXC_CRCERR = 4'd5,   // legal length, FCS bad       -> CRCERRS
    RXC_RXDIS  = 4'd6,   // RCTL.EN clear or queue off  -> RXP_RXDIS
    RXC_AFD    = 4'd7,   // address filter rejects      -> RXP_AFDC
    RXC_GOOD   = 4'd8    // good -> GPRC/GORC (BPRC, MPRC) once stored, else MPC
  } rx_class_e;

  // Frame metadata kept beside the packet buffer data, one entry per frame.
  typedef struct packed {
    logic [15:0] len;        // bytes to deliver
    logic [2:0]  qidx;       // RX queue
    logic [31:0] status;     // checksum status and error bits (DD/EOP added at writeback)
    logic [15:0] pkt_info;   // packet type and RSS type
    logic [31:0] rss;        // the RSS field of the writeback (hash with RXCSUM.PCSD, else 0)
  } rx_meta_t;

endpackage

`default_nettype wire
