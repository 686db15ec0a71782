# The RTL file list, in compile order. rtl/CMakeLists.txt includes this;
# the lint target and every verilate() call use the same list.
set(RXPATH_RTL_SOURCES
  ${RXPATH_REGS_SV}
  ${CMAKE_CURRENT_LIST_DIR}/rxp_pkg.sv
  ${CMAKE_CURRENT_LIST_DIR}/rxp_fifo.sv
  ${CMAKE_CURRENT_LIST_DIR}/rxp_mac_rx.sv
  ${CMAKE_CURRENT_LIST_DIR}/rxp_rx_classify.sv
  ${CMAKE_CURRENT_LIST_DIR}/rxp_pktbuf.sv
  ${CMAKE_CURRENT_LIST_DIR}/rxp_desc_fetch.sv
  ${CMAKE_CURRENT_LIST_DIR}/rxp_rx_dma.sv
  ${CMAKE_CURRENT_LIST_DIR}/rxp_intr.sv
  ${CMAKE_CURRENT_LIST_DIR}/rxp_regs.sv
  ${CMAKE_CURRENT_LIST_DIR}/nic_top.sv
)
# Lint waivers (scoped per file, each with its reason); pass to verilate()/lint.
set(RXPATH_RTL_WAIVERS ${CMAKE_CURRENT_LIST_DIR}/lint/nic.vlt)
# Visible from every directory (verilator/, bench/), not only rtl/.
set(RXPATH_RTL_SOURCES ${RXPATH_RTL_SOURCES} CACHE INTERNAL "RTL sources in compile order")
set(RXPATH_RTL_WAIVERS ${RXPATH_RTL_WAIVERS} CACHE INTERNAL "RTL lint waiver files")
