# The RTL file list, in compile order. rtl/CMakeLists.txt includes this;
# the lint target and every verilate() call use the same list.
set(RXPATH_RTL_SOURCES
  ${RXPATH_REGS_SV}
  ${CMAKE_CURRENT_LIST_DIR}/nic_top.sv
)
# Lint waivers (scoped per file, each with its reason); pass to verilate()/lint.
set(RXPATH_RTL_WAIVERS ${CMAKE_CURRENT_LIST_DIR}/lint/nic.vlt)
